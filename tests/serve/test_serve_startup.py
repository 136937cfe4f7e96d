"""`sitegen serve` answers before the site is written: pages asked for while the preview
folder is still being filled are rendered on request and equal what `sitegen build` writes;
a saved article reloads without waiting for a quiet time.

A gate stands in for a big site: the fill stops after its first page until the test lets
it go on, and the load of the site can be held the same way. Every wait is bounded.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, article

from sitegen.serve.incremental import Session
from sitegen.serve.server import PreviewServer, ServeOptions

LIMIT = 30.0  # seconds; never reached when green
LOAD_LIMIT = 300.0  # reading a site may load the spaCy model first (a loaded machine)
KB = """\
- id: karin-mulder
  name: Karin Mulder
  type: PERSON
  aliases: [Mulder]
"""


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=LIMIT) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), dict(err.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


def wait_for(predicate: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + LIMIT
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


class Gate:
    """`interrupted()` for the fill that holds it after the first page until opened."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.open = threading.Event()

    def __call__(self) -> bool:
        self.reached.set()
        assert self.open.wait(LIMIT), "the test never opened the gate"
        return False


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    return make_site({
        "one.md": article("First story", "Karin Mulder opened the bridge in Utrecht.",
                          tags="[city]"),
        "two.md": article("Second story", "Mulder said the bridge was safe & sound.",
                          date="2026-03-02", tags="[city, transport]"),
        "three.md": article("Third story", "Nothing about <anyone>.", date="2026-03-03"),
    }, files={"content/entities.yaml": KB})


@pytest.fixture
def server(site: Path) -> Iterator[PreviewServer]:
    server = PreviewServer(ServeOptions(site=site, port=0, log=print))
    try:
        yield server
    finally:
        server.preview.interrupted = lambda: False
        server.stop()


def built(site: Path, run: Callable[..., Result]) -> dict[str, bytes]:
    assert run("build", "--site", site).code == 0
    out = site / "output"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}


def test_a_request_during_the_background_fill_gets_the_page_build_writes(
        site: Path, server: PreviewServer, run: Callable[..., Result]) -> None:
    gate = Gate()
    server.preview.interrupted = gate
    server.start()
    try:
        assert gate.reached.wait(LOAD_LIMIT), "the fill never started"
        root = server.state.root
        assert not (root / "tags/transport/index.html").exists()  # not filled yet
        code, body, headers = fetch(server.url + "tags/transport/")
        assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Second story" in body and "/__sitegen/client.js" in body
        code, body, _ = fetch(server.url + "2026/03/two/")
        assert code == 200 and "safe &amp; sound" in body  # escaped, as build() does
        code, body, _ = fetch(server.url + "entities/karin-mulder/")
        assert code == 200 and "Karin Mulder" in body
        code, _, headers = fetch(server.url + "2026/03/three")  # a folder: its slash added
        assert code == 301 and headers["Location"] == "/2026/03/three/"
        code, body, _ = fetch(server.url + "no/such/page/")
        assert code == 404 and "/__sitegen/client.js" in body
        code, _, _ = fetch(server.url + "static/style.css")  # copied before any page
        assert code == 200
        # the page of the request carries the hash the finished fill records: no reload
        code, body, _ = fetch(server.url + "2026/03/one/")
        served_hash = body.split('data-hash="', 1)[1].split('"', 1)[0]
        assert served_hash
        asked = {rel: (root / rel).read_bytes() for rel in (
            "tags/transport/index.html", "2026/03/two/index.html",
            "entities/karin-mulder/index.html", "404.html")}
    finally:
        gate.open.set()
    assert server.wait_ready(LOAD_LIMIT)
    snap = json.loads(fetch(server.url + "__sitegen/status")[1])
    assert snap["errors"] == [] and snap["last_build"]["phase"] == "complete"
    hashed = json.loads(fetch(server.url + "__sitegen/hash?path=/2026/03/one/")[1])
    assert hashed["hash"] == served_hash
    expected = built(site, run)
    for rel, data in asked.items():
        assert data == expected[rel], rel
    root = server.state.root
    served = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.html")}
    assert served == expected
    assert server.preview.session.enabled  # saves take the fast path at once


