"""Page stores: where the bytes of the previous pages are found by output path and key.
The build's is the output folder of the previous build (its manifest has each page's key
and size, mtime and sha256); the preview's is in memory."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol


class PageStore(Protocol):
    def get(self, out: str, key: str) -> bytes | None:
        """The previous bytes of the page at `out` when they were rendered with `key`."""
        ...


class OutputStore:
    """The previous build's output folder: a page is reused when the manifest row of `out`
    has the same key and the file still has the bytes it recorded."""

    def __init__(self, previous: Mapping[str, list[Any]], output: Path) -> None:
        self.previous = previous
        self.output = output
        self.reused_paths: set[str] = set()  # pages whose bytes were read back from output/

    def get(self, out: str, key: str) -> bytes | None:
        row = self.previous.get(out)
        if row is None or len(row) < 4 or row[3] != key:
            return None
        path = self.output / out
        try:
            st = os.lstat(path)
            data = path.read_bytes()
        except OSError:
            return None
        if st.st_size != row[0] or (st.st_mtime_ns != row[1]
                                    and hashlib.sha256(data).hexdigest() != row[2]):
            return None
        self.reused_paths.add(out)
        return data


class MemoryStore:
    """Pages kept in memory: output path -> (key, bytes) (the preview's last written)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}

    def get(self, out: str, key: str) -> bytes | None:
        row = self.pages.get(out)
        return row[1] if row is not None and row[0] == key else None

    def data(self, out: str) -> bytes | None:
        row = self.pages.get(out)
        return None if row is None else row[1]

    def put(self, out: str, key: str, data: bytes) -> None:
        self.pages[out] = (key, data)
