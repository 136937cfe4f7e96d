"""sitegen.annotate.glossary."""
