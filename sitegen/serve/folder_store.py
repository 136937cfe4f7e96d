"""The preview's page store: each page's key and digest in memory, its bytes in the preview
folder (kept in memory, the pages of a 10,000-article site take over a gigabyte)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def page_digest(data: bytes) -> str:
    """The short hash the browsers compare (state.PageHasher's)."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


class FolderStore:
    """Output path -> (key, digest) of the pages as last written into `root`; a page
    whose key matches is read back from there (when its bytes are still the ones put)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pages: dict[str, tuple[str, str]] = {}

    def get(self, out: str, key: str) -> bytes | None:
        row = self.pages.get(out)
        return self._read(out, row[1]) if row is not None and row[0] == key else None

    def data(self, out: str) -> bytes | None:
        """The page's bytes as last put, None when it is not stored (or was replaced)."""
        row = self.pages.get(out)
        return self._read(out, row[1]) if row is not None else None

    def digest(self, out: str) -> str | None:
        row = self.pages.get(out)
        return row[1] if row is not None else None

    def same(self, out: str, data: bytes) -> bool:
        """Whether `data` are the bytes last put for `out`."""
        row = self.pages.get(out)
        return row is not None and row[1] == page_digest(data)

    def put(self, out: str, key: str, data: bytes) -> None:
        self.pages[out] = (key, page_digest(data))

    def _read(self, out: str, digest: str) -> bytes | None:
        try:
            data = (self.root / out).read_bytes()
        except OSError:
            return None
        return data if page_digest(data) == digest else None
