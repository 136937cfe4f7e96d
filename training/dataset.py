"""Candidates, their features and their labels for a folder of gold-annotated articles
(`NAME.md` beside `NAME.gold.json`, the format of shared/eval/FORMAT.md).

The spaCy pass is the slow part: its Docs are kept in a DocBin under `cache` (keyed by the
model and the texts), so choosing features does not re-parse 800 articles every time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labels import label_attributions, label_entities

from sitegen.annotate.attribution.confidence import attribution_features
from sitegen.annotate.confidence.model import Features
from sitegen.annotate.entities.confidence import entity_features
from sitegen.annotate.export import export
from sitegen.annotate.nlp import load_model
from sitegen.annotate.pipeline import AnnotationContext, candidates
from sitegen.config.site import SiteConfig
from sitegen.core.model import Document
from sitegen.source.discover import read_source
from sitegen.source.kb import Glossary, KnowledgeBase
from sitegen.source.parse import parse


@dataclass(frozen=True, slots=True)
class Example:
    article: str
    features: Features
    label: int
    item: dict[str, Any]  # the exported annotation (for error analysis)


def articles(folder: Path, only: set[str] | None = None) -> list[Path]:
    paths = [p for p in sorted(folder.glob("*.md")) if p.name.lower() != "readme.md"
             and (folder / f"{p.stem}.gold.json").exists()]
    return [p for p in paths if only is None or p.stem in only]


def _docs(docs: list[Document], cache: Path | None, n_process: int) -> list[Any]:
    from spacy.tokens import DocBin

    config = SiteConfig(root=Path("."), title="train")
    nlp = load_model(config.nlp.model)
    texts = [d.view.text for d in docs]
    key = hashlib.sha256(json.dumps([config.nlp.model, nlp.meta.get("version"), texts])
                         .encode("utf-8")).hexdigest()[:16]
    path = cache / f"{key}.spacy" if cache is not None else None
    if path is not None and path.exists():
        return list(DocBin().from_disk(path).get_docs(nlp.vocab))
    out = list(nlp.pipe(texts, batch_size=16, n_process=n_process))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(store_user_data=False, docs=out).to_disk(path)
    return out


def examples(folder: Path, kind: str, *, cache: Path | None = None, n_process: int = 2,
             only: set[str] | None = None) -> Iterator[Example]:
    """Every candidate of `kind` ("attributions" or "entities") with its label."""
    paths = articles(folder, only)
    docs = [parse(read_source(p, p.name), require_title=False) for p in paths]
    spacy_docs = _docs(docs, cache, n_process)
    ctx = AnnotationContext(SiteConfig(root=Path("."), title="train"), KnowledgeBase(),
                            Glossary())
    nlp = load_model(ctx.config.nlp.model)
    for path, document, sdoc in zip(paths, docs, spacy_docs, strict=True):
        gold = json.loads((folder / f"{path.stem}.gold.json").read_text(encoding="utf-8"))
        view = document.view
        ann = candidates(sdoc, view, ctx, nlp)
        exported = export(document, ann, all_candidates=True)
        if kind == "attributions":
            labels = label_attributions(gold, exported["attributions"])
            feats = [attribution_features(sdoc, view.text, a, ann.entities)
                     for a in ann.attributions]
            items = exported["attributions"]
        else:
            labels = label_entities(gold, exported["entities"])
            feats = entity_features(sdoc, view, ann.entities)
            items = exported["entities"]
        for f, label, item in zip(feats, labels, items, strict=True):
            # credits and "could not be verified" are not in PolNeAR's scheme: not learned
            if label is not None and item.get("kind") not in ("credit", "unverified"):
                yield Example(path.stem, f, label, item)
