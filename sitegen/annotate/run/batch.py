"""The unit of annotation work: plain values in (text views and the annotation context),
Annotations out, in this process. The local pool, the warm model process and the Dask
executor all run it; it imports none of them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from sitegen.annotate.block_cache import BlockCache
from sitegen.annotate.blocks import NlpSplit, block_docs
from sitegen.annotate.nlp import load_model
from sitegen.annotate.pipeline import AnnotationContext, annotate_doc
from sitegen.core.model import Annotations, TextView


def annotate_batch(views: Sequence[TextView], ctx: AnnotationContext,
                   batch_size: int = 16, blocks: Path | None = None,
                   split: NlpSplit | None = None) -> list[Annotations]:
    """Annotations for each view, in order, in this process (the model loads once per
    process and stays loaded). The spaCy pass runs per block (annotate/blocks.py); with
    `blocks` (a cache folder) over the blocks not cached there. `split` receives where the
    time went."""
    if not views:
        return []
    split = split if split is not None else NlpSplit()
    t0 = time.perf_counter()
    nlp = load_model(ctx.config.nlp.model)
    t1 = time.perf_counter()
    split.model_load += t1 - t0
    texts = [v.text for v in views]
    if blocks is None:  # (--no-cache, Dask) the same per-block pass, nothing stored
        docs = block_docs(nlp, texts, None, split, batch_size)
    else:
        with BlockCache(blocks) as cache:
            docs = block_docs(nlp, texts, cache, split, batch_size)
    t2 = time.perf_counter()
    out = [annotate_doc(doc, view, ctx, nlp) for view, doc in zip(views, docs, strict=True)]
    split.doc_steps += time.perf_counter() - t2
    return out
