"""Find the articles of a site: every `.md` file below the content folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sitegen.core.errors import SiteError
from sitegen.core.model import Source
from sitegen.core.safety import check_inside
from sitegen.source.limits import oversized


def read_source(path: Path, rel: str) -> Source:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SiteError(
            "the file is not valid UTF-8", path, line, hint="save the file as UTF-8"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Source(path=path, rel=rel, text=text, digest=hashlib.sha256(data).hexdigest())


def discover(content: Path, max_bytes: int | None = None,
             refused: list[SiteError] | None = None) -> list[Source]:
    """All Markdown sources below `content`, sorted by path for deterministic builds.

    A file over `max_bytes` is not read: its error goes to `refused` (raised without it)."""
    if not content.is_dir():
        raise SiteError(
            f"content folder not found: {content}", hint="create it and put articles in it"
        )
    paths = sorted(
        p for p in content.rglob("*.md") if p.is_file() and not _hidden(p.relative_to(content))
    )
    # A symbolic link may point anywhere: only files that resolve inside the content folder
    # are read, anything else is an error naming the link.
    sources: list[Source] = []
    for path in paths:
        check_inside(path, content)
        error = oversized(path, max_bytes) if max_bytes is not None else None
        if error is None:
            sources.append(read_source(path, path.relative_to(content).as_posix()))
        elif refused is None:
            raise error
        else:
            refused.append(error)
    return sources


def _hidden(rel: Path) -> bool:
    return any(part.startswith((".", "_")) for part in rel.parts)
