"""sitegen.core."""
