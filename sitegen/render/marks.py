"""Annotations -> HTML marks wrapped around exactly the annotated characters of the body.

A Mark covers [start, end) of the article's TextView text; a zero-width Mark is inserted
after the text at `start` (attribution markers). The `text` render rule of markdown-it
splits each text token at mark boundaries, so marks never wrap code, link targets or raw
HTML, and marks that cross inline markup (emphasis, links) are closed and reopened.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markdown_it.token import Token

from sitegen.core.spans import SpanBuckets


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    open: str
    close: str
    order: int = 0  # lower opens first (outer) when two marks share a span


def _key(m: Mark) -> tuple[int, int, int]:
    return (m.start, -m.end, m.order)


def render_text(content: str, start: int, marks: Sequence[Mark], ordered: bool = False
                ) -> str:
    """`content` (at `start` in the view's text) as HTML with `marks`; `ordered`: they are
    in mark order (`_key`), as an article's are, so nothing needs sorting again."""
    end = start + len(content)
    spans = [m for m in marks if m.start < m.end and m.start < end and m.end > start]
    anchors = [m for m in marks if m.start == m.end and start < m.start <= end]
    if not ordered:
        anchors.sort(key=_key)
    if not spans and not anchors:
        return escape(content, quote=False)
    cuts = sorted({start, end, *(max(start, min(end, p)) for m in spans for p in (m.start,
                   m.end)), *(a.start for a in anchors)})
    # A sweep over the cuts: the marks open over [p, q) are those started by p and not
    # ended before q, kept as they come (linear in cuts x nesting depth, not cuts x marks).
    # In mark order, clamping the starts to `start` changes no order: sorted already.
    by_start = spans if ordered else sorted(spans, key=lambda m: max(start, m.start))
    active: list[Mark] = []
    started = 0
    next_anchor = 0
    out: list[str] = []
    stack: list[Mark] = []
    for p, q in itertools.pairwise(cuts):
        while started < len(by_start) and max(start, by_start[started].start) <= p:
            active.append(by_start[started])
            started += 1
        active = [m for m in active if m.end >= q]
        _transition(out, stack, active if ordered else sorted(active, key=_key))
        out.append(escape(content[p - start : q - start], quote=False))
        while next_anchor < len(anchors) and anchors[next_anchor].start < q:
            next_anchor += 1
        here: list[Mark] = []
        while next_anchor < len(anchors) and anchors[next_anchor].start == q:
            here.append(anchors[next_anchor])
            next_anchor += 1
        if here:
            opening = started  # marks that start at q are not active yet
            while opening < len(by_start) and by_start[opening].start <= q:
                opening += 1
            after = [m for m in [*active, *by_start[started:opening]] if m.start <= q < m.end]
            if not ordered:
                after.sort(key=_key)
            _transition(out, stack, [m for m in after if m in stack])
            out.extend(a.open + a.close for a in here)
    _transition(out, stack, [])
    return "".join(out)


def _transition(out: list[str], stack: list[Mark], want: list[Mark]) -> None:
    common = 0
    while common < len(stack) and common < len(want) and stack[common] == want[common]:
        common += 1
    while len(stack) > common:
        out.append(stack.pop().close)
    for m in want[common:]:
        out.append(m.open)
        stack.append(m)


_OPENERS = "([{<\u2014\u2013-/\u201c\u2018"
_QUOTES = re.compile("[\"']")


def smart_quotes(text: str, before: str = "") -> str:
    """Straight quotes and apostrophes made typographic, one character for one (so the
    annotations' offsets still hold): \u201c \u201d \u2018 \u2019. `before` is the character
    that precedes `text` ("" at the start of a block)."""
    if '"' not in text and "'" not in text:
        return text
    out = list(text)
    size = len(out)
    for found in _QUOTES.finditer(text):  # only the quotes: not a loop over every character
        i = found.start()
        c = out[i]
        p = out[i - 1] if i else before  # an earlier quote here is already typographic
        n = out[i + 1] if i + 1 < size else ""
        opening = (not p or p.isspace() or p in _OPENERS) if p or i else (
            not n or not (n.isspace() or n in ".,;:!?)"))
        if c == '"':
            out[i] = "\u201c" if opening else "\u201d"
        else:
            out[i] = "\u2018" if opening and not n.isdigit() else "\u2019"
    return "".join(out)


def _before(tokens: Sequence[Token], idx: int) -> str:
    """The character before a text token in its inline run ("" at its start)."""
    for t in reversed(tokens[:idx]):
        if t.type in ("softbreak", "hardbreak"):
            return " "
        if t.type in ("text", "code_inline") and t.content:
            return str(t.content[-1])
    return ""


def text_rule(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    """markdown-it render rule for `text` tokens that applies `env["marks"]` (and, with
    `env["smart"]`, typographic quotes: never in code, which has its own tokens)."""
    token = tokens[idx]
    content = token.content
    if env.get("smart"):
        content = smart_quotes(content, _before(tokens, idx))
    marks: Sequence[Mark] = env.get("marks", ())
    plain = (token.meta or {}).get("plain")
    if plain is None or not marks:
        return escape(content, quote=False)
    start = int(plain)
    index, ordered = _index(env, marks)
    return render_text(content, start, index.near(start, start + len(content)), ordered)


def _index(env: dict[str, Any], marks: Sequence[Mark]) -> tuple[SpanBuckets[Mark], bool]:
    """The marks by position, made once per render: each text token then looks only at
    the marks near it (in their original order), not at every mark of the article; and
    whether that order is mark order (`_key`)."""
    cached = env.get("_mark_index")
    if cached is not None and cached[0] is marks:
        found: tuple[SpanBuckets[Mark], bool] = cached[1]
        return found
    index: SpanBuckets[Mark] = SpanBuckets()
    for mark in marks:
        index.add(mark.start, mark.end, mark)
    keys = [_key(m) for m in marks]
    ordered = all(a <= b for a, b in itertools.pairwise(keys))
    env["_mark_index"] = (marks, (index, ordered))
    return index, ordered
