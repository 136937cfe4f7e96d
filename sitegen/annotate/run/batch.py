"""The unit of annotation work: plain values in (text views and the annotation context),
Annotations out, in this process. The local pool, the warm model process and the Dask
executor all run it; it imports none of them."""

from __future__ import annotations

from collections.abc import Sequence

from sitegen.annotate.nlp import load_model, pipe_texts
from sitegen.annotate.pipeline import AnnotationContext, annotate_doc
from sitegen.core.model import Annotations, TextView


def annotate_batch(views: Sequence[TextView], ctx: AnnotationContext,
                   batch_size: int = 16) -> list[Annotations]:
    """Annotations for each view, in order, in this process (the model loads once per
    process and stays loaded)."""
    if not views:
        return []
    nlp = load_model(ctx.config.nlp.model)
    docs = pipe_texts(nlp, (v.text for v in views), batch_size=batch_size)
    return [annotate_doc(doc, view, ctx, nlp) for view, doc in zip(views, docs, strict=True)]
