"""Entity recognition and resolution.

The model's entities (spaCy, OntoNotes labels) are cleaned into name spans
(`entity_spans`), completed with every knowledge-base name and alias (`entity_kb`), made
consistent within the article (`entity_document`: one name, one type, one id; surnames
inherit the full name's id; missed repetitions are added) and finally corrected by the
authors' inline overrides. Mentions in code, links or raw HTML are dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kb import KnowledgeBase
from ..model import EntityMention, TextView
from ..spans import SpanBuckets, Spans
from .entity_document import Resolver
from .entity_kb import kb_candidates, override_candidate
from .entity_spans import Cand, model_candidates

if TYPE_CHECKING:
    from spacy.tokens import Doc

VERSION = "1"


def _overlap(a: Cand, start: int, end: int) -> bool:
    return a.start < end and start < a.end


def _merge(model: list[Cand], kb: list[Cand]) -> list[Cand]:
    """Knowledge-base matches win over the model's spans they overlap, unless the model's
    span is longer and contains them ("UN Security Council" over an alias "UN")."""
    index = SpanBuckets[int]()
    for i, k in enumerate(kb):
        index.add(k.start, k.end, i)
    removed: set[int] = set()
    kept: list[Cand] = []
    for c in model:
        rivals = [i for i in index.near(c.start, c.end) if _overlap(kb[i], c.start, c.end)]
        if not rivals:
            kept.append(c)
        elif all(c.start <= kb[i].start and kb[i].end <= c.end
                 and c.end - c.start > kb[i].end - kb[i].start for i in rivals):
            removed.update(rivals)
            kept.append(c)
    return [k for i, k in enumerate(kb) if i not in removed] + kept


def _non_overlapping(cands: list[Cand]) -> list[Cand]:
    """Fixed first, then longer, then earlier spans win."""
    chosen: list[Cand] = []
    taken = Spans()
    for c in sorted(cands, key=lambda c: (not c.fixed, -(c.end - c.start), c.start)):
        if not taken.overlaps(c.start, c.end):
            chosen.append(c)
            taken.add(c.start, c.end)
    return sorted(chosen, key=lambda c: c.start)


def find_entities(doc: Doc, view: TextView, kb: KnowledgeBase) -> tuple[EntityMention, ...]:
    text = view.text
    cands = [c for c in model_candidates(doc) if view.annotatable(c.start, c.end)]
    kb_cands = [c for c in kb_candidates(text, kb) if view.annotatable(c.start, c.end)]
    cands = _merge(cands, kb_cands)

    forced: list[Cand] = []
    index = SpanBuckets[int]()  # each override looks only at the candidates near it
    for i, c in enumerate(cands):
        index.add(c.start, c.end, i)
    removed: set[int] = set()
    for ov in view.overrides:
        near = [i for i in index.near(ov.start, ov.end)
                if i not in removed and _overlap(cands[i], ov.start, ov.end)]
        if ov.no_entity:
            removed.update(near)
            near = []
        forced_cand = override_candidate(ov, kb, [cands[i] for i in near], text)
        if forced_cand is not None:
            removed.update(near)
            forced.append(forced_cand)
    cands = [c for i, c in enumerate(cands) if i not in removed]
    cands = Resolver(doc, text, cands + forced).run()

    blocked = Spans((ov.start, ov.end) for ov in view.overrides if ov.no_entity)
    mentions: list[EntityMention] = []
    for c in _non_overlapping(cands):
        if blocked.overlaps(c.start, c.end):
            continue
        if not view.annotatable(c.start, c.end):
            continue
        mentions.append(EntityMention(
            start=c.start, end=c.end, text=text[c.start:c.end], label=c.label,
            entity_id=c.entity_id or "", name=c.name or text[c.start:c.end], origin=c.origin,
        ))
    return tuple(mentions)
