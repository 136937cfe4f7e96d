"""Annotation on a Dask cluster (`sitegen build --executor dask --scheduler tcp://HOST:PORT`).

The same unit of work as the local pool (`batch.annotate_batch`: plain values in,
Annotations out) sent to the workers of an existing Dask distributed cluster:

- the scheduler is contacted first; one that cannot be reached is a SiteError before any
  work is sent;
- a worker plugin loads the spaCy model once per worker (and on every worker that joins
  later), after checking that the worker has the same model, spaCy and annotators as this
  machine (else its annotations would not be those of a local build);
- the AnnotationContext (config, knowledge base, glossary) is scattered once to every
  worker; batches of TextViews are submitted with `retries=2`; a worker that dies has its
  running batches rescheduled on the others by the scheduler;
- results are yielded as batches finish (`as_completed`), in the shape of
  `pool.annotate_parallel`, so the build stores them in its cache as they come and an
  interrupted build resumes from there. At most a few batches per worker thread are in
  flight, so a 100,000-article archive is never sent to the scheduler at once.

This module imports `distributed`; it is imported only when the Dask executor is chosen.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError
from typing import TYPE_CHECKING

from distributed import Client, KilledWorker, WorkerPlugin, as_completed

from sitegen.annotate.pipeline import AnnotationContext
from sitegen.annotate.run.batch import annotate_batch
from sitegen.core.errors import SiteError
from sitegen.core.model import Annotations, TextView

if TYPE_CHECKING:
    from distributed import Future, Worker

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
WORKERS_TIMEOUT = 60.0  # seconds to wait for a first worker when the cluster has none
RETRIES = 2  # a batch that raises is tried this many more times (elsewhere, if possible)
IN_FLIGHT_PER_THREAD = 2  # batches queued per worker thread

_LOCK = threading.Lock()  # one spaCy pass at a time per worker process (see _annotate)


def stack_identity(model: str, plugins: tuple[str, ...] = ()) -> str:
    """What a worker must share with this machine for its annotations to be the ones a
    local build makes: the model and spaCy versions and the annotators' versions (the
    site's annotator plugins' too)."""
    from sitegen.annotate.cache import model_identity
    from sitegen.annotate.pipeline import ANNOTATORS_VERSION
    from sitegen.annotate.registry import installed

    found = {p.name: p.annotator.version for p in installed(plugins) if p.annotator}
    extra = "".join(f"+{name}=={found.get(name, 'missing')}" for name in plugins)
    return f"{model_identity(model)};annotators={ANNOTATORS_VERSION}{extra}"


class ModelPlugin(WorkerPlugin):
    """Loads the site's spaCy model once in every worker (those that join later too),
    after checking the worker's software against the client's."""

    idempotent = True  # registered again by the next build: kept, model stays loaded

    def __init__(self, model: str, identity: str, plugins: tuple[str, ...] = ()) -> None:
        self.model = model
        self.identity = identity
        self.plugins = plugins  # the site's annotator plugins: installed there too
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:12]
        self.name = f"sitegen-model-{digest}"

    def setup(self, worker: Worker) -> None:
        from sitegen.annotate.nlp import load_model

        here = stack_identity(self.model, self.plugins)
        if here != self.identity:
            raise SiteError(
                f"Dask worker {worker.address} has different software than this machine: "
                f"{here} there, {self.identity} here",
                hint="install the same sitegen, spaCy, model and annotator plugin versions "
                "on every worker",
            )
        try:
            load_model(self.model)
        except SiteError as exc:
            raise SiteError(f"on Dask worker {worker.address}: {exc.message}",
                            hint=exc.hint) from None


def _annotate(views: list[TextView], ctx: AnnotationContext,
              batch_size: int) -> list[Annotations]:
    # A worker started with several threads would otherwise run spaCy passes concurrently
    # over one shared pipeline: they gain nothing (the GIL) and spaCy does not promise
    # thread safety. Start workers with `--nthreads 1`, one process per core, instead.
    with _LOCK:
        return annotate_batch(views, ctx, batch_size)


def connect(scheduler: str, timeout: float | None = None) -> Client:
    """A client of the scheduler at `scheduler`, or a SiteError saying how to get one."""
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT if timeout is None else timeout,
                      set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError (a malformed address)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SiteError(
            f"cannot reach the Dask scheduler at {scheduler}: {reason}",
            hint="start one with `dask scheduler` (and workers with `dask worker "
            "tcp://HOST:8786 --nworkers -1 --nthreads 1`), or check the address; or build "
            "here with --executor local (see docs/dask.md)",
        ) from None


def _unregister(client: Client, name: str) -> None:
    """Best effort: a plugin that failed must not be set up again on workers that join."""
    with contextlib.suppress(Exception):  # the error being reported matters more
        client.unregister_worker_plugin(name)


def _threads(client: Client) -> int:
    counts: dict[str, int] = client.nthreads()
    return max(1, sum(counts.values()))


def annotate_dask(views: Sequence[TextView], ctx: AnnotationContext, scheduler: str,
                  batch_size: int = 16) -> Iterator[tuple[int, Annotations]]:
    """(position in `views`, Annotations) as batches finish on the cluster at `scheduler`,
    in any order. Batches hold at most `batch_size` views, fewer when there are not two
    batches per worker thread."""
    if not views:
        return
    client = connect(scheduler)
    running: dict[Future[list[Annotations]], int] = {}
    try:
        try:
            if not client.nthreads():
                client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except Exception:
            raise SiteError(
                f"the Dask scheduler at {scheduler} has no workers",
                hint=f"start some with `dask worker {scheduler} --nworkers -1 --nthreads 1`",
            ) from None
        model = ctx.config.nlp.model
        plugins = ctx.config.annotate.plugins
        plugin = ModelPlugin(model, stack_identity(model, plugins), plugins)
        try:
            client.register_plugin(plugin)
        except Exception as exc:
            _unregister(client, plugin.name)
            if isinstance(exc, SiteError):
                raise
            raise SiteError(
                f"the Dask workers could not load sitegen's model plugin: "
                f"{type(exc).__name__}: {exc}",
                hint="install sitegen (with the same versions as here) and the spaCy model "
                "on every worker",
            ) from None
        threads = _threads(client)
        size = max(1, min(batch_size, -(-len(views) // (IN_FLIGHT_PER_THREAD * threads))))
        shared = client.scatter(ctx, broadcast=True, hash=False)
        starts = iter(range(0, len(views), size))

        def submit() -> Future[list[Annotations]] | None:
            start = next(starts, None)
            if start is None:
                return None
            chunk = list(views[start:start + size])
            fut = client.submit(_annotate, chunk, shared, size, retries=RETRIES, pure=False,
                                key=f"sitegen-annotate-{start}-{uuid.uuid4().hex[:12]}")
            running[fut] = start
            return fut

        initial = [f for f in (submit() for _ in range(IN_FLIGHT_PER_THREAD * threads))
                   if f is not None]
        done = as_completed(initial, loop=client.loop)
        for fut in done:
            start = running.pop(fut)
            try:
                result: list[Annotations] = fut.result()
            except KilledWorker as exc:
                raise SiteError(
                    f"a batch of {size} articles killed several Dask workers: {exc}",
                    hint="the workers may run out of memory: give them more, or a smaller "
                    "batch; finished batches are in the cache, build again to resume",
                ) from None
            except CancelledError:
                raise SiteError(
                    f"lost the connection to the Dask scheduler at {scheduler}",
                    hint="finished batches are in the cache: build again to resume",
                ) from None
            fut.release()
            want = IN_FLIGHT_PER_THREAD * _threads(client)  # the cluster may have grown
            while len(running) < want:  # keep the workers busy while results are stored
                nxt = submit()
                if nxt is None:
                    break
                done.add(nxt)
            for i, ann in enumerate(result):
                yield start + i, ann
    finally:
        if running:
            client.cancel(list(running))
        client.close()
