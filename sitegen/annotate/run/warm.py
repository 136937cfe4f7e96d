"""A model process started ahead of need: a rebuild after an article edit forks it as soon
as it sees a changed article, and the child imports spaCy and loads the model (seconds)
while the parent reads the caches and parses. If the annotation cache then misses a few
documents, they are annotated in that child (pool.annotate_parallel); if it misses
none, the child is stopped, and the parent never imported spaCy.

Only where 'fork' is available and the parent runs one thread (forking a threaded process,
such as the preview server, can deadlock). Anything going wrong in the child just makes the
parent annotate in-process, which reports errors (a missing model) as usual.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import threading
import time
import weakref
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sitegen.annotate.blocks import NlpSplit
from sitegen.core.model import Annotations, TextView

WARM_TEXT = "Warm up: the council of Rotterdam said on Monday, the minister told Reuters."


def _child(conn: Connection, parent_end: Connection, model: str) -> None:
    parent_end.close()  # so that the parent going away reads as EOF here
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the whole group
        _serve(conn, model)


def _serve(conn: Connection, model: str) -> None:
    from sitegen.annotate.nlp import load_model

    # Importing spaCy and loading the model make many long-lived objects: no collections
    # meanwhile, and none traverse them afterwards (they stay frozen).
    gc.disable()
    loading = NlpSplit()
    try:
        t0 = time.perf_counter()
        nlp = load_model(model)
        loading.model_load = time.perf_counter() - t0
        nlp(WARM_TEXT)  # the first call initialises lazily built tables
        from sitegen.annotate.entities.gazetteer import name_particles, places, titles

        places()  # read from the cache folder when the build set one
        titles()
        name_particles()
        from sitegen.annotate.run.batch import annotate_batch
    except BaseException:  # the parent annotates itself and reports
        conn.close()
        return
    finally:
        gc.freeze()
        gc.enable()

    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        views, ctx, batch_size, blocks = msg
        split, loading = loading, NlpSplit()  # the model load counts once, in the first
        try:
            conn.send(("ok", annotate_batch(views, ctx, batch_size, blocks, split), split))
        except Exception as exc:  # the parent annotates again and reports
            conn.send(("error", repr(exc)))


class WarmModel:
    """The forked model process. `annotate` returns None when it cannot help (then the
    caller annotates in-process); `close` stops it (idempotent)."""

    def __init__(self, model: str) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc: Any = ctx.Process(target=_child, args=(child, self._conn, model),
                                      daemon=True, name="sitegen-warm-model")
        self._proc.start()
        child.close()
        # Stopped when closed, or else when dropped (a build that failed before annotating).
        self._finalizer = weakref.finalize(self, _stop, self._proc, self._conn)

    @staticmethod
    def start(model: str) -> WarmModel | None:
        """A warm model process, or None where forking is not safe or possible."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        if threading.active_count() != 1:
            return None
        try:
            return WarmModel(model)
        except OSError:
            return None

    def annotate(self, views: Sequence[TextView], ctx: Any, batch_size: int,
                 blocks: Path | None = None, split: NlpSplit | None = None
                 ) -> list[Annotations] | None:
        """Annotations of `views` from the model process (`blocks` and `split` as for
        pool.annotate_batch), or None when it cannot help."""
        if self._proc is None:
            return None
        try:
            self._conn.send((list(views), ctx, batch_size, blocks))
            status, result, *rest = self._conn.recv()
        except (EOFError, OSError):
            self.close()
            return None
        if status != "ok" or not isinstance(result, list) or len(result) != len(views):
            return None
        if split is not None and rest and isinstance(rest[0], NlpSplit):
            split.add(rest[0])
        return result

    def close(self) -> None:
        self._proc = None
        self._finalizer()


def _stop(proc: Any, conn: Connection) -> None:
    with contextlib.suppress(OSError):
        conn.send(None)
    conn.close()
    proc.join(timeout=0.05)
    if proc.is_alive():  # still importing or loading: not needed any more
        proc.terminate()
        proc.join(timeout=5)
