"""Speech labelled with its speaker: transcript lines ('SMITH: We will win.') and headlines
('Jane Roe: Voters Want Change'), where a name and a colon stand in for the cue."""

from __future__ import annotations

import re

from sitegen.annotate.attribution.draft import Context, Draft

_LABELLED = re.compile(
    r"(?m)^[ \t\"\u201c]*(?P<name>[A-Z][\w.'\u2019-]*(?:[ \t]+[A-Z][\w.'\u2019-]*){0,3})[ \t]*"
    r"(?P<colon>:)[ \t]+(?P<body>\S[^\n]*?)[ \t]*$"
)
# Capitalised labels that are not speakers: 'UPDATE: ...', 'NOTE: ...'
_NOT_SPEAKERS = frozenset({
    "update", "updated", "note", "editor's", "editor\u2019s", "correction", "watch", "read",
    "related", "source", "sources", "photo", "video", "image", "credit", "warning", "breaking",
    "exclusive", "analysis", "opinion", "review", "live", "q", "a", "question", "answer",
    "transcript", "disclosure", "clarification", "ps", "p.s", "tl;dr", "faq",
})


def _speaker_name(ctx: Context, lo: int, hi: int, people: set[str]) -> int | None:
    """Token index of the last word of the name text[lo:hi] when it names a speaker: written
    in capitals (a transcript), recognised as a person, or a person named in the article."""
    name = ctx.text[lo:hi]
    words = name.split()
    if {w.lower().rstrip(".") for w in words} & _NOT_SPEAKERS:
        return None
    first, last = ctx.token_after(lo), ctx.token_at(hi - 1)
    if last < first:
        return None
    toks = ctx.doc[first:last + 1]
    capitals = sum(c.isalpha() for c in name) >= 3 and name.upper() == name
    person = all(t.ent_type_ == "PERSON" or t.lower_ in people for t in toks if t.is_alpha)
    return last if capitals or person else None


def find_labelled(ctx: Context) -> None:
    """Add a direct Draft for every 'NAME: words' paragraph whose name is a speaker."""
    text = ctx.text
    people: set[str] | None = None
    for m in _LABELLED.finditer(text):
        body_lo, body_hi = m.span("body")
        if len(text[body_lo:body_hi].split()) < 3:
            continue
        if people is None:
            people = {t.lower_ for e in ctx.doc.ents if e.label_ == "PERSON" for t in e
                      if t.is_alpha and t.is_title}
        head = _speaker_name(ctx, *m.span("name"), people)
        if head is None:
            continue
        lo, hi = ctx.token_after(body_lo), ctx.token_at(body_hi - 1) + 1
        span = ctx.trimmed(lo, hi)
        if span is None:
            continue
        colon = m.span("colon")
        first = ctx.token_after(m.start("name"))
        ctx.drafts.append(Draft("direct", [span], source=ctx.doc[head], extra_cue=colon,
                                cue_text=":", source_bounds=(first, head + 1)))
