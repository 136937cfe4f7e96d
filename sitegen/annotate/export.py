"""The annotation export (docs/annotation-format.md): offsets in the Markdown source file.

By default only what readers see (published annotations); with `all_candidates` every
candidate, each with `"published": true/false`. Both carry each annotation's confidence.
"""

from __future__ import annotations

from typing import Any

from sitegen.core.model import Annotations, Document


def export(document: Document, ann: Annotations, *, all_candidates: bool = False,
           notes: bool = False) -> dict[str, Any]:
    """The export of one article. The built-in annotators' sections are always there;
    "notes" (plugin annotators') when `notes` (the site runs a plugin) or there are some."""
    view = document.view
    if not all_candidates:
        ann = ann.published()

    def src(pos: int) -> int:
        return view.source_offset(pos)

    def extra(item: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"confidence": item.confidence}
        if all_candidates:
            out["published"] = item.published
        return out

    out: dict[str, Any] = {
        "entities": [
            {"text": m.text, "label": m.label, "id": m.entity_id, "start": src(m.start),
             "end": src(m.end), **extra(m)}
            for m in ann.entities
        ],
        "glossary": [
            {"text": g.text, "term": g.term, "start": src(g.start), "end": src(g.end),
             **extra(g)}
            for g in ann.glossary
        ],
        "attributions": [
            {"kind": a.kind, "source": a.source, "source_id": a.source_id,
             "source_name": a.source_name, "quote": a.quote, "cue": a.cue, "via": a.via,
             "start": src(a.start), "end": src(a.end), **extra(a)}
            for a in ann.attributions
        ],
    }
    if notes or ann.notes:
        out["notes"] = [
            {"annotator": n.annotator, "kind": n.kind, "text": n.text, "label": n.label,
             "title": n.title, "href": n.href, "start": src(n.start), "end": src(n.end),
             **extra(n)}
            for n in ann.notes
        ]
    return out
