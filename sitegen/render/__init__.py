"""sitegen.render."""
