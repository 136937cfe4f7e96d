"""Heading ids (`## Flood defences` -> id="flood-defences"), as mdit_py_plugins' anchors
plugin makes them, in linear time: its unique_slug tries "same-1", "same-2" ... from 1 for
every repeated heading (quadratic: 50,000 "## Same" took minutes). Here the next number to
try is remembered per slug; the ids are the same.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors.index import slugify


def heading_ids(min_level: int, max_level: int) -> Callable[[StateCore], None]:
    """A core rule giving every heading of these levels a unique id (explicit ids kept)."""
    levels = range(min_level, max_level + 1)

    def rule(state: StateCore) -> None:
        tokens = state.tokens
        slugs: set[str] = {
            str(heading_id) for token in tokens
            if token.type == "heading_open" and (heading_id := token.attrGet("id"))
        }
        next_try: dict[str, int] = {}
        for idx, token in enumerate(tokens):
            if token.type != "heading_open" or int(token.tag[1]) not in levels:
                continue
            if token.attrGet("id"):
                continue
            children = tokens[idx + 1].children or []
            title = "".join(c.content for c in children if c.type in ("text", "code_inline"))
            base = slugify(title)
            slug, i = base, next_try.get(base, 1)
            while slug in slugs:
                slug = f"{base}-{i}"
                i += 1
            next_try[base] = i
            slugs.add(slug)
            token.attrSet("id", slug)

    return rule
