"""sitegen.config."""
