"""Save-to-reload latency of `sitegen serve` on a generated site.

Generates a site of N articles (benchmarks/gen_site.py: ~600 words each, recurring entities
and quotes), starts the preview server in this process on a free loopback port, listens to
its server-sent events like a browser, then saves a one-paragraph edit to one article
SAVES times and prints the median and p90 from the save to the reload event naming that
article's page, and what each rebuild did (articles annotated, from cache, stage times).

    .venv/bin/python benchmarks/serve_latency.py --articles 1000 --saves 20 --dir /tmp/sl

Reusing --dir keeps the annotation cache (SITE/.sitegen-cache), so only the first run pays
for annotating every article; the site is regenerated only when it does not exist.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_site import generate

from sitegen.serve.server import PreviewServer, ServeOptions

EVENT_TIMEOUT = 120.0


class Events:
    """A minimal EventSource: collects (name, data, arrival time) in a thread."""

    def __init__(self, url: str) -> None:
        self.items: list[tuple[str, dict[str, Any], float]] = []
        self.cond = threading.Condition()
        self._resp = urllib.request.urlopen(url + "__sitegen/events", timeout=EVENT_TIMEOUT)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name = ""
        try:
            for raw in self._resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    with self.cond:
                        self.items.append((name, json.loads(line[6:]), time.perf_counter()))
                        self.cond.notify_all()
        except OSError:
            pass

    def wait(self, start: int, slug: str) -> tuple[str, dict[str, Any], float]:
        """The first build/errors event after index `start` that names `slug`'s page."""
        deadline = time.monotonic() + EVENT_TIMEOUT
        with self.cond:
            while True:
                for item in self.items[start:]:
                    name, data, _ = item
                    if name == "errors" or (name == "build" and any(
                            f"/{slug}/" in page for page in data["pages"])):
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no reload event")
                self.cond.wait(left)

    def close(self) -> None:
        self._resp.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--articles", "-n", type=int, default=1000)
    ap.add_argument("--saves", type=int, default=20)
    ap.add_argument("--dir", type=Path, default=None,
                    help="where to generate the site (reused when it exists)")
    ap.add_argument("--pause", type=float, default=0.5, help="seconds between saves")
    args = ap.parse_args()

    root = args.dir or Path(tempfile.mkdtemp(prefix="sitegen-serve-bench-"))
    site = root / "sitegen"
    if not (site / "site.toml").is_file():
        print(f"generating {args.articles} articles in {root} ...", flush=True)
        generate(root, args.articles)
    articles = sorted((site / "content/articles").glob("*.md"))
    target = articles[len(articles) // 2]
    original = target.read_text("utf-8")
    slug = target.stem

    t0 = time.perf_counter()
    server = PreviewServer(ServeOptions(site=site, port=0, log=lambda text: None))
    url = server.start()
    first = server.state.snapshot()["last_build"]
    print(f"initial build {time.perf_counter() - t0:.1f}s: {first.get('summary', first)}",
          flush=True)
    events = Events(url)
    latencies: list[float] = []
    builds: list[dict[str, Any]] = []
    try:
        head, sep, rest = original.partition("\n---\n")
        paragraphs = rest.strip().split("\n\n")
        run = secrets.token_hex(3)  # fresh text each run: the annotation cache cannot know it
        for i in range(args.saves):
            edited = list(paragraphs)
            edited[1] = (f"In edit {run}-{i}, Karin Mulder said the Harbour Authority would "
                         f"publish revised figures for Eastmouth on day {i + 1}.")
            text = head + sep + "\n" + "\n\n".join(edited) + "\n"
            start = len(events.items)
            saved = time.perf_counter()
            target.write_text(text, "utf-8")
            name, _data, arrived = events.wait(start, slug)
            if name != "build":
                raise SystemExit(f"save {i} failed: {server.state.snapshot()['errors']}")
            latencies.append((arrived - saved) * 1000)
            builds.append(server.state.snapshot()["last_build"])
            time.sleep(args.pause)
    finally:
        target.write_text(original, "utf-8")
        events.close()
        server.stop()

    stages = sorted({k for b in builds for k in b.get("timings", {})})
    print(f"\n{len(latencies)} saves of a one-paragraph edit to {target.name} "
          f"({len(articles)} articles)")
    print(f"save -> reload event: median {statistics.median(latencies):.0f} ms, "
          f"p90 {percentile(latencies, 0.9):.0f} ms, min {min(latencies):.0f} ms, "
          f"max {max(latencies):.0f} ms")
    annotated = [b.get("annotated", -1) for b in builds]
    changed = [len(b.get("changed", [])) for b in builds]
    print(f"articles re-annotated per save: {sorted(set(annotated))}; pages changed per save: "
          f"median {statistics.median(changed):.0f}")
    for stage in stages:
        values = [b["timings"][stage] * 1000 for b in builds if stage in b.get("timings", {})]
        print(f"  {stage:>10}: median {statistics.median(values):.0f} ms")
    print(f"last rebuild: {builds[-1].get('summary', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
