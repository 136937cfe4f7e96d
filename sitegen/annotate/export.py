"""The annotation export of shared/eval/FORMAT.md: offsets in the Markdown source file."""

from __future__ import annotations

from typing import Any

from ..model import Annotations, Document


def export(document: Document, ann: Annotations) -> dict[str, Any]:
    view = document.view

    def src(pos: int) -> int:
        return view.source_offset(pos)

    return {
        "entities": [
            {"text": m.text, "label": m.label, "id": m.entity_id, "start": src(m.start),
             "end": src(m.end)}
            for m in ann.entities
        ],
        "glossary": [
            {"text": g.text, "term": g.term, "start": src(g.start), "end": src(g.end)}
            for g in ann.glossary
        ],
        "attributions": [
            {"kind": a.kind, "source": a.source, "source_id": a.source_id,
             "source_name": a.source_name, "quote": a.quote, "cue": a.cue, "via": a.via,
             "start": src(a.start), "end": src(a.end)}
            for a in ann.attributions
        ],
    }
