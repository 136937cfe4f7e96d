"""Atomic output: the new site is written beside the old one and swapped in at the end,
so a failed or interrupted build leaves the previous output as it was."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from .errors import SiteError

MARKER = ".sitegen-output"


def _safe_target(rel: str) -> str:
    parts = rel.split("/")
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise SiteError(f"refusing to write outside the output folder: {rel!r}")
    return rel


def write_site(files: Iterable[tuple[str, bytes]], output: Path) -> int:
    """Write every (relative path, bytes) into a fresh folder, then swap it in for `output`.

    Returns the number of files written. Refuses to replace a non-empty folder that sitegen
    did not write (it carries no marker file), so a wrong --output never deletes data.
    """
    output = output.resolve()
    if output.exists() and not output.is_dir():
        raise SiteError(f"the output path is a file, not a folder: {output}")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise SiteError(
            f"refusing to replace {output}: it is not empty and was not written by sitegen",
            hint="choose another --output folder or empty this one",
        )
    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{output.name}.tmp-{os.getpid()}"
    old = parent / f".{output.name}.old-{os.getpid()}"
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    count = 0
    try:
        staging.mkdir()
        seen: set[str] = set()
        for rel, data in files:
            rel = _safe_target(rel)
            if rel in seen:
                raise SiteError(f"two pages would be written to the same file: {rel}")
            seen.add(rel)
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            count += 1
        (staging / MARKER).write_text("written by sitegen; safe to delete\n", "utf-8")
        if output.exists():
            output.rename(old)
        staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not output.exists():
            old.rename(output)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return count
