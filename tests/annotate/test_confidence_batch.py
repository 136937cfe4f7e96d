"""The attribution model scores an article's candidates in one go (the trees walked for all
of them at once): exactly the numbers of scoring each alone, on the demo site's real
candidates and on made-up feature rows."""

from __future__ import annotations

import random
from typing import Any

from conftest import REPO

from sitegen.annotate.attribution.confidence import attribution_features
from sitegen.annotate.blocks import NlpSplit, block_docs
from sitegen.annotate.confidence.model import load
from sitegen.annotate.pipeline import AnnotationContext, candidates
from sitegen.build import engine
from sitegen.config.site import load_config


def test_batch_scores_equal_one_by_one_on_the_demo_site(nlp: Any) -> None:
    model = load("attributions")
    assert model is not None and model.trees
    config = load_config(REPO)
    kb, glossary = engine.load_data(config)
    ctx = AnnotationContext(config, kb, glossary)
    docs = engine.parse_all(config)
    spacy_docs = block_docs(nlp, [d.view.text for d in docs], None, NlpSplit())
    rows = []
    for doc, sdoc in zip(docs, spacy_docs, strict=True):
        found = candidates(sdoc, doc.view, ctx, nlp)
        rows.extend(attribution_features(sdoc, doc.view.text, a, found.entities)
                    for a in found.attributions)
    assert len(rows) > 50
    one_by_one = [model.probability(r) for r in rows]
    assert model.probabilities(rows) == one_by_one
    assert len(set(one_by_one)) > 10  # real, varied scores


def test_batch_scores_equal_one_by_one_on_made_up_rows() -> None:
    model = load("attributions")
    assert model is not None and model.tree_features
    names = sorted(model.tree_features)
    rng = random.Random(7)
    rows = [{n: rng.choice([0.0, 1.0, 2.0, rng.random() * 20, -rng.random()])
             for n in rng.sample(names, min(40, len(names)))} for _ in range(300)]
    rows.append({})
    rows.append({"not-a-feature": 3.0})
    assert model.probabilities(rows) == [model.probability(r) for r in rows]
    assert model.probabilities(rows[:1]) == [model.probability(rows[0])]
    assert model.probabilities([]) == []
