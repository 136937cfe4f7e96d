"""Train the confidence models shipped in sitegen/annotate/models/.

    pip install -e '.[train]'
    python training/train_confidence.py all --data ../shared/train --seed 13

`attributions` learns from shared/train/polnear-train (840 PolNeAR political news articles,
human-annotated attributions), `entities` from shared/train/conll-train (946 CoNLL-2003
Reuters articles, human-annotated names). Each candidate the annotators propose is labelled
right or wrong with the shared scorer's rules (training/labels.py); a logistic model over the
candidate's named features is fitted — gradient-boosted trees (default) or logistic
regression, `--model` — with its capacity chosen by 5-fold cross-validation grouped by
article, and an isotonic map fitted on the out-of-fold predictions calibrates it.
Deterministic given the seed; about 5 minutes on 2 cores (the spaCy pass is cached with
--cache). Prints the out-of-fold reliability table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dataset import Example, examples  # noqa: E402
from reliability import reliability_table  # noqa: E402

REPO = HERE.parent
SETS = {"attributions": "polnear-train", "entities": "conll-train"}
MODELS = REPO / "sitegen" / "annotate" / "models"


def _folds(exs: list[Example], seed: int) -> list[int]:
    """Each example's fold (0-4): articles shuffled with the seed, so an article's
    candidates are never split between training and testing."""
    import numpy as np

    names = sorted({e.article for e in exs})
    rng = np.random.default_rng(seed)
    order = {names[int(j)]: k for k, j in enumerate(rng.permutation(len(names)))}
    return [order[e.article] % 5 for e in exs]


def _logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000, solver="liblinear")


def _boosted(seed: int, depth: int) -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=300, max_depth=depth, learning_rate=0.08,
                                      subsample=0.8, min_samples_leaf=10, random_state=seed)


def _export_trees(model: Any, names: list[str]) -> dict[str, Any]:
    """The boosted trees as plain lists, and the log-odds they start from."""
    import numpy as np
    from scipy.sparse import csr_matrix

    trees = []
    at_zero = 0.0
    for est in model.estimators_[:, 0]:
        t = est.tree_
        leaf = [round(float(v), 6) for v in t.value[:, 0, 0]]
        feature = [int(f) if left >= 0 else -1 for f, left in
                   zip(t.feature, t.children_left, strict=True)]
        trees.append([feature, [round(float(v), 6) for v in t.threshold],
                      [int(v) for v in t.children_left], [int(v) for v in t.children_right],
                      leaf])
        node = 0
        while feature[node] >= 0:  # the all-zero row goes left at every split (0 <= t)
            node = trees[-1][2][node] if trees[-1][1][node] >= 0.0 else trees[-1][3][node]
        at_zero += leaf[node]
    used = sorted({f for tr in trees for f in tr[0] if f >= 0})
    remap = {f: i for i, f in enumerate(used)}
    for tr in trees:
        tr[0] = [remap[f] if f >= 0 else -1 for f in tr[0]]
    zero = csr_matrix((1, len(names)), dtype=np.float64)
    init = float(model.decision_function(zero)[0]) - model.learning_rate * at_zero
    return {"bias": round(init, 6), "trees": {"features": [names[f] for f in used],
                                              "rate": model.learning_rate, "trees": trees}}


def fit(exs: list[Example], seed: int, family: str) -> tuple[dict[str, Any], list[float]]:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.isotonic import IsotonicRegression
    from sklearn.metrics import log_loss

    vec = DictVectorizer(sparse=True)
    x = vec.fit_transform([e.features for e in exs]).tocsr()
    x.indices = x.indices.astype(np.int32)  # liblinear wants 32-bit sparse indices
    x.indptr = x.indptr.astype(np.int32)
    y = np.array([e.label for e in exs])
    fold_of = np.array(_folds(exs, seed))
    if family == "logistic":
        choices: dict[str, Any] = {f"C={c}": (lambda c=c: _logistic(c))
                                   for c in (0.03, 0.1, 0.3, 1.0)}
    else:
        choices = {f"depth={d}": (lambda d=d: _boosted(seed, d)) for d in (3, 4)}
    best: tuple[float, str, Any] | None = None
    for label, make in choices.items():
        oof = np.zeros(len(y))
        for k in range(5):
            train, test = fold_of != k, fold_of == k
            model = make().fit(x[train], y[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
        loss = log_loss(y, oof)
        print(f"  {family} {label:<8} out-of-fold log loss {loss:.4f}")
        if best is None or loss < best[0]:
            best = (loss, label, oof)
    assert best is not None
    _, label, oof = best
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(oof, y)
    calibrated = iso.predict(oof).tolist()
    model = choices[label]().fit(x, y)
    names = list(vec.get_feature_names_out())
    if family == "logistic":
        weights = {name: round(float(w), 5) for name, w in
                   zip(names, model.coef_[0], strict=True) if abs(w) >= 1e-5}
        params: dict[str, Any] = {"bias": round(float(model.intercept_[0]), 5),
                                  "weights": dict(sorted(weights.items()))}
    else:
        params = _export_trees(model, names)
    data = {
        "format": 1,
        **params,
        "calibration": {"x": [round(float(v), 5) for v in iso.X_thresholds_],
                        "y": [round(float(v), 5) for v in iso.y_thresholds_]},
        "trained": {"model": f"{family} {label}", "seed": seed, "examples": len(y),
                    "positives": int(y.sum()), "articles": len({e.article for e in exs}),
                    "oof_log_loss": round(best[0], 4)},
    }
    return data, calibrated


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=["attributions", "entities", "all"])
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "train")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--cache", type=Path, default=None,
                   help="keep the spaCy parses here (DocBin) for quicker re-runs")
    p.add_argument("--out", type=Path, default=MODELS)
    p.add_argument("--model", choices=["logistic", "trees"], default="trees",
                   help="logistic regression or gradient-boosted trees (default)")
    args = p.parse_args(argv)
    if not args.data.is_dir():
        print(f"no training data at {args.data}", file=sys.stderr)
        return 1
    kinds = list(SETS) if args.kind == "all" else [args.kind]
    for kind in kinds:
        started = time.perf_counter()
        exs = list(examples(args.data / SETS[kind], kind, cache=args.cache))
        print(f"{kind}: {len(exs)} candidates from {args.data / SETS[kind]}, "
              f"{sum(e.label for e in exs)} right ({time.perf_counter() - started:.0f} s)")
        data, oof = fit(exs, args.seed, args.model)
        data = {"kind": kind, **data}
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"{kind}.json"
        path.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB, {data['trained']['model']})")
        print("out-of-fold reliability (training data):")
        print(reliability_table(oof, [e.label for e in exs]))
        print(f"  took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
