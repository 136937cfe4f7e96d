"""The preview's site index, updated per edited article instead of rebuilt.

`LiveIndex` starts from `index.build_index` and, when an article is re-annotated without
changing its place in the site (same URL, same date), swaps it in: the articles tuple gets
the new Article, and only the tags, entities and glossary terms the old or the new version
touches are recomputed, from the articles that contribute to them, in site order, the way
`index.build_index` computes them. Anything else (an article added, removed, re-dated or
moved to another URL) rebuilds the index with build_index.

`check()` recomputes every entry this way and compares it with build_index's: the preview
runs it when it primes and uses the per-article update only when it agrees (so a change to
index.py that this module does not know about costs speed, never correctness).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sitegen.config.site import SiteConfig
from sitegen.core.dates import utc_naive
from sitegen.core.model import AnnotatedDocument, Attribution
from sitegen.index.site import (
    Article,
    EntityInfo,
    Mention,
    SiteIndex,
    TermInfo,
    build_index,
    permalink,
)
from sitegen.source.kb import LABEL_TYPES, Entity, Glossary, KnowledgeBase


def _sort_date(date: dt.datetime | None) -> dt.datetime:
    """As build_index orders articles: naive UTC, undated ones last."""
    if date is None:
        return dt.datetime.min
    return utc_naive(date)


@dataclass(frozen=True, slots=True)
class _Contribution:
    """What one article adds to the index, per entity id: its mentions, the (name, label)
    counts of those mentions in order of first appearance, and its quotes; its glossary
    terms and its tags."""

    mentions: dict[str, tuple[Mention, ...]]
    names: dict[str, Counter[tuple[str, str]]]
    quotes: dict[str, tuple[tuple[Article, Attribution], ...]]
    terms: frozenset[str]
    tags: tuple[str, ...]

    @property
    def entity_ids(self) -> set[str]:
        return set(self.mentions) | set(self.quotes)


def _contribution(art: Article) -> _Contribution:
    mentions: dict[str, list[Mention]] = {}
    names: dict[str, Counter[tuple[str, str]]] = {}
    quotes: dict[str, list[tuple[Article, Attribution]]] = {}
    ann = art.doc.annotations
    for m in ann.entities:
        mentions.setdefault(m.entity_id, []).append(Mention(art, m.text, m.start, m.end))
        names.setdefault(m.entity_id, Counter())[(m.name, m.label)] += 1
    for a in ann.statements():
        quotes.setdefault(a.source_id or "", []).append((art, a))
    return _Contribution(
        mentions={k: tuple(v) for k, v in mentions.items()}, names=names,
        quotes={k: tuple(v) for k, v in quotes.items()},
        terms=frozenset(g.term_id for g in art.doc.annotations.glossary),
        tags=tuple(art.doc.document.meta.tags))


class LiveIndex:
    """A SiteIndex and what it takes to update it one article at a time."""

    def __init__(self, docs: list[AnnotatedDocument], config: SiteConfig,
                 kb: KnowledgeBase, glossary: Glossary) -> None:
        self.config = config
        self.kb = kb
        self.glossary = glossary
        self._known: dict[str, Entity] = kb.by_id()
        self.incremental = True  # False: every update rebuilds with build_index
        self.full_rebuilds = 0
        self._reset(build_index(docs, config, kb, glossary))

    def _reset(self, index: SiteIndex) -> None:
        self.index = index
        self._pos: dict[str, int] = {a.url: i for i, a in enumerate(index.articles)}
        self._rel: dict[str, Article] = {a.doc.document.source.rel: a for a in index.articles}
        self._contrib: dict[str, _Contribution] = {}
        self._where_entity: dict[str, set[str]] = {}  # entity id -> URLs that mention/quote it
        self._where_term: dict[str, set[str]] = {}
        for art in index.articles:
            self._add(art)

    def _add(self, art: Article) -> None:
        c = self._contrib[art.url] = _contribution(art)
        for eid in c.entity_ids:
            self._where_entity.setdefault(eid, set()).add(art.url)
        for tid in c.terms:
            self._where_term.setdefault(tid, set()).add(art.url)

    def _remove(self, art: Article) -> _Contribution:
        c = self._contrib.pop(art.url)
        for eid in c.entity_ids:
            urls = self._where_entity.get(eid)
            if urls is not None:
                urls.discard(art.url)
                if not urls:
                    del self._where_entity[eid]
        for tid in c.terms:
            urls = self._where_term.get(tid)
            if urls is not None:
                urls.discard(art.url)
                if not urls:
                    del self._where_term[tid]
        return c

    def _in_order(self, urls: Iterable[str]) -> list[Article]:
        arts = self.index.articles
        return [arts[i] for i in sorted(self._pos[u] for u in urls)]

    # -- one entry, as build_index computes it ------------------------------------------------
    def entity(self, eid: str) -> EntityInfo | None:
        arts = self._in_order(self._where_entity.get(eid, ()))
        mentions: list[Mention] = []
        names: Counter[tuple[str, str]] = Counter()
        quotes: list[tuple[Article, Attribution]] = []
        for art in arts:  # Counter.update keeps the order of first appearance
            c = self._contrib[art.url]
            found = c.mentions.get(eid)
            if found is not None:
                mentions.extend(found)
                names.update(c.names[eid])
            quotes.extend(c.quotes.get(eid, ()))
        if not mentions:
            return None
        entry = self._known.get(eid)
        if entry is None and len(mentions) < self.config.entities.min_mentions:
            return None
        if entry is not None and not entry.link:
            return None
        (name, label), _ = names.most_common(1)[0]
        if entry is not None:
            name, label = entry.name, entry.label
        if label not in self.config.entities.types:
            return None
        firsts: dict[str, Mention] = {}
        for mention in mentions:
            firsts.setdefault(mention.article.url, mention)
        return EntityInfo(
            id=eid, name=name, label=label, type=LABEL_TYPES.get(label, label.lower()),
            kb=entry, mentions=tuple(mentions), quotes=tuple(quotes),
            first_mentions=tuple(firsts.values()),
            articles=tuple(m.article for m in firsts.values()))

    def term(self, info: TermInfo) -> TermInfo:
        arts = self._in_order(self._where_term.get(info.term.id, ()))
        return TermInfo(term=info.term, articles=tuple(arts))

    def tag(self, tag: str) -> tuple[Article, ...]:
        return tuple(a for a in self.index.articles if tag in self._contrib[a.url].tags)

    def check(self) -> bool:
        """Whether recomputing every entry per article gives build_index's index."""
        index = self.index
        entities: dict[str, EntityInfo] = {}
        for eid in sorted(self._where_entity):
            info = self.entity(eid)
            if info is not None:
                entities[eid] = info
        if list(entities.items()) != list(index.entities.items()):
            return False
        if {t: self.tag(t) for t in index.tags} != index.tags:
            return False
        return all(self.term(info) == info for info in index.terms.values())

    # -- updating -----------------------------------------------------------------------------
    def article(self, rel: str) -> Article | None:
        """The published article at a content-relative path."""
        return self._rel.get(rel)

    def update(self, changed: dict[str, AnnotatedDocument | None],
               published: Callable[[], list[AnnotatedDocument]]) -> SiteIndex:
        """The index after the articles at content-relative paths `changed` became the given
        documents (None: no longer published). `published()`: every published document in
        discover() order, for a full rebuild."""
        swaps: list[tuple[Article, Article]] = []
        full = not self.incremental
        for rel, doc in changed.items():
            old = self._rel.get(rel)
            if full or old is None or doc is None:
                full = full or old is not None or doc is not None
                continue
            url = permalink(self.config.permalink, doc)
            if url != old.url or (_sort_date(doc.document.meta.date)
                                  != _sort_date(old.doc.document.meta.date)):
                full = True
                continue
            swaps.append((old, Article(doc=doc, url=url)))
        if full:
            self.full_rebuilds += 1
            self._reset(build_index(published(), self.config, self.kb, self.glossary))
            return self.index
        if not swaps:
            return self.index
        index = self.index
        articles = list(index.articles)
        entity_ids: set[str] = set()
        term_ids: set[str] = set()
        tag_names: set[str] = set()
        for old, new in swaps:
            before = self._remove(old)
            articles[self._pos[old.url]] = new
            self._rel[new.doc.document.source.rel] = new
            entity_ids |= before.entity_ids
            term_ids |= before.terms
            tag_names.update(before.tags)
        self.index = SiteIndex(articles=tuple(articles), tags=index.tags,
                               entities=index.entities, terms=index.terms)
        for _old, new in swaps:
            self._add(new)
            after = self._contrib[new.url]
            entity_ids |= after.entity_ids
            term_ids |= after.terms
            tag_names.update(after.tags)

        tags = dict(index.tags)
        for tag in tag_names:
            arts = self.tag(tag)
            if arts:
                tags[tag] = arts
            else:
                tags.pop(tag, None)
        if list(tags) != sorted(tags):
            tags = dict(sorted(tags.items()))

        entities = dict(index.entities)
        for eid in entity_ids:
            info = self.entity(eid)
            if info is None:
                entities.pop(eid, None)
            else:
                entities[eid] = info
        if list(entities) != sorted(entities):
            entities = dict(sorted(entities.items()))

        terms = dict(index.terms)
        for tid, term in index.terms.items():
            if tid in term_ids:
                terms[tid] = self.term(term)

        self.index = SiteIndex(articles=tuple(articles), tags=tags, entities=entities,
                               terms=terms)
        return self.index
