"""Time from starting `sitegen serve` to its first answers, on an existing site.

Starts `python -m sitegen serve --site SITE --port P` as a child process (so Python's
imports count), asks for the home page every 20 ms from the moment it was started, and
prints when the server first answered anything (a "preparing" page while the site is
read is an answer), when the home page first came with status 200, how long an article
page then took (rendered on request while the background fill runs), and when the
preview folder was complete (/__sitegen/status: phase "complete"). Peak memory of the
server is read from /proc (VmHWM) before it is stopped.

    .venv/bin/python benchmarks/serve_startup.py --site /tmp/me-10k

Copy a benchmark site first: the preview does not write into the site (its folder is a
temporary one) but the build cache is read and may be updated.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

POLL = 0.02
LIMIT = 900.0  # seconds: give up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 60.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def peak_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(found.group(1)) if found else 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (the machine may be shared)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--site", type=Path, required=True)
    ap.add_argument("--no-fill", action="store_true",
                    help="stop once the first pages were answered (no wait for the fill)")
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "SITEGEN_NO_SEARCH": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--site", str(args.site),
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    first_any: float | None = None
    first_status = 0
    home: bytes = b""
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with {proc.returncode}")
            if time.perf_counter() - started > LIMIT:
                raise SystemExit("no home page within the limit")
            try:
                code, body = get(base)
            except OSError:
                time.sleep(POLL)
                continue
            now = time.perf_counter() - started
            if first_any is None:
                first_any, first_status = now, code
            if code == 200:
                home = body
                break
            time.sleep(POLL)
        home_at = time.perf_counter() - started
        home_cpu = cpu_seconds(proc.pid)
        links = re.findall(rb'href="/?(\d{4}/\d{2}/[^"/]+/)"', home)
        article_ms = 0.0
        article = links[len(links) // 2].decode() if links else ""
        if article:
            t = time.perf_counter()
            code, _ = get(base + article)
            article_ms = (time.perf_counter() - t) * 1000
            assert code == 200, code
        print(f"first answer {first_any:.2f} s (status {first_status}); home page 200 at "
              f"{home_at:.2f} s (server CPU {home_cpu:.1f} s by then); then /{article} in "
              f"{article_ms:.0f} ms", flush=True)
        if not args.no_fill:
            while True:
                code, body = get(base + "__sitegen/status")
                last = json.loads(body)["last_build"]
                if last.get("phase", "complete") == "complete" and last.get("kinds"):
                    break
                if time.perf_counter() - started > LIMIT:
                    raise SystemExit("no complete fill within the limit")
                time.sleep(0.5)
            print(f"preview folder complete at {time.perf_counter() - started:.1f} s: "
                  f"{last.get('summary', '')}")
        print(f"server peak memory {peak_kb(proc.pid) / 1024:.0f} MB, CPU "
              f"{cpu_seconds(proc.pid):.1f} s")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
