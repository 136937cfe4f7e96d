"""Score the entity annotator against the shared gold sets.

Annotates ../shared/examples/seed and ../shared/eval/conll-dev (next to the repository)
and scores them with the shared scorer's rules (../shared/eval/score.py). Per set it prints

- the published scores: the default export, what a reader sees;
- a threshold sweep: entity precision / recall / F1 and linking F1 if the entity publish
  threshold were each value (author overrides are always published);
- the reliability of the confidence over every candidate (`sitegen annotate --all`): each
  candidate labelled right or wrong as the scorer would (training/labels.py), a ten-bin
  table with ECE and AUROC (training/reliability.py), and a reliability diagram PNG.

    .venv/bin/python benchmarks/eval_entities.py            # both sets
    .venv/bin/python benchmarks/eval_entities.py --raw      # the model's doc.ents alone
    .venv/bin/python benchmarks/eval_entities.py --errors   # list misses / false alarms
    .venv/bin/python benchmarks/eval_entities.py --png docs/img --cache /tmp/ev

Exits 0 with a message when ../shared is absent (e.g. on a fresh clone elsewhere).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SETS = {"seed": SHARED / "examples" / "seed", "conll-dev": SHARED / "eval" / "conll-dev"}
SCORED = {"PERSON", "ORG", "GPE", "LOC", "FAC"}
SWEEP = (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9)

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "training"))


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").strip().strip("\"\u201c\u201d.,;:")
    if text.lower().startswith("the "):
        text = text[4:]
    if text.endswith("'s"):
        text = text[:-2]
    return " ".join(text.split()).lower()


def _coarse(label: str) -> str:
    return "PLACE" if label in {"GPE", "LOC", "FAC"} else label


def annotate_set(folder: Path, raw: bool, cache: Path | None
                 ) -> tuple[list[str], list[dict[str, Any]], float]:
    """(article names, `annotate --all` export per article, seconds spent annotating)."""
    from dataset import _docs

    from sitegen.annotate.export import export
    from sitegen.annotate.nlp import load_model
    from sitegen.annotate.pipeline import AnnotationContext, annotate_doc
    from sitegen.config.site import SiteConfig
    from sitegen.core.model import Annotations, EntityMention
    from sitegen.source.discover import read_source
    from sitegen.source.kb import Glossary, KnowledgeBase
    from sitegen.source.parse import parse

    paths = [p for p in sorted(folder.glob("*.md")) if p.name.lower() != "readme.md"]
    docs = [parse(read_source(p, p.name), require_title=False) for p in paths]
    config = SiteConfig(root=Path("."), title="eval")
    nlp = load_model(config.nlp.model)
    started = time.perf_counter()
    sdocs = _docs(docs, cache, 1)
    ctx = AnnotationContext(config, KnowledgeBase(), Glossary())
    out: list[dict[str, Any]] = []
    for d, sdoc in zip(docs, sdocs, strict=True):
        if raw:
            ann = Annotations(entities=tuple(
                EntityMention(e.start_char, e.end_char, e.text, e.label_, e.text, e.text)
                for e in sdoc.ents))
        else:
            ann = annotate_doc(sdoc, d.view, ctx, nlp)
        out.append(export(d, ann, all_candidates=True))
    return [p.stem for p in paths], out, time.perf_counter() - started


def _published(pred: dict[str, Any], threshold: float | None) -> dict[str, Any]:
    """The default export (threshold None) or the one a given entity threshold would give."""
    ents = pred["entities"]
    if threshold is None:
        kept = [m for m in ents if m.get("published", True)]
    else:
        kept = [m for m in ents if m.get("confidence", 1.0) >= threshold]
    return {**pred, "entities": kept}


def score(folder: Path, names: list[str], preds: list[dict[str, Any]],
          threshold: float | None) -> dict[str, tuple[float, float, float]]:
    from labels import scorer

    sc = scorer()
    ent = [0, 0, 0]
    link = [0, 0, 0]
    for name, pred in zip(names, preds, strict=True):
        gold = json.loads((folder / f"{name}.gold.json").read_text(encoding="utf-8"))
        if "entities" not in gold:
            continue
        s = sc.score_entities(gold, _published(pred, threshold))
        ent = [a + b for a, b in zip(ent, s["ent"], strict=True)]
        link = [a + b for a, b in zip(link, s["link"], strict=True)]

    def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0

    return {"entities": prf(*ent), "linking": prf(*link)}


def reliability(folder: Path, names: list[str], preds: list[dict[str, Any]]
                ) -> tuple[list[float], list[int]]:
    """Confidence and right/wrong of every scored candidate."""
    from labels import label_entities

    conf: list[float] = []
    labels: list[int] = []
    for name, pred in zip(names, preds, strict=True):
        gold = json.loads((folder / f"{name}.gold.json").read_text(encoding="utf-8"))
        for m, lab in zip(pred["entities"], label_entities(gold, pred["entities"]),
                          strict=True):
            if lab is not None:
                conf.append(float(m.get("confidence", 1.0)))
                labels.append(lab)
    return conf, labels


def print_errors(folder: Path, names: list[str], preds: list[dict[str, Any]]) -> None:
    """Misses and false alarms of the default export per article, then the most frequent."""
    misses: Counter[tuple[str, str]] = Counter()
    alarms: Counter[tuple[str, str]] = Counter()
    for name, pred in zip(names, preds, strict=True):
        gold = json.loads((folder / f"{name}.gold.json").read_text(encoding="utf-8"))
        shown = _published(pred, None)
        g = Counter((_norm(m["text"]), _coarse(m["label"])) for m in gold.get("entities", [])
                    if m["label"] in SCORED)
        p = Counter((_norm(m["text"]), _coarse(m["label"])) for m in shown["entities"]
                    if m["label"] in SCORED)
        miss, alarm = g - p, p - g
        if miss or alarm:
            print(f"--- {name}")
            print("  missed:", ", ".join(f"{t}/{lab}" for (t, lab) in sorted(miss.elements())))
            print("  wrong: ", ", ".join(f"{t}/{lab}" for (t, lab) in sorted(alarm.elements())))
        misses.update(miss)
        alarms.update(alarm)
    print("most missed:", misses.most_common(40))
    print("most wrong: ", alarms.most_common(40))


def _line(name: str, r: tuple[float, float, float]) -> str:
    return f"{name:10} P {r[0]:.3f}  R {r[1]:.3f}  F1 {r[2]:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--raw", action="store_true", help="score the model's doc.ents alone")
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    parser.add_argument("--only", choices=sorted(SETS), help="score one set only")
    parser.add_argument("--png", type=Path, default=REPO / "docs" / "img",
                        help="folder for the reliability diagrams (default docs/img)")
    parser.add_argument("--no-png", action="store_true", help="draw no diagram")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the spaCy parses here for quicker re-runs")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found (the eval sets live outside the repository)")
        return 0
    from reliability import diagram, reliability_table

    from sitegen.config.thresholds import PublishThresholds

    for name, folder in SETS.items():
        if args.only and name != args.only:
            continue
        if not folder.is_dir():
            print(f"skipped {name}: {folder} not found")
            continue
        names, preds, seconds = annotate_set(folder, args.raw, args.cache)
        n = len(names)
        print(f"== {name}{' (raw model)' if args.raw else ''}: {n} articles, "
              f"{seconds:.2f} s annotating ({1000 * seconds / max(n, 1):.0f} ms/article)")
        published = score(folder, names, preds, None)
        print(f"published (default export, entity threshold "
              f"{PublishThresholds().entities}):")
        print("  " + _line("entities", published["entities"]))
        print("  " + _line("linking", published["linking"]))
        print("threshold sweep:")
        print("  threshold  entities P    R      F1   linking F1")
        for t in SWEEP:
            s = score(folder, names, preds, t)
            e, li = s["entities"], s["linking"]
            print(f"  {t:9.2f}  {e[0]:10.3f} {e[1]:6.3f} {e[2]:6.3f} {li[2]:10.3f}")
        conf, labels = reliability(folder, names, preds)
        print("reliability of every candidate (annotate --all):")
        print(reliability_table(conf, labels))
        if not args.no_png and not args.raw:
            path = args.png / f"reliability-entities-{name}.png"
            if diagram(conf, labels, path, f"entity confidence, {name}"):
                print(f"  diagram: {path}")
        if args.errors:
            print_errors(folder, names, preds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
