"""How stories connect (docs/archive-pages.md): related articles ranked by the entities
and glossary terms they share, weighted by rarity; per entity the entities it is often
mentioned with, the tags it appears under and its mentions per month. Computed from the
published annotations of the index, once per index."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sitegen.index.memo import per_index
from sitegen.index.site import Article, EntityInfo, SiteIndex
from sitegen.index.sourcing import month_range

# An entity or term in more articles than this relates nothing: too common to say that
# two stories are about the same thing (and it keeps the work linear in the site's size).
MAX_SHARED = 250
SHOWN_NAMES = 4  # shared names shown per related article


@dataclass(frozen=True, slots=True)
class Related:
    url: str
    title: str
    shared: tuple[str, ...]  # the names they share, rarest first


@dataclass(frozen=True, slots=True)
class Together:
    """An entity mentioned in the same articles as another, and in how many."""

    name: str
    url: str
    count: int


def weight(articles: int) -> float:
    """Rarity: a name two articles share counts more the fewer articles have it. It does
    not depend on the size of the site, so publishing an article changes the related
    articles only of those that share something with it."""
    return 1.0 / math.log2(1 + articles)


@dataclass(frozen=True, slots=True)
class _Feature:
    key: str
    name: str
    articles: tuple[Article, ...]


@per_index
def _features(index: SiteIndex) -> dict[str, tuple[_Feature, ...]]:
    """Article URL -> the entities (with a page) and glossary terms it mentions."""
    out: dict[str, list[_Feature]] = {a.url: [] for a in index.articles}
    for info in index.entities.values():
        f = _Feature("e:" + info.id, info.name, info.articles)
        for art in info.articles:
            out[art.url].append(f)
    for tid, term in index.terms.items():
        if term.articles:
            f = _Feature("t:" + tid, term.term.term, term.articles)
            for art in term.articles:
                out[art.url].append(f)
    return {url: tuple(fs) for url, fs in out.items()}


@per_index
def _positions(index: SiteIndex) -> dict[str, int]:
    return {a.url: i for i, a in enumerate(index.articles)}


@per_index
def _related_memo(_index: SiteIndex) -> dict[tuple[str, int], tuple[Related, ...]]:
    return {}  # a page's key and its drawing both ask


def related(index: SiteIndex, art: Article, count: int) -> tuple[Related, ...]:
    """At most `count` articles sharing the most (rarest) entities and terms with `art`:
    highest score first, then more names shared, then newer, then by URL."""
    memo = _related_memo(index)
    found = memo.get((art.url, count))
    if found is None:
        found = memo[(art.url, count)] = _related(index, art, count)
    return found


def _related(index: SiteIndex, art: Article, count: int) -> tuple[Related, ...]:
    features = _features(index)
    scores: dict[str, float] = {}
    shared: dict[str, list[_Feature]] = {}
    by_url: dict[str, Article] = {}
    for f in features.get(art.url, ()):
        n = len(f.articles)
        if n < 2 or n > MAX_SHARED:
            continue
        w = weight(n)
        for other in f.articles:
            if other.url == art.url:
                continue
            scores[other.url] = scores.get(other.url, 0.0) + w
            shared.setdefault(other.url, []).append(f)
            by_url[other.url] = other
    pos = _positions(index)
    best = sorted(scores, key=lambda u: (-round(scores[u], 9), -len(shared[u]), pos[u], u))
    out = []
    for url in best[:count]:
        names = sorted(shared[url], key=lambda f: (len(f.articles), f.name.casefold()))
        out.append(Related(url, by_url[url].title,
                           tuple(dict.fromkeys(f.name for f in names))[:SHOWN_NAMES]))
    return tuple(out)


@per_index
def _entities_of(index: SiteIndex) -> dict[str, frozenset[str]]:
    """Article URL -> the ids of the entities (with a page) it mentions."""
    out: dict[str, set[str]] = {}
    for info in index.entities.values():
        for art in info.articles:
            out.setdefault(art.url, set()).add(info.id)
    return {url: frozenset(ids) for url, ids in out.items()}


def together(index: SiteIndex, info: EntityInfo, count: int) -> tuple[Together, ...]:
    """The entities mentioned in the most of `info`'s articles (with how many), most
    first, then by name."""
    of = _entities_of(index)
    counts: Counter[str] = Counter()
    for art in info.articles:
        counts.update(of.get(art.url, ()))
    counts.pop(info.id, None)
    ents = index.entities
    best = sorted(counts, key=lambda e: (-counts[e], ents[e].name.casefold(), e))[:count]
    return tuple(Together(ents[e].name, ents[e].url, counts[e]) for e in best)


def entity_tags(info: EntityInfo) -> tuple[tuple[str, int], ...]:
    """The tags of the entity's articles, with how many articles, most first."""
    counts = Counter(t for art in info.articles for t in art.doc.document.meta.tags)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def timeline(info: EntityInfo) -> tuple[tuple[str, int], ...]:
    """Mentions per month ("YYYY-MM", count), every month from the first to the last
    (months without a mention count 0); undated articles are left out."""
    counts: Counter[str] = Counter()
    last: Article | None = None
    key = ""
    for m in info.mentions:  # an article's mentions come together: its month once
        if m.article is not last:
            last = m.article
            date = last.date
            key = "" if date is None else f"{date.year:04d}-{date.month:02d}"
        if key:
            counts[key] += 1
    return tuple((m, counts.get(m, 0)) for m in month_range(counts))
