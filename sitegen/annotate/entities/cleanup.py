"""Names the model found that are none: a capitalised common word whose capital comes only
from its place (a sentence or line start, a heading, before a role), a word cut from a
numbered name ("Natura" of "Natura 2000"); and facility names the model cut short."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from sitegen.annotate.entities.gazetteer import is_title, looks_demonym, place_rank
from sitegen.annotate.entities.spans import Cand

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

LOWER_WORD = re.compile(r"(?<![\w-])[a-z][a-z'-]*(?![\w-])")
# "St Anne's Hospital" where the model stopped at "St Anne": the head word completes it.
FACILITY_TAIL = re.compile(
    r"(?:['\u2019]s)?\s(?:Hospital|Clinic|Infirmary|Hospice|Medical\s+Cent(?:re|er))\b")


def inside_range(pos: int, ranges: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in ranges)


class Cleanup:
    """The candidate clean-up steps of the document resolver (`entity_document.Resolver`)."""

    doc: Doc
    text: str
    cands: list[Cand]
    headings: list[tuple[int, int]]
    caps: list[tuple[int, int]]
    common_word: Callable[[str], bool]

    def _uninformative_capital(self, tok: Token) -> bool:
        """The word is capitalised for its place, not because it is a name."""
        doc = self.doc
        if tok.i == 0 or tok.is_sent_start or "\n" in doc[tok.i - 1].whitespace_:
            return True
        if inside_range(tok.idx, self.headings) or inside_range(tok.idx, self.caps):
            return True
        prev = doc[tok.i - 1]
        if prev.text in {"\"", "\u201c", "'", "\u2018", "(", "-", "\u2014", "\u2013", ":"} and (
            prev.i == 0 or prev.is_sent_start or "\n" in doc[prev.i - 1].whitespace_
            or doc[prev.i - 1].text in {".", ":", "\u2014", "\u2013"}
        ):
            return True
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        return bool(nxt is not None and nxt.text[:1].isupper() and is_title(nxt.text))

    def _drop_common_words(self) -> None:
        """Drop single capitalised common words that are capitalised only by position."""
        doc = self.doc
        lower = {m.group(0) for m in LOWER_WORD.finditer(self.text)}
        named: dict[str, bool] = {}  # word -> capitalised somewhere capitals mean a name

        def named_elsewhere(word: str) -> bool:
            if word not in named:
                named[word] = any(
                    t.lower_ == word and t.text[:1].isupper()
                    and not self._uninformative_capital(t) for t in doc)
            return named[word]

        kept: list[Cand] = []
        for c in self.cands:
            span = None if c.fixed else doc.char_span(c.start, c.end)
            if span is None or len(span) != 1:
                kept.append(c)
                continue
            tok = span[0]
            word = tok.lower_
            if (not tok.is_alpha or tok.text.isupper() or place_rank(tok.text)
                    or looks_demonym(tok.text) or not self._uninformative_capital(tok)):
                kept.append(c)
                continue
            if word in lower or (self.common_word(word) and not named_elsewhere(word)):
                continue
            kept.append(c)
        self.cands = [c for c in kept if c.fixed or not self._part_of_numbered_name(c)]

    def _part_of_numbered_name(self, c: Cand) -> bool:
        """"Natura" of "Natura 2000", "Euro" of "Euro 96": one word and the number that
        follows it name one thing together; the word alone names nothing. (A score, "Italy
        21-18", is a number joined to another by a dash.)"""
        span = self.doc.char_span(c.start, c.end)
        if span is None or len(span) != 1 or span.end + 1 > len(self.doc):
            return False
        tok = span[0]
        if span.end >= len(self.doc) or tok.whitespace_ != " ":
            return False
        num = self.doc[span.end]
        after = self.doc[num.i + 1] if num.i + 1 < len(self.doc) else None
        return bool(num.like_num and num.text.isdigit() and len(num.text) >= 2
                    and (after is None or after.text not in {"-", "\u2013", "/", ":"})
                    and not (after is not None and after.like_num))

    def _complete_facilities(self) -> None:
        """Extend a name to the facility head word the model left out ("St Anne" + "'s
        Hospital"): the whole is a facility."""
        for c in self.cands:
            if c.fixed:
                continue
            m = FACILITY_TAIL.match(self.text, c.end)
            if m is None:
                continue
            end = m.end()
            if any(o is not c and o.fixed and o.start < end and c.start < o.end
                   for o in self.cands):
                continue
            self.cands = [o for o in self.cands if o is c or not (
                o.start < end and c.start < o.end)]
            c.end, c.label = end, "FAC"
