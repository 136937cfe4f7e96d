"""Rendering on every core (issue 17): the pages of a site are drawn by forked worker
processes that write them into the staging folder themselves.

Once the index and the renderer are ready, every page of the site is listed (the page
kinds of render/pages.py, in order: each gets a sequence number) and the process forks:
the children inherit the index, the compiled templates and the previous output's manifest
without any copying. Each process (the parent too) claims pages in small chunks from a
shared counter, so the expensive article pages spread evenly; for each page it computes
its key, reuses the previous bytes when the key did not change (render/site.py), else
draws it, writes the bytes into the staging folder (and the search spool) and keeps a
small row: output path, size, digest, key. The parent merges the rows into the manifest
in page order, as the one-process path does, then writes the search bundle and the
static files and swaps the folder in (build/write.py).

An error stops the pages after it: each process stops once it is past the first page
known to have failed, so the error reported is that of the first page that fails in page
order, as in one process; the staging folder is removed and the previous output stays.
A page never depends on another page's rendering (the renderer's memos of feed entries
and authors are caches), so the output is byte-identical to one process's.

Nothing opened before the fork (sqlite caches, the model process) is used in a child;
the children leave with os._exit, running no clean-up of the parent's.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import resource
import sys
import threading
import traceback
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sitegen.build.site_files import Written, after_pages, own, row, site_files
from sitegen.build.staging import MARKER, Staging
from sitegen.build.write import (
    OutputTarget,
    WriteStats,
    safe_target,
    start_staging,
    write_output,
)
from sitegen.core.errors import SiteError
from sitegen.index.site import SiteIndex
from sitegen.render.page import Page
from sitegen.render.search import SearchSpool
from sitegen.render.site import SiteRenderer
from sitegen.render.store import OutputStore

# Below this many pages one process is faster than forking (measured on the demo site and
# the benchmark's sites: docs/performance.md).
PARALLEL_PAGES = 50
CHUNK = 8  # pages claimed at a time from the shared counter
NO_ERROR = 2**62  # the stop mark while no page has failed


def render_jobs(jobs: int | None, pages: int) -> int:
    """Processes to render `pages` with: `jobs` when given, else every usable core when
    there are enough pages to pay for the fork; one where fork is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs is not None:
        return max(1, jobs)
    if pages < PARALLEL_PAGES:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(slots=True)
