"""Cold build on a Dask cluster: N synthetic articles annotated by 1 and by 2 local Dask
workers (a LocalCluster: one process and one thread per worker, on loopback), against the
local `--jobs 2` process pool, in one run. Every figure is the median wall time of
`--repeats` builds, each a separate `sitegen build --no-cache` process into a fresh output
folder (so every article is annotated).

    .venv/bin/python benchmarks/dask_build.py                  # 1000 articles, 3 repeats
    .venv/bin/python benchmarks/dask_build.py --articles 200 --repeats 1

The workers live as long as their cluster, as a real cluster's do: the first build on a
fresh cluster also loads the model in each worker (shown as "first run"); the medians are
those of a cluster in service. The last lines give the speedup of 2 workers over 1 (the
target on a 2-core machine is 1.6x or more) and the measured annotation cost in
CPU-seconds per article (the 1-worker annotate stage: one busy core).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_site import generate  # noqa: E402


@dataclass
class Measure:
    name: str
    runs: list[float] = field(default_factory=list)
    annotate: list[float] = field(default_factory=list)  # the build's own annotate stage

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def annotate_median(self) -> float:
        return statistics.median(self.annotate) if self.annotate else float("nan")


def run_build(cmd: Sequence[str | Path], articles: int) -> tuple[float, float]:
    """Wall seconds of one build and the annotate stage of its summary line."""
    t0 = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"build failed: {' '.join(map(str, cmd))}\n{proc.stderr}")
    if f"{articles} annotated, 0 from cache" not in proc.stdout:
        raise SystemExit(f"not a cold build:\n{proc.stdout}")
    m = re.search(r"annotate (\d+\.\d+)s", proc.stdout)
    return wall, float(m.group(1)) if m else float("nan")


def measure(name: str, cmd: Sequence[str | Path], output: Path, articles: int,
            repeats: int) -> Measure:
    m = Measure(name)
    for r in range(repeats):
        shutil.rmtree(output, ignore_errors=True)
        wall, annotate = run_build(cmd, articles)
        m.runs.append(wall)
        m.annotate.append(annotate)
        print(f"  {name:<22} run {r + 1}/{repeats}: {wall:7.2f} s (annotate {annotate:.2f} s)",
              file=sys.stderr)
    return m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--articles", "-n", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=None, help="keep the generated site here")
    ap.add_argument("--search", action="store_true",
                    help="let sitegen build its Pagefind index (the same cost in every row)")
    args = ap.parse_args()
    if not args.search:
        os.environ["SITEGEN_NO_SEARCH"] = "1"

    from distributed import LocalCluster

    work = args.workdir or Path(tempfile.mkdtemp(prefix="sitegen-dask-bench-"))
    n = args.articles
    results: list[Measure] = []
    try:
        print(f"N={n}: generating", file=sys.stderr)
        generate(work / "gen", n)
        site = work / "gen" / "sitegen"
        output = work / "output"
        base: list[str | Path] = [sys.executable, "-m", "sitegen", "build", "--site", site,
                                  "--no-cache", "--output", output]
        results.append(measure("local --jobs 2", [*base, "--jobs", "2"], output, n,
                               args.repeats))
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None) as cluster:
                cmd = [*base, "--executor", "dask", "--scheduler", cluster.scheduler_address]
                name = f"dask {workers} worker{'s' if workers > 1 else ''}"
                first = measure(f"{name} (first run)", cmd, output, n, 1)
                m = measure(name, cmd, output, n, args.repeats)
                results.append(first)
                results.append(m)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\ncold build of {n} articles; medians of {args.repeats} runs; "
          f"python {sys.version.split()[0]}")
    print(f"{'what':<26} {'runs':>4} {'median s':>9} {'per article ms':>15} "
          f"{'annotate s':>11}")
    for m in results:
        print(f"{m.name:<26} {len(m.runs):>4} {m.median:>9.2f} {m.median / n * 1000:>15.2f} "
              f"{m.annotate_median:>11.2f}")
    by = {m.name: m for m in results}
    one, two, local = by["dask 1 worker"], by["dask 2 workers"], by["local --jobs 2"]
    print(f"\nspeedup, 2 Dask workers over 1:        {one.median / two.median:5.2f}x "
          f"(target >= 1.6x)")
    print(f"annotate stage only, 2 over 1:          "
          f"{one.annotate_median / two.annotate_median:5.2f}x")
    print(f"local --jobs 2 / dask 2 workers:        {local.median / two.median:5.2f}")
    per = one.annotate_median / n
    print(f"annotation cost: {per:.3f} CPU-s per article, "
          f"{per * 100_000 / 3600:.1f} CPU-hours per 100k articles")


if __name__ == "__main__":
    main()
