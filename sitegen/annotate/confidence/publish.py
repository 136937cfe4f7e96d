"""Confidence and publication: every candidate annotation gets a calibrated probability of
being right (learned models, `confidence_model`), and is published when it reaches the
site's threshold for its kind (`[annotate] publish_threshold`).

An author's inline correction (`[x]{entity=id}`) is the editor's word: confidence 1, always
published.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sitegen.annotate.attribution.confidence import attribution_features
from sitegen.annotate.confidence.model import load, models_version
from sitegen.annotate.entities.confidence import entity_features
from sitegen.config.thresholds import PublishThresholds
from sitegen.core.model import Annotations, Attribution, EntityMention, GlossaryMatch, TextView

VERSION = models_version()

# Glossary matches come from the site's own glossary, so they are wrong only where a word is
# used in another sense. There is no labelled glossary data to learn from: these are priors
# (the word as defined, or an inflected form of it), documented in docs/annotation-quality.md.
GLOSSARY_EXACT = 0.95
GLOSSARY_INFLECTED = 0.9
# A name or alias of the site's own knowledge base, matched with its case: the training data
# has no knowledge base to learn this from, so it is a floor (docs/annotation-quality.md).
ENTITY_KB = 0.9
# The attribution model learns from PolNeAR, which annotates speech only: photo credits and
# "could not be verified" notes are found by fixed patterns it has never seen. Their priors
# (measured right on every case of the shared seed article and the demo site) stand instead.
PATTERN_PRIORS = {"credit": 0.95, "unverified": 0.9}


def _entities(doc: Any, view: TextView, ents: tuple[EntityMention, ...],
              threshold: float) -> tuple[EntityMention, ...]:
    model = load("entities")
    feats = entity_features(doc, view, ents) if model is not None else []
    out: list[EntityMention] = []
    for i, m in enumerate(ents):
        if m.origin == "override":
            conf = 1.0
        elif model is not None:
            conf = model.probability(feats[i])
            if m.origin == "kb":
                conf = max(conf, ENTITY_KB)
        else:
            conf = m.confidence
        out.append(dataclasses.replace(m, confidence=conf,
                                       published=m.origin == "override" or conf >= threshold))
    return tuple(out)


def _glossary(terms: tuple[GlossaryMatch, ...], threshold: float
              ) -> tuple[GlossaryMatch, ...]:
    out: list[GlossaryMatch] = []
    for g in terms:
        conf = GLOSSARY_EXACT if g.text.lower() == g.term.lower() else GLOSSARY_INFLECTED
        out.append(dataclasses.replace(g, confidence=conf, published=conf >= threshold))
    return tuple(out)


def _attributions(doc: Any, view: TextView, attrs: tuple[Attribution, ...],
                  ents: tuple[EntityMention, ...], threshold: float
                  ) -> tuple[Attribution, ...]:
    model = load("attributions")
    scored = [a for a in attrs if a.kind not in PATTERN_PRIORS] if model is not None else []
    probs = dict(zip(map(id, scored), model.probabilities(
        [attribution_features(doc, view.text, a, ents) for a in scored]), strict=True)
    ) if model is not None else {}
    out: list[Attribution] = []
    for a in attrs:
        if a.kind in PATTERN_PRIORS:
            conf = PATTERN_PRIORS[a.kind]
        elif model is not None:
            conf = probs[id(a)]
        else:
            conf = a.confidence
        out.append(dataclasses.replace(a, confidence=conf, published=conf >= threshold))
    return tuple(out)


def score(doc: Any, view: TextView, ann: Annotations,
          thresholds: PublishThresholds) -> Annotations:
    """`ann` with every candidate's confidence and whether it is published."""
    ents = _entities(doc, view, ann.entities, thresholds.entities)
    return dataclasses.replace(  # plugins' notes carry their own confidence
        ann,
        entities=ents,
        glossary=_glossary(ann.glossary, thresholds.glossary),
        attributions=_attributions(doc, view, ann.attributions, ents,
                                   thresholds.attributions),
    )
