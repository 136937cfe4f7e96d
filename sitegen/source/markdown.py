"""The one markdown-it configuration every stage shares: what an article's Markdown means."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from sitegen.core.safety import url_scheme
from sitegen.source.anchors import heading_ids

# Link schemes an article may use; everything else (javascript:, data:, vbscript:, file:
# ...) stays text. Relative links are always fine.
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Attributes an author may set with `{...}`: never style, event handlers or URLs.
SPAN_ATTRIBUTES = ("id", "class", "entity", "lang", "dir", "title")


def validate_link(url: str) -> bool:
    """markdown-it's link check, stricter: only LINK_SCHEMES or a relative URL."""
    scheme = url_scheme(url)
    return scheme is None or scheme in LINK_SCHEMES


@lru_cache(maxsize=2)
def markdown(raw_html: bool = False) -> MarkdownIt:
    """The shared parser (see `new_markdown`)."""
    return new_markdown(raw_html)


def new_markdown(raw_html: bool = False) -> MarkdownIt:
    """CommonMark with tables, strikethrough, footnotes, heading ids and `[text]{attrs}`.

    Raw HTML is off by default: it is shown as text (hostile input is escaped). With
    `raw_html` it is parsed as HTML, and `render_tokens` passes the page through the
    allow-list sanitizer. The HTML render rules are the render layer's
    (`sitegen.render.markdown_html`).
    """
    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": False})
    md.validateLink = validate_link  # type: ignore[method-assign]
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(attrs_plugin, spans=True, allowed=SPAN_ATTRIBUTES)
    md.core.ruler.push("anchor", heading_ids(min_level=2, max_level=3))
    return md
