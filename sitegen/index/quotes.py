"""A source's quotes as its quotes page lists them (docs/archive-pages.md): newest first,
each with its article, date, tags and the sentence around it. Only published statements
reach the index, so nothing held back or rejected is ever listed.

A page's statements are made into items only when the page is drawn (`quote_items` of its
slice of `EntityInfo.quotes`): a build whose page keys did not change never cuts their
sentences."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen.core.model import Attribution
from sitegen.index.site import Article, EntityInfo, snippet

QUOTED_TYPES = ("person", "organisation")  # entity types that get a quotes page
OPENING = "\u201c\u00ab\u201e"  # “ « „
CLOSING = "\u201d\u00bb"  # ” »
STRAIGHT = '"'
_MARK = re.compile(f"[{OPENING}{CLOSING}{STRAIGHT}]")


@dataclass(frozen=True, slots=True)
class QuoteItem:
    url: str  # the article's URL
    title: str
    date: dt.datetime | None
    direct: bool  # in their words (else reported: "said that ...")
    quote: str  # with balanced quotation marks (`balanced`)
    context: str  # the sentence around the quote
    tags: tuple[str, ...]
    anchor: str  # the item's id on its page (a search result links to it)

    @property
    def year(self) -> str:
        return "" if self.date is None else f"{self.date.year:04d}"


def has_quotes_page(info: EntityInfo) -> bool:
    return info.type in QUOTED_TYPES and bool(info.quotes)


def anchor(art: Article, a: Attribution) -> str:
    """A statement's id on a quotes page: its article's URL and where it starts."""
    return "q-" + art.url.strip("/").replace("/", "-") + f"-{a.start}"


def quote_items(quotes: Sequence[tuple[Article, Attribution]]) -> tuple[QuoteItem, ...]:
    """Statements (EntityInfo.quotes, site order: newest article first, each article's in
    the order of its text) as a quotes page lists them."""
    out = []
    for art, a in quotes:
        doc = art.doc.document
        direct = a.kind == "direct"
        out.append(QuoteItem(
            url=art.url, title=art.title, date=art.date, direct=direct,
            quote=balanced(a.quote, direct), context=snippet(doc.view.text, a.start, a.end),
            tags=doc.meta.tags, anchor=anchor(art, a)))
    return tuple(out)


def balanced(quote: str, direct: bool) -> str:
    """The words of a statement with balanced double quotation marks. An annotator's span
    may start or end inside a quotation (`it “a promise…`): a mark left open is closed at
    the end, one closed without its opening is opened at the start; round brackets the
    same (`_parens`). A direct quote is
    shown inside marks of its own, so marks around the whole of it are dropped first."""
    text = quote.strip()
    if direct:
        while (len(text) >= 2 and text[0] in OPENING + STRAIGHT
               and text[-1] in CLOSING + STRAIGHT):
            text = text[1:-1].strip()
    if not _MARK.search(text):
        return _parens(text)
    depth = unopened = 0
    straight = False
    for m in _MARK.finditer(text):
        i, c = m.start(), m.group()
        if c in OPENING:
            depth += 1
        elif c in CLOSING:
            if depth:
                depth -= 1
            else:
                unopened += 1
        elif c == STRAIGHT:
            straight = True
            before = text[i - 1] if i else " "
            if before.isspace() or before in "([{\u2014\u2013-/":
                depth += 1
            elif depth:
                depth -= 1
            else:
                unopened += 1
    opener, closer = (STRAIGHT, STRAIGHT) if straight else ("\u201c", "\u201d")
    return _parens(opener * unopened + text + closer * depth)


def _parens(text: str) -> str:
    """`text` with its round brackets balanced (`X (formerly Twitter` -> `…Twitter)`)."""
    if "(" not in text and ")" not in text:
        return text
    depth = unopened = 0
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            if depth:
                depth -= 1
            else:
                unopened += 1
    return "(" * unopened + text + ")" * depth
