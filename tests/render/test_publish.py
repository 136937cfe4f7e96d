"""Ready to publish: link check, metadata (OpenGraph, JSON-LD), feeds with content, subpath
deploys and the search page."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import REPO, Result, article

from sitegen.commands.check import check_site
from sitegen.render.search import pagefind_executable

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = "</script><script>alert(1)</script>"

KB = f"""\
- id: annelies-verbruggen
  name: Annelies Verbruggen
  type: person
  aliases: [Verbruggen]
  description: "Mayor of Rotterdam {HOSTILE} & <b>friends</b>"
  url: https://en.wikipedia.org/wiki/Example
- id: rotterdam
  name: Rotterdam
  type: place
  description: "A port city."
  url: https://en.wikipedia.org/wiki/Rotterdam
"""

ONE = """\
[Annelies Verbruggen]{entity=annelies-verbruggen} opened the barrier in
[Rotterdam]{entity=rotterdam} on Monday.

## Reactions

Residents welcomed it. See [the second story](2026/04/two/) and [its end](2026/04/two/#end).
"""

TWO = """\
More news from [Rotterdam]{entity=rotterdam}.

## End

The end.
"""


class Head(HTMLParser):
    """<meta>, <link> and JSON-LD scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, str] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("property") or a.get("name")):
            self.meta.setdefault(str(a.get("property") or a.get("name")), []).append(
                a.get("content") or "")
        elif tag == "link" and a.get("rel"):
            self.links[str(a["rel"])] = a.get("href") or ""
        elif tag == "script":
            self._script = a
            self.scripts.append((a, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text("utf-8"))
    return parser


def jsonld(path: Path) -> dict[str, object]:
    blocks = [text for attrs, text in head(path).scripts
              if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert isinstance(data, dict)
    return data


@pytest.fixture
def news_site(make_site: Callable[..., Path]) -> Path:
    return make_site(
        {
            "one.md": article(
                f"Barrier opens {HOSTILE}", ONE, tags="[flooding, rotterdam]",
                summary='"The barrier opened on Monday."', authors="[Jane Doe, John Roe]",
                updated="2026-03-02",
                cover='{image: images/barrier.svg, alt: "The barrier", credit: "Photo: X"}'),
            "two.md": article("Second story", TWO, date="2026-04-02", tags="[rotterdam]"),
        },
        files={"content/entities.yaml": KB,
               "content/images/barrier.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>'},
    )


def build(run: Callable[..., Result], site: Path, *args: str | Path) -> Path:
    res = run("build", "--site", site, *args)
    assert res.code == 0, res.err
    return site / "output"


# -- link check ---------------------------------------------------------------------------

def test_check_passes_then_names_page_and_link_after_a_page_is_deleted(
        news_site: Path, run: Callable[..., Result]) -> None:
    out = build(run, news_site, "--base-url", "https://example.org/news/")
    res = run("check", out)
    assert res.code == 0, res.out
    assert "no broken links" in res.out
    shutil.rmtree(out / "2026/04/two")
    res = run("check", out)
    assert res.code == 1
    lines = res.out.splitlines()
    assert "index.html: 2026/04/two/ (no index.html in 2026/04/two/)" in lines
    assert any(line.startswith("2026/03/one/index.html: ../../../2026/04/two/#end (")
               for line in lines), res.out
    assert any(line.startswith("sitemap.xml: https://example.org/news/2026/04/two/ (")
               for line in lines), res.out
    assert "broken links" in lines[-1]


def test_check_links_anchors_assets_and_directory_urls(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a/index.html").write_text('<h2 id="x">X</h2><a name="legacy"></a>')
    (out / "img.png").write_bytes(b"")
    (out / "style.css").write_text("body { background: url('img.png') } i { background: "
                                   "url(gone.png) } svg { fill: url(#grad) }")
    (out / "index.html").write_text("""
      <link rel="stylesheet" href="style.css"><link rel="preconnect" href="https://cdn.test">
      <a href="a/">ok</a> <a href="a">dir</a> <a href="./a/index.html#x">ok</a>
      <a href="a/#legacy">name</a> <a href="a/#y">bad anchor</a> <a href="#top">top</a>
      <a href="#here" id="here">self</a> <a href="#nowhere">bad self</a>
      <a href="missing.html">missing</a> <a href="b/">missing dir</a>
      <a href="https://example.com/x">external</a> <a href="mailto:x@example.com">mail</a>
      <a href="/a/">root-relative</a> <a href="../up.html">escapes</a>
      <img src="img.png" srcset="img.png 1x, big.png 2x" alt="">
      <span aria-describedby="here ghost">described</span>
    """)
    report = check_site(out)
    assert sorted(str(b) for b in report.broken) == [
        "index.html: #ghost (no element with id 'ghost' here)",
        "index.html: #nowhere (no element with id 'nowhere' here)",
        "index.html: ../up.html (points outside the output folder)",
        "index.html: a/#y (no element with id 'y' on a/index.html)",
        "index.html: b/ (no index.html in b/)",
        "index.html: big.png (no such file: big.png)",
        "index.html: missing.html (no such file: missing.html)",
        "style.css: gone.png (no such file: gone.png)",
    ]
    assert report.external == 0  # not fetched without --external
    # Under a subpath, a root-relative link outside it is broken; one inside it is fine.
    sub = check_site(out, base_url="https://example.org/news/")
    assert "index.html: /a/ (outside the site's base path /news/)" in [
        str(b) for b in sub.broken]


def test_check_of_a_missing_folder_is_an_error(run: Callable[..., Result],
                                               tmp_path: Path) -> None:
    res = run("check", tmp_path / "nothing")
    assert res.code == 1 and "no built site" in res.err


def test_demo_site_passes_check(run: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert run("build", "--site", REPO, "--output", out).code == 0
    res = run("check", out)
    assert res.code == 0, res.out


def test_subpath_build_passes_check(news_site: Path, run: Callable[..., Result]) -> None:
    out = build(run, news_site, "--base-url", "https://example.org/news/")
    res = run("check", out)
    assert res.code == 0, res.out
    page = out / "2026/03/one/index.html"
    h = head(page)
    assert h.links["canonical"] == "https://example.org/news/2026/03/one/"
    # the cover is an SVG, which link previews do not accept: the generated card instead
    assert h.meta["og:image"] == ["https://example.org/news/2026/03/one/social-card.png"]
    # A link that ignores the subpath is caught.
    html = page.read_text().replace("</main>", '<a href="/tags/">wrong</a></main>')
    page.write_text(html)
    res = run("check", out)
    assert res.code == 1
    assert "2026/03/one/index.html: /tags/ (outside the site's base path /news/)" in res.out


# -- metadata -----------------------------------------------------------------------------

def test_opengraph_twitter_and_canonical(news_site: Path, run: Callable[..., Result]) -> None:
    out = build(run, news_site, "--base-url", "https://example.org/news/")
    h = head(out / "2026/03/one/index.html")
    assert h.meta["og:type"] == ["article"]
    assert h.meta["og:title"] == [f"Barrier opens {HOSTILE}"]
    assert h.meta["og:description"] == ["The barrier opened on Monday."]
    assert h.meta["og:url"] == ["https://example.org/news/2026/03/one/"]
    assert h.meta["og:image:alt"] == [f"Barrier opens {HOSTILE}"]  # the card's text
    assert h.meta["twitter:card"] == ["summary_large_image"]
    assert h.meta["twitter:image"] == ["https://example.org/news/2026/03/one/social-card.png"]
    assert h.meta["article:tag"] == ["flooding", "rotterdam"]
    assert h.meta["og:site_name"] == ["Test Site"]
    home = head(out / "index.html")
    assert home.links["canonical"] == "https://example.org/news/"
    assert home.meta["og:type"] == ["website"]
    assert head(out / "2026/04/two/index.html").meta["twitter:card"] == [
        "summary_large_image"]  # every page has a raster image: its own or a card
    assert "canonical" not in head(out / "404.html").links


def test_jsonld_news_article_names_entities(news_site: Path,
                                            run: Callable[..., Result]) -> None:
    out = build(run, news_site, "--base-url", "https://example.org/news/")
    data = jsonld(out / "2026/03/one/index.html")
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == f"Barrier opens {HOSTILE}"
    assert data["datePublished"] == "2026-03-01T00:00:00Z"
    assert data["dateModified"] == "2026-03-02T00:00:00Z"
    # no author pages here: the url is the site's
    assert data["author"] == [
        {"@type": "Person", "name": "Jane Doe", "url": "https://example.org/news/"},
        {"@type": "Person", "name": "John Roe", "url": "https://example.org/news/"}]
    assert data["image"] == ["https://example.org/news/images/barrier.svg"]
    mentions = data["mentions"]
    assert isinstance(mentions, list)
    by_name = {m["name"]: m for m in mentions}
    assert by_name["Annelies Verbruggen"]["@type"] == "Person"
    assert by_name["Annelies Verbruggen"]["sameAs"] == "https://en.wikipedia.org/wiki/Example"
    assert by_name["Annelies Verbruggen"]["description"].startswith(f"Mayor of Rotterdam {HOSTILE}")
    assert by_name["Rotterdam"] == {
        "@type": "Place", "name": "Rotterdam", "description": "A port city.",
        "url": "https://example.org/news/entities/rotterdam/",
        "sameAs": "https://en.wikipedia.org/wiki/Rotterdam"}


def test_hostile_text_cannot_leave_the_jsonld_script(news_site: Path,
                                                     run: Callable[..., Result]) -> None:
    out = build(run, news_site)
    html = (out / "2026/03/one/index.html").read_text()
    start = html.index('<script type="application/ld+json">')
    block = html[start:html.index("</script>", start)]
    assert "<" not in block[1:] and ">" not in block[block.index(">") + 1:]
    assert "&" not in block and "\\u003c/script\\u003e" in block
    h = head(out / "2026/03/one/index.html")
    # Exactly the theme's scripts: JSON-LD and sitegen.js; nothing injected.
    assert [a.get("type") or a.get("src") for a, _ in h.scripts] == [
        "application/ld+json", "../../../static/sitegen.js"]
    assert "<script>alert(1)" not in html


# -- feeds --------------------------------------------------------------------------------

def test_feeds_carry_full_content(news_site: Path, run: Callable[..., Result]) -> None:
    out = build(run, news_site, "--base-url", "https://example.org/news/")
    for feed in ("feed.xml", "tags/rotterdam/feed.xml", "tags/flooding/feed.xml"):
        root = ElementTree.parse(out / feed).getroot()
        entries = {e.findtext(f"{ATOM}id"): e for e in root.findall(f"{ATOM}entry")}
        entry = entries["https://example.org/news/2026/03/one/"]
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        text = content.text or ""
        assert "opened the barrier in" in text and "<h2" in text
        assert 'src="https://example.org/news/images/barrier.svg"' in text
        assert 'href="https://example.org/news/2026/04/two/#end"' in text
        assert entry.findtext(f"{ATOM}summary") == "The barrier opened on Monday."
        assert entry.findtext(f"{ATOM}title") == f"Barrier opens {HOSTILE}"
    assert len(ElementTree.parse(out / "tags/flooding/feed.xml").getroot()
               .findall(f"{ATOM}entry")) == 1


# -- search -------------------------------------------------------------------------------

def test_search_page_without_pagefind(news_site: Path, run: Callable[..., Result]) -> None:
    out = build(run, news_site)
    page = (out / "search/index.html").read_text()
    assert "Search is unavailable" in page and "pagefind" not in page
    assert not (out / "pagefind").exists()
    # no index, no "Search" in the navigation (the page stays for old links)
    assert 'href="../search/"' not in (out / "tags/index.html").read_text()
    article_html = (out / "2026/03/one/index.html").read_text()
    assert "data-pagefind-body" in article_html
    assert re.search(r'<span data-pagefind-filter="person">Annelies Verbruggen</span>',
                     article_html)
    assert 'data-pagefind-filter="tag">Flooding</a>' in article_html  # display name (issue 16)


@pytest.mark.skipif(pagefind_executable() is None and shutil.which("pagefind") is None,
                    reason="Pagefind is not installed (pip install 'sitegen[search]')")
def test_search_index_with_pagefind(news_site: Path, run: Callable[..., Result],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITEGEN_NO_SEARCH")
    out = build(run, news_site, "--base-url", "https://example.org/news/")
    page = (out / "search/index.html").read_text()
    assert 'src="../static/search.js"' in page and "Search is unavailable" not in page
    assert 'href="../search/"' in (out / "tags/index.html").read_text()  # in the navigation
    for rel in ("pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css",
                "pagefind/pagefind-entry.json"):
        assert (out / rel).is_file(), rel
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 2  # the two articles only
    assert list((out / "pagefind/filter").iterdir())
    res = run("check", out)
    assert res.code == 0, res.out


def test_external_links_only_with_the_flag(tmp_path: Path, run: Callable[..., Result]) -> None:
    import functools
    import http.server
    import threading

    served = tmp_path / "remote"
    served.mkdir()
    (served / "here.html").write_text("ok")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        remote = f"http://127.0.0.1:{server.server_port}"
        out = tmp_path / "out"
        out.mkdir()
        (out / "index.html").write_text(
            f'<a href="{remote}/here.html">ok</a> <a href="{remote}/gone.html">gone</a>')
        assert run("check", out).code == 0
        res = run("check", out, "--external")
        assert res.code == 1
        assert res.out.splitlines()[0] == f"index.html: {remote}/gone.html (HTTP 404)"
        assert "2 external URLs" in res.out
    finally:
        server.shutdown()
        server.server_close()
