"""Shared state of one attribution pass: the parse, the quotes, and attributions in the making."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from sitegen.annotate.attribution.cues import CHANNEL_WORDS, MEDIA_NAMES
from sitegen.annotate.attribution.quotes import Quote, find_quotes

Token = Any  # spacy.tokens.Token
Doc = Any

_LEADING = frozenset({"that", "and", "but", "whether", "if"})
_STOP = frozenset({".", "!", "?"})


@dataclass(slots=True)
class Draft:
    """An attribution before its source is resolved."""

    kind: str
    parts: list[tuple[int, int]]  # content spans (character offsets)
    cue: Token | None = None
    source: Token | None = None  # head token of the source noun phrase
    source_bounds: tuple[int, int] | None = None  # token range of the source phrase
    via: str | None = None
    partial: bool = False  # a short quote inside a reported clause
    extra_cue: tuple[int, int] | None = None  # cue character span when there is no cue token
    cue_text: str | None = None
    rule: str = ""  # the finder that made it: quote, reported, according, labelled

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]


@dataclass(slots=True)
class Context:
    doc: Doc
    text: str
    quotes: list[Quote] = field(default_factory=list)
    quoted: set[int] = field(default_factory=set)  # token indices inside quotes (marks too)
    starts: list[int] = field(default_factory=list)  # token start offsets
    breaks: list[int] = field(default_factory=list)  # token indices of paragraph breaks
    verbs: list[Token] = field(default_factory=list)  # VERB and NOUN tokens
    according: list[Token] = field(default_factory=list)  # "according" tokens
    used_cues: set[int] = field(default_factory=set)
    drafts: list[Draft] = field(default_factory=list)

    @classmethod
    def build(cls, doc: Doc, text: str) -> Context:
        ctx = cls(doc, text)
        starts, breaks, verbs, according = ctx.starts, ctx.breaks, ctx.verbs, ctx.according
        for t in doc:  # one pass: iterating a Doc creates the Token objects
            starts.append(t.idx)
            pos = t.pos_
            if t.lower_ == "according":
                according.append(t)
            elif pos == "VERB" or pos == "NOUN":
                verbs.append(t)
            elif t.is_space and "\n" in t.text:
                breaks.append(t.i)
        ctx.quotes = find_quotes(text)
        for q in ctx.quotes:
            lo = ctx.token_at(q.open_at)
            hi = ctx.token_at(max(q.close_at - 1, q.open_at))
            ctx.quoted.update(range(lo, hi + 1))
        return ctx

    def token_at(self, pos: int) -> int:
        """Index of the token that contains (or starts before) character `pos`."""
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def token_after(self, pos: int) -> int:
        """Index of the first token starting at or after `pos`."""
        return bisect.bisect_left(self.starts, pos)

    def paragraph(self, i: int) -> tuple[int, int]:
        """Token range of the paragraph holding token i (spaCy's sentences may cross them)."""
        k = bisect.bisect_left(self.breaks, i)
        lo = self.breaks[k - 1] + 1 if k > 0 else 0
        hi = self.breaks[k] if k < len(self.breaks) else len(self.doc)
        return lo, hi

    def is_stop(self, tok: Token) -> bool:
        """A sentence end or paragraph break outside quotes."""
        return (tok.text in _STOP and tok.i not in self.quoted) or (
            tok.is_space and "\n" in tok.text
        )

    def span_text(self, lo: int, hi: int) -> str:
        return self.text[lo:hi]

    def trimmed(self, lo: int, hi: int) -> tuple[int, int] | None:
        """Character span of tokens [lo, hi) without edge punctuation, "that" and conjunctions."""
        doc = self.doc
        while lo < hi and (doc[lo].is_punct or doc[lo].is_space or (
                doc[lo].dep_ in ("cc", "mark") and doc[lo].lower_ in _LEADING)):
            lo += 1
        while hi > lo and (doc[hi - 1].is_punct or doc[hi - 1].is_space
                           or doc[hi - 1].dep_ == "cc"):
            if doc[hi - 1].text in ("?", "!"):
                break
            hi -= 1
        if hi <= lo:
            return None
        return doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text)


def cue_text(tok: Token, text: str) -> tuple[int, int, str]:
    """The cue phrase of a verb or noun: the word and an adjacent particle ("called for")."""
    start, end = tok.idx, tok.idx + len(tok.text)
    for child in tok.children:
        if child.dep_ == "prt" and child.i == tok.i + 1:
            end = child.idx + len(child.text)
    return start, end, text[start:end]


def is_channel(tok: Token) -> bool:
    """Whether the noun phrase headed by `tok` names a channel or news outlet."""
    words = {t.lower_ for t in tok.subtree}
    return bool(words & CHANNEL_WORDS) or bool(words & MEDIA_NAMES and tok.pos_ == "PROPN")


def via_of(verb: Token) -> str | None:
    """The channel of a cue verb: "on Telegram", "to Ukrainian television"."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("on", "to", "via", "through", "in"):
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and is_channel(pobj):
                doc = verb.doc
                return str(doc[child.i:pobj.right_edge.i + 1].text)
    return None
