"""The staging folder a new output is written into, file by file as pages are rendered,
then swapped in for the previous output (see write.write_output)."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
from pathlib import Path

MARKER = ".sitegen-output"


class Staging:
    """The new output beside `output`: empty, or the spare output of an earlier build
    (then only changed files are replaced). Files come one at a time (`put`); `finish`
    swaps the folder in atomically, `abort` removes it."""

    def __init__(self, output: Path, spare: Path | None) -> None:
        self.output = output
        parent = output.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.path = parent / f".{output.name}.tmp-{os.getpid()}"
        self.old = parent / f".{output.name}.old-{os.getpid()}"
        remove_leftovers(output)
        if spare is not None and not _same_device(spare.parent, parent):
            spare = None
        self.spare = spare
        self.reused = spare is not None and _take(spare, self.path)
        self.existing: dict[str, os.stat_result] = {}
        if self.reused:
            try:
                self.existing = _staged_files(self.path)
            except OSError:  # something unexpected in the spare: start from nothing
                shutil.rmtree(self.path, ignore_errors=True)
                self.reused = False
        if not self.reused:
            self.path.mkdir()
        self.made: set[Path] = {self.path}
        self.done: list[str] = []
        self.written = self.unchanged = 0

    def put(self, rel: str, data: bytes | None, same: bool) -> None:
        """Add the file `rel`; `same`: its bytes are the previous output's (`data` None:
        take them from there)."""
        try:
            self._put(rel, data, same)
        except OSError:
            if not self.reused:
                raise
            self._restart()
            self._put(rel, data, same)
        self.done.append(rel)

    def try_put(self, rel: str, data: bytes, same: bool) -> bool:
        """`put` from a worker process sharing this folder (build/render_pool.py): False
        when a reused spare is in the way (the parent, which can start the folder afresh,
        puts the file then); other errors are raised."""
        try:
            self._put(rel, data, same)
        except OSError:
            if not self.reused:
                raise
            return False
        self.done.append(rel)
        return True

    def adopt(self, rels: list[str], written: int, unchanged: int) -> None:
        """Count in the files that worker processes put (`try_put`) into this folder."""
        for rel in rels:
            self.existing.pop(rel, None)
        self.done.extend(rels)
        self.written += written
        self.unchanged += unchanged

    def discard(self) -> None:
        """Give up the folder when the previous output already is the new one: a reused
        spare goes back to be the spare (it holds an earlier output), else it is removed."""
        spare = self.spare
        if not (self.reused and spare is not None and _put(self.path, spare)):
            shutil.rmtree(self.path, ignore_errors=True)

    def _put(self, rel: str, data: bytes | None, same: bool) -> None:
        target = self.path / rel
        have = self.existing.pop(rel, None)
        if have is not None:
            if same and _same_file(have, self.output / rel):
                self.unchanged += 1  # already the previous output's file (a hard link)
                return
            target.unlink()  # never write through a link shared with an older output
        elif target.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(target.parent)
        if same and _keep(self.output / rel, target):
            self.unchanged += 1
            return
        target.write_bytes(data if data is not None else (self.output / rel).read_bytes())
        self.written += 1

    def _restart(self) -> None:
        """Something unexpected in the reused spare: start from an empty folder, carrying
        over the files put so far."""
        broken = self.path.with_name(self.path.name + "-spare")
        shutil.rmtree(broken, ignore_errors=True)
        os.rename(self.path, broken)
        self.path.mkdir()
        self.reused, self.existing, self.made = False, {}, {self.path}
        for rel in self.done:
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(broken / rel, target)
        shutil.rmtree(broken, ignore_errors=True)

    def finish(self, wanted: set[str]) -> None:
        """Mark the folder as sitegen's and swap it in for the output."""
        if self.reused:
            _prune(self.path, self.existing, wanted)
        staging, output = self.path, self.output
        (staging / MARKER).unlink(missing_ok=True)
        (staging / MARKER).write_text("written by sitegen; safe to delete\n", "utf-8")
        if not output.exists():
            staging.rename(output)
        elif exchange(staging, output):
            self.old = staging  # the previous output, swapped out in one atomic step
        else:  # no atomic exchange here: two renames, output/ is briefly missing
            output.rename(self.old)
            staging.rename(output)
        old, spare = self.old, self.spare
        if old.exists() and not (spare is not None and _put(old, spare)):
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self.old.exists() and not self.output.exists():
            self.old.rename(self.output)


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
