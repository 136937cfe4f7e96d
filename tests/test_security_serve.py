"""`sitegen serve` under stress: 50 concurrent clients and 100 saves within 10 seconds on
127.0.0.1. The server stays up and, once the saves stop, serves the page of the last save.

Every loop is bounded (request timeouts, a deadline for each phase) and the server is
stopped in a finally block; nothing asserts on how fast anything was.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from conftest import REPO, article

CLIENTS = 50
SAVES = 100
SAVE_WINDOW = 10.0  # seconds for all the saves
SETTLE_LIMIT = 30.0  # seconds for the final page to show the final save
NO_NLP = "[entities]\nenabled = false\n[glossary]\nenabled = false\n" \
         "[attributions]\nenabled = false\n"


def body(n: int) -> str:
    return f"Revision marker rev-{n:03d}-end. " + "Some text about the harbour. " * 20


def get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_serve_survives_50_clients_and_100_saves(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text('title = "Stress"\n' + NO_NLP, "utf-8")
    page = site / "content/live.md"
    page.write_text(article("Live", body(0)), "utf-8")
    for i in range(5):
        (site / f"content/other{i}.md").write_text(article(f"Other {i}", "Text."), "utf-8")

    env = {**os.environ, "SITEGEN_NO_SEARCH": "1", "PYTHONPATH": str(REPO),
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    log: list[str] = []
    stop = threading.Event()
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + 60
        while not url and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            log.append(line)
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found else ""
        assert url, "the server did not start:\n" + "".join(log)
        threading.Thread(target=lambda: log.extend(proc.stdout or ()), daemon=True).start()
        article_url = url + "2026/03/live/"

        statuses: Counter[int] = Counter()
        failures: list[str] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            paths = [article_url, url, url + "tags/", url + "feed.xml", url + "nope/",
                     url + "static/style.css", url + "__sitegen/status"]
            i = n
            while not stop.is_set():
                target = paths[i % len(paths)]
                i += 1
                try:
                    code, _ = get(target, timeout=10)
                except OSError as exc:  # refused, reset, timed out: the server must not
                    with lock:
                        failures.append(f"{target}: {exc}")
                    continue
                with lock:
                    statuses[code] += 1

        threads = [threading.Thread(target=client, args=(n,), daemon=True)
                   for n in range(CLIENTS)]
        for t in threads:
            t.start()
        start = time.monotonic()
        for n in range(1, SAVES + 1):
            tmp = page.with_name(".live.md.tmp")
            if n % 2:
                page.write_text(article("Live", body(n)), "utf-8")  # in place, like an editor
            else:
                tmp.write_text(article("Live", body(n)), "utf-8")  # atomic, like vim/IDEs
                os.replace(tmp, page)
            time.sleep(max(0.0, start + n * SAVE_WINDOW / SAVES - time.monotonic()))

        final = f"rev-{SAVES:03d}-end".encode()
        settle = time.monotonic() + SETTLE_LIMIT
        data = b""
        while time.monotonic() < settle:
            code, data = get(article_url)
            if code == 200 and final in data:
                break
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        assert proc.poll() is None, "the server died:\n" + "".join(log[-30:])
        assert final in data, "the final page does not show the final save"
        assert re.findall(rb"rev-\d{3}-end", data) == [final]
        served = sum(statuses.values())
        print(f"requests served: {served} {dict(statuses)}; failed: {len(failures)}")
        assert not failures, failures[:5]
        assert served > CLIENTS
        assert set(statuses) <= {200, 404, 503}, statuses
    finally:
        stop.set()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
