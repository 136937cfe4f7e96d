"""The pages of a site, declared in one list (`PAGE_KINDS`): per kind its template, the pages
it has (URL, output path and context, from the site index) and, where it differs from the
rule, what its dependency key holds and how it is drawn.

A new page kind is one entry here plus its template in the theme (sitegen/themes/*/
templates). By default a page is `Renderer.render(template, url, out, root, **context)` and
its key is the render salt, the template, URL, output path and root, and the digest of
each context value (the whole index only when the template reads it; see keys.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sitegen.index.site import Article, SiteIndex
from sitegen.render import listings
from sitegen.render.archive_pages import (
    ARCHIVE_KINDS,
    archive_urls,
    article_related,
    entity_extras,
    related_key,
)
from sitegen.render.page import KeyParts, Page, PageKind, PagesFn
from sitegen.render.renderer import Renderer
from sitegen.render.sitemaps import sitemap_files, sitemap_urls
from sitegen.render.social import CARD_NAME, CARD_VERSION, card_path

__all__ = ["PAGE_KINDS", "KeyParts", "Page", "PageKind", "article_page", "page_templates"]


def one(kind: str, url: str, out: str) -> PagesFn:
    """A kind with one page whose context is the index."""
    return lambda _r, index: [Page(kind, url, out, {"index": index})]


def none(_r: Renderer, _index: SiteIndex) -> list[Page]:
    """A kind whose pages another kind lists (the entities index lists its letter pages)."""
    return []


def maker(kinds: dict[str, str]) -> Callable[..., Page]:
    """`render(template, url, out, **context)` for the listings (listings.py, sitemaps.py)
    that makes the Page instead, of the kind drawn from that template."""
    def make(template: str, url: str, out: str, **context: Any) -> Page:
        return Page(kinds[template], url, out, context)
    return make


# -- articles -------------------------------------------------------------------------------
def article_page(art: Article) -> Page:
    return Page("article", art.url, art.url + "index.html", {"article": art})


def _article_key(keys: KeyParts, renderer: Renderer, page: Page, index: SiteIndex
                 ) -> list[str]:
    """An article page holds, of the index, exactly what its popovers and sources panel
    show: for each entity and term it annotates, whether it has a page, its name, type,
    entry and number of articles; and its authors' entity pages (JSON-LD)."""
    art: Article = page.context["article"]
    parts = [keys.salt, "article", page.out, keys.digest(art)]
    ann = art.doc.annotations
    ids = [m.entity_id for m in ann.entities]
    ids += [a.source_id for a in ann.attributions if a.source_id]
    for eid in sorted(set(ids)):
        info = index.entities.get(eid)
        parts.append(eid if info is None else keys.entity_fact(info))
    for tid in sorted({g.term_id for g in ann.glossary}):
        term = index.terms.get(tid)
        parts.append(tid if term is None else repr(term.term))
    parts.append(repr(renderer.author_urls(art, index)))
    parts.append(related_key(renderer, index, art))  # the related articles it lists
    if keys.uses_index("article.html"):
        parts.append(keys.digest(index))
    return parts


