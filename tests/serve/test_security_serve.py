"""`sitegen serve` under stress: 50 concurrent clients and 100 saves within 10 seconds on
127.0.0.1. The server stays up and, once the saves stop, serves the page of the last save.

Every loop is bounded (request timeouts, a deadline for each phase) and the server is
stopped in a finally block; nothing asserts on how fast anything was.
"""

from __future__ import annotations

import http.client
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import REPO, Result, article

from sitegen.serve.server import PreviewServer, ServeOptions

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


# --- who may reach the preview: Host allow-list, Origin and Sec-Fetch-Site checks ----------

def _preview(make_site: Any, **options: Any) -> PreviewServer:
    site = make_site({"live.md": article("Live", "Draft text about the harbour.")},
                     config=NO_NLP)
    server = PreviewServer(ServeOptions(site=site, port=0, debounce=0.05, log=print,
                                        **options))
    server.start()
    assert server.wait_ready(300)  # the site is read after the server listens
    return server


def _raw(server: PreviewServer, path: str, headers: dict[str, str],
         method: str = "GET") -> tuple[int, str]:
    """A request with exactly these headers (no Host unless given)."""
    assert server.httpd is not None
    port = server.httpd.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        if resp.getheader("Content-Type") == "text/event-stream":
            return resp.status, ""  # an open stream: do not read to the end
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


ENDPOINTS = ["/", "/2026/03/live/", "/static/style.css", "/feed.xml", "/nope/",
             "/__sitegen/status", "/__sitegen/hash?path=/", "/__sitegen/events",
             "/__sitegen/client.js"]


def test_forged_host_names_get_403_on_every_endpoint(make_site: Any) -> None:
    server = _preview(make_site)
    try:
        port = server.httpd.server_address[1] if server.httpd else 0
        for host in ("evil.example", f"attacker.com:{port}", f"localhost.evil.example:{port}",
                     "127.0.0.1", f"127.0.0.1:{port + 1}", f"localhost:{port}@evil", ""):
            for path in ENDPOINTS:
                code, body = _raw(server, path, {"Host": host} if host else {})
                assert code == 403, (host, path, code)
                assert "host name" in body and "--allow-host" in body
            code, _ = _raw(server, "/", {"Host": host}, method="POST")
            assert code == 403
        code, _ = _raw(server, "/", {})  # no Host at all
        assert code == 403
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
            for path in ENDPOINTS:
                code, _ = _raw(server, path, {"Host": host})
                assert code in (200, 404), (host, path, code)
    finally:
        server.stop()


def test_foreign_origins_cannot_use_the_api_or_the_event_stream(make_site: Any) -> None:
    server = _preview(make_site)
    try:
        port = server.httpd.server_address[1] if server.httpd else 0
        host = {"Host": f"127.0.0.1:{port}"}
        for path in ("/__sitegen/status", "/__sitegen/hash?path=/", "/__sitegen/events"):
            for origin in ("http://evil.example", f"http://attacker.com:{port}", "null",
                           f"https://127.0.0.1:{port}"):
                code, body = _raw(server, path, {**host, "Origin": origin})
                assert code == 403, (path, origin, code)
                assert "own pages" in body
            code, _ = _raw(server, path, {**host, "Sec-Fetch-Site": "cross-site"})
            assert code == 403
            code, _ = _raw(server, path, {**host, "Origin": f"http://127.0.0.1:{port}",
                                          "Sec-Fetch-Site": "same-origin"})
            assert code == 200, path
        # A state-changing method is refused from another origin, and not allowed at all.
        code, _ = _raw(server, "/__sitegen/status", {**host, "Origin": "http://evil.example"},
                       method="POST")
        assert code == 403
        code, _ = _raw(server, "/__sitegen/status", host, method="POST")
        assert code == 405
        # Pages can still be opened from a link on another site (a navigation).
        code, _ = _raw(server, "/", {**host, "Sec-Fetch-Site": "cross-site"})
        assert code == 200
    finally:
        server.stop()


def test_allow_host_adds_a_name(make_site: Any) -> None:
    server = _preview(make_site, allow_hosts=("preview.test",))
    try:
        port = server.httpd.server_address[1] if server.httpd else 0
        assert _raw(server, "/", {"Host": f"preview.test:{port}"})[0] == 200
        assert _raw(server, "/", {"Host": f"other.test:{port}"})[0] == 403
    finally:
        server.stop()


def test_binding_to_other_machines_needs_public(make_site: Any,
                                                run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "Text.")}, config=NO_NLP)
    result = run("serve", "--site", site, "--host", "0.0.0.0", "--port", "0")
    assert result.code == 1
    assert "refusing to serve the preview on 0.0.0.0" in result.err
    assert "--public" in result.err
    server = PreviewServer(ServeOptions(site=site, host="0.0.0.0", port=0, public=True,
                                        log=print))
    try:
        server.start()
        assert server.wait_ready(300)
        port = server.httpd.server_address[1] if server.httpd else 0
        assert _raw(server, "/", {"Host": f"127.0.0.1:{port}"})[0] == 200
        assert _raw(server, "/", {"Host": f"evil.example:{port}"})[0] == 403
    finally:
        server.stop()


def test_public_binding_prints_a_warning(make_site: Any) -> None:
    site = make_site({"a.md": article("A", "Text.")}, config=NO_NLP)
    env = {**os.environ, "SITEGEN_NO_SEARCH": "1", "PYTHONPATH": str(REPO),
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--site", str(site), "--port", "0",
         "--host", "0.0.0.0", "--public"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("warning:"):
                break
        assert any("reachable from other machines" in line for line in lines), lines
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def test_the_preview_shows_refused_articles(make_site: Any) -> None:
    site = make_site({"big.md": article("Big", "Some text. " * 200),
                      "small.md": article("Small", "Fine.")},
                     config=NO_NLP + "[limits]\nmax_article_bytes = 1000\n")
    server = PreviewServer(ServeOptions(site=site, port=0, debounce=0.05, log=print))
    try:
        server.start()
        assert server.wait_ready(300)  # the site is read after the server listens
        problems = server.state.snapshot()["errors"]
        assert any("over the limit of 1,000 bytes" in p["message"] and
                   str(p["file"]).endswith("big.md") for p in problems), problems
        port = server.httpd.server_address[1] if server.httpd else 0
        assert _raw(server, "/2026/03/small/", {"Host": f"127.0.0.1:{port}"})[0] == 200
    finally:
        server.stop()
