"""Score the attribution annotator against the shared gold sets.

Runs the annotation export over ../shared/eval/polnear-dev and ../shared/examples/seed
(next to the repository), writes NAME.json into a temporary folder and runs the shared
scorer on it.

    .venv/bin/python benchmarks/eval_attributions.py              # both sets
    .venv/bin/python benchmarks/eval_attributions.py --only seed  # one set
    .venv/bin/python benchmarks/eval_attributions.py --errors     # misses / false alarms

Exits 0 with a message when ../shared is absent (e.g. on a fresh clone elsewhere).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SETS = {
    "polnear-dev": SHARED / "eval" / "polnear-dev",
    "seed": SHARED / "examples" / "seed",
}
GROUP = {"direct": "speech", "indirect": "speech", "according_to": "speech",
         "unverified": "unverified", "credit": "credit"}
_TOKEN = re.compile(r"\w+")

sys.path.insert(0, str(REPO))


def export_set(folder: Path, out: Path) -> tuple[int, float]:
    """Write NAME.json for every NAME.md in folder; (articles, seconds spent annotating)."""
    from sitegen.annotate.export import export
    from sitegen.annotate.pipeline import AnnotationContext, annotate_views
    from sitegen.config import SiteConfig
    from sitegen.discover import read_source
    from sitegen.kb import Glossary, KnowledgeBase
    from sitegen.parse import parse

    paths = [p for p in sorted(folder.glob("*.md")) if p.name.lower() != "readme.md"]
    docs = [parse(read_source(p, p.name), require_title=False) for p in paths]
    ctx = AnnotationContext(SiteConfig(root=Path("."), title="eval"), KnowledgeBase(),
                            Glossary())
    started = time.perf_counter()
    anns = list(annotate_views([d.view for d in docs], ctx))
    seconds = time.perf_counter() - started
    for path, d, a in zip(paths, docs, anns, strict=True):
        data = export(d, a)
        (out / f"{path.stem}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return len(docs), seconds


def _overlap(a: str | None, b: str | None) -> float:
    ta = Counter(t.lower() for t in _TOKEN.findall((a or "").replace("\u2019", "'")))
    tb = Counter(t.lower() for t in _TOKEN.findall((b or "").replace("\u2019", "'")))
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    p, r = common / sum(ta.values()), common / sum(tb.values())
    return 2 * p * r / (p + r)


def _hit(g: dict[str, Any], p: dict[str, Any]) -> bool:
    if GROUP.get(g["kind"]) != GROUP.get(p.get("kind", "")):
        return False
    if g["kind"] == "credit":
        return _overlap(g.get("source"), p.get("source") or p.get("quote")) >= 0.5
    return not g.get("quote") or _overlap(g["quote"], p.get("quote")) >= 0.5


def print_errors(gold_dir: Path, pred_dir: Path) -> None:
    """Unmatched gold (missed) and unmatched predictions (wrong) per article, then counts."""
    missed: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for gold_file in sorted(gold_dir.glob("*.gold.json")):
        name = gold_file.name[: -len(".gold.json")]
        gold: dict[str, Any] = json.loads(gold_file.read_text(encoding="utf-8"))
        pred_file = pred_dir / f"{name}.json"
        pred: dict[str, Any] = (
            json.loads(pred_file.read_text(encoding="utf-8")) if pred_file.exists() else {}
        )
        preds: list[dict[str, Any]] = list(pred.get("attributions", []))
        used: set[int] = set()
        lines: list[str] = []
        for g in gold.get("attributions", []):
            for i, p in enumerate(preds):
                if i not in used and _hit(g, p):
                    used.add(i)
                    break
            else:
                missed[g["kind"]] += 1
                lines.append(f"  MISS {g['kind']:12} src={g.get('source')!r} "
                             f"cue={g.get('cue')!r} q={(g.get('quote') or '')[:90]!r}")
        optional = gold.get("optional_attributions", [])
        for i, p in enumerate(preds):
            if i in used or any(_hit(o, p) for o in optional):
                continue
            wrong[p["kind"]] += 1
            lines.append(f"  WRONG {p['kind']:11} src={p.get('source')!r} "
                         f"cue={p.get('cue')!r} q={(p.get('quote') or '')[:90]!r}")
        if lines:
            print(f"--- {name}")
            print("\n".join(lines))
    print("missed per kind:", dict(missed))
    print("wrong per kind: ", dict(wrong))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    parser.add_argument("--only", choices=sorted(SETS), help="score one set only")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found (the eval sets live outside the repository)")
        return 0
    scorer = SHARED / "eval" / "score.py"
    for name, folder in SETS.items():
        if args.only and name != args.only:
            continue
        if not folder.is_dir():
            print(f"skipped {name}: {folder} not found")
            continue
        with tempfile.TemporaryDirectory(prefix=f"eval-{name}-") as tmp:
            n, seconds = export_set(folder, Path(tmp))
            print(f"== {name}: {n} articles, {seconds:.2f} s annotating "
                  f"({1000 * seconds / max(n, 1):.0f} ms/article)")
            result = subprocess.run(
                [sys.executable, str(scorer), str(folder), tmp],
                capture_output=True, text=True, check=False,
            )
            lines = [ln for ln in result.stdout.splitlines()
                     if ln.startswith(("attributions", "articles"))]
            print("\n".join(lines) if result.returncode == 0 else result.stdout + result.stderr)
            if args.errors:
                print_errors(folder, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
