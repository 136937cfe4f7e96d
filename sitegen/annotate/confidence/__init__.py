"""sitegen.annotate.confidence."""
