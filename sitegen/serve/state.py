"""The preview's shared state: the last good build, per-page hashes, errors and the
server-sent-event subscribers. Every method is thread-safe (HTTP threads read, the rebuild
worker writes)."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.core.errors import SiteError, SiteErrors


class NotReady(Exception):
    """A page was asked for while the preview is still loading the site."""


@dataclass(frozen=True, slots=True)
class Event:
    """One server-sent event: a name and a JSON payload."""

    name: str
    data: dict[str, Any]

    def encode(self) -> bytes:
        return f"event: {self.name}\ndata: {json.dumps(self.data)}\n\n".encode()


@dataclass(frozen=True, slots=True)
class Problem:
    """A build problem as the browser overlay shows it."""

    message: str
    file: str | None = None
    line: int | None = None
    hint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "file": self.file, "line": self.line,
                "hint": self.hint}

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")
        text = f"{loc}: {self.message}" if loc else self.message
        return text + (f"\n  hint: {self.hint}" if self.hint else "")


def problems_from(exc: BaseException, site: Path) -> list[Problem]:
    """SiteError(s) -> problems with file paths relative to the site when possible."""
    errors = exc.errors if isinstance(exc, SiteErrors) else [exc]
    out: list[Problem] = []
    for err in errors:
        if isinstance(err, SiteError):
            out.append(Problem(err.message, _relative(err.file, site), err.line, err.hint))
        else:
            out.append(Problem(f"{type(err).__name__}: {err}"))
    return out


def _relative(file: str | None, site: Path) -> str | None:
    if file is None:
        return None
    try:
        return Path(file).resolve().relative_to(site.resolve()).as_posix()
    except ValueError:
        return file


def page_url(rel: str) -> str:
    """Output path -> the URL path a browser shows: "a/b/index.html" -> "/a/b/"."""
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


class PageHasher:
    """URL path -> short content hash of every HTML page under a folder.

    Builds hard-link unchanged files from the previous output, so a page whose inode, size
    and mtime are as last time is not read again.
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[tuple[int, int, int], str]] = {}

    def __call__(self, root: Path) -> dict[str, str]:
        hashes: dict[str, str] = {}
        seen: dict[str, tuple[tuple[int, int, int], str]] = {}
        if not root.is_dir():
            return hashes
        base = len(str(root)) + 1
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                if not name.endswith(".html"):
                    continue
                full = os.path.join(dirpath, name)
                try:
                    st = os.stat(full)
                    key = (st.st_ino, st.st_size, st.st_mtime_ns)
                    rel = full[base:].replace(os.sep, "/")
                    known = self._seen.get(rel)
                    if known is not None and known[0] == key:
                        digest = known[1]
                    else:
                        with open(full, "rb") as fh:
                            digest = hashlib.blake2b(fh.read(), digest_size=8).hexdigest()
                except OSError:
                    continue
                seen[rel] = (key, digest)
                hashes[page_url(rel)] = digest
        self._seen = seen
        return hashes


@dataclass
class PreviewState:
    """What the HTTP side needs to know about the last build."""

    root: Path  # the preview output folder (swapped atomically by each build)
    generation: int = 0
    hashes: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    last_build: dict[str, Any] = field(default_factory=dict)
    closed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _subscribers: set[queue.Queue[Event | None]] = field(default_factory=set)

    # -- read side (HTTP threads) ----------------------------------------------------------
    def page_hash(self, url: str) -> str:
        with self._lock:
            return self.hashes.get(url, "")

    def current_hashes(self) -> dict[str, str]:
        with self._lock:
            return dict(self.hashes)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"generation": self.generation,
                    "errors": [p.as_dict() for p in self.problems],
                    "last_build": dict(self.last_build)}

    def subscribe(self) -> queue.Queue[Event | None]:
        q: queue.Queue[Event | None] = queue.Queue()
        with self._lock:
            self._subscribers.add(q)
            if self.closed:
                q.put(None)
        return q

    def unsubscribe(self, q: queue.Queue[Event | None]) -> None:
        with self._lock:
            self._subscribers.discard(q)

    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    # -- write side (the rebuild worker) ---------------------------------------------------
    def built(self, hashes: dict[str, str], info: dict[str, Any]) -> dict[str, str]:
        """Record a good build; tell the browsers which pages changed. Returns them."""
        with self._lock:
            old = self.hashes
            changed = {u: h for u, h in hashes.items() if old.get(u) != h}
            changed.update({u: "" for u in old if u not in hashes})
            self.hashes = hashes
            self.generation += 1
            self.problems = []
            self.last_build = {**info, "changed": sorted(changed)}
            event = Event("build", {"generation": self.generation, "pages": dict(changed),
                                    "all": False})  # the caller may change what it gets
        self._publish(event)
        return changed

    def assets_changed(self, urls: list[str], css_only: bool) -> None:
        """Static files were copied in place: swap stylesheets, or reload every page."""
        with self._lock:
            self.generation += 1
            self.problems = []
            self.last_build = {"kinds": ["static"], "files": urls, "changed": []}
            if css_only:
                event = Event("css", {"generation": self.generation, "files": urls})
            else:
                event = Event("build", {"generation": self.generation, "pages": {},
                                        "all": True})
        self._publish(event)

    def failed(self, problems: list[Problem]) -> None:
        with self._lock:
            self.problems = problems
            event = Event("errors", {"generation": self.generation,
                                     "errors": [p.as_dict() for p in problems]})
        self._publish(event)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            subscribers = list(self._subscribers)
        for q in subscribers:
            q.put(None)

    def _publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for q in subscribers:
            q.put(event)