# -- lists of articles ----------------------------------------------------------------------
def _home(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    per = r.config.paginate
    arts = index.articles
    chunks = [arts[i : i + per] for i in range(0, len(arts), per)] or [()]
    for n, chunk in enumerate(chunks, start=1):
        url = "" if n == 1 else f"page/{n}/"
        yield Page("home", url, url + "index.html", {
            "articles": chunk, "page_number": n, "page_count": len(chunks),
            "prev_url": None if n == 1 else ("" if n == 2 else f"page/{n - 1}/"),
            "next_url": f"page/{n + 1}/" if n < len(chunks) else None, "index": index})


def _tags(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    """Each tag's articles in pages of [pagination] page_size, newest first."""
    page = maker({"tag.html": "tag"})
    for tag, arts in index.tags.items():
        yield from listings.tag_pages(page, r.config, tag, arts, index)


# Feeds and the sitemap need absolute URLs: only with an absolute base_url.
def _tag_feeds(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    if not r.config.absolute:
        return
    for tag, arts in index.tags.items():
        url = f"tags/{tag}/"
        yield Page("tag-feed", url, url + "feed.xml", {
            "articles": arts[:20], "feed_url": url + "feed.xml",
            "feed_title": f"{r.config.title}: {tag}", "index": index,
            "content": r.feed_content})


def _feed(r: Renderer, index: SiteIndex) -> list[Page]:
    if not r.config.absolute:
        return []
    return [Page("feed", "", "feed.xml", {
        "articles": index.articles[:20], "feed_url": "feed.xml",
        "feed_title": r.config.title, "index": index, "content": r.feed_content})]


def _sitemaps(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    """sitemap.xml, or a sitemap index and its sitemaps beyond SITEMAP_LIMIT URLs."""
    if not r.config.absolute:
        return
    cfg = r.config
    terms = [f"glossary/{tid}/" for tid, _t in listings.paged_terms(index, cfg)]
    urls = sitemap_urls(index, listings.letter_urls(cfg, index), terms)
    urls += [(url, "") for url in archive_urls(r, index)]
    yield from sitemap_files(maker({"sitemap.xml": "sitemap", "sitemap-index.xml":
                                    "sitemap-index"}), index, urls)


# -- entities -------------------------------------------------------------------------------
def _entities(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    """entities/: one page, or split by type and initial letter when the site has many."""
    yield from listings.entities_index(maker({
        "entities.html": "entities", "entities-split.html": "entities-split",
        "entity-letter.html": "entity-letter"}), r.config, index)


def _entity(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    page = maker({"entity.html": "entity"})
    for info in index.entities.values():
        # The timeline, "often mentioned with" and topics are on the first page only.
        extras = entity_extras(r, index, info)
        rest = entity_extras(r, index, info, first=False)
        for p in listings.entity_pages(page, r.config, info, index, r.entity_image(info)):
            yield Page(p.kind, p.url, p.out,
                       {**p.context, **(extras if p.context["pager"].number == 1 else rest)})


def _glossary(r: Renderer, index: SiteIndex) -> list[Page]:
    return [Page("glossary", "glossary/", "glossary/index.html", {
        "index": index, "inline_uses": listings.inline_uses(r.config)})]


def _terms(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    """The articles of each term used more often than the glossary page lists."""
    yield from listings.term_pages(maker({"term.html": "term"}), r.config, index)


# -- social cards ---------------------------------------------------------------------------
def _cards(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    """The site's card and one per article without a raster cover."""
    if not r.config.absolute:
        return
    yield Page("card", "", card_path(""), {"title": r.config.title})
    for art in index.articles:
        image = r.article_image(art)
        if image is not None and image.url.endswith(CARD_NAME):
            yield Page("card", art.url, card_path(art.url),
                       {"title": art.doc.document.meta.title})


def _card_key(_k: KeyParts, r: Renderer, page: Page, _i: SiteIndex) -> list[str]:
    """A card is drawn again only when its text (or the drawing) changed."""
    from PIL import __version__ as pillow

    return ["card", CARD_VERSION, pillow, page.out, page.context["title"], r.config.title]


def _404(r: Renderer, index: SiteIndex) -> list[Page]:
    """A 404 page is served at any depth: it links from the site's absolute base path."""
    base = r.config.base_url
    root = base if base.startswith(("/", "http://", "https://")) else ""
    return [Page("404", "", "404.html", {"index": index}, root=root)]


# The site's pages, in the order they are rendered (and written by the preview).
PAGE_KINDS: tuple[PageKind, ...] = (
    PageKind("article", "article.html",
             lambda _r, index: [article_page(a) for a in index.articles],
             key=_article_key, draw=lambda r, page, index: r.article(
                 page.context["article"], index,
                 related=article_related(r, index, page.context["article"]))),
    PageKind("home", "index.html", _home),
    PageKind("tags", "tags.html", one("tags", "tags/", "tags/index.html")),
    PageKind("tag", "tag.html", _tags),
    PageKind("tag-feed", "feed.xml", _tag_feeds),
    PageKind("entities", "entities.html", _entities),
    PageKind("entities-split", "entities-split.html", none),  # listed by "entities"
    PageKind("entity-letter", "entity-letter.html", none),  # listed by "entities"
    PageKind("entity", "entity.html", _entity),
    PageKind("glossary", "glossary.html", _glossary),
    PageKind("term", "term.html", _terms),
    PageKind("feed", "feed.xml", _feed),
    PageKind("search", "search.html", one("search", "search/", "search/index.html")),
    PageKind("sitemap", "sitemap.xml", _sitemaps),
    PageKind("sitemap-index", "sitemap-index.xml", none),  # listed by "sitemap"
    PageKind("robots", "robots.txt", one("robots", "", "robots.txt")),
    PageKind("card", None, _cards, key=_card_key,
             draw=lambda r, page, _i: r.card(page.url, page.context["title"])),
    *ARCHIVE_KINDS,
    PageKind("404", "404.html", _404),
)


def page_templates(kinds: Iterable[PageKind] = PAGE_KINDS) -> tuple[str, ...]:
    """The templates of `kinds`, each once, in order."""
    return tuple(dict.fromkeys(k.template for k in kinds if k.template is not None))
