"""The one markdown-it configuration every stage shares."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .markdown_anchors import heading_ids
from .markup import text_rule
from .safety import url_scheme

# Link schemes an article may use; everything else (javascript:, data:, vbscript:, file:
# ...) stays text. Relative links are always fine.
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Attributes an author may set with `{...}`: never style, event handlers or URLs.
SPAN_ATTRIBUTES = ("id", "class", "entity", "lang", "dir", "title")

_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#|/)", re.IGNORECASE)


def site_relative(url: str, root: str) -> str:
    """A relative URL in an article is relative to the content folder, i.e. the site root."""
    return url if not url or _EXTERNAL.match(url) else root + url


def _image_rule(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    token = tokens[idx].copy()  # never mutate the parsed document's tokens
    token.attrs = dict(token.attrs)
    src = str(token.attrGet("src") or "")
    token.attrSet("src", site_relative(src, env.get("root", "")))
    token.attrSet("loading", "lazy")
    size = env.get("image_size")
    if size is not None and not _EXTERNAL.match(src) and token.attrGet("width") is None:
        found = size(src)  # width and height from the file: nothing shifts while it loads
        if found:
            token.attrSet("width", str(found[0]))
            token.attrSet("height", str(found[1]))
    # The rule reads only this (inline) token: a one-token list, not a copy of them all
    # (that made rendering quadratic in the number of links and images).
    return str(self.image([token], 0, options, env))


def _link_rule(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    token = tokens[idx].copy()
    token.attrs = dict(token.attrs)
    token.attrSet("href", site_relative(str(token.attrGet("href") or ""), env.get("root", "")))
    return str(self.renderToken([token], 0, options, env))


def validate_link(url: str) -> bool:
    """markdown-it's link check, stricter: only LINK_SCHEMES or a relative URL."""
    scheme = url_scheme(url)
    return scheme is None or scheme in LINK_SCHEMES


@lru_cache(maxsize=2)
def markdown(raw_html: bool = False) -> MarkdownIt:
    """CommonMark with tables, strikethrough, footnotes, heading ids and `[text]{attrs}`.

    Raw HTML is off by default: it is shown as text (hostile input is escaped). With
    `raw_html` it is parsed as HTML, and `render_tokens` passes the page through the
    allow-list sanitizer. The `text` rule applies annotation marks passed in `env["marks"]`.
    """
    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": False})
    md.validateLink = validate_link  # type: ignore[method-assign]
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(attrs_plugin, spans=True, allowed=SPAN_ATTRIBUTES)
    md.core.ruler.push("anchor", heading_ids(min_level=2, max_level=3))
    md.add_render_rule("text", text_rule)
    md.add_render_rule("image", _image_rule)
    md.add_render_rule("link_open", _link_rule)
    return md


def render_tokens(tokens: Sequence[Token], env: dict[str, Any], sanitize: bool = False) -> str:
    """The HTML of parsed tokens; with `sanitize`, cleaned by the allow-list sanitizer."""
    md = markdown(sanitize)
    html: str = md.renderer.render(list(tokens), md.options, env)
    return sanitize_html(html) if sanitize else html


# The sanitizer's allow-list: Ammonia's safe defaults plus what sitegen itself emits
# (footnote sections, annotation marks with data-* attributes, table alignment).
_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    "var", "wbr",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "aria-describedby", "aria-hidden",
          "aria-label", "role"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "loading", "width", "height"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "details": {"open"},
}


def sanitize_html(html: str) -> str:
    """Allow-list sanitising with nh3 (Ammonia): no script, no event handlers, no
    javascript:/data: URLs, whatever the input."""
    import nh3

    return nh3.clean(
        html, tags=_TAGS, attributes=_ATTRIBUTES, generic_attribute_prefixes={"data-"},
        url_schemes=set(LINK_SCHEMES), link_rel=None, strip_comments=True,
        filter_style_properties={"text-align"},
    )
