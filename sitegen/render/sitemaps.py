"""sitemap.xml by the sitemaps.org protocol: one sitemap while the site has at most
SITEMAP_LIMIT URLs, else a sitemap index (sitemap.xml) of sitemaps of at most that many
URLs each (sitemap-1.xml, sitemap-2.xml, ... at the site's root, so that each may list
any URL of the site)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from sitegen.core.dates import iso
from sitegen.index.site import SiteIndex

T = TypeVar("T")
Url = tuple[str, str]  # (URL relative to the site root, lastmod in ISO 8601 or "")

SITEMAP_LIMIT = 50_000  # URLs in one sitemap (the protocol's limit; also 50 MB, far off)


def sitemap_urls(index: SiteIndex, entity_lists: Sequence[str] = (),
                 term_pages: Sequence[str] = ()) -> list[Url]:
    """The stable URL of every page worth indexing: the home page, articles (with their
    last modification), topics, entities and the glossary; `entity_lists` are the
    initial-letter pages of a split entities index, `term_pages` the glossary's term
    pages."""
    urls: list[Url] = [("", "")]
    for art in index.articles:
        meta = art.doc.document.meta
        urls.append((art.url, iso(meta.updated or art.date) if art.date else ""))
    urls.append(("tags/", ""))
    urls += [(f"tags/{tag}/", "") for tag in index.tags]
    urls.append(("entities/", ""))
    urls += [(url, "") for url in entity_lists]
    urls += [(info.url, "") for info in index.entities.values()]
    urls.append(("glossary/", ""))
    urls += [(url, "") for url in term_pages]
    return urls


def split(urls: Sequence[Url], limit: int | None = None) -> list[Sequence[Url]]:
    """`urls` in consecutive pieces of at most `limit` (SITEMAP_LIMIT) each."""
    size = SITEMAP_LIMIT if limit is None else limit
    if size < 1:
        raise ValueError("a sitemap holds at least one URL")
    return [urls[i:i + size] for i in range(0, len(urls), size)] or [urls]


def sitemap_files(render: Callable[..., T], index: SiteIndex, urls: Sequence[Url],
                  limit: int | None = None) -> Iterator[T]:
    """sitemap.xml, and when it would list too many URLs, the sitemaps it indexes."""
    pieces = split(urls, limit)
    if len(pieces) == 1:
        yield render("sitemap.xml", "", "sitemap.xml", index=index, urls=tuple(pieces[0]))
        return
    names = tuple(f"sitemap-{n}.xml" for n in range(1, len(pieces) + 1))
    yield render("sitemap-index.xml", "", "sitemap.xml", sitemaps=names)
    for name, piece in zip(names, pieces, strict=True):
        yield render("sitemap.xml", "", name, index=index, urls=tuple(piece))
