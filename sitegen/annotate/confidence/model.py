"""Learned confidence models: load the shipped JSON weights and turn features into a
calibrated probability.

A model file (`sitegen/annotate/models/KIND.json`, written by `training/train_confidence.py`)
holds a logistic model over sparse named features (or boosted regression trees over the same
features, `"trees"`) and an isotonic calibration map fitted on held-out folds of the training
data:

    {"kind": "attributions", "format": 1, "bias": -1.2, "weights": {"cue=say": 0.8, ...},
     "scale": {"n_tokens": 10.0}, "calibration": {"x": [...], "y": [...]}, "trained": {...}}

Scoring is pure Python (a dot product or a walk down each tree, a sigmoid and a
piecewise-linear map): no training library is needed at build time.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MODELS = Path(__file__).with_name("models")
FORMAT = 1

Features = dict[str, float]


# One regression tree of a boosted model: per node, the feature index it splits on (-1 for a
# leaf), the threshold (go left when the value is <= it), the left and right child, and the
# value a leaf adds to the log-odds.
Tree = tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[int, ...],
             tuple[float, ...]]


@dataclass(frozen=True, slots=True)
class ConfidenceModel:
    kind: str
    bias: float
    weights: dict[str, float]
    scale: dict[str, float]
    cal_x: tuple[float, ...]
    cal_y: tuple[float, ...]
    # a boosted-trees model instead of (or besides) the logistic weights
    tree_features: dict[str, int] | None = None
    trees: tuple[Tree, ...] = ()
    rate: float = 0.0

    def _trees(self, features: Features) -> float:
        index = self.tree_features or {}
        values: dict[int, float] = {}
        for name, value in features.items():
            i = index.get(name)
            if i is not None:
                values[i] = value
        z = 0.0
        for feature, threshold, left, right, leaf in self.trees:
            node = 0
            while feature[node] >= 0:
                node = (left[node] if values.get(feature[node], 0.0) <= threshold[node]
                        else right[node])
            z += leaf[node]
        return self.rate * z

    def raw(self, features: Features) -> float:
        """The model's probability before calibration."""
        z = self.bias
        weights, scale = self.weights, self.scale
        for name, value in features.items():
            w = weights.get(name)
            if w is not None:
                z += w * (value / scale.get(name, 1.0))
        if self.trees:
            z += self._trees(features)
        z = max(-40.0, min(40.0, z))
        return 1.0 / (1.0 + math.exp(-z))

    def probability(self, features: Features) -> float:
        """The calibrated probability that the annotation is right, rounded to 3 places."""
        p = self.raw(features)
        return round(calibrate(p, self.cal_x, self.cal_y), 3)

    def probabilities(self, rows: Sequence[Features]) -> list[float]:
        """`probability` of each row, the trees walked for all rows at once (the same
        arithmetic in the same order, so the same numbers)."""
        if not self.trees or len(rows) < 2:
            return [self.probability(f) for f in rows]
        tree_z = _walk(self, rows)
        out: list[float] = []
        weights, scale = self.weights, self.scale
        for features, tz in zip(rows, tree_z, strict=True):
            z = self.bias
            for name, value in features.items():
                w = weights.get(name)
                if w is not None:
                    z += w * (value / scale.get(name, 1.0))
            z += self.rate * tz
            z = max(-40.0, min(40.0, z))
            out.append(round(calibrate(1.0 / (1.0 + math.exp(-z)), self.cal_x, self.cal_y),
                             3))
        return out


_FLAT: dict[int, tuple[ConfidenceModel, Any]] = {}


