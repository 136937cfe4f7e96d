"""Carrying out a plan on an fsspec target: the journal manifest, uploads phase by phase
(parallel within a phase, bounded by `workers`), deletes, then the complete manifest.

A phase starts only when the one before it has finished, so the order in files.py holds
however many uploads run at once. A failure stops the deploy after the files in flight; the
journal written first lets the next run finish the job.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TypeVar

from sitegen.deploy.fs_target import FsTarget
from sitegen.deploy.plan import Plan

T = TypeVar("T")


@dataclass(slots=True)
class Outcome:
    uploaded: int = 0
    uploaded_bytes: int = 0
    deleted: int = 0
    deleted_bytes: int = 0
    kept: int = 0
    seconds: float = 0.0
    wrote_manifest: bool = False


def apply_plan(plan: Plan, target: FsTarget, *, workers: int, progress: bool = True,
               on_file: Callable[[str, str], None] | None = None) -> Outcome:
    """Upload, delete and record; `on_file(action, rel)` is told after each file."""
    t0 = time.perf_counter()
    outcome = Outcome(kept=len(plan.unchanged))
    if plan.nothing_to_do:
        outcome.seconds = time.perf_counter() - t0
        return outcome
    if plan.upload or plan.delete:
        target.put_manifest(plan.journal())
    siblings = {f.rel: None for f in (*plan.new, *plan.changed, *plan.unchanged)}
    total = sum(f.size for f in plan.upload)
    lock = threading.Lock()
    with _Bar(total, progress) as bar, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for group in plan.upload_phases():
            def send(f: object) -> None:
                from sitegen.deploy.files import LocalFile

                assert isinstance(f, LocalFile)
                target.put(f, siblings)
                with lock:
                    outcome.uploaded += 1
                    outcome.uploaded_bytes += f.size
                    bar.update(f.size)
                    if on_file is not None:
                        on_file("upload", f.rel)

            _run_all(pool, send, group)
        for rels in plan.delete_phases():
            def drop(rel: object) -> None:
                assert isinstance(rel, str)
                target.remove(rel)
                with lock:
                    outcome.deleted += 1
                    outcome.deleted_bytes += plan.delete_sizes.get(rel, 0)
                    if on_file is not None:
                        on_file("delete", rel)

            _run_all(pool, drop, rels)
    target.put_manifest(plan.final())
    outcome.wrote_manifest = True
    outcome.seconds = time.perf_counter() - t0
    return outcome


def _run_all(pool: ThreadPoolExecutor, action: Callable[[object], None],
             items: Iterable[object]) -> None:
    """Run `action` on every item in `pool`; the first error is raised once the others in
    flight have finished (no new ones start)."""
    futures: list[Future[None]] = [pool.submit(action, item) for item in items]
    done, pending = wait(futures, return_when=FIRST_EXCEPTION)
    failed = next((f for f in done if f.exception() is not None), None)
    if failed is not None:
        for f in pending:
            f.cancel()
        wait(pending)
        exc = failed.exception()
        assert exc is not None
        raise exc


class _Bar:
    """A byte progress bar on stderr when it is a terminal (tqdm), else nothing."""

    def __init__(self, total: int, progress: bool) -> None:
        self._tqdm = None
        if progress and sys.stderr.isatty() and total > 0:
            from tqdm import tqdm

            self._tqdm = tqdm(total=total, unit="B", unit_scale=True, desc="deploy",
                              file=sys.stderr, leave=False)

    def update(self, n: int) -> None:
        if self._tqdm is not None:
            self._tqdm.update(n)

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
