"""Source attribution: who said what, according to whom, and what could not be verified.

Works on the one spaCy parse of the article (`doc` is the Doc of `view.text`). The pieces:

- attribution_quotes: quoted passages (straight, curly, multi-paragraph, unbalanced);
- attribution_direct: the cue and speaker of each quote;
- attribution_reported: reported speech ('X said that ...') and 'according to X';
- attribution_sources: the source phrase, its kind and the entity it refers to;
- attribution_credits: photo credits and 'could not be independently verified'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sitegen.annotate.attribution.draft import Context, Draft, cue_text
from sitegen.annotate.attribution.phrases import phrase_bounds
from sitegen.annotate.attribution.rules import DEFAULT_RULES, AttributionState, Rule
from sitegen.annotate.attribution.sources import Resolver
from sitegen.annotate.attribution.trust import not_a_statement, reported_event
from sitegen.core.model import Attribution, EntityMention, TextView
from sitegen.core.spans import SpanBuckets, Spans

if TYPE_CHECKING:
    from spacy.tokens import Doc

VERSION = "4"

_MARKS = frozenset("\"'\u201c\u201d\u201e\u00ab\u00bb")


def _length(d: Draft) -> int:
    return sum(e - s for s, e in d.parts)


def _shared(a: Draft, b: Draft) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a.parts for s2, e2 in b.parts)


def _rank(d: Draft) -> int:
    if d.kind == "direct" and not d.partial:
        return 3
    if d.kind == "indirect":
        return 2
    return 1


def _dedupe(drafts: list[Draft]) -> list[Draft]:
    """Drop a speech draft that mostly repeats a better one ('according to' is kept apart)."""
    keep: list[Draft] = []
    # Only a kept draft that shares characters with `d` can make it a duplicate: look at
    # those near it (by position), not at every kept draft (quadratic on long articles).
    near = SpanBuckets[Draft]()
    for d in sorted(drafts, key=_rank, reverse=True):
        if d.kind == "according_to":
            keep.append(d)
            _add(near, d)
            continue
        dup = False
        for k in near.near(min(s for s, _ in d.parts), max(e for _, e in d.parts)):
            if d.partial and k.kind != "according_to" and k.start <= d.start and d.end <= k.end:
                dup = True  # a quoted phrase inside a reported clause: the clause is the unit
                break
            if k.kind == "according_to" or (k.kind == d.kind == "indirect"):
                continue
            shared = _shared(d, k)
            if shared / (max(_length(d), _length(k)) or 1) >= 0.6:
                dup = True
                break
        if not dup:
            keep.append(d)
            _add(near, d)
    return keep


def _add(near: SpanBuckets[Draft], d: Draft) -> None:
    near.add(min(s for s, _ in d.parts), max(e for _, e in d.parts), d)


def _kind(d: Draft, text: str) -> str:
    if d.kind == "indirect" and d.start > 0 and text[d.start - 1] in _MARKS:
        return "direct"
    return d.kind


def find_attributions(
    doc: Doc, view: TextView, entities: tuple[EntityMention, ...],
    rules: Sequence[tuple[str, Rule]] = DEFAULT_RULES,
) -> tuple[Attribution, ...]:
    """Every attribution the `rules` (attribution/rules.py, in order) find in the text."""
    text = view.text
    ctx = Context.build(doc, text)
    state = AttributionState(ctx)
    for name, rule in rules:
        before = len(ctx.drafts)
        rule(state)
        for d in ctx.drafts[before:]:
            d.rule = (d.rule or name) + ("-partial" if d.partial else "")
    credits = [a for a in state.found if a.kind == "credit"]
    credit_spans = Spans((a.start, a.end) for a in credits)
    kept = _dedupe([d for d in ctx.drafts if not not_a_statement(d)])
    according = Spans((d.start, d.end) for d in kept if d.kind == "according_to")
    drafts = [d for d in kept if not credit_spans.overlaps(d.start, d.start + 1)  # a credit
              and not reported_event(d, according)]
    resolver = Resolver(doc, entities)

    def source_pos(d: Draft) -> int:
        return d.source.idx if d.source is not None else d.start

    out: list[Attribution] = list(credits)
    for d in sorted(drafts, key=source_pos):
        # The parts of a split quote are joined with an ellipsis: never run together.
        quote = " \u2026 ".join(text[s:e].strip() for s, e in d.parts if e > s).strip()
        if not quote:
            continue
        if d.cue is not None:
            c_start, c_end, cue = cue_text(d.cue, text)
        elif d.extra_cue is not None:
            c_start, c_end = d.extra_cue
            cue = d.cue_text or text[c_start:c_end]
        else:
            c_start, c_end, cue = -1, -1, ""
        fields: dict[str, object] = {}
        if d.source is not None:
            lo, hi = d.source_bounds or phrase_bounds(d.source, ctx.quoted)
            r = resolver.resolve(lo, hi, d.source)
            fields = {"source": r.source, "source_start": r.start, "source_end": r.end,
                      "source_id": r.source_id, "source_name": r.name,
                      "source_kind": r.kind}
        out.append(Attribution(
            kind=_kind(d, text), start=d.start, end=d.end, quote=quote,
            cue=cue or None, cue_start=c_start, cue_end=c_end, via=d.via, rule=d.rule,
            **fields,  # type: ignore[arg-type]
        ))
    out.extend(a for a in state.found if a.kind != "credit")
    return tuple(sorted(out, key=lambda a: (a.start, a.end, a.kind)))
