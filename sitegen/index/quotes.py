"""A source's quotes as its quotes page lists them (docs/archive-pages.md): newest first,
each with its article, date, tags and the sentence around it. Only published statements
reach the index, so nothing held back or rejected is ever listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sitegen.index.site import EntityInfo, snippet

QUOTED_TYPES = ("person", "organisation")  # entity types that get a quotes page


@dataclass(frozen=True, slots=True)
class QuoteItem:
    url: str  # the article's URL
    title: str
    date: dt.datetime | None
    direct: bool  # in their words (else reported: "said that ...")
    quote: str
    context: str  # the sentence around the quote
    tags: tuple[str, ...]

    @property
    def year(self) -> str:
        return "" if self.date is None else f"{self.date.year:04d}"


def has_quotes_page(info: EntityInfo) -> bool:
    return info.type in QUOTED_TYPES and bool(info.quotes)


def quote_items(info: EntityInfo) -> tuple[QuoteItem, ...]:
    """The entity's statements in site order (newest article first), each article's in
    the order of its text."""
    out = []
    for art, a in info.quotes:
        doc = art.doc.document
        out.append(QuoteItem(
            url=art.url, title=art.title, date=art.date, direct=a.kind == "direct",
            quote=a.quote, context=snippet(doc.view.text, a.start, a.end),
            tags=doc.meta.tags))
    return tuple(out)
