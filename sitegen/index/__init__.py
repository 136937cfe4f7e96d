"""sitegen.index."""
