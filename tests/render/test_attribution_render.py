"""Attributions as a reader sees them: quote markup, markers, the sources panel (real model)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from conftest import REPO, Result, article

KB = """\
- id: dmitry-peskov
  name: Dmitry Peskov
  type: person
  aliases: [Peskov]
  description: Kremlin spokesperson.
"""

BODY = """
Dmitry Peskov spoke to reporters in Moscow on Monday.

"There is no <contradiction> here," Peskov said on Telegram.

Officials said the talks would resume next week, according to the TASS news agency.

The claim could not be independently verified.

Cover photo: Jane Doe / AFP
"""


def test_quotes_markers_and_sources_panel(make_site: Callable[..., Path],
                                          run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("Talks", BODY)}, files={"content/entities.yaml": KB})
    assert run("build", "--site", site).code == 0
    html = (site / "output/2026/03/a/index.html").read_text()
    quote = re.search(r'<q class="attr attr-direct" data-source="(\d+)" '
                      r'data-source-name="Dmitry Peskov" data-confidence="[01]\.\d\d" '
                      r'data-stmt="\d+" cite="../../../entities/dmitry-peskov/">'
                      r"(.*?)</q>", html)
    assert quote, html
    assert "There is no &lt;contradiction&gt; here" in quote.group(2)
    n = quote.group(1)
    # one marker, after the closing quote; Peskov's name is linked in the text, so it is
    # not a second tab stop (issue 16)
    assert re.search(rf'here</q>,\u201d<(a|span) class="attr-marker"[^>]* data-pop="pop-s-{n}"',
                     html), html
    panel = html[html.index('id="sources"'):]
    assert '<a href="../../../entities/dmitry-peskov/">Dmitry Peskov</a>' in panel
    assert "via Telegram" in panel and "via on " not in html  # the channel, not "on …"
    assert "Not independently verified" in panel
    assert "The claim could not be independently verified." in panel
    assert "Jane Doe / AFP" in panel
    assert 'class="flag-unverified"' in html
    line = re.search(r'<p class="sourcing-line">(.*?)</p>', html)
    assert line and "named source" in line.group(1) and "1 unverified claim" in line.group(1)
    entity_page = (site / "output/entities/dmitry-peskov/index.html").read_text()
    assert "Quoted as saying" in entity_page
    assert "There is no &lt;contradiction&gt; here" in entity_page


def test_annotate_exports_attributions(run: Callable[..., Result], tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text(BODY)
    res = run("annotate", src, "--json")
    assert res.code == 0
    kinds = {a["kind"] for a in json.loads(res.out)["attributions"]}
    assert {"direct", "unverified", "credit"} <= kinds


def test_demo_glossary_terms_are_linked_in_every_article_that_uses_them(
        run: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert run("build", "--site", REPO, "--output", out).code == 0
    exported = tmp_path / "ann"
    assert run("annotate", REPO / "content", "--out", exported, "--site", REPO).code == 0
    from sitegen.source.kb import load_glossary

    ids = {t.term: t.id for t in load_glossary(REPO / "content/glossary.yaml").terms}
    pages = {p.parent.name: p.read_text() for p in out.glob("2026/*/*/index.html")}
    checked = 0
    for path in exported.glob("*.json"):
        if path.stem not in pages:  # drafts are not published
            continue
        terms = {g["term"] for g in json.loads(path.read_text())["glossary"]}
        for term in terms:
            link = f'glossary/#{ids[term]}" data-origin='
            assert link in pages[path.stem], (path.stem, term)
            checked += 1
    assert checked >= 10
    glossary = (out / "glossary/index.html").read_text()
    assert "Used in:" in glossary
