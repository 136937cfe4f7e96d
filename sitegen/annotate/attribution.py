"""Source attribution (placeholder until the attribution annotator lands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Attribution, EntityMention, TextView

if TYPE_CHECKING:
    from spacy.tokens import Doc

VERSION = "0"


def find_attributions(
    doc: Doc, view: TextView, entities: tuple[EntityMention, ...]
) -> tuple[Attribution, ...]:
    return ()
