"""Quote search and the quotes pages' markup (docs/archive-pages.md): each quotes page is
a search record with the speaker as a Pagefind filter and one anchored heading per
statement (Pagefind's sub-results), quotation marks are balanced, and the entity pages'
archive parts are on their first page only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result, article
from test_archive_pages import ARTICLES, FILES, built, main_of, text_of

from sitegen.index.quotes import balanced
from sitegen.render.search import search_available


def items_of(page: str) -> list[str]:
    return re.findall(r'<li class="quote-item"(.*?)</li>', page, re.S)


def test_each_statement_is_an_anchored_heading_under_the_speaker_facet(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    out = built(make_site, run) / "output"
    html = (out / "entities/anna-berg/quotes/index.html").read_text("utf-8")
    page = main_of(out / "entities/anna-berg/quotes/index.html")
    assert '<article class="quotes-page" data-pagefind-body>' in page
    assert ('<a href="../../../entities/anna-berg/" data-pagefind-filter="speaker">'
            'Anna Berg</a>') in page
    heads = re.findall(r'<h2 class="quote-text" id="([^"]+)">(.*?)</h2>', page)
    assert [text_of(t) for _i, t in heads] == [
        "“We need more money for Delft”", "“The dikes will hold”",
        "said that the pumps were ready"]
    # an id per statement: its article and where the statement starts in it
    ids = [i for i, _t in heads]
    assert [re.sub(r"-\d+$", "", i) for i in ids] == [
        "q-2026-02-a2", "q-2026-01-a1", "q-2026-01-a1"]
    assert int(ids[1].rsplit("-", 1)[1]) < int(ids[2].rsplit("-", 1)[1])
    assert len(set(re.findall(r' id="([^"]+)"', html))) == len(re.findall(r' id="', html))
    # what is not a statement is left out of the record
    assert '<p class="count" data-pagefind-ignore>' in page
    assert '<form class="quote-filter" hidden data-pagefind-ignore' in page
    # an article page is not filed under a speaker (its entities are its filters)
    assert 'data-pagefind-filter="speaker"' not in (out / "2026/02/a2/index.html").read_text()


@pytest.mark.skipif(not search_available(), reason="Pagefind is not installed "
                    "(pip install 'sitegen[search]')")
def test_pagefind_indexes_the_quotes_pages_with_the_speaker_filter(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    out = built(make_site, run) / "output"
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text("utf-8"))
    pages = sum(lang["page_count"] for lang in entry["languages"].values())
    quotes = list(out.glob("entities/*/quotes/index.html"))
    assert len(quotes) == 3  # Anna Berg, Tom Vos, the Harbour Board
    assert pages == len(ARTICLES) + len(quotes)
    assert list((out / "pagefind/filter").glob("*.pf_filter"))


def test_quotes_page_without_pagefind_still_lists_and_links(
        make_site: Callable[..., Path], run: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_NO_SEARCH", "1")
    out = built(make_site, run) / "output"
    assert not (out / "pagefind").exists()
    page = main_of(out / "entities/tom-vos/quotes/index.html")
    assert [text_of(i.split(">", 1)[1]).split(" 20 February")[0] for i in items_of(page)] == [
        "said that the vote was delayed", "“It is a scandal”"]


@pytest.mark.parametrize(("said", "direct", "shown"), [
    ("it “a promise to the city…", False, "it “a promise to the city…”"),
    ("the deal”, she said, was off", False, "“the deal”, she said, was off"),
    ("“We will rebuild”", True, "We will rebuild"),
    ('it "a promise', False, 'it "a promise"'),
    ("the “plan” and the “budget”", False, "the “plan” and the “budget”"),
    ("no marks at all", False, "no marks at all"),
    ("the decision on X (formerly Twitter", False, "the decision on X (formerly Twitter)"),
])
def test_a_statement_is_shown_with_balanced_quotation_marks(
        said: str, direct: bool, shown: str) -> None:
    assert balanced(said, direct) == shown


def test_quotes_page_marks_are_balanced(make_site: Callable[..., Path],
                                        run: Callable[..., Result]) -> None:
    text = """
    Anna Berg said that the plan was “a promise to the city, not a budget.

    "We will not wait," said Anna Berg. "The water will not wait either."
    """
    arts = {**ARTICLES, "a4.md": article("Promise", text, date="2026-03-01",
                                         tags="[politics]")}
    out = built(make_site, run, articles=arts) / "output"
    page = main_of(out / "entities/anna-berg/quotes/index.html")
    for h2 in re.findall(r'<h2 class="quote-text"[^>]*>(.*?)</h2>', page):
        shown = text_of(h2)
        assert shown.count("“") == shown.count("”"), shown
    assert "a promise to the city" in page


def test_entity_archive_parts_are_on_its_first_page_only(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    out = built(make_site, run, config="[pagination]\npage_size = 1\n") / "output"
    one = main_of(out / "entities/anna-berg/index.html")
    two = main_of(out / "entities/anna-berg/page/2/index.html")
    for part in ("Mentions per month", "Often mentioned with", "<h2>Topics</h2>"):
        assert part in one and part not in two, part
    link = '<a href="{}entities/anna-berg/quotes/">All 3 statements by Anna Berg'
    assert link.format("../../") in one and link.format("../../../../") in two
    assert FILES  # the same hand-made site as test_archive_pages
