"""The files of a built site as a deploy sees them: content hashes (reusing the build
manifest's where the file is untouched), their kind, HTTP headers and upload order.

Order ("never half a site"): a reader reaches a page by following links from the home page,
the feeds or the sitemap. So new and changed assets go first (a page never loads before its
stylesheet or image), then new pages (nothing links to them yet), then changed pages (which
may link to the new ones), then the entry points: the home page, feeds, the sitemap, robots.txt
and Pagefind's entry file. Deletes come after every upload, pages before assets.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.build.write import MARKER

MANIFEST_NAME = ".sitegen-deploy.json"
_HASHED_NAME = re.compile(r"[._-][0-9a-f]{7,}(\.[A-Za-z0-9_]+)+$")
_HASHED_DIRS = ("pagefind/fragment/", "pagefind/index/", "pagefind/filter/")
_ENTRY_NAMES = {"index.html", "sitemap.xml", "robots.txt", "feed.xml", "atom.xml", "rss.xml",
                "feed.json", "index.xml"}
_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json", ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json", ".woff2": "font/woff2", ".woff": "font/woff",
    ".pagefind": "application/octet-stream", ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream", ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream", ".webp": "image/webp", ".avif": "image/avif",
}
_ENCODINGS = {".gz": "gzip", ".br": "br"}


@dataclass(frozen=True, slots=True)
class LocalFile:
    rel: str  # POSIX path relative to the output folder
    path: Path
    size: int
    sha256: str


def local_files(output: Path, recorded: Mapping[str, list[Any]] | None = None
                ) -> dict[str, LocalFile]:
    """Every regular file of `output` (the build's marker excluded) with its sha256; a file
    whose size and mtime match the build manifest's row (`recorded`) takes its digest."""
    recorded = recorded or {}
    base = len(str(output)) + 1
    out: dict[str, LocalFile] = {}
    for dirpath, dirs, names in os.walk(output):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(dirpath, name)
            rel = full[base:].replace(os.sep, "/")
            if rel in (MARKER, MANIFEST_NAME):
                continue
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode):
                continue
            row = recorded.get(rel)
            if row is not None and row[0] == st.st_size and row[1] == st.st_mtime_ns:
                digest = str(row[2])
            else:
                digest = sha256_file(full)
            out[rel] = LocalFile(rel, Path(full), st.st_size, digest)
    return out


def sha256_file(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def md5_file(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "md5").hexdigest()


def is_entry(rel: str) -> bool:
    """The home page, feeds, the sitemap, robots.txt, Pagefind's entry file: uploaded last."""
    if rel in _ENTRY_NAMES or rel == "pagefind/pagefind-entry.json":
        return True
    name = rel.rsplit("/", 1)[-1]
    return name.endswith(".xml") or name in ("feed.json", "atom.xml", "rss.xml")


def kind(rel: str) -> str:
    """html, feed, hashed or asset: the Cache-Control class of a file."""
    name = rel.rsplit("/", 1)[-1]
    if name.endswith((".html", ".htm")):
        return "html"
    if is_entry(rel):
        return "feed"
    if rel.startswith(_HASHED_DIRS) or _HASHED_NAME.search(name):
        return "hashed"
    return "asset"


def phase(rel: str, new: bool) -> int:
    """Upload phase: 0 assets, 1 new pages, 2 changed pages, 3 entry points."""
    if is_entry(rel):
        return 3
    if kind(rel) == "html":
        return 1 if new else 2
    return 0


def delete_phase(rel: str) -> int:
    """Delete phase: entry points, then pages (nothing links to them any more), then assets."""
    if is_entry(rel):
        return 0
    return 1 if kind(rel) == "html" else 2


def content_type(rel: str, siblings: Mapping[str, object] | None = None
                 ) -> tuple[str, str]:
    """(Content-Type, Content-Encoding) of a file; `X.gz` beside `X` is X precompressed."""
    encoding = ""
    base, ext = os.path.splitext(rel)
    if ext in _ENCODINGS and siblings is not None and base in siblings:
        encoding = _ENCODINGS[ext]
        rel, ext = base, os.path.splitext(base)[1]
    guessed = _TYPES.get(ext.lower()) or mimetypes.guess_type(rel)[0]
    return guessed or "application/octet-stream", encoding
