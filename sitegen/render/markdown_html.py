"""Articles' Markdown as HTML: the shared parser plus the render rules (annotation marks in
text, site-relative links and images with their sizes) and the allow-list sanitizer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sitegen.render.marks import text_rule
from sitegen.source.markdown import LINK_SCHEMES, new_markdown

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


@lru_cache(maxsize=2)
def html_markdown(raw_html: bool = False) -> MarkdownIt:
    """The parser of `sitegen.source.markdown` with the HTML render rules: the `text` rule
    applies annotation marks passed in `env["marks"]`."""
    md = new_markdown(raw_html)
    md.add_render_rule("text", text_rule)
    md.add_render_rule("image", _image_rule)
    md.add_render_rule("link_open", _link_rule)
    return md


def render_tokens(tokens: Sequence[Token], env: dict[str, Any], sanitize: bool = False) -> str:
    """The HTML of parsed tokens; with `sanitize`, cleaned by the allow-list sanitizer."""
    md = html_markdown(sanitize)
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
