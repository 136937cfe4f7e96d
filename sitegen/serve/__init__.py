"""sitegen.serve."""
