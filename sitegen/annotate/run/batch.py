"""The unit of annotation work: plain values in (text views and the annotation context),
Annotations out, in this process. The local pool, the warm model process and the Dask
executor all run it; it imports none of them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitegen.annotate import registry
from sitegen.annotate.block_cache import BlockCache
from sitegen.annotate.blocks import NlpSplit, block_docs
from sitegen.annotate.glossary.annotator import preset_words, term_forms, term_words
from sitegen.annotate.model_facts import cached_docs, lean, remember
from sitegen.annotate.nlp import load_model, loaded_model
from sitegen.annotate.pipeline import AnnotationContext, annotate_doc
from sitegen.core.model import Annotations, TextView


def annotate_batch(views: Sequence[TextView], ctx: AnnotationContext,
                   batch_size: int = 16, blocks: Path | None = None,
                   split: NlpSplit | None = None) -> list[Annotations]:
    """Annotations for each view, in order, in this process (the model loads once per
    process and stays loaded). The spaCy pass runs per block (annotate/blocks.py); with
    `blocks` (a cache folder) over the blocks not cached there, and when every block is
    cached, without loading the model (annotate/model_facts.py). `split` receives where the
    time went."""
    if not views:
        return []
    split = split if split is not None else NlpSplit()
    texts = [v.text for v in views]
    if blocks is None:  # (--no-cache, Dask) the same per-block pass, nothing stored
        nlp = _load(ctx, split)
        docs = block_docs(nlp, texts, None, split, batch_size)
    else:
        with BlockCache(blocks) as cache:
            found = lean_docs(texts, ctx, cache, split)
            if found is not None:
                nlp, docs = found
            else:
                nlp = _load(ctx, split)
                docs = block_docs(nlp, texts, cache, split, batch_size)
                forms = term_forms(ctx.glossary)
                remember(nlp, ctx.config.nlp.model, forms,
                         lambda: term_words(forms, nlp), cache)
    return _annotate(views, docs, ctx, nlp, split)


def annotate_cached(views: Sequence[TextView], ctx: AnnotationContext, blocks: Path,
                    split: NlpSplit) -> list[Annotations] | None:
    """`annotate_batch` when it needs no model (see `lean_docs`), else None (and nothing
    counted in `split`)."""
    with BlockCache(blocks) as cache:
        found = lean_docs([v.text for v in views], ctx, cache, split)
    return None if found is None else _annotate(views, found[1], ctx, found[0], split)


def _annotate(views: Sequence[TextView], docs: Sequence[Any], ctx: AnnotationContext,
              nlp: Any, split: NlpSplit) -> list[Annotations]:
    t0 = time.perf_counter()
    out = [annotate_doc(doc, view, ctx, nlp) for view, doc in zip(views, docs, strict=True)]
    split.doc_steps += time.perf_counter() - t0
    return out


def _load(ctx: AnnotationContext, split: NlpSplit) -> Any:
    t0 = time.perf_counter()
    nlp = load_model(ctx.config.nlp.model)
    split.model_load += time.perf_counter() - t0
    return nlp


def lean_docs(texts: Sequence[str], ctx: AnnotationContext, cache: BlockCache,
              split: NlpSplit) -> tuple[Any, list[Any]] | None:
    """(a stand-in for the model, the Docs of `texts`) when every block of `texts` and what
    the annotators need from the model are cached, the model is not loaded in this process
    anyway and only the built-in annotators run (a plugin may use the model itself); else
    None (nothing counted in `split`)."""
    model = ctx.config.nlp.model
    if loaded_model(model) is not None or any(
            not a.builtin for a in registry.for_site(ctx.config)):
        return None
    t0 = time.perf_counter()
    forms = term_forms(ctx.glossary)
    stand_in = lean(model, forms, cache)
    if stand_in is None:
        return None
    setup = time.perf_counter() - t0  # reading the facts, the vocabulary and lemmatizer data
    facts = stand_in.facts
    docs = cached_docs(stand_in.nlp.vocab, facts.identity, facts.known, texts, cache, split)
    if docs is None:
        return None
    preset_words(stand_in.nlp, forms, stand_in.words)
    split.lean_load += setup
    return stand_in.nlp, docs
