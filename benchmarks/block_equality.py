"""Block-wise against whole-article annotation: how many annotations differ, and what each
path scores against the shared gold sets.

Annotates ../shared/eval/polnear-dev, ../shared/eval/conll-dev (next to the repository) and
the demo site's articles twice: with one spaCy pass over each whole article (the old path)
and with the article's Doc assembled from per-block analyses (annotate/blocks.py). Prints
per set: the annotations (entities, glossary matches, attributions, by span and label or
kind) found by only one path, those found by both with another confidence or publication,
the tokens whose tag, parse, sentence start or entity differ, the time of each spaCy pass
and of the document-level steps; and, where gold files exist, the shared scorer's F1 of
the published annotations for each path.

    .venv/bin/python benchmarks/block_equality.py
    .venv/bin/python benchmarks/block_equality.py --only conll-dev --show 5

The sets under ../shared are skipped with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))

SETS = {
    "polnear-dev": SHARED / "eval" / "polnear-dev",
    "conll-dev": SHARED / "eval" / "conll-dev",
    "demo": REPO / "content" / "articles",
}
TOKEN_FIELDS = ("tag_", "dep_", "lemma_", "ent_iob_", "ent_type_", "is_sent_start")


def _ident(kind: str, item: Any) -> tuple[Any, ...]:
    """What an annotation is, without its confidence and publication."""
    skip = {"confidence", "published"}
    return (kind, *(getattr(item, f) for f in item.__dataclass_fields__ if f not in skip))


def _table(ann: Any) -> dict[tuple[Any, ...], tuple[Any, Any]]:
    out = {}
    for kind in ("entities", "glossary", "attributions"):
        for item in getattr(ann, kind):
            out[_ident(kind, item)] = (getattr(item, "confidence", None),
                                       getattr(item, "published", None))
    return out


def run_set(name: str, folder: Path, show: int) -> dict[str, Any]:
    from sitegen.annotate.block_cache import BlockCache
    from sitegen.annotate.blocks import NlpSplit, block_docs
    from sitegen.annotate.nlp import load_model, pipe_texts
    from sitegen.annotate.pipeline import AnnotationContext, annotate_doc
    from sitegen.config.site import SiteConfig, load_config
    from sitegen.source.discover import read_source
    from sitegen.source.kb import Glossary, KnowledgeBase, load_glossary, load_kb
    from sitegen.source.parse import parse

    paths = [p for p in sorted(folder.glob("*.md")) if p.name.lower() != "readme.md"]
    docs = [parse(read_source(p, p.name), require_title=False) for p in paths]
    if name == "demo":
        config = load_config(REPO)
        content = config.content_path
        ctx = AnnotationContext(config, load_kb(content / config.entities.file),
                                load_glossary(content / config.glossary.file))
    else:
        ctx = AnnotationContext(SiteConfig(root=Path("."), title="eval"), KnowledgeBase(),
                                Glossary())
    nlp = load_model(ctx.config.nlp.model)
    texts = [d.view.text for d in docs]
    t0 = time.perf_counter()
    whole = list(pipe_texts(nlp, texts))
    t_whole = time.perf_counter() - t0
    split = NlpSplit()
    with tempfile.TemporaryDirectory() as tmp, BlockCache(Path(tmp)) as cache:
        t0 = time.perf_counter()
        blocks = block_docs(nlp, texts, cache, split)
        t_blocks = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = block_docs(nlp, texts, cache, NlpSplit())  # every block from the cache
        t_cached = time.perf_counter() - t0
    tokens = Counter[str]()
    only_whole = only_blocks = scored_diff = same = 0
    t_steps = 0.0
    anns: dict[str, list[Any]] = {"whole": [], "blocks": []}
    examples: list[str] = []
    for path, doc, a, b, c in zip(paths, docs, whole, blocks, again, strict=True):
        assert b.text == doc.view.text == c.text, path
        if len(a) != len(b):
            tokens["tokenisation"] += 1
        for x, y in zip(a, b, strict=False):
            for f in TOKEN_FIELDS:
                if getattr(x, f) != getattr(y, f):
                    tokens[f] += 1
            if x.head.i != y.head.i:
                tokens["head"] += 1
        aa = annotate_doc(a, doc.view, ctx, nlp)
        t0 = time.perf_counter()
        bb = annotate_doc(b, doc.view, ctx, nlp)
        t_steps += time.perf_counter() - t0
        assert annotate_doc(c, doc.view, ctx, nlp) == bb, f"{path}: cached blocks differ"
        anns["whole"].append(aa)
        anns["blocks"].append(bb)
        ta, tb = _table(aa), _table(bb)
        for key in ta.keys() - tb.keys():
            only_whole += 1
            if len(examples) < show:
                examples.append(f"  {path.name}: whole only {key[:5]}")
        for key in tb.keys() - ta.keys():
            only_blocks += 1
            if len(examples) < show:
                examples.append(f"  {path.name}: blocks only {key[:5]}")
        for key in ta.keys() & tb.keys():
            if ta[key] == tb[key]:
                same += 1
            else:
                scored_diff += 1
    articles_differ = sum(1 for a, b in zip(anns["whole"], anns["blocks"], strict=True)
                          if a != b)
    result: dict[str, Any] = {
        "articles": len(docs), "articles_differ": articles_differ,
        "annotations_same": same, "only_whole": only_whole, "only_blocks": only_blocks,
        "confidence_or_published_differ": scored_diff,
        "tokens": sum(len(d) for d in whole), "token_diffs": dict(tokens),
        "blocks": split.blocks, "nlp_whole_s": round(t_whole, 2),
        "nlp_blocks_s": round(t_blocks, 2), "blocks_cached_s": round(t_cached, 2),
        "doc_steps_s": round(t_steps, 2),
    }
    gold = [folder / f"{p.stem}.gold.json" for p in paths]
    if all(g.is_file() for g in gold) and gold:
        result["scores"] = {k: _score(docs, v, gold) for k, v in anns.items()}
    print(f"\n{name}: {json.dumps(result, indent=1)}")
    for line in examples:
        print(line)
    return result


def _score(docs: list[Any], anns: list[Any], gold: list[Path]) -> dict[str, float]:
    import importlib.util

    from sitegen.annotate.export import export

    spec = importlib.util.spec_from_file_location("shared_score", SHARED / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    sc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sc)
    totals: dict[str, list[int]] = {}
    for doc, ann, g in zip(docs, anns, gold, strict=True):
        counts = sc.score_article(json.loads(g.read_text("utf-8")), export(doc, ann))
        for k, v in counts.items():
            totals[k] = [x + y for x, y in zip(totals.get(k, [0, 0, 0]), v, strict=True)]
    return {k: sc.prf(*v)["f1"] for k, v in totals.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--only", choices=sorted(SETS), action="append", default=[])
    ap.add_argument("--show", type=int, default=0, help="print this many differences per set")
    args = ap.parse_args()
    for name in args.only or list(SETS):
        folder = SETS[name]
        if not folder.is_dir():
            print(f"{name}: {folder} not found, skipped")
            continue
        run_set(name, folder, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
