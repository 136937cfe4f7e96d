"""The values of the site index: articles by date, tags, entity pages with their mentions
and quotes, glossary uses. `index/builder.py` makes them from per-article contributions;
nothing here touches spaCy.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sitegen.core.model import AnnotatedDocument, Attribution, EntityMention
from sitegen.source.frontmatter import slugify
from sitegen.source.kb import Entity, Term

PLACE_LABELS = {"GPE", "LOC", "FAC"}


@dataclass(frozen=True, slots=True)
class Article:
    """A published article with its URL (relative to the site root, ending in '/')."""

    doc: AnnotatedDocument
    url: str

    @property
    def title(self) -> str:
        return self.doc.document.meta.title

    @property
    def date(self) -> dt.datetime | None:
        return self.doc.document.meta.date


@dataclass(frozen=True, slots=True)
class Mention:
    article: Article
    text: str
    start: int  # offsets in the article's TextView text
    end: int

    @property
    def snippet(self) -> str:
        """The sentence of the mention; computed only where a page shows it."""
        return snippet(self.article.doc.document.view.text, self.start, self.end)


@dataclass(frozen=True, slots=True)
class EntityInfo:
    id: str
    name: str
    label: str
    type: str
    kb: Entity | None
    mentions: tuple[Mention, ...]
    quotes: tuple[tuple[Article, Attribution], ...]
    # The first mention in each article that names the entity, in site order, and those
    # articles: computed once by the index builder (pages and popovers read them many times).
    first_mentions: tuple[Mention, ...] = ()
    articles: tuple[Article, ...] = ()

    @property
    def url(self) -> str:
        return f"entities/{self.id}/"


@dataclass(frozen=True, slots=True)
class TermInfo:
    term: Term
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class SiteIndex:
    articles: tuple[Article, ...]  # newest first
    tags: dict[str, tuple[Article, ...]] = field(default_factory=dict)
    entities: dict[str, EntityInfo] = field(default_factory=dict)  # only those with a page
    terms: dict[str, TermInfo] = field(default_factory=dict)

    def entity_for(self, mention: EntityMention) -> EntityInfo | None:
        return self.entities.get(mention.entity_id)


def permalink(pattern: str, doc: AnnotatedDocument) -> str:
    meta = doc.document.meta
    date = meta.date or dt.datetime(1970, 1, 1)
    section = PurePosixPath(doc.document.source.rel).parts
    values = {
        "year": f"{date.year:04d}",
        "month": f"{date.month:02d}",
        "day": f"{date.day:02d}",
        "slug": meta.slug,
        "section": slugify(section[0]) if len(section) > 1 else "",
    }
    url = string.Formatter().vformat(pattern, (), values)
    parts = [p for p in url.split("/") if p]
    return "/".join(parts) + "/"


_STOPS = ("\n\n", ". ", "? ", "! ")
_NEAR = 2000  # where a sentence's ends are looked for first (the whole text only if not)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence around [start, end): after the last stop before it,
    up to the first stop after it (inclusive of its period). Stops are looked for near the
    mention first (the nearest found there is the nearest in the whole text), each kind
    only between the mention and the nearest stop found so far."""
    lo = max(0, start - _NEAR)
    left = -1
    for p in _STOPS:
        left = max(left, text.rfind(p, max(lo, left + 1), start))
    if left < 0 and lo > 0:
        left = max(text.rfind(p, 0, lo + 1) for p in _STOPS)
    left = 0 if left < 0 else left + 2
    right = hi = min(len(text), end + _NEAR)
    for p in _STOPS:
        found = text.find(p, end, right + 1)
        if found >= 0:
            right = found
    if right == hi:  # none near: the first in the whole text
        ends = [i for i in (text.find(p, hi - 1) for p in _STOPS) if i >= 0]
        right = min(ends) if ends else len(text)
    return left, right + 1 if right < len(text) else right


def snippet(text: str, start: int, end: int, width: int = 240) -> str:
    """The sentence around [start, end); a longer one is cut to about `width` characters
    around the mention, at word boundaries, with an ellipsis where it was cut."""
    left, right = _sentence(text, start, end)
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    if right - left <= width:
        return text[left:right]
    room = max(0, width - (end - start))
    lo = max(left, start - room // 2)
    hi = min(right, end + room - (start - lo))
    lo = max(left, min(lo, hi - width))
    if lo > left:  # start at the next word
        cut = text.find(" ", lo, start)
        lo = cut + 1 if cut >= 0 else lo
    if hi < right:  # end after the last whole word
        cut = text.rfind(" ", end, hi)
        hi = cut if cut >= 0 else hi
    out = text[lo:hi].strip()
    return ("\u2026" if lo > left else "") + out + ("\u2026" if hi < right else "")
