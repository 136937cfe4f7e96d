"""Plugin annotators' notes (docs/plugins.md) as marks in the article text.

A note is a `<mark>` around its span, naming its annotator, kind and label; with an `href`
(an http(s) or relative URL) it is a link instead, unless a link is already there (an
entity or a glossary term, a source marker): links never nest. Every value is escaped, and
a note never marks code, link text or a heading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from sitegen.core.model import Note, TextView
from sitegen.core.safety import is_safe_url
from sitegen.core.spans import Spans
from sitegen.render.marks import Mark

_NOT_CLASS = re.compile(r"[^a-z0-9_-]+")
ORDER = 3  # inside entity, term and attribution marks that share its span


def css_name(name: str) -> str:
    """A plugin or kind name as a CSS class part: lower case letters, digits, - and _."""
    return _NOT_CLASS.sub("-", name.lower()).strip("-") or "note"


def _attr(value: str) -> str:
    return escape(value, quote=True)


def note_marks(notes: Sequence[Note], view: TextView, links: Spans,
               others: Sequence[Mark]) -> list[Mark]:
    """The marks of an article's published notes. `links` are the spans already linked
    (entities, terms); `others` the article's other marks (zero-width source markers are
    links too)."""
    anchors = sorted(m.start for m in others if m.start == m.end)
    out: list[Mark] = []
    for n in notes:
        if n.start >= n.end or not view.annotatable(n.start, n.end):
            continue
        if view.block_at(n.start) == "heading":
            continue
        attrs = (f'class="ann ann-note ann-note-{css_name(n.annotator)} '
                 f'ann-note-{css_name(n.annotator)}-{css_name(n.kind)}" '
                 f'data-annotator="{_attr(n.annotator)}" data-kind="{_attr(n.kind)}"')
        if n.label:
            attrs += f' data-label="{_attr(n.label)}"'
        if n.title:
            attrs += f' title="{_attr(n.title)}"'
        attrs += f' data-confidence="{n.confidence:.2f}"'
        link = (n.href is not None and is_safe_url(n.href) and not links.overlaps(n.start, n.end)
                and not any(n.start < a < n.end for a in anchors))
        if link:
            out.append(Mark(n.start, n.end, f'<a {attrs} href="{_attr(n.href or "")}">',
                            "</a>", order=ORDER))
            links.add(n.start, n.end)
        else:
            out.append(Mark(n.start, n.end, f"<mark {attrs}>", "</mark>", order=ORDER))
    return out
