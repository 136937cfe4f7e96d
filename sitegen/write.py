"""Atomic output: the new site is written beside the old one and swapped in at the end,
so a failed or interrupted build leaves the previous output as it was."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import SiteError

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


def write_output(files: Iterable[tuple[str, bytes]], output: Path) -> WriteStats:
    """Write every (relative path, bytes) into a fresh folder, then swap it in for `output`.

    A file whose bytes equal the previous output's is hard-linked (or, across devices,
    copied with its times) from there instead of written, so it keeps its inode and mtime:
    rsync and static hosts see only the real changes. When the previous output already is
    exactly the new site, nothing is touched at all.

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
            if _same_bytes(output / rel, data, previous.get(rel))}
    removed = len(set(previous) - seen)
    if len(same) == len(pending) and removed == 0 and (output / MARKER).is_file():
        return WriteStats(written=0, unchanged=len(same), removed=0, swapped=False)

    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{output.name}.tmp-{os.getpid()}"
    old = parent / f".{output.name}.old-{os.getpid()}"
    remove_leftovers(output)
    written = unchanged = 0
    try:
        staging.mkdir()
        made: set[Path] = {staging}
        for rel, data in pending:
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            if rel in same and _keep(output / rel, target):
                unchanged += 1
            else:
                target.write_bytes(data)
                written += 1
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
    shutil.rmtree(old, ignore_errors=True)
    return WriteStats(written=written, unchanged=unchanged, removed=removed, swapped=True)


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
