"""Annotation on all cores: a pool of worker processes, each loading the model once and
running the spaCy pass *and* every annotator over its batches, sending back only the
Annotations (small, JSON-able values), so the parent never receives spaCy Docs.

The unit of work is `batch.annotate_batch`, a module-level function of plain values that
any executor can call (this process pool, the warm model process, Dask).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from sitegen.annotate.blocks import NlpSplit
from sitegen.annotate.pipeline import AnnotationContext
from sitegen.annotate.run.batch import annotate_batch, annotate_cached
from sitegen.annotate.run.warm import WarmModel
from sitegen.core.model import Annotations, TextView

__all__ = ["annotate_batch", "annotate_parallel", "mp_context"]

_CONTEXT: AnnotationContext | None = None  # set in each worker by _init
_BLOCKS: Path | None = None


def _init(ctx: AnnotationContext, blocks: Path | None = None) -> None:
    # The model loads on the first batch (then stays): a load error (model not installed)
    # comes back as that batch's exception rather than a broken pool.
    global _CONTEXT, _BLOCKS
    _CONTEXT, _BLOCKS = ctx, blocks


def _run(views: list[TextView]) -> tuple[list[Annotations], NlpSplit]:
    assert _CONTEXT is not None, "worker not initialised"
    split = NlpSplit()
    return annotate_batch(views, _CONTEXT, blocks=_BLOCKS, split=split), split


def mp_context() -> multiprocessing.context.BaseContext:
    """'fork' where the platform has it and this process runs one thread (workers start at
    once, sharing the parent's imports), else 'spawn' (forking a threaded process, such as
    the preview server, can deadlock on a lock another thread held)."""
    import threading

    methods = multiprocessing.get_all_start_methods()
    fork = "fork" in methods and threading.active_count() == 1
    return multiprocessing.get_context("fork" if fork else "spawn")


def annotate_parallel(views: Sequence[TextView], ctx: AnnotationContext, jobs: int,
                      batch_size: int = 16, warm: WarmModel | None = None,
                      blocks: Path | None = None, split: NlpSplit | None = None
                      ) -> Iterator[tuple[int, Annotations]]:
    """(position in `views`, Annotations) as batches finish, in any order.

    With one job everything runs here, in order (in the `warm` model process when there is
    one: it loaded the model while the build read its caches). Otherwise `jobs` worker
    processes take batches of `batch_size` views; at most two batches per worker are
    queued at a time so results stream back (and into the cache) while the rest is still
    being annotated. `blocks` and `split` as for `annotate_batch` (split summed over the
    processes).
    """
    split = split if split is not None else NlpSplit()
    if warm is not None and blocks is not None and (jobs <= 1 or len(views) <= batch_size):
        cached = annotate_cached(views, ctx, blocks, split)  # every block cached: no model
        if cached is not None:
            warm.close()
            yield from enumerate(cached)
            return
    if warm is not None and (jobs <= 1 or len(views) <= batch_size):
        warmed = warm.annotate(views, ctx, batch_size, blocks, split)
        if warmed is not None:
            yield from enumerate(warmed)
            return
    if warm is not None:
        warm.close()  # free its core (and memory) for the pool or this process
    if jobs <= 1 or len(views) <= batch_size:
        for start in range(0, len(views), batch_size):
            chunk = views[start:start + batch_size]
            for i, ann in enumerate(annotate_batch(chunk, ctx, batch_size, blocks, split)):
                yield start + i, ann
        return
    starts = list(range(0, len(views), batch_size))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp_context(), initializer=_init,
                             initargs=(ctx, blocks)) as pool:
        running: dict[Future[tuple[list[Annotations], NlpSplit]], int] = {}
        queue = iter(starts)
        try:
            while True:
                while len(running) < 2 * jobs:
                    nxt = next(queue, None)
                    if nxt is None:
                        break
                    running[pool.submit(_run, list(views[nxt:nxt + batch_size]))] = nxt
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    start = running.pop(fut)
                    anns, part = fut.result()
                    split.add(part)
                    for i, ann in enumerate(anns):
                        yield start + i, ann
        except BaseException:
            for fut in running:
                fut.cancel()
            raise
