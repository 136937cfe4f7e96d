"""Find the articles of a site: every `.md` file below the content folder."""

from __future__ import annotations

import hashlib
import os
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
    # A symbolic link may point anywhere: only files that resolve inside the content folder
    # are read, anything else is an error naming the link.
    sources: list[Source] = []
    for path, rel, linked in markdown_files(content):
        if linked:
            check_inside(path, content)
        error = oversized(path, max_bytes) if max_bytes is not None else None
        if error is None:
            sources.append(read_source(path, rel))
        elif refused is None:
            raise error
        else:
            refused.append(error)
    return sources


def markdown_files(content: Path) -> list[tuple[Path, str, bool]]:
    """Every `.md` file below `content` (a symbolic link to a file counts; a folder that
    is a symbolic link is not entered, as `Path.rglob` does; names starting with `.` or
    `_` are skipped), sorted by path, each with its content-relative POSIX path and
    whether it must be checked to lie inside the site (a symbolic link). One scandir per
    folder instead of rglob, is_file and resolve per file (issue 17: discovering 10,000
    articles took 4 s)."""
    found: list[tuple[tuple[str, ...], Path, bool]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(str(content), ())]
    while stack:
        folder, parts = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith((".", "_")):
                    continue
                try:
                    link = entry.is_symlink()
                    if not link and entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, (*parts, name)))
                    elif name.endswith(".md") and entry.is_file():
                        found.append(((*parts, name), Path(entry.path), link))
                except OSError:
                    continue  # gone meanwhile, or unreadable: as rglob does
    found.sort(key=lambda row: row[0])
    return [(path, "/".join(parts), link) for parts, path, link in found]
