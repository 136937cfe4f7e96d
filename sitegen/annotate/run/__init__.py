"""sitegen.annotate.run."""
