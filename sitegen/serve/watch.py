"""What the preview watches, how a changed file is classified, and the debouncer that turns
a burst of editor saves into one rebuild."""

from __future__ import annotations

import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from sitegen.annotate.review_file import SUFFIX as REVIEW_SUFFIX
from sitegen.annotate.review_file import is_review_file
from sitegen.config.site import CONFIG_NAME, SiteConfig
from sitegen.render.themes import Theme, theme_chain

# Kinds, in the order of how much they invalidate.
KINDS = ("static", "content", "glossary", "entities", "template", "config")
EDITOR_JUNK = ("~", ".swp", ".swx", ".swpx", ".tmp", ".part", ".crdownload")


@dataclass(frozen=True, slots=True)
class Change:
    path: Path
    kind: str  # one of KINDS
    deleted: bool = False
    created: bool = False
    written: bool = False  # the file was closed after writing, or renamed into place


@dataclass(frozen=True, slots=True)
class WatchPlan:
    """The folders to watch (recursive or not) for one site configuration."""

    recursive: tuple[Path, ...]
    flat: tuple[Path, ...]


def _chain(config: SiteConfig | None, site: Path) -> list[Theme]:
    if config is None:
        return []
    try:
        return theme_chain(config.theme, config.root)
    except Exception:  # a broken theme is reported by the build, not here
        return []


def watch_plan(site: Path, config: SiteConfig | None) -> WatchPlan:
    content = config.content_path if config else site / "content"
    recursive = [content, site / "templates", site / "static", site / "themes"]
    recursive += [t.path for t in _chain(config, site)]
    existing: list[Path] = []
    for path in recursive:
        path = path.resolve()
        if path.is_dir() and not any(path.is_relative_to(p) for p in existing):
            existing = [p for p in existing if not p.is_relative_to(path)] + [path]
    return WatchPlan(recursive=tuple(existing), flat=(site.resolve(),))


def is_junk(path: Path) -> bool:
    name = path.name
    return (name.startswith((".", "#")) or name.endswith(EDITOR_JUNK) or name == "4913"
            or name.endswith("#"))


def classify(path: Path, site: Path, config: SiteConfig | None) -> str | None:
    """The kind of change a file is, or None when the build does not read it."""
    site = site.resolve()
    path = path.resolve() if path.exists() else path.parent.resolve() / path.name
    if path == site / CONFIG_NAME:
        return "config"
    if is_junk(path):
        return None
    content = (config.content_path if config else site / "content").resolve()
    if path.is_relative_to(content):
        rel = path.relative_to(content)
        if any(p.startswith(".") for p in rel.parts[:-1]):
            return None
        if config and rel.as_posix() == config.entities.file:
            return "entities"
        if config and rel.as_posix() == config.glossary.file:
            return "glossary"
        # An article's review file (docs/review.md) changes what its pages show.
        return "content" if path.suffix == ".md" or is_review_file(path) else "static"
    for base in (site / "templates", site / "static", site / "themes",
                 *(t.path.resolve() for t in _chain(config, site))):
        if not path.is_relative_to(base):
            continue
        rel_parts = path.relative_to(base).parts
        if any(p.startswith(".") for p in rel_parts[:-1]):
            return None
        if base == site / "static" or "static" in rel_parts[:-1]:
            return "static"
        return "template" if path.name != "theme.toml" else "config"
    if path.parent == site and path.name in ("templates", "static", "themes"):
        return "config"  # a folder appeared or went: re-plan the watches
    return None


def static_targets(config: SiteConfig) -> dict[Path, str]:
    """Source file -> output path for every static file that wins its output path."""
    from sitegen.build.engine import static_sources

    return {path.resolve(): rel for rel, path in static_sources(config).items()}


