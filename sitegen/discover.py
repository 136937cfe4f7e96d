"""Find the articles of a site: every `.md` file below the content folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import SiteError
from .model import Source
from .safety import check_inside


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


def discover(content: Path) -> list[Source]:
    """All Markdown sources below `content`, sorted by path for deterministic builds."""
    if not content.is_dir():
        raise SiteError(
            f"content folder not found: {content}", hint="create it and put articles in it"
        )
    paths = sorted(
        p for p in content.rglob("*.md") if p.is_file() and not _hidden(p.relative_to(content))
    )
    # A symbolic link may point anywhere: only files that resolve inside the content folder
    # are read, anything else is an error naming the link.
    return [read_source(check_inside(p, content), p.relative_to(content).as_posix())
            for p in paths]


def _hidden(rel: Path) -> bool:
    return any(part.startswith((".", "_")) for part in rel.parts)
