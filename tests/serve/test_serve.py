"""`sitegen serve`: a real preview server on a free loopback port against small sites.

Every wait is bounded (POLL_LIMIT) and every server is stopped in a finally block; nothing
asserts on how long anything took.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Result, article

from sitegen.serve.http import inject, resolve_request
from sitegen.serve.server import PreviewServer, ServeOptions
from sitegen.serve.state import page_url
from sitegen.serve.watch import Change, classify, dedupe

POLL_LIMIT = 30.0  # seconds; generous for a loaded 2-core machine, never reached when green
NO_NLP = "[entities]\nenabled = false\n[glossary]\nenabled = false\n" \
         "[attributions]\nenabled = false\n"


def fetch(url: str, timeout: float = 10.0) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        body = err.read().decode()
        return err.code, body, dict(err.headers)


def raw_get(server: PreviewServer, path: str) -> tuple[int, bytes]:
    """A request with the path sent exactly as given (urllib would normalise it)."""
    assert server.httpd is not None
    host, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_for(predicate: Callable[[], Any], what: str, limit: float = POLL_LIMIT) -> Any:
    deadline = time.monotonic() + limit
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def status(server: PreviewServer) -> dict[str, Any]:
    code, body, _ = fetch(server.url + "__sitegen/status")
    assert code == 200
    result: dict[str, Any] = json.loads(body)
    return result


class EventListener:
    """Reads /__sitegen/events in a thread, like a browser's EventSource."""

    def __init__(self, server: PreviewServer) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._resp = urllib.request.urlopen(server.url + "__sitegen/events", timeout=POLL_LIMIT)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        wait_for(lambda: any(n == "hello" for n, _ in self.events), "the hello event")

    def _read(self) -> None:
        name = ""
        try:
            for raw in self._resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    self.events.append((name, json.loads(line[6:])))
        except OSError:
            pass

    def find(self, name: str, test: Callable[[dict[str, Any]], bool] = lambda d: True
             ) -> dict[str, Any] | None:
        for n, data in list(self.events):
            if n == name and test(data):
                return data
        return None

    def close(self) -> None:
        self._resp.close()


@pytest.fixture
def serve_site(make_site: Callable[..., Path]) -> Iterator[Callable[..., PreviewServer]]:
    servers: list[PreviewServer] = []

    def _start(site: Path) -> PreviewServer:
        # the terminal log goes to captured stdout: pytest shows it when a test fails
        server = PreviewServer(ServeOptions(site=site, port=0, debounce=0.05, log=print))
        servers.append(server)
        server.start()
        assert server.wait_ready(300), "the preview folder was never filled"
        return server

    try:
        yield _start
    finally:
        for server in servers:
            server.stop()


def two_articles(make_site: Callable[..., Path], config: str = "",
                 files: dict[str, str] | None = None) -> Path:
    return make_site({
        "one.md": article("First story", "The weather was calm on the first day."),
        "two.md": article("Second story", "Nothing much happened later.", date="2026-03-02"),
    }, config=config, files=files)


def test_serves_pages_with_the_reload_script_that_builds_never_contain(
        make_site: Callable[..., Path], serve_site: Callable[..., PreviewServer],
        run: Callable[..., Result]) -> None:
    site = two_articles(make_site)
    server = serve_site(site)
    code, home, headers = fetch(server.url)
    assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "/__sitegen/client.js" in home and 'data-page="/"' in home
    assert home.index("/__sitegen/client.js") < home.rindex("</body>")
    code, page, _ = fetch(server.url + "2026/03/one/")
    assert code == 200 and "The weather was calm" in page and "data-hash=" in page
    code, css, headers = fetch(server.url + "static/style.css")
    assert code == 200 and headers["Content-Type"].startswith("text/css")
    assert "__sitegen" not in css
    with urllib.request.urlopen(server.url + "favicon.ico", timeout=10) as resp:
        assert resp.status == 200  # the theme's default icon
        assert resp.headers["Content-Type"].startswith("image/")
    # the preview is built with base_url "/": no feeds or sitemap (they need full URLs)
    assert fetch(server.url + "feed.xml")[0] == 404
    # a folder without the trailing slash redirects, as static hosts do
    status_code, _ = raw_get(server, "/2026/03/one")
    assert status_code == 301
    # the site's own 404 page, with status 404
    code, body, _ = fetch(server.url + "no/such/page/")
    assert code == 404 and "__sitegen/client.js" in body
    assert (server.state.root / "404.html").is_file()
    # the preview never writes into output/, and `sitegen build` output has no preview code
    assert not (site / "output").exists()
    assert run("build", "--site", site).code == 0
    for path in (site / "output").rglob("*"):
        if path.is_file():
            assert b"__sitegen" not in path.read_bytes(), path


