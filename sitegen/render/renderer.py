"""SiteIndex -> rendered files (path relative to the output folder -> bytes)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from sitegen.config.site import SiteConfig
from sitegen.core.dates import iso
from sitegen.core.errors import SiteError
from sitegen.core.safety import xml_safe
from sitegen.index.site import Article, EntityInfo, SiteIndex
from sitegen.render import listings
from sitegen.render.annotations import article_annotations
from sitegen.render.markdown_html import html_markdown, render_tokens
from sitegen.render.marks import smart_quotes
from sitegen.render.metadata import feed_entry_html, news_article_jsonld
from sitegen.render.search import search_available
from sitegen.render.sitemaps import sitemap_files, sitemap_urls
from sitegen.render.social import CARD_NAME, SocialImage, card_image, card_path, card_png, picture
from sitegen.render.themes import template_dirs, theme_chain
from sitegen.source.frontmatter import slugify
from sitegen.source.kb import Glossary, KnowledgeBase
from sitegen.source.store import tokens_of


@dataclass(frozen=True, slots=True)
class RenderedFile:
    path: str  # relative to the output folder, POSIX
    data: bytes


def root_for(url: str) -> str:
    """The relative prefix from a page at `url` ("a/b/") back to the site root."""
    depth = len([p for p in url.split("/") if p])
    return "../" * depth


def format_date(value: dt.datetime | dt.date | None, style: str = "long") -> str:
    if value is None:
        return ""
    if style == "iso":
        return iso(value)
    return f"{value.day} {value.strftime('%B %Y')}"


# The templates a site's pages are rendered from (Renderer.pages).
PAGE_TEMPLATES = ("article.html", "index.html", "tags.html", "tag.html", "feed.xml",
                  "entities.html", "entity.html", "glossary.html", "search.html",
                  "sitemap.xml", "robots.txt", "404.html",
                  # issue 17: listings in pages (listings.py), sitemap index (sitemaps.py)
                  "term.html", "entities-split.html", "entity-letter.html",
                  "sitemap-index.xml")


class SealedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in a folder (the build's cache folder), one file per
    template: a sha256 seal over the environment's settings (this module's code, Jinja's
    version), the template's key and the bytecode, then the bytecode. Jinja checks the
    template's source checksum inside; a file whose seal does not match is ignored and
    written again, never trusted."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        h = hashlib.sha256(b"sitegen-templates\0" + jinja2.__version__.encode())
        with contextlib.suppress(OSError):
            h.update(Path(__file__).read_bytes())  # make_env's settings
        self._salt = h.digest()

    def _seal(self, key: str, body: bytes) -> bytes:
        return hashlib.sha256(self._salt + key.encode() + b"\0" + body).digest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            raw = (self.folder / f"{bucket.key}.jinja").read_bytes()
        except OSError:
            return
        seal, body = raw[:32], raw[32:]
        if len(seal) == 32 and seal == self._seal(bucket.key, body):
            bucket.bytecode_from_string(body)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        body = bucket.bytecode_to_string()
        path = self.folder / f"{bucket.key}.jinja"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(self._seal(bucket.key, body) + body)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)


def make_env(config: SiteConfig, bytecode_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of the site's templates; with `bytecode_dir`, compiled
    templates are kept there between builds."""
    chain = theme_chain(config.theme, config.root)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs(config.root, chain)]),
        bytecode_cache=SealedBytecodeCache(bytecode_dir) if bytecode_dir is not None else None,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=xml_safe,  # no control characters that would break the feeds' XML
    )
    env.filters["date"] = format_date
    env.filters["md"] = lambda text: Markup(
        html_markdown().render(
            text or "", {"marks": (), "smart": config.markdown.typographic_quotes})
    )
    env.filters["slug"] = slugify
    env.filters["typo"] = (smart_quotes if config.markdown.typographic_quotes
                           else (lambda text: text))
    env.globals["absolute"] = lambda url: config.base_url + url
    # The navigation links the search page only when the build makes its index.
    env.globals["search_enabled"] = search_available()
    # Every page's og:image unless it has its own (only with an absolute base_url).
    env.globals["site_image"] = (
        card_image(config, "", config.title) if config.absolute else None)
    env.globals["image_size"] = _image_sizes(config)
    env.filters["tagname"] = config.tags.name
    env.filters["host"] = _host
    return env