def _flat(model: ConfidenceModel) -> Any:
    """The trees of `model` as flat arrays (feature, threshold, left, right, leaf; children
    as indexes into the flat arrays) and each tree's root, built once per model."""
    hit = _FLAT.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    import numpy as np

    feats: list[int] = []
    thr: list[float] = []
    left: list[int] = []
    right: list[int] = []
    leaf: list[float] = []
    roots: list[int] = []
    for feature, threshold, lft, rgt, value in model.trees:
        base = len(feats)
        roots.append(base)
        feats.extend(feature)
        thr.extend(threshold)
        left.extend(base + i if f >= 0 else 0 for i, f in zip(lft, feature, strict=True))
        right.extend(base + i if f >= 0 else 0 for i, f in zip(rgt, feature, strict=True))
        leaf.extend(value)
    flat = (np.array(feats, dtype=np.int64), np.array(thr, dtype=np.float64),
            np.array(left, dtype=np.int64), np.array(right, dtype=np.int64),
            np.array(leaf, dtype=np.float64), np.array(roots, dtype=np.int64))
    _FLAT[id(model)] = (model, flat)
    return flat


def _walk(model: ConfidenceModel, rows: Sequence[Features]) -> list[float]:
    """Per row, the sum of the trees' leaves (added tree by tree, in order, from 0.0)."""
    import numpy as np

    feats, thr, left, right, leaf, roots = _flat(model)
    index = model.tree_features or {}
    values = np.zeros((len(rows), len(index) + 1), dtype=np.float64)
    for r, features in enumerate(rows):
        for name, value in features.items():
            i = index.get(name)
            if i is not None:
                values[r, i] = value
    node = np.broadcast_to(roots, (len(rows), len(roots))).copy()
    lanes = np.arange(len(rows))[:, None]
    while True:
        f = feats[node]
        inner = f >= 0
        if not inner.any():
            break
        go_left = values[lanes, np.where(inner, f, len(index))] <= thr[node]
        node = np.where(inner, np.where(go_left, left[node], right[node]), node)
    # add.accumulate adds left to right, as the loop of `_trees` does
    z = np.add.accumulate(leaf[node], axis=1)[:, -1]
    return [float(x) for x in z]


def bucket(n: float, edges: tuple[float, ...]) -> str:
    """The named bin of a size feature: "<=4", ">120"."""
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def calibrate(p: float, xs: tuple[float, ...], ys: tuple[float, ...]) -> float:
    """Piecewise-linear interpolation of the isotonic map (clamped at its ends)."""
    if not xs:
        return p
    if p <= xs[0]:
        return ys[0]
    if p >= xs[-1]:
        return ys[-1]
    i = bisect.bisect_right(xs, p)
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (p - x0) / (x1 - x0)


def from_json(data: dict[str, Any]) -> ConfidenceModel:
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown confidence model format {data.get('format')!r}")
    cal = data.get("calibration") or {}
    boosted = data.get("trees") or {}
    trees: list[Tree] = [
        (tuple(int(v) for v in t[0]), tuple(float(v) for v in t[1]),
         tuple(int(v) for v in t[2]), tuple(int(v) for v in t[3]),
         tuple(float(v) for v in t[4]))
        for t in boosted.get("trees", ())]
    names = boosted.get("features")
    return ConfidenceModel(
        kind=str(data["kind"]), bias=float(data["bias"]),
        weights={str(k): float(v) for k, v in data.get("weights", {}).items()},
        scale={str(k): float(v) for k, v in data.get("scale", {}).items()},
        cal_x=tuple(float(x) for x in cal.get("x", ())),
        cal_y=tuple(float(y) for y in cal.get("y", ())),
        tree_features={str(n): i for i, n in enumerate(names)} if names else None,
        trees=tuple(trees), rate=float(boosted.get("rate", 0.0)),
    )


@cache
def load(kind: str) -> ConfidenceModel | None:
    """The shipped model for `kind` ("entities", "attributions"), or None when the package
    has none (then every candidate keeps confidence 1.0)."""
    path = MODELS / f"{kind}.json"
    if not path.is_file():
        return None
    return from_json(json.loads(path.read_text(encoding="utf-8")))


@cache
def models_version() -> str:
    """A digest of every shipped model file: part of the annotation cache key, so retrained
    weights re-annotate every article."""
    h = hashlib.sha256()
    for path in sorted(MODELS.glob("*.json")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]
