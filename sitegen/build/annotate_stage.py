"""The annotate stage of a build: annotations from the cache where it has them, the rest
on all cores (annotate/run/pool.py), stored back into the cache as batches finish, so an
interrupted cold build resumes where it stopped."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.config.site import SiteConfig
from sitegen.core.model import AnnotatedDocument, Annotations, Document

if TYPE_CHECKING:
    from sitegen.annotate.cache import AnnotationCache
    from sitegen.annotate.run.warm import WarmModel
    from sitegen.source.kb import Glossary, KnowledgeBase

# Below this many documents to annotate, one process is faster than starting workers.
PARALLEL_THRESHOLD = 20
STORE_EVERY = 64  # cache annotations in chunks, so an interrupted cold build keeps its work
BATCH_SIZE = 16  # documents per worker task (and per nlp.pipe batch)


@dataclass(frozen=True, slots=True)
class Annotated:
    """What the annotate stage returns: the documents, in the order given, and where their
    annotations came from."""

    documents: list[AnnotatedDocument]
    annotated: int = 0  # documents run through the model
    from_cache: int = 0  # documents whose annotations came from the cache
    # where the model's time went (annotate/blocks.NlpSplit): model load, NLP, doc steps
    split: dict[str, float] = field(default_factory=dict)


def default_jobs(pending: int) -> int:
    """All usable cores when there are enough documents to pay for worker start-up."""
    if pending < PARALLEL_THRESHOLD:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


def annotate(docs: list[Document], config: SiteConfig, kb: KnowledgeBase,
             glossary: Glossary, *, cache: AnnotationCache | None = None,
             jobs: int | None = None, progress: bool = False, executor: str = "local",
             scheduler: str | None = None, warm: WarmModel | None = None) -> Annotated:
    """Annotations for every document: from `cache` where it has them, the rest in batches
    over worker processes (stored back into the cache as they come). With a cache, each
    annotated document carries the digest of its cache entry (for page keys).
    With `executor` "dask" the batches go to the Dask cluster at `scheduler` instead."""
    from sitegen.annotate.registry import any_enabled
    from sitegen.annotate.review_file import reviewed  # not imported by a no-change rebuild

    if not any_enabled(config):
        return Annotated([AnnotatedDocument(d, Annotations()) for d in docs])
    texts = [d.view.text for d in docs]
    keys: list[str] = []
    found: list[Annotations | None] = [None] * len(docs)
    if cache is not None:
        from sitegen.annotate.cache import (
            annotation_settings,
            context_digest,
            document_key,
            model_identity,
        )
        from sitegen.annotate.pipeline import pipeline_version

        context = context_digest(
            model=model_identity(config.nlp.model), annotators=pipeline_version(config),
            kb=kb.fingerprint, glossary=glossary.fingerprint,
            settings=annotation_settings(config))
        keys = [document_key(context, d.view) for d in docs]
        found = cache.get_many(keys, texts)
    missing = [i for i, a in enumerate(found) if a is None]
    # Identical views (syndicated or duplicated articles) are annotated once.
    first: dict[object, int] = {}
    copies: list[tuple[int, int]] = []
    todo: list[int] = []
    for i in missing:
        ident: object = keys[i] if keys else docs[i].view
        if ident in first:
            copies.append((i, first[ident]))
        else:
            first[ident] = i
            todo.append(i)
    split: dict[str, float] = {}
    if todo:
        split = _run(todo, docs, found, keys, config, kb, glossary, cache, jobs, progress,
                     executor, scheduler, warm)
    for i, j in copies:
        found[i] = found[j]
    out: list[AnnotatedDocument] = []
    # Documents of the same text share their Annotations (cache.get_many, `copies`): what
    # of them is published is worked out once per value (id: each is alive in `found`).
    shown: dict[int, Annotations] = {}
    for i, (d, a) in enumerate(zip(docs, found, strict=True)):
        assert a is not None
        # Editors' decisions (NAME.review.yaml) apply after the cache: a decision re-renders
        # the pages of its article, never re-runs the model.
        applied, review = reviewed(d, a, kb)
        # What is published follows from the candidates, the thresholds (both in the key)
        # and the decisions: together their digests stand for the published set too.
        digest = cache.digests.get(keys[i]) if cache is not None else None
        if digest is not None and review is not None:
            digest = hashlib.sha256(f"{digest}\0{review}".encode()).hexdigest()
        candidates = applied.annotations
        published = shown.get(id(candidates)) if candidates is a else None
        if published is None:
            published = candidates.published()
            if candidates is a:
                shown[id(a)] = published
        out.append(AnnotatedDocument(d, published, candidates, digest))
    return Annotated(out, annotated=len(todo), from_cache=len(docs) - len(missing),
                     split=split)


def _run(todo: list[int], docs: list[Document], found: list[Annotations | None],
         keys: list[str], config: SiteConfig, kb: KnowledgeBase, glossary: Glossary,
         cache: AnnotationCache | None, jobs: int | None, progress: bool,
         executor: str = "local", scheduler: str | None = None,
         warm: WarmModel | None = None) -> dict[str, float]:
    from sitegen.annotate.pipeline import AnnotationContext
    from sitegen.annotate.run.pool import annotate_parallel

    n_process = jobs if jobs is not None and jobs > 0 else default_jobs(len(todo))
    n_process = min(n_process, len(todo))
    batch_size = max(1, min(BATCH_SIZE, -(-len(todo) // n_process)))
    ctx = AnnotationContext(config=config, kb=kb, glossary=glossary)
    bar = None
    if progress:
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: render workers fork after this
        bar = tqdm(total=len(todo), desc="annotating", unit="article", disable=None,
                   leave=False, mininterval=0.5)
    fresh: list[tuple[str, Annotations]] = []
    from sitegen.annotate.blocks import NlpSplit

    split = NlpSplit()
    try:
        views = [docs[i].view for i in todo]
        if executor == "dask":
            from sitegen.core.errors import SiteError

            if not scheduler:
                raise SiteError("the Dask executor needs the scheduler's address",
                                hint="pass --scheduler tcp://HOST:8786 or set [build] "
                                "scheduler in site.toml")
            try:
                from sitegen.annotate.run import dask_executor  # imports Dask: only when asked for
            except ImportError as exc:
                raise SiteError(f"the Dask executor needs Dask: {exc}",
                                hint="pip install 'sitegen[dask]'") from None
            results = dask_executor.annotate_dask(views, ctx, scheduler, BATCH_SIZE)
        else:
            # With a cache, the spaCy pass runs per block over the blocks it lacks.
            results = annotate_parallel(views, ctx, n_process, batch_size, warm=warm,
                                        blocks=cache.folder if cache is not None else None,
                                        split=split)
        for pos, ann in results:
            i = todo[pos]
            found[i] = ann
            if bar is not None:
                bar.update(1)
            if cache is not None:
                fresh.append((keys[i], ann))
                if len(fresh) >= STORE_EVERY:
                    cache.put_many(fresh)
                    fresh = []
    finally:
        if cache is not None and fresh:
            cache.put_many(fresh)  # keep finished work even when the run is interrupted
        if bar is not None:
            bar.close()
    return split.as_dict()
