"""Review mode of `sitegen serve` over HTTP (issue 15, docs/review.md): the review API
writes NAME.review.yaml only for the preview's own pages (token, Origin, Host), only from
this machine, only for articles inside the site; two decisions at once are both kept; the
page is rebuilt with the decision; `sitegen build` output has none of it."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, article

from sitegen.annotate.review_file import load_review
from sitegen.serve.guard import Guard
from sitegen.serve.review_http import check_caller
from sitegen.serve.server import PreviewServer, ServeOptions

POLL_LIMIT = 60.0  # seconds; generous for a loaded 2-core machine, never reached when green
PAGE = "/2026/03/wall/"

KB = """\
- id: jane-ortiz
  name: Jane Ortiz
  type: person
  aliases: [Ortiz, Mayor Ortiz]
- id: tom-reyes
  name: Tom Reyes
  type: person
  aliases: [Reyes]
"""

WALL = """
Mayor Jane Ortiz visited the flooded streets on Monday with harbour master Tom Reyes.

"We will rebuild the harbour wall before winter," Ortiz said.

The storm closed the ferry terminal for three days, and fishing boats stayed in port.

Reyes said the old breakwater had cracked in two places.
"""


def review_site(make_site: Callable[..., Path]) -> Path:
    return make_site({"wall.md": article("Harbour wall", WALL)},
                     files={"content/entities.yaml": KB})


@pytest.fixture
def served(make_site: Callable[..., Path]) -> Iterator[tuple[PreviewServer, Path]]:
    site = review_site(make_site)
    server = PreviewServer(ServeOptions(site=site, port=0, debounce=0.05, log=print))
    try:
        server.start()
        assert server.wait_ready(300)  # the site is read after the server listens
        yield server, site
    finally:
        server.stop()


class Client:
    """Raw HTTP to the preview, every header as given (urllib would add its own)."""

    def __init__(self, server: PreviewServer) -> None:
        assert server.httpd is not None
        self.port = int(server.httpd.server_address[1])
        self.host = f"127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=POLL_LIMIT)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": self.host, **(headers or {})}
            if body is not None:
                sent.setdefault("Content-Length", str(len(body)))
            for name, value in sent.items():
                conn.putheader(name, value)
            conn.endheaders(body)
            resp = conn.getresponse()
            return resp.status, resp.read().decode(), dict(resp.getheaders())
        finally:
            conn.close()

    def page(self, path: str = PAGE) -> str:
        code, html, _ = self.request("GET", path)
        assert code == 200
        return html

    def token(self) -> str:
        found = re.search(r'data-token="([^"]+)"', self.page())
        assert found, "the preview's pages carry the review token"
        return found.group(1)

    def review(self, token: str) -> dict[str, Any]:
        code, body, _ = self.request("GET", "/__sitegen/review?page=" + PAGE,
                                     headers={"X-Sitegen-Token": token})
        assert code == 200, body
        data: dict[str, Any] = json.loads(body)
        return data

    def decide(self, payload: dict[str, Any], token: str | None,
               headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            sent["X-Sitegen-Token"] = token
        code, body, resp_headers = self.request("POST", "/__sitegen/review",
                                                json.dumps(payload).encode(), sent)
        assert resp_headers["Content-Type"] == "application/json"
        return code, json.loads(body)


def wait_for(predicate: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + POLL_LIMIT
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def attributed(html: str) -> list[str]:
    return re.findall(r'class="attr attr-[^"]*"[^>]*>([^<]{0,60})', html)


def test_refused_without_token_from_another_origin_host_or_outside_the_site(
        served: tuple[PreviewServer, Path], tmp_path: Path) -> None:
    server, site = served
    client = Client(server)
    token = client.token()
    items = client.review(token)["items"]
    quote = next(i for i in items if "breakwater" in i["text"])
    good = {"article": "content/wall.md", "id": quote["id"], "action": "reject"}
    review = site / "content/wall.review.yaml"

    # no token, a wrong one, a token for another preview
    for token_sent in (None, "", "x" * len(token), token[:-1]):
        code, answer = client.decide(good, token_sent)
        assert code == 403 and "token" in answer["error"]
    code, body, _ = client.request("GET", "/__sitegen/review?page=" + PAGE)
    assert code == 403 and "token" in json.loads(body)["error"]

    # another site's page: its Origin, or Sec-Fetch-Site says so
    code, answer = client.decide(good, token, {"Origin": "http://evil.example"})
    assert code == 403 and "evil.example" in answer["error"]
    code, answer = client.decide(good, token, {"Origin": "null"})
    assert code == 403
    code, answer = client.decide(good, token, {"Sec-Fetch-Site": "cross-site"})
    assert code == 403 and "another site" in answer["error"]
    # a name that is not the preview's (DNS rebinding), even with the right token
    code, answer = client.decide(good, token, {"Host": f"evil.example:{client.port}"})
    assert code == 403 and "host name" in answer["error"]

    # paths outside the site's content folder, however spelled
    outside = tmp_path / "outside.md"
    outside.write_text(article("Outside", WALL))
    (site / "content/link.md").symlink_to(outside)
    for path, status, words in (
            ("../outside.md", 403, "outside the site"),
            ("content/../../outside.md", 403, "outside the site"),
            (str(outside), 403, "outside the site"),
            ("content/link.md", 403, "outside the site"),
            ("site.toml", 403, "outside the site's content folder"),
            ("content/entities.yaml", 404, "not an article"),
            ("content/missing.md", 404, "no article"),
            ("content\\wall.md", 400, "character"),
            (7, 400, "relative to the site")):
        code, answer = client.decide({**good, "article": path}, token)
        assert (code, words in answer["error"]) == (status, True), (path, answer)
    assert not (tmp_path / "outside.review.yaml").exists()
    # the review file itself may not be a link out of the site
    (site / "content/wall.review.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    code, answer = client.decide(good, token)
    assert code == 403 and "link" in answer["error"]
    assert not (tmp_path / "elsewhere.yaml").exists()
    review.unlink()

    # malformed requests: clear JSON errors
    code, body, _ = client.request("POST", "/__sitegen/review", b"{}", {
        "X-Sitegen-Token": token, "Content-Type": "text/plain"})
    assert code == 415 and "JSON" in json.loads(body)["error"]
    code, body, _ = client.request("POST", "/__sitegen/review", b"x" * 20_000, {
        "X-Sitegen-Token": token, "Content-Type": "application/json"})
    assert code == 413 and "bytes" in json.loads(body)["error"]
    code, body, _ = client.request("POST", "/__sitegen/review", b"{not json", {
        "X-Sitegen-Token": token, "Content-Type": "application/json"})
    assert code == 400 and "not valid JSON" in json.loads(body)["error"]
    for payload, status, words in (
            ({**good, "action": "publish"}, 400, "'action' must be one of"),
            ({**good, "id": "0000000000"}, 409, "no annotation has the ID 0000000000"),
            ({**good, "action": "correct", "set": {"colour": "red"}}, 400,
             "unknown field 'colour'"),
            ({**good, "action": "correct", "set": {"kind": "rumour"}}, 400,
             "unknown kind 'rumour'"),
            ({**good, "extra": 1}, 400, "unknown key 'extra'")):
        code, answer = client.decide(payload, token)
        assert (code, words in answer["error"]) == (status, True), answer
    assert not review.exists()  # nothing was written by any refused request

    # only now: accepted
    code, answer = client.decide(good, token)
    assert code == 200 and answer["ok"] is True
    assert answer["summary"]["text"].startswith("1 checked, 0 held back, 1 rejected")
    [decision] = load_review(review)
    assert (decision.kind, decision.action, decision.anchor.text) == (
        "attribution", "reject", "the old breakwater had cracked in two places")


def test_a_caller_that_is_not_this_machine_is_refused() -> None:
    guard = Guard.create(8000)
    headers = {"Host": "127.0.0.1:8000", "X-Sitegen-Token": "t0ken"}
    assert check_caller(guard, "t0ken", "POST", "/__sitegen/review", headers,
                        "127.0.0.1") is None
    assert check_caller(guard, "t0ken", "POST", "/__sitegen/review", headers,
                        "::ffff:127.0.0.1") is None
    refused = check_caller(guard, "t0ken", "POST", "/__sitegen/review",
                           {**headers, "Host": "192.168.1.20:8000"}, "192.168.1.5")
    assert refused is not None and refused.status == 403
    assert "only taken from this machine" in refused.body["error"]


def test_a_decision_is_recorded_and_the_page_rebuilt_with_it(
        served: tuple[PreviewServer, Path]) -> None:
    server, site = served
    client = Client(server)
    token = client.token()
    data = client.review(token)
    assert data["article"] == "content/wall.md"
    assert data["summary"]["text"].startswith("0 checked, 0 held back, 0 rejected")
    kinds = {i["kind"] for i in data["items"]}
    assert kinds == {"entity", "attribution"}
    assert {"jane-ortiz", "tom-reyes"} <= {e["id"] for e in data["entities"]}
    assert any(s["id"] == "jane-ortiz" for s in data["sources"])
    assert any("breakwater" in a for a in attributed(client.page()))

    quote = next(i for i in data["items"] if i["text"].startswith("We will rebuild"))
    assert (quote["source_id"], quote["decision"]) == ("jane-ortiz", None)
    code, answer = client.decide({"article": "content/wall.md", "id": quote["id"],
                                  "action": "correct",
                                  "set": {"source_id": "tom-reyes"}}, token)
    assert code == 200, answer
    [decision] = load_review(site / "content/wall.review.yaml")
    assert (decision.action, dict(decision.values)) == ("correct", {"source_id": "tom-reyes"})
    wait_for(lambda: re.search(r'<q class="attr attr-direct"[^>]*data-source-name="Tom Reyes"',
                               client.page()), "the page to show the new speaker")
    after = client.review(token)
    fixed = next(i for i in after["items"] if i["id"] == quote["id"])
    assert (fixed["decision"], fixed["source_name"]) == ("correct", "Tom Reyes")
    assert after["summary"]["corrected"] == 1


def test_two_decisions_at_once_are_both_kept(served: tuple[PreviewServer, Path]) -> None:
    server, site = served
    client = Client(server)
    token = client.token()
    items = client.review(token)["items"]
    assert len(items) >= 4
    barrier = threading.Barrier(len(items))
    results: list[tuple[int, dict[str, Any]]] = []

    def decide(item: dict[str, Any], action: str) -> None:
        barrier.wait(timeout=POLL_LIMIT)
        results.append(client.decide({"article": "content/wall.md", "id": item["id"],
                                      "action": action}, token))

    threads = [threading.Thread(target=decide, args=(item, ("accept", "reject")[n % 2]))
               for n, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(POLL_LIMIT)
    assert [code for code, _ in results] == [200] * len(items), results
    decisions = load_review(site / "content/wall.review.yaml")
    assert sorted((d.anchor.text, d.action) for d in decisions) == sorted(
        (item["text"], ("accept", "reject")[n % 2]) for n, item in enumerate(items))
    summary = client.review(token)["summary"]
    assert (summary["checked"], summary["unchecked"]) == (len(items), 0)


def test_build_output_has_no_review_controls(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = review_site(make_site)
    (site / "content/wall.review.yaml").write_text(
        "decisions:\n- kind: attribution\n  action: accept\n"
        "  text: We will rebuild the harbour wall before winter\n")
    assert run("build", "--site", site).code == 0
    pages = list((site / "output").rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text()
        for trace in ("__sitegen", "data-token", "sg-review", "review.js", "ann-held",
                      "X-Sitegen-Token"):
            assert trace not in html, (page, trace)
    assert not list((site / "output").rglob("*.review.yaml"))
    assert not list((site / "output").rglob("review.js"))


def test_a_review_file_saved_outside_the_preview_rebuilds_its_article(
        served: tuple[PreviewServer, Path]) -> None:
    from sitegen.config.site import load_config
    from sitegen.serve.watch import classify

    server, site = served
    review = site / "content/wall.review.yaml"
    assert classify(review, site, load_config(site)) == "content"
    client = Client(server)
    token = client.token()
    mention = next(i for i in client.review(token)["items"]
                   if i["kind"] == "entity" and i["text"] == "Tom Reyes")
    linked = 'aria-describedby="pop-e-tom-reyes">Tom Reyes</a>'
    assert linked in client.page()
    # as `sitegen review --set` or a text editor would: the watcher sees it
    review.write_text("decisions:\n- kind: entity\n  action: correct\n  text: Tom Reyes\n"
                      "  set: {id: jane-ortiz}\n")
    wait_for(lambda: linked not in client.page(), "the page to drop the mention's old link")
    fixed = next(i for i in client.review(token)["items"] if i["id"] == mention["id"])
    assert (fixed["decision"], fixed["entity_id"], fixed["name"]) == (
        "correct", "jane-ortiz", "Jane Ortiz")
