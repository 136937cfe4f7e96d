"""Editors' decisions (docs/review.md), applied after confidence: accept, reject or correct
an annotation, found again by its words and their context, never by offsets.

A decision that finds no annotation, or more than one, is orphaned: it is reported and
applied to nothing. Decisions win over the publish threshold.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sitegen.core.model import Annotations, Attribution, EntityMention, GlossaryMatch, TextView

CONTEXT = 40  # characters of context kept on each side of an annotation, within its block
KINDS = ("entity", "glossary", "attribution")
ACTIONS = ("accept", "reject", "correct")
# What `correct` may set, per kind: review field -> annotation attribute.
FIELDS: Mapping[str, Mapping[str, str]] = {
    "entity": {"id": "entity_id", "label": "label", "name": "name"},
    "glossary": {},
    "attribution": {"source": "source", "source_id": "source_id",
                    "source_name": "source_name", "source_kind": "source_kind",
                    "kind": "kind"},
}
ATTRIBUTION_KINDS = ("direct", "indirect", "according_to", "unverified", "credit")
SOURCE_KINDS = ("person", "organisation", "media", "unnamed")

_SPACE = re.compile(r"\s+")
Item = EntityMention | GlossaryMatch | Attribution


def squash(text: str) -> str:
    """Whitespace runs as one space: re-wrapping a paragraph does not move an anchor."""
    return _SPACE.sub(" ", text)


@dataclass(frozen=True, slots=True)
class Anchor:
    text: str  # the mention's words, or the quote
    before: str = ""  # up to CONTEXT characters before it, in the same block
    after: str = ""  # up to CONTEXT characters after it, in the same block


def anchor_id(kind: str, anchor: Anchor) -> str:
    """A short, stable ID: the same kind, words and context give the same ID."""
    blob = "\0".join((kind, anchor.text, anchor.before, anchor.after))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class Decision:
    kind: str
    action: str
    anchor: Anchor
    values: tuple[tuple[str, str], ...] = ()  # for "correct": review field -> new value
    line: int = 0  # 1-based line of the decision in its review file (0: not from a file)
    note: str = ""

    @property
    def id(self) -> str:
        return anchor_id(self.kind, self.anchor)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One annotation the annotators proposed, with its anchor and ID."""

    kind: str
    item: Item
    anchor: Anchor
    id: str


@dataclass(frozen=True, slots=True)
class Orphan:
    decision: Decision
    reason: str  # "gone" or "ambiguous"


@dataclass(frozen=True, slots=True)
class Applied:
    annotations: Annotations  # every candidate, with the decisions applied
    decided: dict[str, Decision] = field(default_factory=dict)  # candidate ID -> decision
    orphans: tuple[Orphan, ...] = ()


def _block(text: str, start: int, end: int) -> tuple[int, int]:
    lo = text.rfind("\n\n", 0, start)
    hi = text.find("\n\n", end)
    return (0 if lo < 0 else lo + 2), (len(text) if hi < 0 else hi)


def anchor_of(view: TextView, start: int, end: int) -> Anchor:
    text = view.text
    lo, hi = _block(text, start, end)
    before = squash(text[max(lo, start - CONTEXT):start]).lstrip()
    after = squash(text[end:min(hi, end + CONTEXT)]).rstrip()
    return Anchor(squash(text[start:end]).strip(), before, after)


def candidates(view: TextView, ann: Annotations) -> Iterator[Candidate]:
    """Every annotation of `ann` with its anchor (entities, glossary, attributions)."""
    groups: tuple[tuple[str, tuple[Item, ...]], ...] = (
        ("entity", ann.entities), ("glossary", ann.glossary),
        ("attribution", ann.attributions))
    for kind, items in groups:
        for item in items:
            anchor = anchor_of(view, item.start, item.end)
            yield Candidate(kind, item, anchor, anchor_id(kind, anchor))


def _fits(decision: Decision, cand: Candidate) -> bool:
    a, d = cand.anchor, decision.anchor
    return (cand.kind == decision.kind and a.text == d.text
            and a.before.endswith(d.before) and a.after.startswith(d.after))


def match(decisions: list[Decision] | tuple[Decision, ...], cands: list[Candidate]
          ) -> tuple[dict[str, Decision], tuple[Orphan, ...]]:
    """Candidate ID -> its decision (a later decision for the same one wins), and the
    decisions that match no candidate or more than one."""
    decided: dict[str, Decision] = {}
    orphans: list[Orphan] = []
    for decision in decisions:
        hits = [c for c in cands if _fits(decision, c)]
        if len(hits) == 1:
            decided[hits[0].id] = decision
        else:
            orphans.append(Orphan(decision, "gone" if not hits else "ambiguous"))
    return decided, tuple(orphans)


def _apply_one(item: Any, decision: Decision, names: Mapping[str, str]) -> Any:
    if decision.action == "reject":
        return dataclasses.replace(item, published=False)
    if decision.action == "accept":
        return dataclasses.replace(item, published=True)
    fields = FIELDS[decision.kind]
    changes: dict[str, Any] = {fields[k]: (v or None) if k in ("source", "source_id",
                                                               "source_name") else v
                               for k, v in decision.values}
    if isinstance(item, Attribution) and "source_name" not in changes:
        # the name shown is the knowledge base's for a new source_id, else the one set
        if changes.get("source_id") in names:
            changes["source_name"] = names[changes["source_id"]]
        elif "source" in changes:
            changes["source_name"] = changes["source"]
    if isinstance(item, EntityMention):
        if "name" not in changes and changes.get("entity_id") in names:
            changes["name"] = names[changes["entity_id"]]
        changes["origin"] = "review"
    return dataclasses.replace(item, published=True, **changes)


def apply(decisions: list[Decision] | tuple[Decision, ...], view: TextView,
          ann: Annotations, names: Mapping[str, str] | None = None) -> Applied:
    """`ann` (every candidate, scored) with the decisions applied; `names`: entity id ->
    canonical name (the knowledge base's), for corrections that give an id only."""
    names = names or {}
    cands = list(candidates(view, ann))
    decided, orphans = match(decisions, cands)
    if not decided:
        return Applied(ann, decided, orphans)
    by_item = {id(c.item): decided[c.id] for c in cands if c.id in decided}

    def fix(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(_apply_one(i, by_item[id(i)], names) if id(i) in by_item else i for i in items)

    out = dataclasses.replace(ann, entities=fix(ann.entities), glossary=fix(ann.glossary),
                              attributions=fix(ann.attributions))
    return Applied(out, decided, orphans)
