"""Source -> Document: front matter, markdown-it tokens and the text the NLP sees."""

from __future__ import annotations

from typing import Any

from sitegen.core.model import Document, Override, Segment, Source, TextView
from sitegen.source.frontmatter import parse_meta, split
from sitegen.source.markdown import markdown

BLOCK_KINDS = {
    "heading_open": "heading",
    "blockquote_open": "blockquote",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "table_open": "table",
    "footnote_block_open": "footnote",
}
NO_ENTITY = {"no-entity", "no-annotate"}
NO_GLOSSARY = {"no-glossary", "no-annotate"}


def parse(source: Source, require_title: bool = True, raw_html: bool = False) -> Document:
    """`raw_html`: parse HTML in the body as HTML (the `[markdown] raw_html = "sanitize"`
    setting); by default it is text."""
    fm, body, offset = split(source)
    meta = parse_meta(source, fm, require_title=require_title)
    tokens = markdown(raw_html).parse(body)
    view = build_view(tokens, body, offset)
    return Document(
        source=source,
        meta=meta,
        body=body,
        body_offset=offset,
        body_line=source.text[:offset].count("\n") + 1,
        view=view,
        tokens=tuple(tokens),
    )


def _line_starts(body: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(body):
        if ch == "\n":
            starts.append(i + 1)
    starts.append(len(body))
    return starts


def build_view(tokens: list[Any], body: str, offset: int) -> TextView:
    """Concatenate every inline token's text, blocks separated by a blank line.

    Each text child token gets `meta["plain"]`, its offset in the view's text, so the
    renderer can wrap exactly the annotated characters.
    """
    parts: list[str] = []
    segments: list[Segment] = []
    overrides: list[Override] = []
    length = 0
    stack: list[str] = []
    starts = _line_starts(body)

    def add(text: str) -> int:
        nonlocal length
        parts.append(text)
        length += len(text)
        return length - len(text)

    for tok in tokens:
        if tok.type in BLOCK_KINDS:
            stack.append(BLOCK_KINDS[tok.type])
        elif tok.type.replace("_close", "_open") in BLOCK_KINDS and stack:
            stack.pop()
        if tok.type != "inline" or not tok.children:
            continue
        block = stack[-1] if stack else "paragraph"
        if length:
            add("\n\n")
        line0, line1 = tok.map if tok.map else (0, len(starts) - 1)
        cursor, limit = starts[min(line0, len(starts) - 1)], starts[min(line1, len(starts) - 1)]
        link_depth = 0
        spans: list[tuple[int, dict[str, Any]]] = []
        for child in tok.children:
            kind = child.type
            if kind == "link_open":
                link_depth += 1
            elif kind == "link_close":
                link_depth = max(0, link_depth - 1)
            elif kind == "span_open":
                spans.append((length, dict(child.attrs)))
            elif kind == "span_close" and spans:
                start, attrs = spans.pop()
                _add_override(overrides, start, length, attrs)
            elif kind == "softbreak":
                add(" ")
            elif kind == "hardbreak":
                add("\n")
            elif kind in ("text", "code_inline") and child.content:
                content = child.content
                found = body.find(content, cursor, limit)
                src = -1
                if found >= 0:
                    src, cursor = offset + found, found + len(content)
                start = add(content)
                child.meta = {**(child.meta or {}), "plain": start}
                seg_kind = "code" if kind == "code_inline" else "link" if link_depth else "text"
                segments.append(Segment(start, start + len(content), src, seg_kind, block))
    return TextView(text="".join(parts), segments=tuple(segments), overrides=tuple(overrides))


def _add_override(out: list[Override], start: int, end: int, attrs: dict[str, Any]) -> None:
    classes = set(str(attrs.get("class", "")).split())
    entity = attrs.get("entity")
    if entity or classes & (NO_ENTITY | NO_GLOSSARY):
        out.append(
            Override(
                start=start,
                end=end,
                entity=str(entity) if entity else None,
                no_entity=bool(classes & NO_ENTITY),
                no_glossary=bool(classes & NO_GLOSSARY),
            )
        )
