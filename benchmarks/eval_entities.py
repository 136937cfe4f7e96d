"""Score the entity annotator against the shared gold sets.

Runs the annotation export over ../shared/examples/seed and ../shared/eval/conll-dev (next
to the repository), writes NAME.json into a temporary folder and runs the shared scorer.

    .venv/bin/python benchmarks/eval_entities.py            # both sets
    .venv/bin/python benchmarks/eval_entities.py --raw      # the model's doc.ents alone
    .venv/bin/python benchmarks/eval_entities.py --errors   # list misses / false alarms

Exits 0 with a message when ../shared is absent (e.g. on a fresh clone elsewhere).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SETS = {"seed": SHARED / "examples" / "seed", "conll-dev": SHARED / "eval" / "conll-dev"}
SCORED = {"PERSON", "ORG", "GPE", "LOC", "FAC"}

sys.path.insert(0, str(REPO))


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").strip().strip("\"\u201c\u201d.,;:")
    if text.lower().startswith("the "):
        text = text[4:]
    if text.endswith("'s"):
        text = text[:-2]
    return " ".join(text.split()).lower()


def _coarse(label: str) -> str:
    return "PLACE" if label in {"GPE", "LOC", "FAC"} else label


def export_set(folder: Path, out: Path, raw: bool) -> tuple[int, float]:
    """Write NAME.json for every NAME.md in folder; (articles, seconds spent annotating)."""
    from sitegen.annotate.export import export
    from sitegen.annotate.nlp import load_model
    from sitegen.annotate.pipeline import AnnotationContext, annotate_views
    from sitegen.config import SiteConfig
    from sitegen.discover import read_source
    from sitegen.kb import Glossary, KnowledgeBase
    from sitegen.model import Annotations, EntityMention
    from sitegen.parse import parse

    paths = sorted(folder.glob("*.md"))
    paths = [p for p in paths if p.name.lower() != "readme.md"]
    docs = [parse(read_source(p, p.name), require_title=False) for p in paths]
    config = SiteConfig(root=Path("."), title="eval")
    started = time.perf_counter()
    if raw:
        nlp = load_model(config.nlp.model)
        anns = []
        for sdoc in nlp.pipe(d.view.text for d in docs):
            ents = tuple(
                EntityMention(e.start_char, e.end_char, e.text, e.label_, e.text, e.text)
                for e in sdoc.ents
            )
            anns.append(Annotations(entities=ents))
    else:
        ctx = AnnotationContext(config, KnowledgeBase(), Glossary())
        anns = list(annotate_views([d.view for d in docs], ctx))
    seconds = time.perf_counter() - started
    for path, d, a in zip(paths, docs, anns, strict=True):
        data = export(d, a)
        (out / f"{path.stem}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return len(docs), seconds


def print_errors(gold_dir: Path, pred_dir: Path) -> None:
    """Misses and false alarms per article, then the most frequent ones."""
    misses: Counter[tuple[str, str]] = Counter()
    alarms: Counter[tuple[str, str]] = Counter()
    for gold_file in sorted(gold_dir.glob("*.gold.json")):
        name = gold_file.name[: -len(".gold.json")]
        gold: dict[str, Any] = json.loads(gold_file.read_text(encoding="utf-8"))
        pred_file = pred_dir / f"{name}.json"
        pred: dict[str, Any] = (
            json.loads(pred_file.read_text(encoding="utf-8")) if pred_file.exists() else {}
        )
        g = Counter((_norm(m["text"]), _coarse(m["label"])) for m in gold.get("entities", [])
                    if m["label"] in SCORED)
        p = Counter((_norm(m["text"]), _coarse(m["label"])) for m in pred.get("entities", [])
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--raw", action="store_true", help="score the model's doc.ents alone")
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
            n, seconds = export_set(folder, Path(tmp), args.raw)
            print(f"== {name}{' (raw model)' if args.raw else ''}: {n} articles, "
                  f"{seconds:.2f} s annotating ({1000 * seconds / max(n, 1):.0f} ms/article)")
            result = subprocess.run(
                [sys.executable, str(scorer), str(folder), tmp],
                capture_output=True, text=True, check=False,
            )
            lines = [ln for ln in result.stdout.splitlines()
                     if ln.startswith(("entities", "linking", "articles"))]
            print("\n".join(lines) if result.returncode == 0 else result.stdout + result.stderr)
            if args.errors:
                print_errors(folder, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
