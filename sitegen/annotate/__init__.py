"""Annotators: one spaCy pass per article feeds entities, glossary and attributions."""
