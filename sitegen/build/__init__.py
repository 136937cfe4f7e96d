"""sitegen.build."""
