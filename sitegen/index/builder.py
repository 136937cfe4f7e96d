"""The site index, made of per-article contributions that can be added and removed.

Each published article contributes its entity mentions (with the (name, label) of each), its
quotes per speaker, its glossary terms and its tags (`Contribution`). `SiteIndexBuilder`
keeps them and makes the `SiteIndex` from them: a build adds every article at once
(`build_index`); the preview replaces the articles of an edit (`update`: remove the old,
add the new) and only the entities, terms and tags that the old or the new version touches
are computed again. Either way an entry is computed by the same code, from the
contributions of the articles that touch it, in site order (newest first), so both give
the same SiteIndex.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from sitegen.config.site import SiteConfig
from sitegen.core.dates import utc_naive
from sitegen.core.errors import SiteError
from sitegen.core.model import AnnotatedDocument, Attribution
from sitegen.index.site import Article, EntityInfo, Mention, SiteIndex, TermInfo, permalink
from sitegen.source.kb import LABEL_TYPES, Entity, Glossary, KnowledgeBase

Quote = tuple[Article, Attribution]


def site_order(art: Article) -> tuple[dt.datetime, str]:
    """The sort key of the site's order (used reversed: newest first): the date in naive
    UTC, so dates with and without a UTC offset sort together, undated articles last; then
    the content-relative path."""
    date = art.doc.document.meta.date
    return (dt.datetime.min if date is None else utc_naive(date), art.doc.document.source.rel)


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one article adds to the index. Per entity id: its mentions in text order, the
    counts of their (name, label) in order of first appearance, its quotes (statements of
    that speaker); its glossary term ids and its tags. Read-only once made."""

    article: Article
    mentions: dict[str, list[Mention]]
    names: dict[str, dict[tuple[str, str], int]]
    quotes: dict[str, list[Quote]]
    entity_ids: frozenset[str]  # mentioned or quoted
    terms: frozenset[str]
    tags: tuple[str, ...]


def contribution(art: Article) -> Contribution:
    mentions: dict[str, list[Mention]] = {}
    names: dict[str, dict[tuple[str, str], int]] = {}
    quotes: dict[str, list[Quote]] = {}
    ann = art.doc.annotations
    for m in ann.entities:
        eid = m.entity_id
        mention = Mention(art, m.text, m.start, m.end)
        found = mentions.get(eid)
        if found is None:
            mentions[eid] = [mention]
            names[eid] = {(m.name, m.label): 1}
        else:
            found.append(mention)
            counts = names[eid]
            form = (m.name, m.label)
            counts[form] = counts.get(form, 0) + 1
    for a in ann.statements():
        quotes.setdefault(a.source_id or "", []).append((art, a))
    return Contribution(
        article=art, mentions=mentions, names=names, quotes=quotes,
        entity_ids=frozenset(mentions).union(quotes),
        terms=frozenset(g.term_id for g in ann.glossary), tags=art.doc.document.meta.tags)


