"""Run the one spaCy pass per article and every annotator over it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sitegen.annotate import registry
from sitegen.annotate.annotator import Annotator, ParsedArticle
from sitegen.annotate.blocks import NlpSplit, block_docs
from sitegen.annotate.confidence import publish as confidence
from sitegen.annotate.nlp import load_model
from sitegen.config.site import SiteConfig
from sitegen.core.errors import SiteError
from sitegen.core.model import Annotations, Note, TextView
from sitegen.source.kb import Glossary, KnowledgeBase

CHUNK_VIEWS = 64  # views whose Docs are held at once by annotate_views
# The built-in annotators' versions and the confidence models' (registry.BUILTIN_VERSION).
ANNOTATORS_VERSION = registry.BUILTIN_VERSION


def pipeline_version(config: SiteConfig) -> str:
    """The version of everything that annotates `config`'s site: ANNOTATORS_VERSION, then
    each plugin it runs (for the cache key and the build manifest)."""
    return registry.pipeline_version(config, ANNOTATORS_VERSION)


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
    """What the annotators propose, before confidence and publication: each enabled one
    (annotate/registry.py) in turn, seeing what those before it found."""
    found = Annotations()
    for annotator in registry.for_site(ctx.config):
        result = annotator.run(ParsedArticle(doc, view, ctx.config, ctx.kb, ctx.glossary,
                                             nlp, found))
        changes: dict[str, Any] = {}
        for name in annotator.fields:
            if name == "notes":
                changes[name] = found.notes + _checked(annotator, result.notes, view)
            else:
                changes[name] = getattr(result, name)
        found = dataclasses.replace(found, **changes)
    return found


def _checked(annotator: Annotator, notes: Sequence[Note], view: TextView) -> tuple[Note, ...]:
    """A plugin's notes, named after it; a note outside the text is the plugin's bug."""
    out: list[Note] = []
    size = len(view.text)
    for note in notes:
        if not isinstance(note, Note) or not 0 <= note.start <= note.end <= size:
            raise SiteError(f"annotator plugin {annotator.name!r} returned {note!r}, not a "
                            f"Note inside the article's text (0..{size})",
                            hint="a bug in the plugin: report it to its authors, or remove "
                            "it from [annotate] plugins")
        if note.annotator != annotator.name:
            note = dataclasses.replace(note, annotator=annotator.name)
        out.append(note)
    return tuple(out)


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
