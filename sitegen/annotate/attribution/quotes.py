"""Find quoted passages in the article text.

Handles straight ("), curly (“ ”), doubled-apostrophe ('') and guillemet (« ») marks,
quotes that run over several paragraphs (news style: a paragraph that opens a quote
without closing it continues in the next paragraph, which reopens it) and unbalanced marks
(a quote left open ends with its paragraph; a stray closing mark is ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# '' (two apostrophes) first so that it is one mark, then the single-character marks.
_MARK = re.compile(r"''|[\"\u201c\u201d\u201e\u00ab\u00bb]")
_OPENERS = frozenset({"\u201c", "\u201e", "\u00ab"})
_CLOSERS = frozenset({"\u201d", "\u00bb"})
_BEFORE_OPEN = frozenset(" \t\n([{\u2014\u2013-/:;,")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_TRAIL = " \t\n,;"


@dataclass(frozen=True, slots=True)
class Quote:
    """A quoted passage: one or more parts (content without the marks), in text order.

    `open_at` is the offset of the first opening mark, `close_at` the offset just after the
    last closing mark (or the end of the paragraph when the quote was left open).
    """

    parts: tuple[tuple[int, int], ...]
    open_at: int
    close_at: int
    closed: bool = True

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    def text(self, text: str) -> str:
        return " ".join(text[s:e] for s, e in self.parts)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _PARAGRAPH.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return [(s, e) for s, e in out if e > s]


def _role(text: str, at: int, mark: str, lo: int, hi: int) -> str:
    """'open', 'close' or 'either' from the mark and the characters around it."""
    prev = text[at - 1] if at > lo else " "
    nxt = text[at + len(mark)] if at + len(mark) < hi else " "
    looks_open = prev in _BEFORE_OPEN and not nxt.isspace()
    looks_close = not prev.isspace() and (nxt.isspace() or not nxt.isalnum())
    if mark in _OPENERS:
        return "close" if looks_close and not looks_open else "open"
    if mark in _CLOSERS:
        return "open" if looks_open and not looks_close else "close"
    if looks_open and not looks_close:
        return "open"
    if looks_close and not looks_open:
        return "close"
    return "either"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in _TRAIL:
        end -= 1
    return start, end


def find_quotes(text: str) -> list[Quote]:
    """Every quoted passage of `text`, in order. Never raises on unbalanced marks."""
    quotes: list[Quote] = []
    paragraphs = _paragraphs(text)
    # An open quote carried into the next paragraph: (parts so far, first open offset).
    carry: tuple[list[tuple[int, int]], int] | None = None
    for p_index, (lo, hi) in enumerate(paragraphs):
        marks = [(m.start(), m.group()) for m in _MARK.finditer(text, lo, hi)]
        parts: list[tuple[int, int]] = []
        open_at = -1
        content_from = -1
        if carry is not None:
            if marks and marks[0][0] == lo and _role(text, lo, marks[0][1], lo, hi) != "close":
                parts, open_at = carry
                content_from = lo + len(marks[0][1])
                marks = marks[1:]
            else:  # the quote was not reopened: it ended with the previous paragraph
                quotes.append(Quote(tuple(carry[0]), carry[1], carry[0][-1][1], closed=False))
            carry = None
        for at, mark in marks:
            role = _role(text, at, mark, lo, hi)
            if content_from < 0:
                if role == "close":
                    continue  # a stray closing mark
                open_at, content_from = at, at + len(mark)
                continue
            if role == "open" and mark in _OPENERS and at > content_from:
                # a new opening mark inside an open quote: the previous one lost its close
                s, e = _trim(text, content_from, at)
                if e > s:
                    quotes.append(Quote((*parts, (s, e)), open_at, at, closed=False))
                parts = []
                open_at, content_from = at, at + len(mark)
                continue
            if role == "open" and at == content_from:
                continue  # doubled mark
            s, e = _trim(text, content_from, at)
            if e > s:
                quotes.append(Quote((*parts, (s, e)), open_at, at + len(mark)))
            parts, open_at, content_from = [], -1, -1
        if content_from >= 0:
            s, e = _trim(text, content_from, hi)
            if e > s:
                parts.append((s, e))
            if parts:
                nxt = paragraphs[p_index + 1][0] if p_index + 1 < len(paragraphs) else -1
                if nxt >= 0 and _MARK.match(text, nxt):
                    carry = (parts, open_at)
                else:
                    quotes.append(Quote(tuple(parts), open_at, hi, closed=False))
    if carry is not None:
        quotes.append(Quote(tuple(carry[0]), carry[1], carry[0][-1][1], closed=False))
    return quotes