class SiteIndexBuilder:
    """The contributions of the published articles and the SiteIndex they make (`index`)."""

    def __init__(self, config: SiteConfig, kb: KnowledgeBase, glossary: Glossary) -> None:
        self.config = config
        self._known: dict[str, Entity] = kb.by_id()
        self._glossary = sorted(glossary.terms, key=lambda t: t.term.lower())
        self._by_rel: dict[str, Contribution] = {}  # content-relative path -> contribution
        self._by_url: dict[str, Contribution] = {}
        self._pos: dict[str, int] = {}  # article URL -> position in site order
        self._where: dict[str, dict[str, set[str]]] = {  # kind -> key -> URLs touching it
            "entity": {}, "term": {}, "tag": {}}
        self.index = SiteIndex(articles=(), terms={
            t.id: TermInfo(term=t, articles=()) for t in self._glossary})

    def article(self, rel: str) -> Article | None:
        """The published article at a content-relative path."""
        found = self._by_rel.get(rel)
        return None if found is None else found.article

    def add(self, docs: Iterable[AnnotatedDocument]) -> SiteIndex:
        """The index with `docs` added (a full build: every published article)."""
        return self.update({d.document.source.rel: d for d in docs})

    def update(self, changed: Mapping[str, AnnotatedDocument | None]) -> SiteIndex:
        """The index after the articles at the content-relative paths of `changed` became the
        given documents (None: no longer published): the old contributions are removed, the
        new ones added. Raises SiteError, leaving the index as it was, when two articles
        would have the same URL."""
        pattern = self.config.permalink
        new = {rel: Article(doc=doc, url=permalink(pattern, doc))
               for rel, doc in changed.items() if doc is not None}
        by_rel = self._by_rel
        if len(new) == len(changed) and all(  # (a preview save) the order stays
                rel in by_rel and site_order(by_rel[rel].article) == site_order(art)
                for rel, art in new.items()):
            articles = [new.get(a.doc.document.source.rel, a) for a in self.index.articles]
        else:
            kept = [c.article for rel, c in by_rel.items() if rel not in changed]
            articles = sorted([*kept, *new.values()], key=site_order, reverse=True)
        if len({a.url for a in articles}) != len(articles):
            _duplicate_url(articles)
        touched: dict[str, set[str]] = {kind: set() for kind in self._where}
        for rel in changed:
            old = self._by_rel.pop(rel, None)
            if old is not None:
                del self._by_url[old.article.url]
                self._forget(old, touched)
        for rel, art in new.items():
            c = self._by_rel[rel] = self._by_url[art.url] = contribution(art)
            self._note(c, touched)
        self._pos = {a.url: i for i, a in enumerate(articles)}
        self.index = self._index(tuple(articles), touched)
        return self.index

    # -- bookkeeping ------------------------------------------------------------------------
    def _keys(self, c: Contribution) -> dict[str, Iterable[str]]:
        return {"entity": c.entity_ids, "term": c.terms, "tag": c.tags}

    def _note(self, c: Contribution, touched: dict[str, set[str]]) -> None:
        url = c.article.url
        for kind, keys in self._keys(c).items():
            where = self._where[kind]
            for key in keys:
                where.setdefault(key, set()).add(url)
                touched[kind].add(key)

    def _forget(self, c: Contribution, touched: dict[str, set[str]]) -> None:
        url = c.article.url
        for kind, keys in self._keys(c).items():
            where = self._where[kind]
            for key in keys:
                urls = where.get(key)
                if urls is not None:
                    urls.discard(url)
                    if not urls:
                        del where[key]
                touched[kind].add(key)

    def _touching(self, kind: str, key: str) -> list[Contribution]:
        """The contributions of the articles touching `key`, in site order."""
        by_url = self._by_url
        return [by_url[u] for u in sorted(self._where[kind].get(key, ()),
                                          key=self._pos.__getitem__)]

    # -- the index ----------------------------------------------------------------------------
    def _index(self, articles: tuple[Article, ...], touched: dict[str, set[str]]) -> SiteIndex:
        old = self.index
        entities = dict(old.entities)
        for eid in touched["entity"]:
            info = self._entity(eid)
            if info is None:
                entities.pop(eid, None)
            else:
                entities[eid] = info
        if list(entities) != sorted(entities):
            entities = dict(sorted(entities.items()))
        tags = dict(old.tags)
        for tag in touched["tag"]:
            arts = tuple(c.article for c in self._touching("tag", tag))
            if arts:
                tags[tag] = arts
            else:
                tags.pop(tag, None)
        if list(tags) != sorted(tags):
            tags = dict(sorted(tags.items()))
        terms = dict(old.terms)
        for tid in touched["term"]:
            term = terms.get(tid)
            if term is not None:  # a term of the glossary
                terms[tid] = TermInfo(term=term.term, articles=tuple(
                    c.article for c in self._touching("term", tid)))
        return SiteIndex(articles=articles, tags=tags, entities=entities, terms=terms)

    def _entity(self, eid: str) -> EntityInfo | None:
        """The entity's page, or None when it gets none: mentioned fewer than
        [entities] min_mentions times and not in the knowledge base, an entry that does not
        link, or a type the site leaves out."""
        mentions: list[Mention] = []
        firsts: list[Mention] = []
        names: dict[tuple[str, str], int] = {}
        quotes: list[Quote] = []
        for c in self._touching("entity", eid):
            found = c.mentions.get(eid)
            if found is not None:
                mentions.extend(found)
                firsts.append(found[0])
                for form, n in c.names[eid].items():
                    names[form] = names.get(form, 0) + n
            quotes.extend(c.quotes.get(eid, ()))
        if not mentions:
            return None
        entry = self._known.get(eid)
        if entry is None and len(mentions) < self.config.entities.min_mentions:
            return None
        if entry is not None and not entry.link:
            return None
        if entry is not None:
            name, label = entry.name, entry.label
        else:  # the most common (name, label), the first seen among equals
            (name, label), _ = max(names.items(), key=itemgetter(1))
        if label not in self.config.entities.types:
            return None
        return EntityInfo(
            id=eid, name=name, label=label, type=LABEL_TYPES.get(label, label.lower()),
            kb=entry, mentions=tuple(mentions), quotes=tuple(quotes),
            first_mentions=tuple(firsts), articles=tuple(m.article for m in firsts))


def _duplicate_url(articles: list[Article]) -> None:
    """Raise the error for the first article, in site order, whose URL an earlier one has."""
    urls: dict[str, str] = {}
    for art in articles:
        path = art.doc.document.source.path
        if art.url in urls:
            raise SiteError(
                f"two articles have the same URL '{art.url}': {urls[art.url]} and this one",
                path, 1, hint="give one of them a different slug in its front matter")
        urls[art.url] = str(path)


def build_index(docs: Iterable[AnnotatedDocument], config: SiteConfig, kb: KnowledgeBase,
                glossary: Glossary) -> SiteIndex:
    """The index of a whole site: every published article added at once."""
    return SiteIndexBuilder(config, kb, glossary).add(docs)
