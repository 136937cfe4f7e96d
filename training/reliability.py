"""Calibration measures: reliability table, expected calibration error, AUROC, and a
reliability diagram (PNG, when matplotlib is installed: `pip install -e '.[train]'`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def bins(conf: Sequence[float], labels: Sequence[int], n: int = 10
         ) -> list[tuple[float, float, int, float, float]]:
    """(low, high, count, mean confidence, accuracy) per equal-width bin."""
    rows = []
    for b in range(n):
        lo, hi = b / n, (b + 1) / n
        idx = [i for i, c in enumerate(conf) if (lo <= c < hi) or (b == n - 1 and c == 1.0)]
        if idx:
            rows.append((lo, hi, len(idx), sum(conf[i] for i in idx) / len(idx),
                         sum(labels[i] for i in idx) / len(idx)))
        else:
            rows.append((lo, hi, 0, 0.0, 0.0))
    return rows


def ece(conf: Sequence[float], labels: Sequence[int], n: int = 10) -> float:
    total = len(conf) or 1
    return sum(count / total * abs(mean - acc) for _, _, count, mean, acc in
               bins(conf, labels, n) if count)


def auroc(conf: Sequence[float], labels: Sequence[int]) -> float:
    """Probability that a right candidate gets a higher confidence than a wrong one."""
    pairs = sorted(zip(conf, labels, strict=True))
    pos = sum(labels)
    neg = len(labels) - pos
    if not pos or not neg:
        return float("nan")
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2  # 1-based average rank of the tie group
        rank_sum += avg_rank * sum(lab for _, lab in pairs[i:j])
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def reliability_table(conf: Sequence[float], labels: Sequence[int]) -> str:
    lines = ["  bin        n   mean conf  right"]
    for lo, hi, count, mean, acc in bins(conf, labels):
        lines.append(f"  {lo:.1f}-{hi:.1f} {count:6d}   " +
                     (f"{mean:.3f}      {acc:.3f}" if count else "-          -"))
    lines.append(f"  ECE {ece(conf, labels):.3f}   AUROC {auroc(conf, labels):.3f}   "
                 f"n {len(conf)}")
    return "\n".join(lines)


def diagram(conf: Sequence[float], labels: Sequence[int], path: Path, title: str) -> bool:
    """Draw the reliability diagram; False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = [r for r in bins(conf, labels) if r[2]]
    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=100)
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.bar([r[0] + 0.05 for r in rows], [r[4] for r in rows], width=0.09, alpha=0.6,
           label="share right")
    ax.plot([r[3] for r in rows], [r[4] for r in rows], marker="o", color="black",
            label="mean confidence")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("share of candidates that are right")
    ax.set_title(f"{title}\nECE {ece(conf, labels):.3f}, AUROC {auroc(conf, labels):.3f}",
                 fontsize=9)
    ax.legend(loc="upper left", fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return True