def _host(url: str) -> str:
    """'https://en.wikipedia.org/wiki/X' -> 'Wikipedia'; otherwise the host name."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or url).removeprefix("www.")
    return "Wikipedia" if host.endswith("wikipedia.org") else host


def _image_sizes(config: SiteConfig) -> Any:
    """`image_size(rel)`: (width, height) of a site image (content or static folder), or
    None when it cannot be read; read once per build."""
    from functools import lru_cache

    from sitegen.render.imagesize import image_size

    @lru_cache(maxsize=512)
    def size(rel: str) -> tuple[int, int] | None:
        rel = rel.split("?")[0].split("#")[0].lstrip("/")
        if not rel or ".." in rel.split("/"):
            return None
        for folder in (config.content_path, config.root / "static"):
            found = image_size(folder / rel)
            if found:
                return found
        return None

    return size


class Renderer:
    # The preview shows held-back candidates (greyed, with their confidence); a build never.
    show_held: bool = False

    def __init__(self, config: SiteConfig, kb: KnowledgeBase, glossary: Glossary,
                 bytecode_dir: Path | None = None) -> None:
        self.config = config
        self.kb = kb
        self.glossary = glossary
        self.env = make_env(config, bytecode_dir)
        self._feed_html: dict[str, str] = {}
        self._people: tuple[SiteIndex | None, dict[str, str]] = (None, {})

    def prepare(self) -> None:
        """Load the page templates ahead of rendering (errors are left for the render to
        report)."""
        for name in PAGE_TEMPLATES:
            with contextlib.suppress(Exception):
                self.env.get_template(name)

    def _render(self, template: str, url: str, out: str, root: str | None = None,
                **context: Any) -> RenderedFile:
        root = root_for(url) if root is None else root
        try:
            html = self.env.get_template(template).render(
                site=self.config, root=root, page_url=url, **context
            )
        except jinja2.TemplateSyntaxError as exc:
            raise SiteError(f"template error: {exc.message}", exc.filename, exc.lineno) from None
        except jinja2.TemplateError as exc:
            raise SiteError(f"template '{template}' failed: {exc}") from None
        return RenderedFile(out, html.encode("utf-8"))

    def render_page(self, template: str, url: str, out: str, **context: Any) -> RenderedFile:
        """One page (listings.py, sitemaps.py); keyed rendering applies (it overrides
        _render)."""
        return self._render(template, url, out, **context)

    def body_html(self, art: Article, root: str, marks: Any) -> str:
        env = {"marks": marks, "root": root, "smart": self.config.markdown.typographic_quotes,
               "image_size": self.env.globals["image_size"]}
        sanitize = self.config.markdown.sanitize
        return render_tokens(tokens_of(art.doc.document, sanitize), env, sanitize)

    def article(self, art: Article, index: SiteIndex) -> RenderedFile:
        root = root_for(art.url)
        ann = article_annotations(art, index, self.config, root, held=self.show_held)
        body = Markup(self.body_html(art, root, ann.marks))
        authors = self.author_urls(art, index)
        return self._render("article.html", art.url, art.url + "index.html", article=art,
                            meta=art.doc.document.meta, body=body, ann=ann, index=index,
                            social_image=self.article_image(art),
                            jsonld=news_article_jsonld(art, ann.entities, self.config,
                                                       authors))

    def author_urls(self, art: Article, index: SiteIndex) -> tuple[str | None, ...]:
        """Per author of `art`, the site URL of their page: the entity page of that name,
        else the home page (None without an absolute base_url: JSON-LD omits it)."""
        if not self.config.absolute:
            return tuple(None for _ in art.doc.document.meta.authors)
        if self._people[0] is not index:
            pages = {info.name: info.url for info in index.entities.values()
                     if info.type == "person"}
            self._people = (index, pages)
        pages = self._people[1]
        return tuple(self.config.base_url + pages.get(name, "")
                     for name in art.doc.document.meta.authors)

    def article_image(self, art: Article) -> SocialImage | None:
        """The article's og:image: its cover when raster, else its generated card."""
        if not self.config.absolute:
            return None
        meta = art.doc.document.meta
        cover = meta.cover
        own = picture(self.config, cover.image, cover.alt or meta.title) if cover else None
        return own or card_image(self.config, art.url, meta.title)

    def entity_image(self, info: EntityInfo) -> SocialImage | None:
        """An entity page's og:image when its knowledge-base image is raster (else the
        site's card)."""
        if not self.config.absolute or info.kb is None:
            return None
        return picture(self.config, info.kb.image, info.name)

    def card(self, page_url: str, title: str) -> RenderedFile:
        """The generated social card (PNG) of the page at `page_url`."""
        return RenderedFile(card_path(page_url), card_png(title, self.config.title))

    def cards(self, index: SiteIndex) -> Iterator[RenderedFile]:
        """The site's card and one per article without a raster cover."""
        if not self.config.absolute:
            return
        yield self.card("", self.config.title)
        for art in index.articles:
            image = self.article_image(art)
            if image is not None and image.url.endswith(CARD_NAME):
                yield self.card(art.url, art.doc.document.meta.title)

    def feed_content(self, art: Article) -> str:
        """An article's HTML for feed entries (absolute links, no annotation marks)."""
        if art.url not in self._feed_html:
            body = self.body_html(art, self.config.base_url, ())
            self._feed_html[art.url] = feed_entry_html(art, self.config, body)
        return self._feed_html[art.url]

    def pages(self, index: SiteIndex) -> Iterator[RenderedFile]:
        cfg = self.config
        for art in index.articles:
            yield self.article(art, index)
        per = cfg.paginate
        chunks = [index.articles[i : i + per] for i in range(0, len(index.articles), per)] or [()]
        for n, chunk in enumerate(chunks, start=1):
            url = "" if n == 1 else f"page/{n}/"
            prev_url = None if n == 1 else ("" if n == 2 else f"page/{n - 1}/")
            next_url = f"page/{n + 1}/" if n < len(chunks) else None
            yield self._render("index.html", url, url + "index.html", articles=chunk,
                               page_number=n, page_count=len(chunks), prev_url=prev_url,
                               next_url=next_url, index=index)
        # Feeds and the sitemap need absolute URLs: only with an absolute base_url.
        feeds = cfg.absolute
        yield self._render("tags.html", "tags/", "tags/index.html", index=index)
        page = self.render_page
        for tag, arts in index.tags.items():
            url = f"tags/{tag}/"
            yield from listings.tag_pages(page, cfg, tag, arts, index)
            if feeds:
                yield self._render("feed.xml", url, url + "feed.xml", articles=arts[:20],
                                   feed_url=url + "feed.xml", feed_title=f"{cfg.title}: {tag}",
                                   index=index, content=self.feed_content)
        yield from listings.entities_index(page, cfg, index)
        for info in index.entities.values():
            yield from listings.entity_pages(page, cfg, info, index, self.entity_image(info))
        yield self._render("glossary.html", "glossary/", "glossary/index.html", index=index,
                           inline_uses=listings.inline_uses(cfg))
        yield from listings.term_pages(page, cfg, index)
        if feeds:
            yield self._render("feed.xml", "", "feed.xml", articles=index.articles[:20],
                               feed_url="feed.xml", feed_title=cfg.title, index=index,
                               content=self.feed_content)
        yield self._render("search.html", "search/", "search/index.html", index=index)
        if feeds:
            terms = [f"glossary/{tid}/" for tid, _t in listings.paged_terms(index, cfg)]
            urls = sitemap_urls(index, listings.letter_urls(cfg, index), terms)
            yield from sitemap_files(page, index, urls)
        yield self._render("robots.txt", "", "robots.txt", index=index)
        yield from self.cards(index)
        # A 404 page is served at any depth: it links from the site's absolute base path.
        base = cfg.base_url if cfg.base_url.startswith(("/", "http://", "https://")) else ""
        yield self._render("404.html", "", "404.html", root=base, index=index)


def relative(url_from: str, target: str) -> str:
    rel = posixpath.relpath(target or ".", url_from or ".")
    return "./" if rel == "." else rel + ("/" if target.endswith("/") else "")
