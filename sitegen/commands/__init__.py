"""sitegen.commands."""
