"""Cross-article collections: articles by date, tags, entity mentions, glossary uses, sources.

Built after annotation from per-article contributions, like Sphinx's environment
collectors; nothing here touches spaCy.
"""

from __future__ import annotations

import datetime as dt
import string
from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import PurePosixPath

from sitegen.config.site import SiteConfig
from sitegen.core.dates import utc_naive
from sitegen.core.errors import SiteError
from sitegen.core.model import AnnotatedDocument, Attribution, EntityMention
from sitegen.source.frontmatter import slugify
from sitegen.source.kb import LABEL_TYPES, Entity, Glossary, KnowledgeBase, Term

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
    # articles: computed once in build_index (pages and popovers read them many times).
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


def snippet(text: str, start: int, end: int, width: int = 240) -> str:
    """The sentence around [start, end); a longer one is cut to about `width` characters
    around the mention, at word boundaries, with an ellipsis where it was cut."""
    left = max(text.rfind(p, 0, start) for p in ("\n\n", ". ", "? ", "! "))
    left = 0 if left < 0 else left + 2
    ends = [i for i in (text.find(p, end) for p in (". ", "? ", "! ", "\n\n")) if i >= 0]
    right = min(ends) + 1 if ends else len(text)
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


def _sort_date(date: dt.datetime | None) -> dt.datetime:
    """Naive UTC, so dates with and without a UTC offset sort together."""
    if date is None:
        return dt.datetime.min
    return utc_naive(date)


def build_index(
    docs: list[AnnotatedDocument], config: SiteConfig, kb: KnowledgeBase, glossary: Glossary
) -> SiteIndex:
    ordered = sorted(
        docs,
        key=lambda d: (_sort_date(d.document.meta.date), d.document.source.rel),
        reverse=True,
    )
    articles: list[Article] = []
    urls: dict[str, str] = {}
    for doc in ordered:
        url = permalink(config.permalink, doc)
        if url in urls:
            raise SiteError(
                f"two articles have the same URL '{url}': {urls[url]} and this one",
                doc.document.source.path,
                1,
                hint="give one of them a different slug in its front matter",
            )
        urls[url] = str(doc.document.source.path)
        articles.append(Article(doc=doc, url=url))

    tags: dict[str, list[Article]] = defaultdict(list)
    for art in articles:
        for tag in art.doc.document.meta.tags:
            tags[tag].append(art)

    return SiteIndex(
        articles=tuple(articles),
        tags={t: tuple(a) for t, a in sorted(tags.items())},
        entities=_entities(articles, config, kb),
        terms=_terms(articles, glossary),
    )


def _entities(
    articles: list[Article], config: SiteConfig, kb: KnowledgeBase
) -> dict[str, EntityInfo]:
    known = kb.by_id()
    mentions: dict[str, list[Mention]] = {}
    # The first mention of each entity in each article (article URLs are distinct).
    firsts: dict[str, list[Mention]] = {}
    names: dict[str, dict[tuple[str, str], int]] = {}
    quotes: dict[str, list[tuple[Article, Attribution]]] = defaultdict(list)
    for art in articles:
        ann = art.doc.annotations
        seen: set[str] = set()
        for m in ann.entities:
            eid = m.entity_id
            mention = Mention(art, m.text, m.start, m.end)
            found = mentions.get(eid)
            if found is None:
                mentions[eid] = [mention]
                firsts[eid] = [mention]
                names[eid] = {(m.name, m.label): 1}
                seen.add(eid)
                continue
            found.append(mention)
            if eid not in seen:
                seen.add(eid)
                firsts[eid].append(mention)
            counts = names[eid]
            form = (m.name, m.label)
            counts[form] = counts.get(form, 0) + 1
        for a in ann.statements():
            quotes[a.source_id or ""].append((art, a))
    out: dict[str, EntityInfo] = {}
    min_mentions = config.entities.min_mentions
    types = config.entities.types
    for eid in sorted(mentions):
        entry = known.get(eid)
        if entry is None and len(mentions[eid]) < min_mentions:
            continue
        if entry is not None and not entry.link:
            continue
        if entry is not None:
            name, label = entry.name, entry.label
        else:  # the most common (name, label), the first seen among equals
            (name, label), _ = max(names[eid].items(), key=itemgetter(1))
        if label not in types:
            continue
        first = tuple(firsts[eid])
        out[eid] = EntityInfo(
            id=eid, name=name, label=label, type=LABEL_TYPES.get(label, label.lower()),
            kb=entry, mentions=tuple(mentions[eid]), quotes=tuple(quotes.get(eid, ())),
            first_mentions=first, articles=tuple(m.article for m in first),
        )
    return out


def _terms(articles: list[Article], glossary: Glossary) -> dict[str, TermInfo]:
    uses: dict[str, dict[str, Article]] = defaultdict(dict)
    for art in articles:
        for g in art.doc.annotations.glossary:
            uses[g.term_id].setdefault(art.url, art)
    return {
        t.id: TermInfo(term=t, articles=tuple(uses.get(t.id, {}).values()))
        for t in sorted(glossary.terms, key=lambda t: t.term.lower())
    }