def test_an_edit_reloads_only_the_changed_pages(
        make_site: Callable[..., Path], serve_site: Callable[..., PreviewServer]) -> None:
    site = two_articles(make_site, config=NO_NLP)
    server = serve_site(site)
    listener = EventListener(server)
    try:
        _, before, _ = fetch(server.url + "2026/03/one/")
        (site / "content/one.md").write_text(
            article("First story", "The weather turned stormy on the first day."), "utf-8")
        event = wait_for(lambda: listener.find("build", lambda d: "/2026/03/one/" in d["pages"]),
                         "a build event naming the edited page")
        assert "/2026/03/two/" not in event["pages"]  # the other article did not change
        _, after, _ = fetch(server.url + "2026/03/one/")
        assert "turned stormy" in after and "turned stormy" not in before
        assert f'data-hash="{event["pages"]["/2026/03/one/"]}"' in after
        _, body, _ = fetch(server.url + "__sitegen/hash?path=/2026/03/one/")
        assert json.loads(body)["hash"] == event["pages"]["/2026/03/one/"]
        # a new article appears, a deleted one goes (its page hash becomes "")
        (site / "content/three.md").write_text(article("Third", "Fresh.", date="2026-03-03"))
        wait_for(lambda: fetch(server.url + "2026/03/three/")[0] == 200, "the new page")
        (site / "content/three.md").unlink()
        gone = wait_for(lambda: listener.find("build", lambda d: d["pages"].get(
            "/2026/03/three/") == ""), "the removal event")
        assert gone is not None and fetch(server.url + "2026/03/three/")[0] == 404
    finally:
        listener.close()


def test_a_broken_save_is_reported_and_the_next_good_save_recovers(
        make_site: Callable[..., Path], serve_site: Callable[..., PreviewServer]) -> None:
    site = two_articles(make_site, config=NO_NLP,
                        files={"templates/tag.html": "{% extends 'base.html' %}\n"})
    server = serve_site(site)
    listener = EventListener(server)
    try:
        # broken front matter: unclosed quote
        (site / "content/one.md").write_text(
            '---\ntitle: "Broken\ndate: 2026-03-01\n---\n\nThe weather turned.\n', "utf-8")
        errors = wait_for(lambda: status(server)["errors"], "the front matter error")
        assert errors[0]["file"] == "content/one.md" and errors[0]["line"]
        assert listener.find("errors", lambda d: d["errors"][0]["file"] == "content/one.md")
        code, page, _ = fetch(server.url + "2026/03/one/")  # the last good page still served
        assert code == 200 and "The weather was calm" in page

        # fixed: recovers by itself, errors cleared
        (site / "content/one.md").write_text(
            article("First story", "The weather turned wild."), "utf-8")
        wait_for(lambda: "turned wild" in fetch(server.url + "2026/03/one/")[1], "recovery")
        assert status(server)["errors"] == []

        # a template error names the template and the line
        (site / "templates/article.html").write_text(
            "{% extends 'base.html' %}\n{% block content %}\n{% if %}\n{% endblock %}\n")
        errors = wait_for(lambda: status(server)["errors"], "the template error")
        assert errors[0]["file"].endswith("templates/article.html") and errors[0]["line"] == 3
        (site / "templates/article.html").unlink()
        wait_for(lambda: not status(server)["errors"], "recovery from the template error")

        # a broken site.toml, then fixed
        config = (site / "site.toml").read_text()
        (site / "site.toml").write_text("title = \n")
        errors = wait_for(lambda: status(server)["errors"], "the config error")
        assert errors[0]["file"] == "site.toml"
        (site / "site.toml").write_text(config)
        wait_for(lambda: not status(server)["errors"], "recovery from the config error")
        assert fetch(server.url)[0] == 200
    finally:
        listener.close()


