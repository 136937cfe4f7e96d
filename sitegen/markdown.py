"""The one markdown-it configuration every stage shares."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .markup import text_rule

_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//|#|/)", re.IGNORECASE)


def site_relative(url: str, root: str) -> str:
    """A relative URL in an article is relative to the content folder, i.e. the site root."""
    return url if not url or _EXTERNAL.match(url) else root + url


def _image_rule(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    token = tokens[idx].copy()  # never mutate the parsed document's tokens
    token.attrs = dict(token.attrs)
    token.attrSet("src", site_relative(str(token.attrGet("src") or ""), env.get("root", "")))
    token.attrSet("loading", "lazy")
    return str(self.image([*tokens[:idx], token, *tokens[idx + 1 :]], idx, options, env))


def _link_rule(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    token = tokens[idx].copy()
    token.attrs = dict(token.attrs)
    token.attrSet("href", site_relative(str(token.attrGet("href") or ""), env.get("root", "")))
    return str(self.renderToken([*tokens[:idx], token, *tokens[idx + 1 :]], idx, options, env))


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """CommonMark with tables, strikethrough, footnotes, heading ids and `[text]{attrs}`.

    Raw HTML is off: it is shown as text, never passed through (hostile input is escaped).
    The `text` rule applies annotation marks passed in `env["marks"]`.
    """
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(attrs_plugin, spans=True)
    md.use(anchors_plugin, min_level=2, max_level=3)
    md.add_render_rule("text", text_rule)
    md.add_render_rule("image", _image_rule)
    md.add_render_rule("link_open", _link_rule)
    return md
