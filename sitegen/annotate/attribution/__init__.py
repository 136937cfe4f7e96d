"""sitegen.annotate.attribution."""
