"""Save-to-reload latency of `sitegen serve` on a generated site.

Generates a site of N articles (benchmarks/gen_site.py: ~600 words each, recurring entities
and quotes), starts the preview server in this process on a free loopback port, listens to
its server-sent events like a browser, then saves a one-paragraph edit to one article
SAVES times and prints the median and p90 from the save to the reload event naming that
article's page, and what each rebuild did (articles annotated, from cache, stage times).

    .venv/bin/python benchmarks/serve_latency.py --articles 1000 --saves 20 --dir /tmp/sl

Reusing --dir keeps the annotation cache (SITE/.sitegen-cache), so only the first run pays
for annotating every article; the site is regenerated only when it does not exist.

In the same run, unless --no-hugo, the same edits are saved to the same article of the
generated Hugo site (DIR/hugo) under `hugo server` (fast render on, pages in memory), and
the time from the write to Hugo's livereload message for that page is measured the same
way: a WebSocket client on Hugo's /livereload speaks the LiveReload protocol like the
browser script does, after the page was requested once (fast render re-renders the pages
a browser visited). After each event the page is fetched and must show the new text.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
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


class LiveReload:
    """A minimal WebSocket client for Hugo's /livereload (RFC 6455, text frames only)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=EVENT_TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                           ).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise OSError("livereload closed the connection")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise OSError(f"no WebSocket upgrade: {head[:80]!r}")
        self.send({"command": "hello",
                   "protocols": ["http://livereload.com/protocols/official-7"]})
        self.receive()  # hugo's hello

    def send(self, value: dict[str, Any]) -> None:
        data, mask = json.dumps(value, separators=(",", ":")).encode(), os.urandom(4)
        assert len(data) < 126
        self.sock.sendall(bytes([0x81, 0x80 | len(data)]) + mask
                          + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise OSError("livereload closed the connection")
            data += chunk
        return data

    def receive(self) -> dict[str, Any]:
        """The next text message (pings are skipped)."""
        while True:
            first, second = self._exactly(2)
            size = second & 0x7F
            if size == 126:
                size = int.from_bytes(self._exactly(2), "big")
            elif size == 127:
                size = int.from_bytes(self._exactly(8), "big")
            payload = self._exactly(size)
            if first & 0x0F == 1:
                value: dict[str, Any] = json.loads(payload)
                return value

    def close(self) -> None:
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hugo_edits(root: Path, slug: str, texts: list[str], pause: float) -> list[float]:
    """Save each text to the Hugo site's copy of the article under `hugo server`; the ms
    from each write to the livereload message naming the page."""
    from build_speed import hugo_binary  # after sitegen: it puts this repository first

    exe, source = hugo_binary(), root / "hugo"
    target = source / "content" / "posts" / f"{slug}.md"
    if exe is None or not target.is_file():
        print("hugo: not installed or no Hugo site; skipped")
        return []
    original = target.read_text("utf-8")
    listed = subprocess.run([str(exe), "list", "all", "--source", str(source)],
                            capture_output=True, text=True, check=True).stdout
    row = next(r for r in listed.splitlines() if r.startswith(f"content/posts/{slug}.md,"))
    page = row.split(",")[7] if row.count(",") == 9 else ""  # the permalink column
    if not page:
        print(f"hugo: cannot find the URL of {slug} in `hugo list all`; skipped")
        return []
    port = free_port()
    proc = subprocess.Popen([str(exe), "server", "--source", str(source), "--port", str(port),
                             "--bind", "127.0.0.1", "--renderToMemory"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    latencies: list[float] = []
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + EVENT_TIMEOUT
        url = urllib.parse.urljoin(base, page)
        while True:
            try:  # visited: fast render re-renders this page on a change
                urllib.request.urlopen(url, timeout=10).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("hugo server did not come up") from None
                time.sleep(0.2)
        live = LiveReload(port)
        try:
            for text in texts:
                saved = time.perf_counter()
                target.write_text(text, "utf-8")
                while True:
                    message = live.receive()
                    if message.get("command") == "reload":
                        break
                latencies.append((time.perf_counter() - saved) * 1000)
                marker = text.split("In edit ", 1)[1].split(",", 1)[0]
                with urllib.request.urlopen(url, timeout=10) as resp:
                    if marker not in resp.read().decode():
                        raise SystemExit("hugo served the page without the new text")
                time.sleep(pause)
        finally:
            live.close()
    finally:
        target.write_text(original, "utf-8")
        proc.terminate()
        proc.wait(30)
    return latencies


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
    ap.add_argument("--no-hugo", action="store_true", help="skip the hugo server comparison")
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
    if hasattr(server, "wait_ready"):  # the preview reads the site after it listens
        server.wait_ready()
    first = server.state.snapshot()["last_build"]
    print(f"initial build {time.perf_counter() - t0:.1f}s: {first.get('summary', first)}",
          flush=True)
    events = Events(url)
    starts: list[float] = []  # when each rebuild began (the debouncer handed it over)
    handle = server.debouncer.handle

    def timed(changes: list[Any]) -> None:
        starts.append(time.perf_counter())
        handle(changes)

    server.debouncer.handle = timed
    waits: list[float] = []  # save -> rebuild start: the watcher and the debouncer
    work: list[float] = []  # rebuild start -> reload event
    latencies: list[float] = []
    builds: list[dict[str, Any]] = []
    head, sep, rest = original.partition("\n---\n")
    paragraphs = rest.strip().split("\n\n")
    run = secrets.token_hex(3)  # fresh text each run: the annotation cache cannot know it
    texts: list[str] = []
    for i in range(args.saves):
        edited = list(paragraphs)
        edited[1] = (f"In edit {run}-{i}, Karin Mulder said the Harbour Authority would "
                     f"publish revised figures for Eastmouth on day {i + 1}.")
        texts.append(head + sep + "\n" + "\n\n".join(edited) + "\n")
    try:
        for i, text in enumerate(texts):
            start = len(events.items)
            began = len(starts)
            saved = time.perf_counter()
            target.write_text(text, "utf-8")
            name, _data, arrived = events.wait(start, slug)
            if name != "build":
                raise SystemExit(f"save {i} failed: {server.state.snapshot()['errors']}")
            latencies.append((arrived - saved) * 1000)
            if len(starts) > began:
                waits.append((starts[began] - saved) * 1000)
                work.append((arrived - starts[began]) * 1000)
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
    if waits:
        print(f"  of which save -> rebuild start (watcher, debouncer): median "
              f"{statistics.median(waits):.0f} ms; rebuild start -> reload event: median "
              f"{statistics.median(work):.0f} ms")
    annotated = [b.get("annotated", -1) for b in builds]
    changed = [len(b.get("changed", [])) for b in builds]
    print(f"articles re-annotated per save: {sorted(set(annotated))}; pages changed per save: "
          f"median {statistics.median(changed):.0f}")
    for stage in stages:
        values = [b["timings"][stage] * 1000 for b in builds if stage in b.get("timings", {})]
        print(f"  {stage:>10}: median {statistics.median(values):.0f} ms")
    print(f"last rebuild: {builds[-1].get('summary', '')}")
    hugo = [] if args.no_hugo else hugo_edits(root, slug, texts, args.pause)
    if hugo:
        print(f"hugo server (fast render), same saves, write -> livereload message: median "
              f"{statistics.median(hugo):.0f} ms, p90 {percentile(hugo, 0.9):.0f} ms, "
              f"min {min(hugo):.0f} ms, max {max(hugo):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
