"""Per-article limits (`[limits]` in site.toml): a file over `max_article_bytes` or with more
than `max_tags` tags is refused with a file:line error naming the limit. Refused files are
left out, the rest of the site is built, and the build reports them (exit status 1)."""

from __future__ import annotations

from pathlib import Path

from sitegen.core.errors import SiteError
from sitegen.core.model import Document

RAISE_HINT = "split it into several articles, or raise [limits] {key} in site.toml"


def oversized(path: Path, limit: int) -> SiteError | None:
    """The error for a file larger than `limit` bytes (its line: where the limit falls)."""
    size = path.stat().st_size
    if size <= limit:
        return None
    with path.open("rb") as handle:
        head = handle.read(limit)
    return SiteError(
        f"the article is {size:,} bytes, over the limit of {limit:,} bytes "
        "([limits] max_article_bytes); it was left out of the site", path,
        head.count(b"\n") + 1, hint=RAISE_HINT.format(key="max_article_bytes"))


def too_many_tags(doc: Document, limit: int) -> SiteError | None:
    count = len(doc.meta.tags)
    if count <= limit:
        return None
    line = 1
    for number, text in enumerate(doc.source.text[:doc.body_offset].split("\n"), start=1):
        if text.startswith("tags:"):
            line = number
            break
    return SiteError(
        f"the article has {count:,} tags, over the limit of {limit:,} ([limits] max_tags); "
        "it was left out of the site", doc.source.path, line,
        hint="keep the tags that matter, or raise [limits] max_tags in site.toml")
