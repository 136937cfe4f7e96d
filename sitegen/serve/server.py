"""`sitegen serve`: serve at once, write the site into a private preview folder (pages
asked for first are rendered on request: startup.py), watch the sources, rebuild in this
process on every save (the spaCy model stays loaded), and tell the browsers over
server-sent events which pages changed.

The preview folder is never output/: the reload script is injected into HTML responses by
the server, so `sitegen build` output never contains it. A broken save is reported in the
terminal and in the browser; the last good build keeps being served.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sitegen.build.engine import BuildOptions, build
from sitegen.config.site import SiteConfig, load_config
from sitegen.core.errors import SiteError, SiteErrors
from sitegen.serve.guard import is_loopback
from sitegen.serve.http import PreviewHTTPServer
from sitegen.serve.incremental import Session
from sitegen.serve.options import RebuildResult as RebuildResult
from sitegen.serve.options import ServeOptions as ServeOptions
from sitegen.serve.review_desk import ReviewDesk
from sitegen.serve.review_http import new_token
from sitegen.serve.signals import Stopped, stop_signals
from sitegen.serve.startup import Startup, prime
from sitegen.serve.state import PageHasher, PreviewState, Problem, page_url, problems_from
from sitegen.serve.watch import KINDS, Change, Debouncer, Watcher, static_targets

PREVIEW_BASE_URL = "/"  # the preview is served at the root, whatever base_url says


class Preview:
    """Builds the preview and keeps it up to date; owns the state the HTTP side reads."""

    def __init__(self, options: ServeOptions, root: Path) -> None:
        self.options = options
        self.site = options.site.resolve()
        self.state = PreviewState(root=root)
        self.config: SiteConfig | None = None
        self.on_rebuild: Callable[[RebuildResult], None] | None = None  # for benchmarks
        # Whether a newer change is waiting: the second step of a fast update then stops.
        self.interrupted: Callable[[], bool] = lambda: False
        self._statics: dict[Path, str] | None = None
        self._hasher = PageHasher()
        self.session = Session(self.site, root, options.drafts, PREVIEW_BASE_URL)
        self.startup = Startup(self.session, root)
        self._pending: list[Path] = []

    def log(self, text: str) -> None:
        self.options.log(text)

    def load_config(self) -> SiteConfig | None:
        # On error keep the last good config for watching; the build reports the problem.
        with contextlib.suppress(SiteError):
            self.config = load_config(self.site)
        return self.config

    def initial(self) -> RebuildResult:
        """Serve without building first (startup.py); a full build when that cannot."""
        start = time.perf_counter()
        try:
            info = self.startup.run(self.interrupted, self.log)
            if info is None:
                return self.full_build(("initial",))
            pages = self._publish(list(self.session.store.pages), info)
        finally:
            self.startup.ready.set()
            self.startup.done.set()
        seconds = time.perf_counter() - start
        self.log(f"ready in {seconds:.1f} s: {info['summary']}")
        return RebuildResult(("initial",), True, seconds, tuple(sorted(pages)), info["summary"])

    def full_build(self, kinds: tuple[str, ...] = ("config",)) -> RebuildResult:
        start = time.perf_counter()
        try:
            report = build(BuildOptions(site=self.site, output=self.state.root,
                                        drafts=self.options.drafts,
                                        base_url=PREVIEW_BASE_URL, preview=True))
        except (SiteError, SiteErrors) as exc:
            return self._failed(kinds, problems_from(exc, self.site), start)
        except Exception as exc:  # a bug must not take the preview down
            traceback.print_exc(file=sys.stderr)
            return self._failed(kinds, [Problem(f"{type(exc).__name__}: {exc}",
                                                hint="this is a bug in sitegen; see the "
                                                     "terminal for the traceback")], start)
        self._statics = None
        changed = self.state.built(self._hasher(self.state.root), {
            "kinds": list(kinds), "summary": report.summary(),
            "annotated": report.annotated, "timings": report.timings,
            "seconds": time.perf_counter() - start})
        seconds = time.perf_counter() - start
        result = RebuildResult(kinds, True, seconds, tuple(sorted(changed)), report.summary())
        self.log(f"rebuilt ({', '.join(kinds)}) in {seconds * 1000:.0f} ms: "
                 f"{len(changed)} page(s) changed; {report.summary()}")
        if report.refused:  # built without them: show why in the terminal and the browser
            problems = problems_from(SiteErrors(report.refused), self.site)
            self.state.failed(problems)
            for problem in problems:
                self.log(f"error: {problem}")
        prime(self.session, self.log)  # the fast path, after the browsers were told
        return result

    def fast_build(self, changes: list[Change]) -> RebuildResult | None:
        """Only the edited articles and the pages showing them; None: use build().

        Two steps, each telling the browsers: first the edited articles' own pages (so the
        page being edited reloads as soon as it is ready), then every other page whose
        dependencies changed (home, tags, entity pages, feeds...)."""
        kinds = ("content",)
        start = time.perf_counter()
        # Files of an earlier failed save are read again with this one.
        paths = list(dict.fromkeys([*self._pending, *(c.path for c in changes)]))
        session = self.session
        try:
            first = session.begin(paths)
        except (SiteError, SiteErrors) as exc:
            self._pending = paths
            return self._failed(kinds, problems_from(exc, self.site), start)
        except Exception as exc:
            session.enabled = False
            self.log(f"note: fast update failed ({type(exc).__name__}: {exc}); full build")
            return None
        self._pending = []
        last, pages = session.last, {}
        annotated = last["annotated"]
        if first:
            seconds = time.perf_counter() - start
            new, blocks = last.get("blocks", (0, 0))
            through = f" ({new} of {blocks} blocks through the model)" if blocks else ""
            summary = f"{annotated} annotated{through}, {len(first)} article page(s) written first"
            pages = dict(self._publish(first, {
                "kinds": list(kinds), "summary": summary, "annotated": annotated,
                "fast": True, "phase": "article", "timings": last["timings"],
                "seconds": seconds}))  # a copy: the event being sent holds the original
            self.log(f"updated {', '.join(sorted(pages)) or 'nothing'} in "
                     f"{seconds * 1000:.0f} ms: {summary}")
        try:
            rest, complete = session.finish(self.interrupted)
        except Exception as exc:  # a template failing on this content: build() reports it
            session.enabled = False
            if not isinstance(exc, (SiteError, SiteErrors)):
                self.log(f"note: fast update failed ({type(exc).__name__}: {exc}); "
                         "full build")
            return None
        seconds = time.perf_counter() - start
        last = session.last
        summary = (f"{annotated} annotated, {last.get('rendered', 0)} page(s) rendered, "
                   f"{last.get('reused', 0)} reused by key, {len(first) + len(rest)} "
                   f"file(s) changed" + ("" if complete else "; stopped for a newer save"))
        if rest or complete:
            pages.update(self._publish(rest, {
                "kinds": list(kinds), "summary": summary, "annotated": annotated,
                "fast": True, "phase": "complete" if complete else "partial",
                "timings": last["timings"], "seconds": seconds}))
        self.log(f"updated in {seconds * 1000:.0f} ms: {summary}")
        return RebuildResult(kinds, True, seconds, tuple(sorted(pages)), summary)

    def _publish(self, changed: list[str], info: dict[str, Any]) -> dict[str, str]:
        """Record the pages of the preview folder that changed; tell the browsers."""
        hashes = self.state.current_hashes()
        for rel in changed:
            if rel.endswith(".html"):
                digest = self.session.store.digest(rel)
                if digest is None:
                    hashes.pop(page_url(rel), None)
                else:
                    hashes[page_url(rel)] = digest
        return self.state.built(hashes, info)

    def _failed(self, kinds: tuple[str, ...], problems: list[Problem],
                start: float) -> RebuildResult:
        if kinds != ("content",) or not self.session.enabled:
            self.session.enabled = False  # re-primed after the next good full build
            self._pending = []
        self.state.failed(problems)
        for problem in problems:
            self.log(f"error: {problem}")
        self.log("the preview keeps showing the last good build; save again to retry")
        return RebuildResult(kinds, False, time.perf_counter() - start)

    def copy_statics(self, changes: list[Change]) -> RebuildResult | None:
        """Copy changed static files in place; None when a full build is needed instead."""
        start = time.perf_counter()
        config = self.config
        if config is None or self.state.problems or not self.state.root.is_dir():
            return None
        if any(c.deleted or not c.path.is_file() for c in changes):
            return None
        try:
            if self._statics is None:
                self._statics = static_targets(config)
            targets = [self._statics.get(c.path.resolve()) for c in changes]
        except (SiteError, OSError):
            return None
        if any(t is None for t in targets):
            return None  # a new file, or one that another file overrides: rebuild
        urls: list[str] = []
        for change, rel in zip(changes, targets, strict=True):
            assert rel is not None
            dest = self.state.root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.sitegen-tmp")
            shutil.copyfile(change.path, tmp)
            os.replace(tmp, dest)  # never write through a hard link of an older output
            urls.append("/" + rel)
        css_only = all(u.endswith(".css") for u in urls)
        self.state.assets_changed(urls, css_only)
        seconds = time.perf_counter() - start
        self.log(f"{'swapped stylesheet' if css_only else 'copied'} {', '.join(urls)} "
                 f"in {seconds * 1000:.0f} ms")
        return RebuildResult(("static",), True, seconds, (), "static files copied")

    def rebuild(self, changes: list[Change]) -> RebuildResult:
        kinds = tuple(k for k in KINDS if any(c.kind == k for c in changes))
        names = ", ".join(sorted({c.path.name for c in changes}))
        self.log(f"changed: {names}")
        result: RebuildResult | None = None
        if kinds == ("static",):
            result = self.copy_statics(changes)
        elif kinds == ("content",) and self.session.enabled:
            result = self.fast_build(changes)
        if result is None:
            if "config" in kinds:
                self.load_config()
            result = self.full_build(kinds)
        if self.on_rebuild is not None:
            self.on_rebuild(result)
        return result


class PreviewServer:
    """The whole preview: initial build, HTTP server thread, watcher and rebuild worker.

    `start()` returns once the server listens; `stop()` shuts everything down (idempotent).
    """

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self._tmp: Path | None = None
        if options.preview is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="sitegen-preview-"))
            root = self._tmp / "site"
        else:
            root = options.preview.resolve()
        if not is_loopback(options.host) and not options.public:
            raise SiteError(
                f"refusing to serve the preview on {options.host}: other machines could "
                "read the drafts", hint="bind to 127.0.0.1 (the default), or pass --public "
                "to really share the preview with your network")
        out = (options.site / "output").resolve()
        if root == out or root.is_relative_to(out):
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)
            raise SiteError("the preview folder must not be the site's output folder",
                            hint="leave --preview unset to use a temporary folder")
        self.preview = Preview(options, root)
        self.watcher = Watcher(options.site, self._on_change)
        self.debouncer = Debouncer(self._rebuild, quiet=options.debounce,
                                   quick=options.quick_debounce)
        self.preview.interrupted = self.debouncer.pending
        # Review mode (docs/review.md): the desk reads annotations while no build runs.
        self.build_lock = threading.Lock()
        self.token = new_token()
        self.review = ReviewDesk(options.site, self.build_lock, options.drafts,
                                 lambda: self.state.snapshot()["generation"],
                                 self._decided)
        self.httpd: PreviewHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    @property
    def state(self) -> PreviewState:
        return self.preview.state

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        host = str(host)
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"

    def _on_change(self, change: Change) -> None:
        self.debouncer.put(change)

    def _decided(self, article: Path) -> None:
        """A decision was written for `article`: rebuild it now (the watcher may follow)."""
        self.debouncer.put(Change(article, "content"))

    def _rebuild(self, changes: list[Change]) -> None:
        with self.build_lock:
            result = self.preview.rebuild(changes)
        if "config" in result.kinds:
            # The theme or the content folder may have moved: watch what the site reads now.
            self.watcher.replan(self.preview.config)

    def start(self) -> str:
        self.httpd = PreviewHTTPServer((self.options.host, self.options.port), self.state,
                                       self.options.allow_hosts, self.review, self.token)
        self.httpd.pages = self.preview.startup.page
        config = self.preview.load_config()
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.2},
                                        name="sitegen-http", daemon=True)
        self._thread.start()
        self.watcher.start(config)
        # The worker loads the site first (requests render their page meanwhile), then
        # fills the preview folder; a save waiting interrupts the fill, which goes on after.
        self.debouncer.start(first=self._initial)
        return self.url

    def _initial(self) -> None:
        with self.build_lock:
            self.preview.initial()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the first build or fill of the preview folder is done."""
        return self.preview.startup.done.wait(timeout)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.watcher.stop()
        self.debouncer.stop()
        self.state.close()
        if self.httpd is not None:
            if self._thread is not None and self._thread.is_alive():
                self.httpd.shutdown()
            self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve(options: ServeOptions) -> int:
    """Run the preview until Ctrl-C, SIGTERM or SIGHUP. Returns the exit code."""
    with stop_signals():
        return _serve(options)


def _serve(options: ServeOptions) -> int:
    server = PreviewServer(options)
    try:
        try:
            url = server.start()
        except OSError as exc:
            print(f"error: cannot listen on {options.host}:{options.port}: {exc.strerror}",
                  file=sys.stderr)
            return 1
        options.log(f"serving the preview of {server.preview.site} at {url} "
                    "(Ctrl-C to stop)")
        if not is_loopback(options.host):
            options.log("warning: the preview is reachable from other machines on "
                        f"{options.host}, drafts included; it answers IP addresses and "
                        "--allow-host names only")
        if options.open_browser:
            webbrowser.open(url)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        options.log("stopping the preview")
        return 0
    except Stopped as exc:
        options.log(f"stopping the preview ({exc})")
        return 0
    finally:
        server.stop()
