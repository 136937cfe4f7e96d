"""The site's listings, every page of them small: tag, entity and glossary-term pages in
pages of `[pagination] page_size` articles (newest first), and the entities index split by
type and initial letter when it has more than `[pagination] index_size` entities.

Each function yields what `render(template, url, out, **context)` returns for its pages
(Renderer.render_page), so that keyed rendering (incremental.py) sees every page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sitegen.config.site import SiteConfig
from sitegen.core.model import Attribution
from sitegen.index.site import Article, EntityInfo, SiteIndex, TermInfo
from sitegen.render.pagination import pages_of
from sitegen.source.frontmatter import slugify

T = TypeVar("T")
Render = Callable[..., T]

GROUP_HEADINGS = {"person": "People", "organisation": "Organisations", "place": "Places",
                  "facility": "Facilities", "group": "Groups", "event": "Events",
                  "product": "Products", "work": "Works", "law": "Laws"}
# The glossary page lists a term's articles itself up to this many (and the page size);
# a term used more often links to its own paginated page, glossary/TERM/.
INLINE_USES = 10
OTHER = "other"  # the initial-letter page of names that do not start with a letter a-z


def tag_pages(render: Render[T], config: SiteConfig, tag: str,
              articles: tuple[Article, ...], index: SiteIndex) -> Iterator[T]:
    for p in pages_of(f"tags/{tag}/", len(articles), config.pagination.page_size):
        yield render("tag.html", p.url, p.url + "index.html", tag=tag,
                     articles=articles[p.start:p.end], pager=p, index=index)


def entity_pages(render: Render[T], config: SiteConfig, info: EntityInfo, index: SiteIndex,
                 social_image: Any) -> Iterator[T]:
    """The pages of an entity: the articles that name it, newest first, with their
    snippets, and what it is quoted as saying in those articles."""
    by_article: dict[str, list[tuple[Article, Attribution]]] = {}
    for art, quote in info.quotes:
        by_article.setdefault(art.url, []).append((art, quote))
    quoted = {art.url for art, _q in info.quotes}
    listed = {art.url for art in info.articles}
    unlisted = tuple(q for q in info.quotes if q[0].url not in listed)
    for p in pages_of(info.url, len(info.first_mentions), config.pagination.page_size):
        on_page = [m.article for m in info.first_mentions[p.start:p.end]]
        quotes = [q for art in on_page if art.url in quoted for q in by_article[art.url]]
        ordered = tuple(quotes)
        if p.number == 1 and unlisted:  # quoted in an article that does not name it
            ordered = _site_order(quotes + list(unlisted), info.quotes)
        yield render("entity.html", p.url, p.url + "index.html", entity=info,
                     quotes=ordered, pager=p, index=index, social_image=social_image)


def _site_order(chosen: list[tuple[Article, Attribution]],
                every: tuple[tuple[Article, Attribution], ...]) -> tuple[Any, ...]:
    """`chosen` in the order of `every` (the site's order)."""
    if len(chosen) == len(every):
        return every
    ids = {id(q) for q in chosen}
    return tuple(q for q in every if id(q) in ids)


def inline_uses(config: SiteConfig) -> int:
    """How many articles the glossary page lists for a term itself."""
    return min(INLINE_USES, config.pagination.page_size)


def paged_terms(index: SiteIndex, config: SiteConfig) -> list[tuple[str, TermInfo]]:
    """The terms used in more articles than the glossary page lists: they have a page."""
    most = inline_uses(config)
    return [(tid, info) for tid, info in index.terms.items() if len(info.articles) > most]


def term_pages(render: Render[T], config: SiteConfig, index: SiteIndex) -> Iterator[T]:
    for tid, info in paged_terms(index, config):
        for p in pages_of(f"glossary/{tid}/", len(info.articles), config.pagination.page_size):
            yield render("term.html", p.url, p.url + "index.html", term_id=tid,
                         term=info.term, count=len(info.articles),
                         articles=info.articles[p.start:p.end], pager=p)


def entity_groups(index: SiteIndex) -> list[tuple[str, list[EntityInfo]]]:
    """(heading, entities) by kind, most mentioned first: towns and regions (GPE) and
    rivers, seas and districts (LOC) are one "Places" group."""
    groups: dict[str, list[EntityInfo]] = {}
    for info in index.entities.values():
        kind = "place" if info.type == "location" else info.type
        groups.setdefault(kind, []).append(info)
    order = list(GROUP_HEADINGS)
    return [
        (GROUP_HEADINGS.get(t, t.capitalize() + "s"),
         sorted(groups[t], key=lambda e: (-len(e.mentions), e.name.lower())))
        for t in sorted(groups, key=lambda t: (order.index(t) if t in order else 99, t))
    ]


def initial(name: str) -> str:
    """The initial-letter page a name is listed on: 'a'-'z' (accents dropped), else OTHER."""
    first = unicodedata.normalize("NFKD", name.strip()[:1]).lower()[:1]
    return first if "a" <= first <= "z" else OTHER


def letter_groups(index: SiteIndex) -> list[tuple[str, str, list[tuple[str, list[EntityInfo]]]]]:
    """(heading, its slug, [(letter, entities by name)]) per kind of entity."""
    out = []
    for heading, items in entity_groups(index):
        letters: dict[str, list[EntityInfo]] = {}
        for info in sorted(items, key=lambda e: (e.name.lower(), e.id)):
            letters.setdefault(initial(info.name), []).append(info)
        ordered = sorted(letters.items(), key=lambda kv: (kv[0] == OTHER, kv[0]))
        out.append((heading, slugify(heading), ordered))
    return out


def split_index(config: SiteConfig, index: SiteIndex) -> bool:
    """Whether the entities index is split by type and initial letter."""
    return len(index.entities) > config.pagination.index_size


def letter_urls(config: SiteConfig, index: SiteIndex) -> list[str]:
    """The first page of every initial-letter listing (none unless the index is split)."""
    if not split_index(config, index):
        return []
    return [f"entities/{slug}/{letter}/" for _h, slug, letters in letter_groups(index)
            for letter, _items in letters]


def entities_index(render: Render[T], config: SiteConfig, index: SiteIndex) -> Iterator[T]:
    """entities/: every entity on one page, or when there are many, per type the letters
    with a page of their own (entities/TYPE/LETTER/, paginated)."""
    if not split_index(config, index):
        yield render("entities.html", "entities/", "entities/index.html", index=index,
                     groups=entity_groups(index))
        return
    groups = letter_groups(index)
    summary = tuple(
        (heading, sum(len(items) for _l, items in letters),
         tuple((letter, f"entities/{slug}/{letter}/", len(items)) for letter, items in letters))
        for heading, slug, letters in groups)
    yield render("entities-split.html", "entities/", "entities/index.html", groups=summary)
    size = config.pagination.page_size
    for heading, slug, letters in groups:
        for letter, items in letters:
            for p in pages_of(f"entities/{slug}/{letter}/", len(items), size):
                yield render("entity-letter.html", p.url, p.url + "index.html",
                             heading=heading, letter=letter, entities=tuple(items[p.start:p.end]),
                             total=len(items), pager=p)
