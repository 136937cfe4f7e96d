"""sitegen.annotate.entities."""
