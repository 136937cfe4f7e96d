"""Glossary term matching (placeholder until the glossary annotator lands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kb import Glossary
from ..model import EntityMention, GlossaryMatch, TextView

if TYPE_CHECKING:
    from spacy.tokens import Doc

VERSION = "0"


def find_terms(
    doc: Doc, view: TextView, glossary: Glossary, entities: tuple[EntityMention, ...]
) -> tuple[GlossaryMatch, ...]:
    return ()