def test_a_stylesheet_change_is_swapped_without_a_rebuild(
        make_site: Callable[..., Path], serve_site: Callable[..., PreviewServer]) -> None:
    site = two_articles(make_site, config=NO_NLP, files={"static/extra.css": "p {}\n"})
    server = serve_site(site)
    listener = EventListener(server)
    try:
        (site / "static/extra.css").write_text("p { color: red }\n")
        event = wait_for(lambda: listener.find("css"), "the css event")
        assert event["files"] == ["/extra.css"]
        assert status(server)["last_build"]["kinds"] == ["static"]
        assert fetch(server.url + "extra.css")[1] == "p { color: red }\n"
        assert listener.find("build", lambda d: d["generation"] > 1) is None
    finally:
        listener.close()


@pytest.mark.parametrize("path", [
    "/../site.toml", "/%2e%2e/site.toml", "/%2E%2E/%2e%2e/site.toml", "/..%2fsite.toml",
    "/static/../../site.toml", "/static/%2e%2e/%2e%2e/site.toml", "/.sitegen-output",
    "/..\\site.toml", "/%00",
])
def test_requests_never_leave_the_preview_folder(
        path: str, make_site: Callable[..., Path],
        serve_site: Callable[..., PreviewServer]) -> None:
    site = two_articles(make_site, config=NO_NLP)
    server = serve_site(site)
    code, body = raw_get(server, path)
    assert code in (403, 404)
    assert b'title = "Test Site"' not in body and b"written by sitegen" not in body


def test_symlinks_out_of_the_preview_are_not_followed(
        make_site: Callable[..., Path], serve_site: Callable[..., PreviewServer]) -> None:
    site = two_articles(make_site, config=NO_NLP)
    server = serve_site(site)
    (server.state.root / "leak").symlink_to(site)
    code, body = raw_get(server, "/leak/site.toml")
    assert code in (403, 404) and b'title = "Test Site"' not in body
    assert resolve_request(server.state.root, "/leak/site.toml") == (None, True)


def test_units_classify_dedupe_inject(tmp_path: Path) -> None:
    site = tmp_path
    (site / "content").mkdir()
    (site / "site.toml").write_text('title = "T"\n')
    assert classify(site / "site.toml", site, None) == "config"
    assert classify(site / "content/a.md", site, None) == "content"
    assert classify(site / "content/img.png", site, None) == "static"
    assert classify(site / "content/.a.md.swp", site, None) is None
    assert classify(site / "content/a.md~", site, None) is None
    assert classify(site / "output/index.html", site, None) is None
    born = Change(site / "content/tmp123", "static", created=True)
    gone = Change(site / "content/tmp123", "static", deleted=True)
    edit = Change(site / "content/a.md", "content")
    assert dedupe([born, edit, gone, edit]) == [edit]
    assert page_url("index.html") == "/" and page_url("a/b/index.html") == "/a/b/"
    assert inject(b"<p>x</p>", "h", 1, "/").startswith(b"<p>x</p><link")
    assert inject(b"<BODY>x</BODY>", "h", 1, "/").endswith(b"</BODY>")


def test_ctrl_c_stops_the_server_cleanly(make_site: Callable[..., Path]) -> None:
    site = two_articles(make_site, config=NO_NLP)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--site", str(site),
                             "--port", "0"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + POLL_LIMIT
        while not url and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if "serving the preview" in line:
                url = line.split(" at ")[1].split()[0]
        assert url, "the server did not start"
        # it answers at once; while it reads the site, with a page that retries by itself
        wait_for(lambda: fetch(url)[0] == 200, "the home page")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=POLL_LIMIT)
        assert proc.returncode == 0, out
        assert "Traceback" not in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


KB = """\
- id: karin-mulder
  name: Karin Mulder
  type: person
  aliases: [Mulder]
"""