def test_a_request_while_the_site_is_read_gets_a_page_that_retries(
        site: Path, server: PreviewServer, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = Session.load

    def slow_load(self: Session, refused: Any = None) -> None:
        assert release.wait(LOAD_LIMIT)
        real(self, refused)

    monkeypatch.setattr(Session, "load", slow_load)
    server.start()
    try:
        code, body, headers = fetch(server.url)
        assert code == 503 and headers["Retry-After"] == "1"
        assert "Preparing the preview" in body and 'http-equiv="refresh"' in body
    finally:
        release.set()
    assert server.wait_ready(LOAD_LIMIT)
    code, body, _ = fetch(server.url)
    assert code == 200 and "First story" in body


def test_a_bad_article_at_start_is_reported_as_by_a_full_build(
        make_site: Callable[..., Path]) -> None:
    site = make_site({"one.md": article("Fine", "Text."),
                      "bad.md": "---\ntitle: [unclosed\n---\n\nBody.\n"})
    server = PreviewServer(ServeOptions(site=site, port=0, log=print))
    try:
        server.start()
        assert server.wait_ready(LOAD_LIMIT)
        errors = json.loads(fetch(server.url + "__sitegen/status")[1])["errors"]
        assert any(str(e["file"]).endswith("bad.md") for e in errors), errors
    finally:
        server.stop()


def test_a_saved_article_reloads_without_a_quiet_time(
        site: Path, make_site: Callable[..., Path]) -> None:
    # Quiet times longer than the test waits: only a save handled at once can pass.
    server = PreviewServer(ServeOptions(site=site, port=0, debounce=600.0,
                                        quick_debounce=600.0, log=print))
    try:
        server.start()
        assert server.wait_ready(LOAD_LIMIT)
        (site / "content/one.md").write_text(article(
            "First story", "Karin Mulder closed the bridge in Utrecht.", tags="[city]"),
            "utf-8")

        wait_for(lambda: "closed the bridge" in fetch(server.url + "2026/03/one/")[1],
                 "the saved text on the page")
        code, body, _ = fetch(server.url + "2026/03/one/")
        assert code == 200 and "closed the bridge" in body
    finally:
        server.stop()


def test_after_a_save_a_page_not_yet_updated_is_made_fresh_for_the_request(
        site: Path, server: PreviewServer, run: Callable[..., Result]) -> None:
    server.start()
    assert server.wait_ready(LOAD_LIMIT)
    entity = "entities/karin-mulder/"
    assert "closed the bridge" not in fetch(server.url + entity)[1]
    generation = json.loads(fetch(server.url + "__sitegen/status")[1])["generation"]
    gate = Gate()
    server.preview.interrupted = gate  # the rest of the site waits after its first page
    (site / "content/one.md").write_text(article(
        "First story", "Karin Mulder closed the bridge in Utrecht for repairs.",
        tags="[city]"), "utf-8")
    try:
        assert gate.reached.wait(LOAD_LIMIT), "the update never got to the rest"
        assert b"closed the bridge" not in (server.state.root / entity / "index.html"
                                            ).read_bytes()  # not reached yet
        code, body, _ = fetch(server.url + entity)
        assert code == 200 and "closed the bridge" in body
    finally:
        gate.open.set()

    def complete() -> dict[str, Any] | None:
        snap = json.loads(fetch(server.url + "__sitegen/status")[1])
        last: dict[str, Any] = snap["last_build"]
        done = snap["generation"] > generation and last.get("phase") == "complete"
        return last if done else None

    last = wait_for(complete, "the complete update")
    assert "/" + entity in last["changed"]  # browsers showing it are told
    expected = built(site, run)
    root = server.state.root
    assert {p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*.html")} == expected
