"""Train the confidence models shipped in sitegen/annotate/models/.

    pip install -e '.[train]'
    python training/train_confidence.py all --data ../shared/train --seed 13

`attributions` learns from shared/train/polnear-train (840 PolNeAR political news articles,
human-annotated attributions), `entities` from shared/train/conll-train (946 CoNLL-2003
Reuters articles, human-annotated names). Each candidate the annotators propose is labelled
right or wrong with the shared scorer's rules (training/labels.py); a logistic model over the
candidate's named features is fitted (its L2 strength chosen by 5-fold cross-validation
grouped by article), and an isotonic map fitted on the out-of-fold predictions calibrates it.
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


def fit(exs: list[Example], seed: int) -> tuple[dict[str, Any], list[float]]:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import GroupKFold

    vec = DictVectorizer(sparse=True)
    x = vec.fit_transform([e.features for e in exs]).tocsr()
    # liblinear takes 32-bit indices only (DictVectorizer may give 64-bit ones)
    x.indices = x.indices.astype(np.int32)
    x.indptr = x.indptr.astype(np.int32)
    y = np.array([e.label for e in exs])
    groups = np.array([e.article for e in exs])
    # Shuffle the articles into folds with the seed (GroupKFold itself is deterministic).
    rng = np.random.default_rng(seed)
    names = sorted(set(groups.tolist()))
    order = {name: int(k) for name, k in zip(names, rng.permutation(len(names)), strict=True)}
    fold_of = np.array([order[g] % 5 for g in groups])
    best: tuple[float, float, np.ndarray] | None = None
    for c in (0.03, 0.1, 0.3, 1.0, 3.0):
        oof = np.zeros(len(y))
        for k in range(5):
            train, test = fold_of != k, fold_of == k
            model = LogisticRegression(C=c, max_iter=2000, solver="liblinear", random_state=seed)
            model.fit(x[train], y[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
        loss = log_loss(y, oof)
        print(f"  C={c:<5} out-of-fold log loss {loss:.4f}")
        if best is None or loss < best[0]:
            best = (loss, c, oof)
    assert best is not None
    _, c, oof = best
    _ = GroupKFold  # folds above are grouped by article
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(oof, y)
    calibrated = iso.predict(oof).tolist()
    model = LogisticRegression(C=c, max_iter=2000, solver="liblinear", random_state=seed)
    model.fit(x, y)
    weights = {name: round(float(w), 5) for name, w in
               zip(vec.get_feature_names_out(), model.coef_[0], strict=True) if abs(w) >= 1e-5}
    data = {
        "format": 1,
        "bias": round(float(model.intercept_[0]), 5),
        "weights": dict(sorted(weights.items())),
        "calibration": {"x": [round(float(v), 5) for v in iso.X_thresholds_],
                        "y": [round(float(v), 5) for v in iso.y_thresholds_]},
        "trained": {"C": c, "seed": seed, "examples": len(y), "positives": int(y.sum()),
                    "articles": len(names)},
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
    p.add_argument("--articles", default="prose.txt",
                   help="for entities: learn from the articles this file in the data folder "
                        "lists (default prose.txt, the running-text ones; '' for all)")
    args = p.parse_args(argv)
    if not args.data.is_dir():
        print(f"no training data at {args.data}", file=sys.stderr)
        return 1
    kinds = list(SETS) if args.kind == "all" else [args.kind]
    for kind in kinds:
        started = time.perf_counter()
        exs = list(examples(args.data / SETS[kind], kind, cache=args.cache))
        listing = args.data / SETS[kind] / args.articles if args.articles else None
        if kind == "entities" and listing is not None and listing.is_file():
            keep = set(listing.read_text(encoding="utf-8").split())
            exs = [e for e in exs if e.article in keep]
        print(f"{kind}: {len(exs)} candidates from {args.data / SETS[kind]}, "
              f"{sum(e.label for e in exs)} right ({time.perf_counter() - started:.0f} s)")
        data, oof = fit(exs, args.seed)
        data = {"kind": kind, **data}
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"{kind}.json"
        path.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB, "
              f"{len(data['weights'])} weights)")
        print("out-of-fold reliability (training data):")
        print(reliability_table(oof, [e.label for e in exs]))
        print(f"  took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