class Share:
    """What one process did: small rows, never page bytes (but for `deferred`)."""

    rows: list[tuple[int, str, int, str | None]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # output path -> key
    rendered: int = 0
    reused: int = 0
    written: int = 0  # files put into the staging folder, new bytes
    unchanged: int = 0  # ... carried over from the previous output
    # (seq, path, bytes, same) of files a reused spare was in the way of: the parent puts them
    deferred: list[tuple[int, str, bytes, bool]] = field(default_factory=list)
    error: tuple[int, BaseException] | None = None  # the first page that failed
    peak_kb: int = 0  # the process's peak resident memory


@dataclass(slots=True)
class _Job:
    """Everything a worker needs, set up in the parent before the fork."""

    sr: SiteRenderer
    index: SiteIndex
    pages: list[Page]
    statics: dict[str, Path]
    target: OutputTarget
    stage: Staging
    spool: SearchSpool | None
    store: OutputStore | None
    next: Any  # multiprocessing.Value: the next page to claim
    stop: Any  # multiprocessing.Value: the first page known to have failed


def write_pages(sr: SiteRenderer, index: SiteIndex, statics: dict[str, Path],
                output: Path, *, store: OutputStore | None, spare: Path | None,
                written: Written, jobs: int | None) -> tuple[WriteStats, int]:
    """Render every page of the site and write the site (build/write.write_output) with
    `jobs` processes (None: see render_jobs); returns what was written and the number of
    processes that rendered. `written` gets each file's manifest row."""
    known = store.reused_paths if store is not None else ()
    if jobs == 1:  # as before: pages listed and drawn one by one in this process
        return write_output(site_files(sr.pages(index), statics), output, known=known,
                            spare=spare, on_file=written), 1
    pages, failed = _list_pages(sr, index)
    n = render_jobs(jobs, len(pages))
    if n == 1 or _other_threads():  # never fork beside another thread
        return write_output(site_files(_drawn(sr, index, pages, failed), statics), output,
                            known=known, spare=spare, on_file=written), 1
    return _parallel(sr, index, pages, failed, statics, output, store, spare, written, n), n


def _other_threads() -> bool:
    """Whether a thread besides this one runs (forking beside it could copy a held lock).
    tqdm's monitor is left out: it only sleeps and checks tqdm's own bars, which children
    never touch (a progress bar of an earlier build in the same process leaves it)."""
    return any(t is not threading.current_thread() and t.name != "tqdm_monitor"
               for t in threading.enumerate())


def _list_pages(sr: SiteRenderer, index: SiteIndex) -> tuple[list[Page], SiteError | None]:
    """Every page of the site in render order, and the error that stopped the listing
    (it comes after the pages listed before it, as in one process)."""
    pages: list[Page] = []
    try:
        for kind in sr.kinds:
            pages.extend(kind.pages(sr.renderer, index))
    except SiteError as exc:
        return pages, exc
    return pages, None


def _drawn(sr: SiteRenderer, index: SiteIndex, pages: list[Page],
           failed: SiteError | None) -> Iterator[Any]:
    for page in pages:
        yield sr.render(page, index)
    if failed is not None:
        raise failed


def _parallel(sr: SiteRenderer, index: SiteIndex, pages: list[Page],
              failed: SiteError | None, statics: dict[str, Path], output: Path,
              store: OutputStore | None, spare: Path | None, written: Written,
              n: int) -> WriteStats:
    target = OutputTarget(output)
    output = target.output
    ctx = multiprocessing.get_context("fork")
    stage = start_staging(output, spare)
    spool: SearchSpool | None = None
    tail: Generator[tuple[str, bytes], None, None] | None = None
    children: list[tuple[Any, Connection]] = []
    try:
        spool = SearchSpool.start()
        job = _Job(sr, index, pages, statics, target, stage, spool, store,
                   ctx.Value("q", 0), ctx.Value("q", len(pages) if failed else NO_ERROR))
        sys.stdout.flush()  # else a child leaving would write the parent's buffered text
        sys.stderr.flush()
        gc.freeze()  # the children's collector leaves the inherited objects (and pages) be
        try:
            for _ in range(n - 1):
                recv, send = ctx.Pipe(duplex=False)
                child = ctx.Process(target=_child, args=(job, send), daemon=True)
                child.start()
                send.close()
                children.append((child, recv))
        finally:
            gc.unfreeze()
        mine = _work(job, count=False)
        shares = [mine] + [_collect(child, recv) for child, recv in children]
        children = []
        seen = _merge(shares, stage, sr, written, (len(pages), failed) if failed else None)
        tail, spool = after_pages(spool, statics), None  # the tail cleans the spool up
        for rel, data in tail:
            _put(rel, data, seen, target, stage, written, ())
        removed = len(set(target.previous) - seen)
        if stage.written == 0 and removed == 0 and (output / MARKER).is_file():
            stage.discard()  # the previous output already is the new one: keep it as it is
            return WriteStats(written=0, unchanged=stage.unchanged, removed=0, swapped=False)
        stage.finish(seen)
    except BaseException:
        for child, recv in children:
            child.kill()
            child.join()
            recv.close()
        if spool is not None:
            spool.tmp.cleanup()
        if tail is not None:
            tail.close()  # cleans the spool up
        stage.abort()
        raise
    return WriteStats(written=stage.written, unchanged=stage.unchanged, removed=removed,
                      swapped=True)


def _child(job: _Job, send: Connection) -> None:
    """A worker process: its share of the pages, sent back as one message."""
    gc.disable()  # as in the parent (core/gc_pause.py): a render makes no cycles to speak of
    try:
        share = _work(job, count=True)
    except BaseException as exc:  # anything: reported to the parent
        share = Share(error=(-1, exc))
    try:
        message = pickle.dumps(share, pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # e.g. an error that does not pickle: as text
        seq, error = share.error if share.error is not None else (-1, exc)
        share = Share(error=(seq, RuntimeError("a render worker failed:\n" + "".join(
            traceback.format_exception(error)))))
        message = pickle.dumps(share, pickle.HIGHEST_PROTOCOL)
    send.send_bytes(message)
    send.close()


def _work(job: _Job, count: bool) -> Share:
    """Claim chunks of pages until none are left or a page before them failed."""
    share = Share()
    sr, total = job.sr, len(job.pages)
    before = (sr.rendered, sr.reused)
    stop, counter = job.stop, job.next
    try:
        while True:
            with counter.get_lock():
                start = counter.value
                counter.value = start + CHUNK
            for seq in range(start, min(start + CHUNK, total)):
                if seq >= stop.value:
                    return share
                try:
                    _page(job, seq, share)
                except Exception as exc:
                    share.error = (seq, exc)
                    with stop.get_lock():
                        stop.value = min(stop.value, seq)
                    return share
            if start + CHUNK >= total:
                return share
    finally:
        share.rendered, share.reused = sr.rendered - before[0], sr.reused - before[1]
        if count:  # a child: what it put into the staging folder (its own copy of it)
            share.keys = sr.page_keys
            share.written, share.unchanged = job.stage.written, job.stage.unchanged
        share.peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _page(job: _Job, seq: int, share: Share) -> None:
    """Draw (or reuse) one page and put it into the staging folder."""
    f = job.sr.render(job.pages[seq], job.index)
    if own(f.path, job.statics):
        return
    rel = safe_target(f.path)
    same = job.target.same(rel, f.data,
                           job.store.reused_paths if job.store is not None else ())
    if job.spool is not None:
        job.spool.add(rel, f.data)
    if job.stage.try_put(rel, f.data, same):
        share.rows.append((seq, rel, *row(f.data, same)))
    else:
        share.deferred.append((seq, rel, f.data, same))


def _collect(child: Any, recv: Connection) -> Share:
    try:
        share: Share = pickle.loads(recv.recv_bytes())
    except (EOFError, OSError, pickle.UnpicklingError):
        child.join()
        share = Share(error=(-1, RuntimeError(
            f"a render worker process died (exit code {child.exitcode})")))
    recv.close()
    child.join()
    return share


def _merge(shares: list[Share], stage: Staging, sr: SiteRenderer, written: Written,
           failed: tuple[int, SiteError] | None) -> set[str]:
    """The rows of every process in page order (into `written`, the staging folder's
    counts and the renderer's keys and counts); raises the first page's error (`failed`:
    the listing's, after the pages listed)."""
    errors = [s.error for s in shares if s.error is not None]
    if failed is not None:
        errors.append(failed)
    rows = sorted([(seq, rel, size, digest, None) for s in shares
                   for seq, rel, size, digest in s.rows]
                  + [(seq, rel, len(data), None, (data, same)) for s in shares
                     for seq, rel, data, same in s.deferred])
    seen: set[str] = set()
    first = min(errors, key=lambda e: e[0]) if errors else None
    for seq, rel, _size, _digest, _deferred in rows:
        if first is not None and seq >= first[0]:
            break
        if rel in seen:
            raise SiteError(f"two pages would be written to the same file: {rel}")
        seen.add(rel)
    if first is not None:
        raise first[1]
    for s in shares[1:]:
        sr.rendered += s.rendered
        sr.reused += s.reused
        sr.page_keys.update(s.keys)
    for s in shares[1:]:
        stage.adopt([rel for _seq, rel, _size, _digest in s.rows], s.written, s.unchanged)
    for _seq, rel, size, digest, deferred in rows:
        if deferred is not None:
            data, same = deferred
            stage.put(rel, data, same)
            written.rows[rel] = row(data, same)
        else:
            written.rows[rel] = (size, digest)
    return seen


def _put(rel: str, data: bytes, seen: set[str], target: OutputTarget, stage: Staging,
         written: Written, known: tuple[str, ...]) -> None:
    """A file after the pages (the search bundle, a static file), as write_output does."""
    rel = safe_target(rel)
    if rel in seen:
        raise SiteError(f"two pages would be written to the same file: {rel}")
    seen.add(rel)
    same = target.same(rel, data, known)
    written(rel, data, same)
    stage.put(rel, data, same)
