"""Run the one spaCy pass per article and every annotator over it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..config import SiteConfig
from ..kb import Glossary, KnowledgeBase
from ..model import Annotations, TextView
from . import attribution, entities, glossary
from .nlp import load_model, pipe_texts

ANNOTATORS_VERSION = f"e{entities.VERSION}-g{glossary.VERSION}-a{attribution.VERSION}"


@dataclass(frozen=True, slots=True)
class AnnotationContext:
    config: SiteConfig
    kb: KnowledgeBase
    glossary: Glossary


def annotate_doc(doc: Any, view: TextView, ctx: AnnotationContext, nlp: Any) -> Annotations:
    """Every enabled annotator over one spaCy Doc of `view.text`."""
    ents = entities.find_entities(doc, view, ctx.kb) if ctx.config.entities.enabled else ()
    terms = (
        glossary.find_terms(doc, view, ctx.glossary, ents, nlp=nlp)
        if ctx.config.glossary.enabled
        else ()
    )
    attrs = (
        attribution.find_attributions(doc, view, ents)
        if ctx.config.attributions.enabled
        else ()
    )
    return Annotations(entities=ents, glossary=terms, attributions=attrs)


def annotate_views(
    views: Sequence[TextView], ctx: AnnotationContext, batch_size: int = 16,
    n_process: int = 1,
) -> Iterator[Annotations]:
    """Annotations for each view, in order. Loads the model only when there is work.

    With `n_process` > 1 the model pass runs in that many worker processes (spaCy's own
    multiprocessing pipe); the annotators run here, in order, on the Docs sent back. Builds
    use `workers.annotate_parallel` instead, which runs the annotators in the workers too.
    Every pipeline component is kept: glossary matching needs tok2vec, tagger,
    attribute_ruler and lemmatizer (lemmas, POS), entities need ner, attribution the parser.
    """
    if not views:
        return
    nlp = load_model(ctx.config.nlp.model)
    n_process = max(1, min(n_process, len(views)))
    docs = pipe_texts(nlp, (v.text for v in views), batch_size=batch_size,
                      n_process=n_process)
    for view, doc in zip(views, docs, strict=True):
        yield annotate_doc(doc, view, ctx, nlp)
