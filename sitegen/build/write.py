"""Atomic output: the new site is written beside the old one and swapped in at the end,
so a failed or interrupted build leaves the previous output as it was."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.build.staging import MARKER, Staging, exchange, remove_leftovers
from sitegen.core.errors import SiteError

__all__ = ["MARKER", "OutputTarget", "WriteStats", "exchange", "remove_leftovers",
           "safe_target", "start_staging", "write_output", "write_site"]


def safe_target(rel: str) -> str:
    """`rel` when it names a file inside the output folder, else a SiteError."""
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise SiteError(f"refusing to write outside the output folder: {rel!r}")
    return rel


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int  # files whose bytes are new or changed
    unchanged: int  # files whose bytes were already in the previous output (kept as they were)
    removed: int  # files of the previous output that the new one no longer has
    swapped: bool  # False when the previous output already was exactly the new one

    @property
    def total(self) -> int:
        return self.written + self.unchanged


def write_site(files: Iterable[tuple[str, bytes]], output: Path) -> int:
    """Write the site into `output`; returns the number of files in it (see write_output)."""
    return write_output(files, output).total


def _previous_files(output: Path) -> dict[str, int]:
    """Relative POSIX path -> size of every file of the previous output (marker excluded)."""
    found: dict[str, int] = {}
    if not (output / MARKER).is_file():
        return found
    base = len(str(output)) + 1
    for dirpath, _dirs, names in os.walk(output):
        for name in names:
            full = os.path.join(dirpath, name)
            rel = full[base:].replace(os.sep, "/")
            if rel == MARKER:
                continue
            try:
                st = os.lstat(full)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                found[rel] = st.st_size
    return found


def _same_bytes(path: Path, data: bytes, size: int | None) -> bool:
    if size is None or size != len(data):
        return False
    try:
        return path.read_bytes() == data
    except OSError:
        return False


class OutputTarget:
    """The output folder a build replaces: checked to be sitegen's (or empty), and the
    files of the previous output in it, to tell which new files have the same bytes."""

    def __init__(self, output: Path) -> None:
        output = output.resolve()
        if output.exists() and not output.is_dir():
            raise SiteError(f"the output path is a file, not a folder: {output}")
        if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
            raise SiteError(
                f"refusing to replace {output}: it is not empty and was not written by "
                "sitegen", hint="choose another --output folder or empty this one",
            )
        self.output = output
        self.previous = _previous_files(output)

    def same(self, rel: str, data: bytes, known: Collection[str] = ()) -> bool:
        """Whether the previous output has `rel` with exactly `data` (`known`: files read
        back from it just now, not compared again)."""
        size = self.previous.get(rel)
        return ((rel in known and size == len(data))
                or _same_bytes(self.output / rel, data, size))


def write_output(files: Iterable[tuple[str, bytes]], output: Path, *,
                 known: Collection[str] = (), spare: Path | None = None,
                 on_file: Callable[[str, bytes, bool], None] | None = None) -> WriteStats:
    """Write every (relative path, bytes) into a fresh folder, then swap it in for `output`.

    `files` is consumed as a stream: each file is written (into the staging folder) as it
    comes, and only its name is kept, so a site larger than memory can be written.
    `on_file(rel, data, same)` is called for each (same: the previous output's bytes).

    A file whose bytes equal the previous output's is hard-linked (or, across devices,
    copied with its times) from there instead of written, so it keeps its inode and mtime:
    rsync and static hosts see only the real changes. When the previous output already is
    exactly the new site, nothing is touched at all. `known` names files the caller read
    back from the previous output just now (their bytes are not compared again).

    With `spare` (a folder on the same file system, e.g. in the cache), the output swapped
    out is kept there instead of deleted, and the next write starts from it: only changed
    files are replaced, and no folder tree is made and deleted each time (removing
    thousands of folders costs seconds on some file systems).

    Refuses to replace a non-empty folder that sitegen did not write (it carries no marker
    file), so a wrong --output never deletes data.
    """
    target = OutputTarget(output)
    output, previous = target.output, target.previous
    seen: set[str] = set()
    held: list[str] = []  # unchanged files met before the first change (no staging yet)
    stage: Staging | None = None
    try:
        for rel, data in files:
            rel = safe_target(rel)
            if rel in seen:
                raise SiteError(f"two pages would be written to the same file: {rel}")
            seen.add(rel)
            same = target.same(rel, data, known)
            if on_file is not None:
                on_file(rel, data, same)
            if stage is None and same:
                held.append(rel)
                continue
            stage = stage or start_staging(output, spare, held)
            stage.put(rel, data, same)
        removed = len(set(previous) - seen)
        if stage is None:
            if removed == 0 and (output / MARKER).is_file():
                return WriteStats(written=0, unchanged=len(held), removed=0, swapped=False)
            stage = start_staging(output, spare, held)
        stage.finish(seen)
    except BaseException:
        if stage is not None:
            stage.abort()
        raise
    return WriteStats(written=stage.written, unchanged=stage.unchanged, removed=removed,
                      swapped=True)


def start_staging(output: Path, spare: Path | None, held: Iterable[str] = ()) -> Staging:
    """The staging folder, with the unchanged files met so far."""
    stage = Staging(output, spare)
    for rel in held:
        stage.put(rel, None, True)
    return stage
