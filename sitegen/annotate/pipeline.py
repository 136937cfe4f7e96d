"""Run the one spaCy pass per article and every annotator over it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sitegen.annotate.attribution import annotator as attribution
from sitegen.annotate.blocks import NlpSplit, block_docs
from sitegen.annotate.confidence import publish as confidence
from sitegen.annotate.entities import annotator as entities
from sitegen.annotate.glossary import annotator as glossary
from sitegen.annotate.nlp import load_model
from sitegen.config.site import SiteConfig
from sitegen.core.model import Annotations, TextView
from sitegen.source.kb import Glossary, KnowledgeBase

CHUNK_VIEWS = 64  # views whose Docs are held at once by annotate_views
ANNOTATORS_VERSION = (f"e{entities.VERSION}-g{glossary.VERSION}-a{attribution.VERSION}"
                      f"-c{confidence.VERSION}")


@dataclass(frozen=True, slots=True)
class AnnotationContext:
    config: SiteConfig
    kb: KnowledgeBase
    glossary: Glossary


def annotate_doc(doc: Any, view: TextView, ctx: AnnotationContext, nlp: Any) -> Annotations:
    """Every enabled annotator over one spaCy Doc of `view.text`, each candidate with its
    confidence and whether it is published."""
    return confidence.score(doc, view, candidates(doc, view, ctx, nlp),
                            ctx.config.annotate.publish_threshold)


def candidates(doc: Any, view: TextView, ctx: AnnotationContext, nlp: Any) -> Annotations:
    """What the annotators propose, before confidence and publication."""
    ents = (entities.find_entities(doc, view, ctx.kb, nlp) if ctx.config.entities.enabled
            else ())
    if ents and ctx.config.glossary.enabled and ctx.glossary.terms:
        # the site's own glossary says what is a term, not a name ("NAP", "Natura 2000")
        ents = entities.drop_glossary_terms(
            ents, glossary.find_terms(doc, view, ctx.glossary, (), nlp=nlp))
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
    The spaCy pass runs per block (annotate/blocks.py), as in builds, so what this exports
    is what a build publishes.
    """
    if not views:
        return
    nlp = load_model(ctx.config.nlp.model)
    for start in range(0, len(views), CHUNK_VIEWS):
        chunk = views[start:start + CHUNK_VIEWS]
        docs = block_docs(nlp, [v.text for v in chunk], None, NlpSplit(), batch_size,
                          n_process)
        for view, doc in zip(chunk, docs, strict=True):
            yield annotate_doc(doc, view, ctx, nlp)
