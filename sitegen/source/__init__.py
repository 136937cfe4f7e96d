"""sitegen.source."""
