"""Entity recognition and resolution (placeholder until the entity annotator lands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kb import KnowledgeBase
from ..model import EntityMention, TextView

if TYPE_CHECKING:
    from spacy.tokens import Doc

VERSION = "0"


def find_entities(doc: Doc, view: TextView, kb: KnowledgeBase) -> tuple[EntityMention, ...]:
    return ()