class Debouncer:
    """Collects changes; after `quiet` seconds without a new one (or `longest` seconds in
    all) hands the batch to `handle` on its own worker thread. While the batch is a single
    saved article (one content file) the quiet time is `quick`, and none at all once the
    file is written (closed after writing, or renamed into place): an editor writes a file
    in one go and the author waits for that page. Changes arriving while `handle` runs make
    the next batch (the article is rebuilt again)."""

    def __init__(self, handle: Callable[[list[Change]], None], quiet: float = 0.15,
                 longest: float = 2.0, quick: float = 0.04) -> None:
        self.handle = handle
        self.quiet = quiet
        self.quick = min(quick, quiet)
        self.longest = longest
        self._queue: queue.Queue[Change | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="sitegen-rebuild", daemon=True)
        self._stopping = False
        self._first: Callable[[], None] | None = None

    def start(self, first: Callable[[], None] | None = None) -> None:
        """Start the worker; it runs `first` before any batch (changes wait for it, and
        `pending()` tells it when one does)."""
        self._first = first
        self._thread.start()

    def put(self, change: Change) -> None:
        self._queue.put(change)

    def pending(self) -> bool:
        """Whether a change is waiting for the next batch."""
        return not self._queue.empty()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        if self._first is not None:
            try:
                self._first()
            except Exception:  # a bug: report it, keep handling saves
                traceback.print_exc(file=sys.stderr)
        while not self._stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self.longest
            while True:
                while not self._queue.empty():  # what already came, without waiting
                    item = self._queue.get_nowait()
                    if item is None:
                        return
                    batch.append(item)
                single = single_article(batch)
                if single and batch[-1].written:
                    break  # a saved article: rebuild at once
                quiet = self.quick if single else self.quiet
                wait = min(quiet, deadline - time.monotonic())
                if wait <= 0:
                    break
                try:
                    item = self._queue.get(timeout=wait)
                except queue.Empty:
                    break
                if item is None:
                    return
                batch.append(item)
            self.handle(dedupe(batch))


def single_article(changes: list[Change]) -> bool:
    """Whether every change of a burst is to the same content (Markdown) file."""
    first = changes[0]
    return first.kind == "content" and all(c.path == first.path for c in changes)


def dedupe(changes: Iterable[Change]) -> list[Change]:
    """The last change per file wins; a file created and deleted within the burst (an
    editor's or sed's temporary file) is dropped."""
    seen: dict[Path, Change] = {}
    born: set[Path] = set()
    for change in changes:
        if change.created and change.path not in seen:
            born.add(change.path)
        seen.pop(change.path, None)
        seen[change.path] = change
    return [c for c in seen.values() if not (c.deleted and c.path in born)]


class Watcher:
    """watchdog observer feeding classified changes into a Debouncer."""

    def __init__(self, site: Path, sink: Callable[[Change], None]) -> None:
        self.site = site.resolve()
        self.sink = sink
        self.config: SiteConfig | None = None
        self._observer: BaseObserver | None = None
        self._plan: WatchPlan | None = None

    def start(self, config: SiteConfig | None) -> None:
        self._observer = Observer()
        self._observer.daemon = True
        self.replan(config)
        self._observer.start()

    def replan(self, config: SiteConfig | None) -> None:
        """Watch what `config` reads (the theme or content folder may have changed)."""
        self.config = config
        plan = watch_plan(self.site, config)
        if plan == self._plan or self._observer is None:
            return
        self._observer.unschedule_all()
        handler = _Handler(self)
        for folder in plan.recursive:
            self._observer.schedule(handler, str(folder), recursive=True)
        for folder in plan.flat:
            self._observer.schedule(handler, str(folder), recursive=False)
        self._plan = plan

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)

    def on_path(self, raw: str, deleted: bool, created: bool = False,
                written: bool = False) -> None:
        path = Path(raw)
        kind = classify(path, self.site, self.config)
        if kind is not None:
            path = path.resolve() if path.exists() else path.parent.resolve() / path.name
            if is_review_file(path):  # rebuild the article the decisions are about
                article = path.with_name(path.name[: -len(REVIEW_SUFFIX)] + ".md")
                self.sink(Change(article, kind, not article.exists()))
                return
            self.sink(Change(path, kind, deleted, created, written))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        super().__init__()
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind not in ("created", "modified", "deleted", "moved", "closed"):
            return
        if event.is_directory and kind == "modified":
            return
        src = str(event.src_path)
        if kind == "moved":
            self.watcher.on_path(src, deleted=True)
            self.watcher.on_path(str(event.dest_path), deleted=False, written=True)
        else:
            self.watcher.on_path(src, deleted=kind == "deleted", created=kind == "created",
                                 written=kind == "closed")
