"""Score the attribution annotator against the shared gold sets.

Annotates ../shared/eval/polnear-dev and ../shared/examples/seed (next to the repository)
and scores with the shared scorer (../shared/eval/score.py):

- the published export (what a reader sees, `sitegen annotate`), with the site's default
  publish threshold;
- a threshold sweep over every candidate (`sitegen annotate --all`);
- calibration of the candidates' confidences: a reliability table, ECE, AUROC, and a
  reliability diagram (PNG, with `--png DIR`; needs matplotlib: pip install -e '.[train]').

    .venv/bin/python benchmarks/eval_attributions.py              # both sets
    .venv/bin/python benchmarks/eval_attributions.py --only seed  # one set
    .venv/bin/python benchmarks/eval_attributions.py --errors     # wrong published ones

Exits 0 with a message when ../shared is absent (e.g. on a fresh clone elsewhere).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SETS = {
    "polnear-dev": SHARED / "eval" / "polnear-dev",
    "seed": SHARED / "examples" / "seed",
}
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "training"))


def export_set(folder: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any], float]:
    """({name: export with every candidate}, {name: gold}, seconds spent annotating)."""
    from sitegen.annotate.export import export
    from sitegen.annotate.pipeline import AnnotationContext, annotate_views
    from sitegen.config.site import SiteConfig
    from sitegen.source.discover import read_source
    from sitegen.source.kb import Glossary, KnowledgeBase
    from sitegen.source.parse import parse

    paths = [p for p in sorted(folder.glob("*.md")) if p.name.lower() != "readme.md"]
    docs = [parse(read_source(p, p.name), require_title=False) for p in paths]
    ctx = AnnotationContext(SiteConfig(root=Path("."), title="eval"), KnowledgeBase(),
                            Glossary())
    started = time.perf_counter()
    anns = list(annotate_views([d.view for d in docs], ctx))
    seconds = time.perf_counter() - started
    exports = {p.stem: export(d, a, all_candidates=True)
               for p, d, a in zip(paths, docs, anns, strict=True)}
    golds = {p.stem: json.loads((folder / f"{p.stem}.gold.json").read_text(encoding="utf-8"))
             for p in paths}
    return exports, golds, seconds


def score(exports: dict[str, dict[str, Any]], golds: dict[str, Any],
          keep: Any) -> dict[str, tuple[float, float, float, int]]:
    """Micro-averaged (P, R, F1, predicted) of the shared scorer over the kept candidates."""
    from labels import scorer

    sc = scorer()
    totals = {"attr": [0, 0, 0], "attr_src": [0, 0, 0]}
    for name, gold in golds.items():
        pred = {"attributions": [a for a in exports[name]["attributions"] if keep(a)]}
        for k, v in sc.score_attributions(gold, pred).items():
            totals[k] = [x + y for x, y in zip(totals[k], v, strict=True)]
    out = {}
    for k, (tp, n_pred, n_gold) in totals.items():
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        out[k] = (p, r, 2 * p * r / (p + r) if p + r else 0.0, n_pred)
    return out


def _line(label: str, s: tuple[float, float, float, int]) -> str:
    return f"{label:26} P {s[0]:.3f}  R {s[1]:.3f}  F1 {s[2]:.3f}  (predicted {s[3]})"


def report(name: str, exports: dict[str, dict[str, Any]], golds: dict[str, Any],
           png: Path | None, errors: bool) -> None:
    from labels import label_attributions
    from reliability import diagram, reliability_table

    published = score(exports, golds, lambda a: a["published"])
    everything = score(exports, golds, lambda a: True)
    print(_line("attributions", published["attr"]))
    print(_line("attributions_with_source", published["attr_src"]))
    print(_line("  all candidates, any src", everything["attr"]))
    print(_line("  all candidates, w/ src", everything["attr_src"]))
    print("threshold sweep (with source):")
    for t in (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        s = score(exports, golds, lambda a, t=t: a["confidence"] >= t)
        print(f"  >= {t:.2f}  any-source P {s['attr'][0]:.3f}  " + _line("", s["attr_src"]))
    conf: list[float] = []
    labels: list[int] = []
    for doc_name, gold in golds.items():
        items = exports[doc_name]["attributions"]
        for item, label in zip(items, label_attributions(gold, items), strict=True):
            if label is not None:
                conf.append(item["confidence"])
                labels.append(label)
                if errors and item["published"] and not label:
                    print(f"  WRONG {doc_name[:40]} {item['kind']:12} "
                          f"conf={item['confidence']:.2f} src={item.get('source')!r} "
                          f"cue={item.get('cue')!r} q={(item.get('quote') or '')[:70]!r}")
    print(per_kind(exports, golds))
    print("calibration of every candidate (right = found with its right speaker):")
    print(reliability_table(conf, labels))
    if png is not None and diagram(conf, labels, png / f"reliability-attributions-{name}.png",
                                   f"Attributions, {name}"):
        print(f"diagram: {png / f'reliability-attributions-{name}.png'}")


def per_kind(exports: dict[str, dict[str, Any]], golds: dict[str, Any]) -> str:
    """Precision per published kind and recall per gold kind (with the right speaker)."""
    from collections import Counter

    from labels import match_attributions

    shown: Counter[str] = Counter()
    right: Counter[str] = Counter()
    gold_n: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for name, gold in golds.items():
        preds = [a for a in exports[name]["attributions"] if a["published"]]
        shown.update(a["kind"] for a in preds)
        gold_n.update(g["kind"] for g in gold.get("attributions", []))
        for gi, pi, ok in match_attributions(gold, preds):
            if ok:
                right[preds[pi]["kind"]] += 1
                found[gold["attributions"][gi]["kind"]] += 1
    lines = ["per kind (published, with the right speaker):",
             "  kind           shown  precision   gold  recall"]
    for kind in ("direct", "indirect", "according_to", "unverified", "credit"):
        if shown[kind] or gold_n[kind]:
            p = right[kind] / shown[kind] if shown[kind] else 0.0
            r = found[kind] / gold_n[kind] if gold_n[kind] else 0.0
            lines.append(f"  {kind:13} {shown[kind]:6d}  {p:9.3f}  {gold_n[kind]:5d}  {r:6.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--errors", action="store_true", help="list wrong published ones")
    parser.add_argument("--only", choices=sorted(SETS), help="score one set only")
    parser.add_argument("--png", type=Path, default=None,
                        help="write reliability diagrams into this folder")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found (the eval sets live outside the repository)")
        return 0
    for name, folder in SETS.items():
        if args.only and name != args.only:
            continue
        if not folder.is_dir():
            print(f"skipped {name}: {folder} not found")
            continue
        exports, golds, seconds = export_set(folder)
        n = len(exports)
        print(f"== {name}: {n} articles, {seconds:.2f} s annotating "
              f"({1000 * seconds / max(n, 1):.0f} ms/article)")
        report(name, exports, golds, args.png, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
