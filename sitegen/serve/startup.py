"""The preview's start without building first (issue 17).

The HTTP server answers at once. The rebuild worker loads the site into the in-memory
session (incremental.Session.load: documents and annotations from the build's cache, the
site index; nothing rendered), copies the static files, and from then on a request renders
its page on demand (Session.page_for) while the worker fills the preview folder in the
background (Session.finish), stopping for a save and going on after it. The same holds
after a save: a page the update has not reached yet is made fresh for the request. A
request that comes while the site is still loading waits a little, then gets a page that
retries by itself.

Anything this path cannot do as build() would (bad content, an article over a limit, a
static file in a page's place, a surprise) makes the preview start with a full build()
instead, which reports the problem as before.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sitegen.core.errors import SiteError, SiteErrors
from sitegen.serve.incremental import Session
from sitegen.serve.state import NotReady

WAIT = 0.5  # seconds a request waits for the site to be loaded before "preparing" answers


class Startup:
    """The first load and fill of a preview session, and the pages asked for meanwhile."""

    def __init__(self, session: Session, root: Path) -> None:
        self.session = session
        self.root = root
        self.ready = threading.Event()  # loaded (or given up: a full build follows)
        self.done = threading.Event()  # the preview folder is complete (or given up)
        self.loaded_seconds: float | None = None

    def page(self, rel: str) -> bytes | None:
        """For the HTTP side: the page at output path `rel` while pages are being written
        (the first fill, or the rest of the site after a save), as it is now; None when
        there is no such page or the preview folder is up to date.
        Raises NotReady while the site is still being loaded."""
        if not self.ready.wait(WAIT):
            raise NotReady("the preview is loading the site")
        session = self.session
        if not session.enabled or not session.pending:
            return None
        return session.page_for(rel)

    def run(self, interrupted: Callable[[], bool], log: Callable[[str], None]
            ) -> dict[str, Any] | None:
        """Load, then fill the preview folder; what to publish, or None: build() instead."""
        start = time.perf_counter()
        session = self.session
        refused: list[SiteError] = []
        try:
            session.load(refused)
            if refused:
                raise SiteErrors(refused)  # build() reports them (and builds without them)
            self._statics()
        except Exception as exc:
            session.enabled = False
            if not isinstance(exc, (SiteError, SiteErrors)):
                log(f"note: quick start failed ({type(exc).__name__}: {exc}); full build")
            return None
        finally:
            self.loaded_seconds = time.perf_counter() - start
            self.ready.set()
        log(f"loaded {len(session.annotated)} article(s) in {self.loaded_seconds:.1f} s: "
            "pages are rendered on request while the rest are written")
        fill = time.perf_counter()
        try:
            _rest, complete = session.finish(interrupted)
            if complete:
                self._search()
        except Exception as exc:  # a template failing on this content: build() reports it
            session.enabled = False
            if not isinstance(exc, (SiteError, SiteErrors)):
                log(f"note: quick start failed ({type(exc).__name__}: {exc}); full build")
            return None
        seconds = time.perf_counter() - start
        pages = len(session.store.pages)
        summary = (f"{len(session.annotated)} articles loaded in {self.loaded_seconds:.1f}s, "
                   f"{pages} pages written" + ("" if complete else "; stopped for a save"))
        return {"kinds": ["initial"], "summary": summary, "annotated": 0, "fast": True,
                "phase": "complete" if complete else "partial", "seconds": seconds,
                "timings": {"load": self.loaded_seconds,
                            "fill": time.perf_counter() - fill}}

    def _statics(self) -> None:
        """The output marker and the static files, before any page."""
        from sitegen.build.engine import static_sources
        from sitegen.build.write import MARKER

        config = self.session.config
        assert config is not None
        statics = static_sources(config)
        self.session.statics = frozenset(statics)  # a page there: see Session._write
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / MARKER).write_text("written by sitegen; safe to delete\n", "utf-8")
        for rel, source in statics.items():
            _copy(source, self.root / rel)

    def _search(self) -> None:
        """The Pagefind bundle, when Pagefind is installed (as build() makes it)."""
        from sitegen.render.search import SearchSpool

        spool = SearchSpool.start()
        if spool is None:
            return
        store = self.session.store
        for rel in list(store.pages):
            data = store.data(rel)
            if data is not None and rel not in self.session.statics:
                spool.add(rel, data)
        for rel, data in spool.finish():
            if rel not in self.session.statics:
                target = self.root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)


def _copy(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.sitegen-tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, dest)


def prime(session: Session, log: Callable[[str], None]) -> None:
    """Load the fast path for article edits after a full build (checked against it)."""
    start = time.perf_counter()
    try:
        ok = session.prime()
    except Exception as exc:  # the full build path still works
        session.enabled = False
        log(f"note: fast article updates are off ({type(exc).__name__}: {exc})")
        return
    if not ok:
        log("note: fast article updates are off: in-memory pages differ from build(); "
            "every save does a full build")
    else:
        log(f"ready for fast article updates ({(time.perf_counter() - start) * 1000:.0f} ms)")