def complete_after(server: PreviewServer, generation: int) -> dict[str, Any] | None:
    """The last build's record once a build after `generation` went through every page."""
    snap = status(server)
    last: dict[str, Any] = snap["last_build"]
    if snap["generation"] > generation and last.get("phase", "complete") == "complete":
        return last
    return None


def test_fast_article_updates_equal_a_full_build(
        make_site: Callable[..., Path], serve_site: Callable[..., PreviewServer],
        run: Callable[..., Result]) -> None:
    site = make_site({
        "one.md": article("First story", "Karin Mulder opened the bridge in Utrecht.",
                          tags="[city]"),
        "two.md": article("Second story", "Mulder said the bridge was safe.",
                          date="2026-03-02", tags="[city, transport]"),
        "three.md": article("Third story", "Nothing about anyone.", date="2026-03-03"),
    }, files={"content/entities.yaml": KB})
    server = serve_site(site)
    wait_for(lambda: server.preview.session.enabled, "the fast path to be primed")
    edits = [
        ("one.md", article("First story", "The bridge in Utrecht opened late.", tags="[city]")),
        ("three.md", article("Third story", "Karin Mulder visited Amsterdam.",
                             date="2026-03-03", tags="[transport]")),
        ("two.md", article("Second story, retitled", "Mulder said the bridge was safe.",
                           date="2026-03-02", tags="[city, transport]")),
        ("one.md", article("First story", "Karin Mulder reopened the bridge.",
                           date="2026-03-05", tags="[city]")),  # a new order of articles
    ]
    for name, text in edits:
        generation = status(server)["generation"]
        (site / "content" / name).write_text(text, "utf-8")
        last = wait_for(partial(complete_after, server, generation), f"the update of {name}")
        assert last.get("fast") is True, last
    assert run("build", "--site", site).code == 0
    built = {p.relative_to(site / "output").as_posix(): p.read_bytes()
             for p in (site / "output").rglob("*") if p.is_file()}
    root = server.state.root
    served = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
              if p.is_file()}
    for rel, data in built.items():
        if rel.endswith((".html", ".xml")):
            assert served.get(rel) == data, rel
    assert {r for r in served if r.endswith(".html")} == {
        r for r in built if r.endswith(".html")}


def test_the_edited_page_is_announced_before_the_pages_that_list_it(
        make_site: Callable[..., Path],
        serve_site: Callable[..., PreviewServer], run: Callable[..., Result]) -> None:
    site = make_site({
        "one.md": article("First story", "Karin Mulder opened the bridge in Utrecht.",
                          tags="[city]"),
        "two.md": article("Second story", "Mulder said the bridge was safe.",
                          date="2026-03-02", tags="[city]"),
    }, files={"content/entities.yaml": KB})
    server = serve_site(site)
    wait_for(lambda: server.preview.session.enabled, "the fast path to be primed")
    listener = EventListener(server)
    try:
        start = len(listener.events)
        generation = status(server)["generation"]
        (site / "content/one.md").write_text(
            article("First story", "Karin Mulder closed the bridge in Utrecht for repairs.",
                    tags="[city]"), "utf-8")
        wait_for(lambda: complete_after(server, generation), "the complete update")
        builds = [d for n, d in listener.events[start:] if n == "build"]
        assert len(builds) == 2, builds
        # first the edited article alone, then what lists or quotes it
        assert list(builds[0]["pages"]) == ["/2026/03/one/"], listener.events
        assert builds[1]["generation"] > builds[0]["generation"]
        later = set(builds[1]["pages"])
        assert "/2026/03/one/" not in later
        assert "/entities/karin-mulder/" in later, later  # its page quotes the article
        assert "closed the bridge" in fetch(server.url + "entities/karin-mulder/")[1]
        last = status(server)["last_build"]
        assert last["phase"] == "complete" and last["annotated"] == 1
    finally:
        listener.close()
    assert run("build", "--site", site).code == 0
    for path in (site / "output").rglob("*.html"):
        rel = path.relative_to(site / "output").as_posix()
        assert (server.state.root / rel).read_bytes() == path.read_bytes(), rel
