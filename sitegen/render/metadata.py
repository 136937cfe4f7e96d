"""Machine-readable metadata for articles: JSON-LD `NewsArticle` and feed entry content.

JSON-LD is built as Python data and serialised with `json.dumps`, then made safe to sit
inside a `<script>` element: `<`, `>` and `&` become `\\u003c`, `\\u003e` and `\\u0026`, so
no text from an article or the knowledge base can close the element or open a comment.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from markupsafe import Markup

from sitegen.config.site import SiteConfig
from sitegen.core.dates import iso
from sitegen.index.site import Article, EntityInfo

SCHEMA_TYPES = {
    "person": "Person",
    "organisation": "Organization",
    "group": "Organization",
    "place": "Place",
    "location": "Place",
    "facility": "Place",
    "event": "Event",
    "product": "Product",
}

_SCRIPT_SAFE = str.maketrans({
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
})


def script_json(data: Any) -> Markup:
    """`data` as JSON that is safe verbatim inside `<script type="application/ld+json">`."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_SAFE))


def absolute_url(config: SiteConfig, url: str) -> str:
    """`url` (relative to the site root) under the base URL; full URLs are kept."""
    if url.startswith(("http://", "https://", "//")):
        return url
    return config.base_url + url.lstrip("/")


def iso_datetime(value: dt.datetime | dt.date | None) -> str | None:
    """ISO 8601 with a time zone: naive datetimes are taken as UTC (as in the feeds)."""
    if value is None:
        return None
    return iso(value)


def public_url(config: SiteConfig, url: str) -> str | None:
    """`url` as an absolute URL, or None when the site has no absolute base_url (a
    root-relative URL would be wrong under a subpath and opened from disk)."""
    if url.startswith(("http://", "https://")):
        return url
    return absolute_url(config, url) if config.absolute else None


def _put(node: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        node[key] = value


def entity_jsonld(info: EntityInfo, config: SiteConfig) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": SCHEMA_TYPES.get(info.type, "Thing"), "name": info.name}
    _put(node, "url", public_url(config, info.url))
    kb = info.kb
    if kb is not None:
        if kb.description:
            node["description"] = kb.description
        if kb.url:
            node["sameAs"] = kb.url
        if kb.image:
            _put(node, "image", public_url(config, kb.image))
    return node


def news_article_jsonld(art: Article, entities: Iterable[tuple[EntityInfo, int]],
                        config: SiteConfig,
                        author_urls: Sequence[str | None] = ()) -> Markup:
    """The JSON-LD `NewsArticle` for one article, ready for a `<script>` element.

    `author_urls`: per author, the URL of their page (an entity page or the site).
    """
    meta = art.doc.document.meta
    url = public_url(config, art.url)
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle"}
    if url is not None:
        data.update({"@id": url, "url": url,
                     "mainEntityOfPage": {"@type": "WebPage", "@id": url}})
    data["headline"] = meta.title
    if meta.summary:
        data["description"] = meta.summary
    published = iso_datetime(meta.date)
    if published:
        data["datePublished"] = published
        data["dateModified"] = iso_datetime(meta.updated) or published
    if meta.authors:
        links = list(author_urls) + [None] * (len(meta.authors) - len(author_urls))
        data["author"] = []
        for name, link in zip(meta.authors, links, strict=False):
            person: dict[str, Any] = {"@type": "Person", "name": name}
            _put(person, "url", link)
            data["author"].append(person)
    if meta.cover is not None:
        image = public_url(config, meta.cover.image)
        if image is not None:
            data["image"] = [image]
    if config.title:
        publisher: dict[str, Any] = {"@type": "Organization", "name": config.title}
        _put(publisher, "url", public_url(config, ""))
        data["publisher"] = publisher
    if meta.location:
        data["contentLocation"] = {"@type": "Place", "name": meta.location}
    if meta.tags:
        data["keywords"] = list(meta.tags)
    data["inLanguage"] = config.language
    mentions = [entity_jsonld(info, config) for info, _others in entities]
    if mentions:
        data["mentions"] = mentions
    return script_json(data)


def feed_entry_html(art: Article, config: SiteConfig, body: str) -> str:
    """The HTML of an article for a feed entry's `<content type="html">`: cover and body.

    Returned as a plain string, so the template escapes it into the XML text node.
    """
    meta = art.doc.document.meta
    parts: list[str] = []
    if meta.cover is not None:
        cover = meta.cover
        src = escape(absolute_url(config, cover.image), quote=True)
        caption = " ".join(t for t in (cover.caption, cover.credit) if t)
        parts.append(f'<figure><img src="{src}" alt="{escape(cover.alt, quote=True)}">'
                     + (f"<figcaption>{escape(caption)}</figcaption>" if caption else "")
                     + "</figure>")
    parts.append(str(body))
    return "\n".join(parts)
