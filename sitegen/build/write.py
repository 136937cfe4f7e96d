"""Atomic output: the new site is written beside the old one and swapped in at the end,
so a failed or interrupted build leaves the previous output as it was."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from sitegen.core.errors import SiteError

MARKER = ".sitegen-output"


def _safe_target(rel: str) -> str:
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


def write_output(files: Iterable[tuple[str, bytes]], output: Path, *,
                 known: Collection[str] = (), spare: Path | None = None) -> WriteStats:
    """Write every (relative path, bytes) into a fresh folder, then swap it in for `output`.

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
    output = output.resolve()
    if output.exists() and not output.is_dir():
        raise SiteError(f"the output path is a file, not a folder: {output}")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise SiteError(
            f"refusing to replace {output}: it is not empty and was not written by sitegen",
            hint="choose another --output folder or empty this one",
        )
    pending: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for rel, data in files:
        rel = _safe_target(rel)
        if rel in seen:
            raise SiteError(f"two pages would be written to the same file: {rel}")
        seen.add(rel)
        pending.append((rel, data))
    previous = _previous_files(output)
    same = {rel for rel, data in pending
            if (rel in known and previous.get(rel) == len(data))
            or _same_bytes(output / rel, data, previous.get(rel))}
    removed = len(set(previous) - seen)
    if len(same) == len(pending) and removed == 0 and (output / MARKER).is_file():
        return WriteStats(written=0, unchanged=len(same), removed=0, swapped=False)

    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{output.name}.tmp-{os.getpid()}"
    old = parent / f".{output.name}.old-{os.getpid()}"
    remove_leftovers(output)
    if spare is not None and not _same_device(spare.parent, parent):
        spare = None
    try:
        reused = spare is not None and _take(spare, staging)
        if reused:
            try:
                written, unchanged = _fill(staging, pending, same, output, seen, reused=True)
            except OSError:  # something unexpected in the spare: start from nothing
                shutil.rmtree(staging, ignore_errors=True)
                reused = False
        if not reused:
            staging.mkdir()
            written, unchanged = _fill(staging, pending, same, output, seen, reused=False)
        (staging / MARKER).unlink(missing_ok=True)
        (staging / MARKER).write_text("written by sitegen; safe to delete\n", "utf-8")
        if not output.exists():
            staging.rename(output)
        elif exchange(staging, output):
            old = staging  # the previous output, swapped out in one atomic step
        else:  # no atomic exchange here: two renames, output/ is briefly missing
            output.rename(old)
            staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not output.exists():
            old.rename(output)
        raise
    if old.exists() and not (spare is not None and _put(old, spare)):
        shutil.rmtree(old, ignore_errors=True)
    return WriteStats(written=written, unchanged=unchanged, removed=removed, swapped=True)


def _fill(staging: Path, pending: list[tuple[str, bytes]], same: set[str], output: Path,
          wanted: set[str], reused: bool) -> tuple[int, int]:
    """Put the new site into `staging` (empty, or a reused spare); returns the counts of
    files written and kept from the previous output."""
    existing = _staged_files(staging) if reused else {}
    made: set[Path] = {staging}
    written = unchanged = 0
    for rel, data in pending:
        target = staging / rel
        have = existing.pop(rel, None)
        if have is not None:
            if rel in same and _same_file(have, output / rel):
                unchanged += 1  # already the previous output's file (a hard link)
                continue
            target.unlink()  # never write through a link shared with an older output
        elif target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if rel in same and _keep(output / rel, target):
            unchanged += 1
            continue
        target.write_bytes(data)
        written += 1
    if reused:
        _prune(staging, existing, wanted)
    return written, unchanged


def _same_device(a: Path, b: Path) -> bool:
    try:
        a.mkdir(parents=True, exist_ok=True)
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def _take(spare: Path, staging: Path) -> bool:
    """Move the spare output into place as the staging folder (False: there is none, or
    another build took it first: rename is the lock)."""
    try:
        if spare.is_symlink() or not (spare / MARKER).is_file():
            return False
        os.rename(spare, staging)
        return True
    except OSError:
        return False


def _put(old: Path, spare: Path) -> bool:
    """Keep the swapped-out output as the spare for the next write."""
    try:
        if spare.exists() or spare.is_symlink():
            return False
        os.rename(old, spare)
        return True
    except OSError:
        return False


def _staged_files(folder: Path) -> dict[str, os.stat_result]:
    """Relative POSIX path -> lstat of every regular file of a reused staging folder;
    anything else in it (links, sockets) is removed."""
    found: dict[str, os.stat_result] = {}
    base = len(str(folder)) + 1
    for dirpath, dirs, names in os.walk(folder):
        for name in (*names, *(d for d in dirs if os.path.islink(os.path.join(dirpath, d)))):
            full = os.path.join(dirpath, name)
            rel = full[base:].replace(os.sep, "/")
            st = os.lstat(full)
            if stat.S_ISREG(st.st_mode) and rel != MARKER:
                found[rel] = st
            else:
                os.unlink(full)
    return found


def _same_file(st: os.stat_result, path: Path) -> bool:
    try:
        other = os.lstat(path)
    except OSError:
        return False
    return st.st_ino == other.st_ino and st.st_dev == other.st_dev


def _prune(staging: Path, stale: dict[str, os.stat_result], wanted: set[str]) -> None:
    """Delete the files of a reused staging folder that the new output does not have, and
    the folders left empty."""
    for rel in stale:
        (staging / rel).unlink(missing_ok=True)
    if not stale:
        return
    keep = {staging}
    for rel in wanted:
        parent = (staging / rel).parent
        while parent not in keep:
            keep.add(parent)
            parent = parent.parent
    for dirpath, _dirs, _names in os.walk(staging, topdown=False):
        path = Path(dirpath)
        if path not in keep:
            with contextlib.suppress(OSError):
                path.rmdir()


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically (Linux renameat2 with RENAME_EXCHANGE).

    False where the system or the file system cannot, so the caller falls back to two
    renames. A build killed at any moment then leaves either the old or the new output.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier call
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_leftovers(output: Path) -> list[Path]:
    """Delete staging and swapped-out folders (`.NAME.tmp-PID`, `.NAME.old-PID`) that a
    killed build left beside `output`; those of builds still running are kept."""
    removed: list[Path] = []
    parent = output.parent
    if not parent.is_dir():
        return removed
    for kind in ("tmp", "old"):
        for path in parent.glob(f".{output.name}.{kind}-*"):
            pid = path.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or _alive(int(pid)) or path.is_symlink():
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _keep(previous: Path, target: Path) -> bool:
    """Carry an unchanged file over from the previous output; False if that failed."""
    try:
        os.link(previous, target)
        return True
    except OSError:
        pass
    try:
        shutil.copy2(previous, target)
        return True
    except OSError:
        return False
