"""Adversarial inputs at growing sizes: does a build stay linear in time and memory?

Each input is one hostile article (or glossary) next to a normal one, generated at 1x, 2x,
4x and 8x its base size. Every build runs `sitegen build --no-cache` in its own process;
its wall time and peak resident memory (ru_maxrss of that child's rusage, from wait4,
grandchildren included) are printed, with the time ratio to the previous size: about 2
means linear growth, about 4 quadratic. A build that a [limits] setting refuses prints
"refused" (exit 1, the other article built).

    .venv/bin/python benchmarks/adversarial.py                     # every input, 1x-8x
    .venv/bin/python benchmarks/adversarial.py --only links,footnotes --scale 4
    .venv/bin/python benchmarks/adversarial.py --json out.json --plot docs/adversarial.png
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADER = '---\ntitle: "Hostile"\ndate: 2026-03-01\n{extra}---\n\n'
NORMAL = ('---\ntitle: "Normal"\ndate: 2026-03-01\n---\n\nThe council met on Monday in '
          'Rotterdam. "We will act," the mayor said.\n')
CONFIG = ('title = "Adversarial"\n[limits]\nmax_article_bytes = 20000000\n'
          'max_tags = 100000\n')


def _paragraphs(n: int) -> str:
    return "".join(f"The council met on Monday in Rotterdam to discuss barrier {i}, and the "
                   f"mayor said the city would act. Residents were told to wait.\n\n"
                   for i in range(n))


# name -> (description, base size, article body (or front matter) for a size)
INPUTS: dict[str, tuple[str, int, Callable[[int], tuple[str, str]]]] = {
    "plain": ("paragraphs of news text", 1000, lambda n: ("", _paragraphs(n))),
    "curly-quotes": ("paragraphs opened with a curly quote", 1500,
                     lambda n: ("", "".join(f"\u201cWe met {i} times and the council said "
                                            "nothing, the mayor added.\n\n"
                                            for i in range(n)))),
    "footnotes": ("footnote references and definitions", 2000,
                  lambda n: ("", "".join(f"Claim {i}.[^{i}]\n\n" for i in range(n))
                             + "".join(f"[^{i}]: Source {i}.\n" for i in range(n)))),
    "links": ("inline links", 4000,
              lambda n: ("", " ".join(f"[link {i}](https://example.com/{i})"
                                      for i in range(n)) + "\n")),
    "nested-brackets": ("nested brackets", 1000,
                        lambda n: ("", "[" * n + "x" + "]" * n + "\n")),
    "straight-quotes": ("a run of straight quotes", 2500, lambda n: ("", '"' * n + "\n")),
    "open-brackets": ("a run of [", 5000, lambda n: ("", "[" * n + "\n")),
    "same-headings": ("the same heading repeated", 5000,
                      lambda n: ("", "## Same\n\n" * n)),
    "tags": ("tags on one article", 250, lambda n: (
        "tags: [" + ", ".join(f"tag{i}" for i in range(n)) + "]\n", "Tagged text.\n")),
}
GLOSSARY = "glossary-forms"
GLOSSARY_BASE = 120  # forms; kb.MAX_FORMS (1,000) caps a term


@dataclass
class Row:
    input: str
    factor: int
    size: int  # bytes of the hostile file
    seconds: float
    peak_mb: float
    status: str  # "built", "refused" or "failed"


def write_site(root: Path, name: str, n: int) -> int:
    shutil.rmtree(root, ignore_errors=True)
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(CONFIG, "utf-8")
    (root / "content/normal.md").write_text(NORMAL, "utf-8")
    if name == GLOSSARY:
        forms = ", ".join(f'"barrier form {i}"' for i in range(n))
        data = f"- term: storm barrier\n  definition: A gate.\n  forms: [{forms}]\n"
        (root / "content/glossary.yaml").write_text(data, "utf-8")
        return len(data.encode())
    extra, body = INPUTS[name][2](n)
    text = HEADER.format(extra=extra) + body
    (root / "content/hostile.md").write_text(text, "utf-8")
    return len(text.encode())


def run_build(root: Path, timeout: float) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and status of one `sitegen build` process."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "SITEGEN_NO_SEARCH": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--site", str(root),
                             "--no-cache"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            return time.perf_counter() - start, usage.ru_maxrss / 1024, "timeout"
        time.sleep(0.05)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    code = proc.returncode
    state = ("built" if code == 0 else "refused" if code == 1 and "refused" in err
             and "Traceback" not in err else "failed")
    if state == "failed":
        print(err[-2000:], file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, state


def measure(names: list[str], factors: list[int], scale: float, timeout: float,
            show: Callable[[Row, Row | None], None]) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="sitegen-adv-") as tmp:
        for name in names:
            base = GLOSSARY_BASE if name == GLOSSARY else INPUTS[name][1]
            previous: Row | None = None
            for factor in factors:
                size = write_site(Path(tmp) / name, name, max(1, int(base * scale * factor)))
                seconds, peak, status = run_build(Path(tmp) / name, timeout)
                row = Row(name, factor, size, seconds, peak, status)
                show(row, previous)
                rows.append(row)
                previous = row
                if status == "timeout":
                    break
    return rows


def show_row(row: Row, previous: Row | None) -> None:
    ratio = f"x{row.seconds / previous.seconds:4.2f}" if previous else "     "
    print(f"{row.input:16} {row.factor:2}x {row.size / 1024:9.0f} KB {row.seconds:8.2f} s "
          f"{ratio} {row.peak_mb:8.0f} MB  {row.status}", flush=True)


def plot(rows: list[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name in dict.fromkeys(r.input for r in rows):
        mine = [r for r in rows if r.input == name]
        xs = [r.factor for r in mine]
        left.plot(xs, [r.seconds for r in mine], marker="o", label=name)
        right.plot(xs, [r.peak_mb for r in mine], marker="o", label=name)
    top = max(r.seconds for r in rows if r.factor == 1)
    left.plot([1, 8], [top, top * 8], "k--", linewidth=1, label="linear (x8 for 8x)")
    left.plot([1, 8], [top, top * 64], "k:", linewidth=1, label="quadratic (x64)")
    left.set_yscale("log")
    left.set_ylim(1, top * 16)
    for ax, label in ((left, "build time (s, log)"), (right, "peak memory (MB)")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("input size (x base)")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    left.legend(fontsize=7)
    fig.suptitle("sitegen build on adversarial inputs (one process per build)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default="", help="comma-separated inputs (default: all)")
    p.add_argument("--factors", default="1,2,4,8")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every base size")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per build")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--plot", type=Path, default=None, help="a PNG (needs matplotlib)")
    args = p.parse_args()
    names = [*INPUTS, GLOSSARY]
    if args.only:
        names = [n for n in args.only.split(",") if n]
        unknown = [n for n in names if n not in INPUTS and n != GLOSSARY]
        if unknown:
            p.error(f"unknown input(s) {unknown}; known: {', '.join([*INPUTS, GLOSSARY])}")
    factors = [int(f) for f in args.factors.split(",")]
    print(f"{'input':16} {'size':>3} {'bytes':>12} {'time':>10} {'ratio':>5} {'peak':>11}")
    rows = measure(names, factors, args.scale, args.timeout, show_row)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1), "utf-8")
    if args.plot:
        plot(rows, args.plot)
    return 0 if all(r.status in ("built", "refused") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
