"""Right or wrong: label each candidate annotation against a human gold annotation, with the
matching rules of the shared scorer (`shared/eval/score.py`, imported from where it lies).

Used by the trainer (on `shared/train/`) and by the evaluation scripts (calibration on
`shared/eval/`), so a confidence means the same thing in both: the probability that the
scorer counts the annotation as right (for an attribution: found and its speaker right).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@cache
def scorer(path: Path = SHARED / "eval" / "score.py") -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_score", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def match_attributions(gold: dict[str, Any], preds: list[dict[str, Any]]
                       ) -> list[tuple[int, int, bool]]:
    """The scorer's one-to-one matching: (gold index, prediction index, source right)."""
    sc = scorer()
    g_attr = gold.get("attributions", [])
    pairs = sorted(((sc.source_ok(g, p), sc.overlap(g.get("quote"), p.get("quote")), -gi, -pi,
                     gi, pi)
                    for gi, g in enumerate(g_attr) for pi, p in enumerate(preds)
                    if sc.attribution_hit(g, p)), reverse=True)
    used_gold: set[int] = set()
    used: set[int] = set()
    out: list[tuple[int, int, bool]] = []
    for ok, _, _, _, gi, pi in pairs:
        if gi in used_gold or pi in used:
            continue
        used_gold.add(gi)
        used.add(pi)
        out.append((gi, pi, bool(ok)))
    return out


def label_attributions(gold: dict[str, Any], preds: list[dict[str, Any]]
                       ) -> list[int | None]:
    """1: matched one-to-one to a gold attribution and its source is right; 0: not;
    None: it matches only an optional (borderline) gold attribution."""
    sc = scorer()
    optional = gold.get("optional_attributions", [])
    labels: list[int | None] = [0] * len(preds)
    used: set[int] = set()
    for _gi, pi, ok in match_attributions(gold, preds):
        used.add(pi)
        labels[pi] = 1 if ok else 0
    for pi, p in enumerate(preds):
        if pi not in used and any(sc.attribution_hit(o, p) for o in optional):
            labels[pi] = None
    return labels


def label_entities(gold: dict[str, Any], preds: list[dict[str, Any]]) -> list[int | None]:
    """1: the scorer matches the mention (text and coarse type); 0: a scored label that
    matches nothing; None: a label the scorer ignores (NORP, DATE, ...)."""
    sc = scorer()
    labels: list[int | None] = [
        0 if (p.get("label") or "").upper() in sc.SCORED else None for p in preds]
    pool: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(preds):
        if labels[i] is not None:
            pool.setdefault((sc.norm(m.get("text")), sc.coarse(m.get("label"))), []).append(i)
    for g in gold.get("entities", []):
        if g["label"] not in sc.SCORED:
            continue
        key = (sc.norm(g["text"]), sc.coarse(g["label"]))
        if pool.get(key):
            labels[pool[key].pop(0)] = 1
    return labels
