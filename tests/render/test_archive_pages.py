"""The archive's pages (docs/archive-pages.md) on a small hand-made site whose sources and
quotes are known: quotes pages, the "Who speaks" sourcing page and its data, related
articles, and the entity pages' timeline, co-occurrences and tags."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

from conftest import Result, article

from sitegen.build.annotate_stage import annotate
from sitegen.build.engine import load_data, parse_all
from sitegen.config.site import load_config
from sitegen.index.builder import SiteIndexBuilder
from sitegen.render.keys import PageKeys
from sitegen.render.renderer import Renderer
from sitegen.render.site import SiteRenderer
from sitegen.render.store import MemoryStore

KB = """\
- name: Anna Berg
  type: person
  aliases: [Berg]
- name: Tom Vos
  type: person
  aliases: [Vos]
- name: Harbour Board
  type: organisation
- name: Delft
  type: place
"""
GLOSSARY = """\
- term: storm surge
  definition: Water pushed ashore by the wind.
"""
A1 = article("Dikes hold in Delft", """
    "The dikes will hold," said Anna Berg in Delft.

    Anna Berg said that the pumps were ready.

    The Harbour Board said the port would stay open.

    Officials said the roads were closed. The storm surge reached the quay.
    """, date="2026-01-10", tags="[floods]")
A2 = article("Money for Delft dikes", """
    "We need more money for Delft," said Anna Berg.

    According to the Harbour Board, repairs will take a month.
    """, date="2026-02-05", tags="[floods, politics]")
A3 = article("Vote delayed", """
    Tom Vos said that the vote was delayed.

    "It is a scandal," said Tom Vos. Anna Berg did not comment.

    The storm surge was not discussed.
    """, date="2026-02-20", tags="[politics]")
ARTICLES = {"a1.md": A1, "a2.md": A2, "a3.md": A3}
FILES = {"content/entities.yaml": KB, "content/glossary.yaml": GLOSSARY}


def main_of(path: Path) -> str:
    html = path.read_text("utf-8")
    return html[html.index('<main id="main"'):html.index("</main>")]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def built(make_site: Callable[..., Path], run: Callable[..., Result],
          config: str = "", articles: dict[str, str] | None = None,
          files: dict[str, str] | None = None) -> Path:
    site = make_site(articles or ARTICLES, config=config, files=files or FILES)
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    return site


# -- quotes pages ---------------------------------------------------------------------------
def test_quotes_page_lists_a_sources_statements_newest_first(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    out = built(make_site, run) / "output"
    page = main_of(out / "entities/anna-berg/quotes/index.html")
    items = re.findall(r'<li class="quote-item"(.*?)</li>', page, re.S)
    assert [text_of(i.split(">", 1)[1]).split(" 2026 ")[0] for i in items] == [
        "“We need more money for Delft” 5 February",
        "“The dikes will hold” 10 January",
        "said that the pumps were ready 10 January",
    ]
    first = items[0]
    assert 'data-year="2026"' in first and 'data-tags=" floods politics "' in first
    assert '<a href="../../../2026/02/a2/">Money for Delft dikes</a>' in first
    assert '<blockquote class="snippet">“We need more money for Delft,” said Anna Berg.' in first
    assert '<time datetime="2026-02-05T00:00:00Z">5 February 2026</time>' in first
    assert "3 statements, newest first" in page
    # the filter: every year and topic of the source's statements; hidden without JS
    assert '<form class="quote-filter" hidden' in page
    assert '<option value="floods">Floods</option><option value="politics">' in page
    assert (out / "static/quotes.js").is_file()
    # linked from the entity page; places and unquoted people get no quotes page
    entity = main_of(out / "entities/anna-berg/index.html")
    assert '<a href="../../entities/anna-berg/quotes/">All 3 statements by Anna Berg' in entity
    assert not (out / "entities/delft/quotes").exists()
    assert (out / "entities/harbour-board/quotes/index.html").is_file()


def test_quotes_pages_are_paginated(make_site: Callable[..., Path],
                                    run: Callable[..., Result]) -> None:
    out = built(make_site, run, config="[archive]\nquotes_per_page = 2\n") / "output"
    one = main_of(out / "entities/anna-berg/quotes/index.html")
    two = main_of(out / "entities/anna-berg/quotes/page/2/index.html")
    assert one.count('class="quote-item"') == 2 and two.count('class="quote-item"') == 1
    assert "said that the pumps were ready" in two and "page 2 of 2" in two
    assert '<a rel="next" href="../../../entities/anna-berg/quotes/page/2/">' in one
    assert '<a rel="prev" href="../../../../../entities/anna-berg/quotes/">' in two
    assert ('data-pages="../../../../../entities/anna-berg/quotes/ '
            '../../../../../entities/anna-berg/quotes/page/2/ "') in two


# -- the sourcing page ----------------------------------------------------------------------
def test_sourcing_page_counts_and_data(make_site: Callable[..., Path],
                                       run: Callable[..., Result]) -> None:
    out = built(make_site, run) / "output"
    data = json.loads((out / "sourcing/sourcing.json").read_text("utf-8"))
    assert data["total"] == {"statements": 8, "named": 7, "unnamed": 1, "person": 5,
                             "organisation": 2, "media": 0, "direct": 3, "reported": 5}
    assert (data["articles"], data["articles_with_sources"]) == (3, 3)
    assert [(m["month"], m["statements"], m["unnamed"]) for m in data["months"]] == [
        ("2026-01", 4, 1), ("2026-02", 4, 0)]
    assert [(t["tag"], t["statements"]) for t in data["tags"]] == [
        ("floods", 6), ("politics", 4)]
    assert [(s["id"], s["statements"], s["direct"]) for s in data["sources"]] == [
        ("anna-berg", 3, 2), ("harbour-board", 2, 0), ("tom-vos", 2, 1)]
    rows = list(csv.reader((out / "sourcing/sourcing.csv").read_text("utf-8").splitlines()))
    assert rows[0][:4] == ["figure", "key", "name", "statements"]
    assert rows[1] == ["total", "", "", "8", "7", "1", "5", "2", "0", "3", "5"]
    assert ["source", "anna-berg", "Anna Berg", "3", "3", "0", "3", "0", "0", "2", "1"] in rows

    page = main_of(out / "sourcing/index.html")
    charts = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(charts) == 6
    for svg in charts:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert page.count('<table class="chart-data">') == 6
    assert "<desc id=\"chart-named-desc\">Of 8 statements, 7 come from named sources " \
           "and 1 from unnamed ones.</desc>" in page
    assert ('<th scope="row"><a href="../entities/anna-berg/quotes/">Anna Berg</a></th>'
            '<td class="text">person</td><td>3</td><td>2</td><td>1</td>') in page
    assert '<dt id="unnamed">' in page and 'id="definitions"' in page
    assert '<a href="sourcing.csv">CSV</a>' in page
    # each article's sourcing line links to the definitions
    art = (out / "2026/01/a1/index.html").read_text("utf-8")
    assert '<a href="../../../sourcing/#definitions">what these mean</a>' in art
    assert '<a href="../sourcing/">Who speaks</a>' in (out / "tags/index.html").read_text()


# -- how stories connect --------------------------------------------------------------------
def test_related_articles_are_ranked_by_rare_shared_names(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    out = built(make_site, run) / "output"

    def related(url: str) -> list[str]:
        html = (out / url / "index.html").read_text("utf-8")
        block = html[html.index('<aside class="related-articles"'):html.index("</aside>")]
        return [text_of(li) for li in re.findall(r"<li>(.*?)</li>", block)]

    # a2 shares Delft and Harbour Board (2 articles each: rarer) and Anna Berg (3) with
    # a1; a3 shares the glossary term and Anna Berg with a1, only Anna Berg with a2
    assert related("2026/01/a1") == [
        "Money for Delft dikes also about: Delft, Harbour Board, Anna Berg",
        "Vote delayed also about: storm surge, Anna Berg"]
    assert related("2026/02/a3") == [
        "Dikes hold in Delft also about: storm surge, Anna Berg",
        "Money for Delft dikes also about: Anna Berg"]
    assert related("2026/02/a2") == [
        "Dikes hold in Delft also about: Delft, Harbour Board, Anna Berg",
        "Vote delayed also about: Anna Berg"]
    html = (out / "2026/02/a3/index.html").read_text("utf-8")
    assert '<a href="../../../2026/02/a2/">Money for Delft dikes</a>' in html


def test_entity_page_timeline_co_occurrence_and_tags(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    out = built(make_site, run) / "output"
    page = main_of(out / "entities/anna-berg/index.html")
    together = page[page.index('<ul class="together">'):]
    together = together[:together.index("</ul>")]
    assert [text_of(li) for li in re.findall(r"<li>(.*?)</li>", together)] == [
        "Delft 2 articles", "Harbour Board 2 articles", "Tom Vos 1 article"]
    board = main_of(out / "entities/harbour-board/index.html")
    assert "Anna Berg</a> <span class=\"count\">2 articles</span>" in board
    timeline = page[page.index('class="entity-timeline"'):page.index("</details>")]
    assert re.findall(r'<th scope="row">(.*?)</th><td>(\d+)</td>', timeline) == [
        ("2026-01", "2"), ("2026-02", "2")]
    assert '<svg class="chart" role="img"' in timeline and "<desc id=" in timeline
    assert "<title>2026-01: 2</title>" in timeline
    tags = page[page.index("<h2>Topics</h2>"):]
    assert re.findall(r'tags/(\w+)/">\w+</a> <span class="count">(\d)', tags)[:2] == [
        ("floods", "2"), ("politics", "2")]


def test_each_kind_can_be_turned_off(make_site: Callable[..., Path],
                                     run: Callable[..., Result]) -> None:
    off = ("[archive]\nquotes = false\nsourcing = false\nrelated = false\n"
           "entity_timeline = false\n")
    out = built(make_site, run, config=off) / "output"
    assert not (out / "sourcing").exists()
    assert not list(out.glob("entities/*/quotes"))
    art = (out / "2026/01/a1/index.html").read_text("utf-8")
    assert 'class="related-articles"' not in art and "sourcing/" not in art
    entity = (out / "entities/anna-berg/index.html").read_text("utf-8")
    assert "Often mentioned with" not in entity and "<svg" not in entity
    assert "quotes/" not in entity


# -- incremental ----------------------------------------------------------------------------
def test_an_edit_re_renders_only_the_pages_that_show_it(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = make_site(ARTICLES, files=FILES)
    config = load_config(site)
    kb, glossary = load_data(config)
    docs = annotate(parse_all(config), config, kb, glossary).documents
    builder = SiteIndexBuilder(config, kb, glossary)
    index = builder.add(docs)
    renderer = Renderer(config, kb, glossary)
    store = MemoryStore()
    pages = SiteRenderer(renderer, PageKeys(renderer, "test"), store)
    pages.prepare()
    for f in pages.pages(index):
        store.put(f.path, pages.page_keys[f.path], f.data)

    def rendered_after(rel: str, text: str) -> set[str]:
        (site / "content" / rel).write_text(text, "utf-8")
        edited = {d.document.source.rel: d for d in annotate(
            parse_all(config), config, kb, glossary).documents}
        new = builder.update({rel: edited[rel]})
        before = set(pages.page_keys.items())
        pages.start_pass()
        for f in pages.pages(new):
            store.put(f.path, pages.page_keys[f.path], f.data)
        return {p for p, k in pages.page_keys.items() if (p, k) not in before}

    # a sentence that changes no quote, entity or term of the site
    changed = rendered_after("a3.md", A3.replace("did not comment.", "did not comment.\n\n"
                                                 "The weather was calm."))
    assert "2026/02/a3/index.html" in changed
    assert "2026/01/a1/index.html" not in changed
    assert "2026/02/a2/index.html" not in changed
    assert "entities/harbour-board/quotes/index.html" not in changed
    assert "entities/anna-berg/quotes/index.html" not in changed
    assert "sourcing/index.html" not in changed and "sourcing/sourcing.json" not in changed
    # a changed quote: its speaker's quotes page and the figures, not the other sources'
    changed = rendered_after("a2.md", A2.replace("will take a month", "will take a year"))
    assert "entities/harbour-board/quotes/index.html" in changed
    assert "entities/anna-berg/quotes/index.html" not in changed
    assert "entities/tom-vos/quotes/index.html" not in changed
    assert "2026/02/a3/index.html" not in changed


def test_a_one_article_edit_does_not_re_render_every_article(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = built(make_site, run)
    first = run("build", "--site", site).report
    assert first is not None and first.rendered == 0
    (site / "content/a3.md").write_text(A3 + "\nThe weather was calm.\n", "utf-8")
    again = run("build", "--site", site)
    assert again.code == 0 and again.report is not None
    # the edited article, the lists showing it and the pages of what it mentions
    assert 0 < again.report.rendered <= again.report.reused
    assert again.report.rendered < 12


# -- safety ---------------------------------------------------------------------------------
def test_hostile_names_and_quotes_are_escaped(make_site: Callable[..., Path],
                                              run: Callable[..., Result]) -> None:
    kb = KB.replace("- name: Anna Berg\n  type: person\n  aliases: [Berg]",
                    '- id: anna-berg\n  name: "Anna <b>Berg</b>"\n  type: person\n'
                    '  aliases: [Anna Berg, Berg]')
    assert kb != KB
    a1 = A1.replace("The dikes will hold", "The <img src=x onerror=alert(1)> dikes & hold")
    out = built(make_site, run, articles={**ARTICLES, "a1.md": a1},
                files={**FILES, "content/entities.yaml": kb}) / "output"
    new_pages = [*out.glob("entities/*/quotes/index.html"), out / "sourcing/index.html",
                 *out.glob("entities/*/index.html"), *out.glob("20*/*/*/index.html")]
    for path in new_pages:
        html = path.read_text("utf-8")
        assert "<b>Berg" not in html and "<img src=x" not in html, path
    quotes = (out / "entities/anna-berg/quotes/index.html").read_text("utf-8")
    assert "What Anna &lt;b&gt;Berg&lt;/b&gt; said" in quotes
    assert "The &lt;img src=x onerror=alert(1)&gt; dikes &amp; hold" in quotes
    sourcing = (out / "sourcing/index.html").read_text("utf-8")
    assert "Anna &lt;b&gt;Berg&lt;/b&gt; 3" in sourcing  # in the chart's description
    data = json.loads((out / "sourcing/sourcing.json").read_text("utf-8"))
    assert data["sources"][0]["name"] == "Anna <b>Berg</b>"


# -- what readers never see -----------------------------------------------------------------
def test_held_back_and_rejected_statements_appear_on_no_archive_page(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    # Tom Vos's reported statement is held back below a higher threshold
    site = make_site(ARTICLES, files=FILES,
                     config="[annotate]\npublish_threshold = { attributions = 0.86 }\n")
    listed = run("review", "--site", site, "--json")
    assert listed.code == 0, listed.err
    items = json.loads(listed.out)
    held = [i for i in items if i["kind"] == "attribution" and not i["published"]]
    assert any("the vote was delayed" in i["text"] for i in held)
    # an editor rejects the Harbour Board's statement in a1
    port = next(i for i in items if "the port would stay open" in i["text"])
    assert run("review", "--site", site, "--reject", port["id"]).code == 0
    assert (site / "content/a1.review.yaml").is_file()
    assert run("build", "--site", site).code == 0
    out = site / "output"
    archive = [*out.glob("entities/*/quotes/index.html"), *out.glob("sourcing/*")]
    assert len(archive) > 3
    for path in archive:
        text = path.read_text("utf-8")
        assert "the port would stay open" not in text, path
        assert "the vote was delayed" not in text, path
    for path in out.glob("entities/*/index.html"):  # mentions' sentences, never as quotes
        text = path.read_text("utf-8")
        assert "paraphrase\">said that the port would stay open" not in text, path
        assert "paraphrase\">said that the vote was delayed" not in text, path
    data = json.loads((out / "sourcing/sourcing.json").read_text("utf-8"))
    assert data["total"]["statements"] == 8 - 1 - len(held)
    anna = sum(1 for i in held if i.get("source_id") == "anna-berg")
    assert {s["id"]: s["statements"] for s in data["sources"]}["harbour-board"] == 1
    assert {s["id"]: s["statements"] for s in data["sources"]}.get("anna-berg", 0) == 3 - anna
    board = main_of(out / "entities/harbour-board/quotes/index.html")
    assert board.count('class="quote-item"') == 1 and "repairs will take a month" in board


# -- under a subpath, and the link checker --------------------------------------------------
def test_archive_pages_link_correctly_under_a_subpath(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = make_site(ARTICLES, files=FILES,
                     config='base_url = "https://example.org/news/"\n'
                            "[archive]\nquotes_per_page = 2\n")
    assert run("build", "--site", site).code == 0
    res = run("check", "--site", site)
    assert res.code == 0, res.out
    assert "no broken links" in res.out
    out = site / "output"
    quotes = (out / "entities/anna-berg/quotes/index.html").read_text("utf-8")
    assert 'href="../../../static/style.css"' in quotes
    assert 'src="../../../static/quotes.js"' in quotes
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://example.org/news/sourcing/</loc>" in sitemap
    assert "<loc>https://example.org/news/entities/anna-berg/quotes/page/2/</loc>" in sitemap


# -- the quote filter in a browser ----------------------------------------------------------
def test_quote_filter_covers_every_page_and_is_keyboard_reachable(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    import functools
    import http.server
    import threading

    import pytest
    from conftest import ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium")
    from playwright.sync_api import sync_playwright

    out = built(make_site, run, config="[archive]\nquotes_per_page = 2\n") / "output"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Quiet, directory=str(out)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/entities/anna-berg/quotes/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page()
                page.goto(url)
                items = page.locator(".quote-item:visible")
                assert items.count() == 2 and page.locator(".quote-filter").is_visible()
                for _ in range(30):  # the filter's controls are tab stops
                    page.keyboard.press("Tab")
                    if page.evaluate("document.activeElement.name") == "tag":
                        break
                assert page.evaluate("document.activeElement.name") == "tag"
                page.select_option("select[name=tag]", "floods")  # a1 (page 2 too) and a2
                page.wait_for_function(
                    "document.querySelectorAll('.quote-item:not([hidden])').length == 3")
                assert page.locator("output").text_content() == "3 shown"
                assert not page.locator(".pagination").is_visible()
                page.select_option("select[name=tag]", "politics")
                assert [t.strip() for t in items.locator(".quote-text").all_text_contents()
                        ] == ["“We need more money for Delft”"]
                link = items.locator("a").first.get_attribute("href") or ""
                assert link.endswith("2026/02/a2/")
                page.select_option("select[name=tag]", "")  # back to this page's list
                assert items.count() == 2 and page.locator(".pagination").is_visible()
                plain = browser.new_context(java_script_enabled=False).new_page()
                plain.goto(url)  # without JavaScript: no form, the pages list everything
                assert not plain.locator(".quote-filter").is_visible()
                assert plain.locator(".quote-item:visible").count() == 2
                assert plain.locator(".pagination").is_visible()
            finally:
                browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
