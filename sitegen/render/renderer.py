"""SiteIndex -> rendered files (path relative to the output folder -> bytes)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from sitegen.config.site import SiteConfig
from sitegen.core.dates import iso
from sitegen.core.errors import SiteError
from sitegen.core.model import Document
from sitegen.core.safety import xml_safe
from sitegen.index.site import Article, EntityInfo, SiteIndex
from sitegen.render.annotations import article_annotations
from sitegen.render.markdown_html import html_markdown, render_tokens
from sitegen.render.marks import smart_quotes
from sitegen.render.metadata import feed_entry_html, news_article_jsonld
from sitegen.render.search import search_available
from sitegen.render.social import SocialImage, card_image, card_path, card_png, picture
from sitegen.render.themes import template_dirs, theme_chain
from sitegen.source.frontmatter import slugify
from sitegen.source.kb import Glossary, KnowledgeBase
from sitegen.source.markdown import markdown
from sitegen.source.parse import build_view


@dataclass(frozen=True, slots=True)
class RenderedFile:
    path: str  # relative to the output folder, POSIX
    data: bytes


def root_for(url: str) -> str:
    """The relative prefix from a page at `url` ("a/b/") back to the site root."""
    depth = len([p for p in url.split("/") if p])
    return "../" * depth


def body_tokens(doc: Document, raw_html: bool = False) -> tuple[Any, ...]:
    """The body's markdown-it tokens, each text token with its offset in the view's text
    (`meta["plain"]`). A document from the parse cache has none: its body is parsed again,
    but not its front matter (already in `doc.meta`: that YAML cost as much as the body)."""
    if doc.tokens or not doc.body.strip():
        return doc.tokens
    tokens = markdown(raw_html).parse(doc.body)
    build_view(tokens, doc.body, doc.body_offset)  # sets meta["plain"]; the view is known
    return tuple(tokens)


def format_date(value: dt.datetime | dt.date | None, style: str = "long") -> str:
    if value is None:
        return ""
    if style == "iso":
        return iso(value)
    return _long_date(value.year, value.month, value.day)


@lru_cache(maxsize=4096)
def _long_date(year: int, month: int, day: int) -> str:
    """'3 March 2024': a site lists the same dates on many pages, made once each."""
    return f"{day} {dt.date(year, month, day).strftime('%B %Y')}"


@lru_cache(maxsize=8192)
def _typographic(text: str) -> str:
    return smart_quotes(text)


def typographic(text: Any) -> Any:
    """The `typo` filter: titles are shown on many pages, made typographic once each (a
    plain string only: Markup stays Markup, as smart_quotes leaves it)."""
    return _typographic(text) if type(text) is str else smart_quotes(text)


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
    env.filters["typo"] = (typographic if config.markdown.typographic_quotes
                           else (lambda text: text))
    env.globals["absolute"] = lambda url: config.base_url + url
    # The navigation links the search page only when the build makes its index.
    env.globals["search_enabled"] = search_available()
    # Every page's og:image unless it has its own (only with an absolute base_url).
    env.globals["site_image"] = (
        card_image(config, "", config.title) if config.absolute else None)
    env.globals["image_size"] = _image_sizes(config)
    env.filters["tagname"] = config.tags.name
    env.globals["memo"] = fragment_memo()
    env.filters["host"] = _host
    return env


FRAGMENT_LIMIT = 20_000  # fragments kept by `memo` before starting afresh


def fragment_memo() -> Callable[..., Markup]:
    """`{% call memo(e, root) %}...{% endcall %}` in a template: the block's HTML made once
    for the same values (strings and numbers by value, anything else by identity: the
    index's values are immutable, an edit makes new ones) and then reused, e.g. the popover
    of an entity on every article that names it. The values must be all the block reads."""
    kept: dict[tuple[object, ...], tuple[tuple[object, ...], Markup]] = {}

    def memo(*values: object, caller: Callable[[], str]) -> Markup:
        key = tuple(v if isinstance(v, (str, int)) else ("id", id(v)) for v in values)
        hit = kept.get(key)
        if hit is not None and all(a is b or isinstance(b, (str, int))
                                   for a, b in zip(hit[0], values, strict=True)):
            return hit[1]
        html = Markup(caller())
        if len(kept) >= FRAGMENT_LIMIT:
            kept.clear()
        kept[key] = (values, html)  # holds the values: their ids are not reused meanwhile
        return html

    return memo


def _host(url: str) -> str:
    """'https://en.wikipedia.org/wiki/X' -> 'Wikipedia'; otherwise the host name."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or url).removeprefix("www.")
    return "Wikipedia" if host.endswith("wikipedia.org") else host


def _image_sizes(config: SiteConfig) -> Any:
    """`image_size(rel)`: (width, height) of a site image (content or static folder), or
    None when it cannot be read; read once per build."""
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
    """Renders one page at a time: an article, a page from a template, a social card. Which
    pages a site has is declared in render/pages.py; render/site.py goes over them."""

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

    def prepare(self, templates: Iterable[str]) -> None:
        """Load the page templates ahead of rendering (errors are left for the render to
        report)."""
        for name in templates:
            with contextlib.suppress(Exception):
                self.env.get_template(name)

    def forget_feeds(self) -> None:
        """Drop the feed entries made so far (the preview, before a pass after an edit)."""
        self._feed_html = {}

    def render(self, template: str, url: str, out: str, root: str | None = None,
               **context: Any) -> RenderedFile:
        """The page at `url` from `template`, written to `out` (relative to the output)."""
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

    def body_html(self, art: Article, root: str, marks: Any) -> str:
        env = {"marks": marks, "root": root, "smart": self.config.markdown.typographic_quotes,
               "image_size": self.env.globals["image_size"]}
        sanitize = self.config.markdown.sanitize
        return render_tokens(body_tokens(art.doc.document, sanitize), env, sanitize)

    def article(self, art: Article, index: SiteIndex, related: tuple[Any, ...] = ()
                ) -> RenderedFile:
        """An article page; `related`: the related articles it lists (pages.py)."""
        root = root_for(art.url)
        ann = article_annotations(art, index, self.config, root, held=self.show_held)
        body = Markup(self.body_html(art, root, ann.marks))
        authors = self.author_urls(art, index)
        return self.render("article.html", art.url, art.url + "index.html", article=art,
                           meta=art.doc.document.meta, body=body, ann=ann, index=index,
                           related=related,
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

    def feed_content(self, art: Article) -> str:
        """An article's HTML for feed entries (absolute links, no annotation marks)."""
        if art.url not in self._feed_html:
            body = self.body_html(art, self.config.base_url, ())
            self._feed_html[art.url] = feed_entry_html(art, self.config, body)
        return self._feed_html[art.url]


def relative(url_from: str, target: str) -> str:
    rel = posixpath.relpath(target or ".", url_from or ".")
    return "./" if rel == "." else rel + ("/" if target.endswith("/") else "")
