"""Publication by confidence (issue 14): what is below the threshold is not shown, not counted
and not listed; the preview shows it greyed; paraphrase is never in quotation marks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from conftest import Result, article

from sitegen.build.engine import BuildOptions, build

KB = """\
- id: jane-ortiz
  name: Jane Ortiz
  type: person
  aliases: [Ortiz, Mayor Ortiz]
  description: Mayor of Harbourton.
"""

BODY = """
Mayor Jane Ortiz visited the flooded streets on Monday.

"We will rebuild the harbour wall before winter," Ortiz said.

Ortiz said the council would publish the repair plan in March.

Ortiz said the council would publish the repair plan in March, and that the cost would be
shared with the province.
"""


def _site(make_site: Callable[..., Path], threshold: str | None) -> Path:
    config = f"[annotate]\npublish_threshold = {threshold}\n" if threshold else ""
    return make_site({"a.md": article("Harbour wall", BODY)}, config=config,
                     files={"content/entities.yaml": KB})


def test_nothing_below_the_threshold_is_shown_or_counted(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = _site(make_site, "{ attributions = 0.999 }")
    assert run("build", "--site", site).code == 0
    html = (site / "output/2026/03/a/index.html").read_text()
    assert 'class="attr-marker"' not in html
    assert "<q " not in html
    assert 'class="sourcing-line"' not in html
    assert "ann-held" not in html  # a build never shows held-back candidates
    entity = (site / "output/entities/jane-ortiz/index.html").read_text()
    assert "Quoted as saying" not in entity
    everything = run("annotate", site / "content/a.md", "--json", "--all", "--site", site)
    items = json.loads(everything.out)["attributions"]
    assert items and not any(a["published"] for a in items)
    shown = run("annotate", site / "content/a.md", "--json", "--site", site)
    assert json.loads(shown.out)["attributions"] == []


def test_published_statements_direct_in_quotes_paraphrase_said_that_each_once(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = _site(make_site, None)  # the default thresholds: what a reader sees
    assert run("build", "--site", site).code == 0
    html = (site / "output/2026/03/a/index.html").read_text()
    line = re.search(r'<p class="sourcing-line">(.*?)</p>', html)
    assert line and "named source" in line.group(1)
    entity = (site / "output/entities/jane-ortiz/index.html").read_text()
    items = re.findall(r"<li>(.*?)</li>", entity[entity.index("Quoted as saying"):],
                       flags=re.S)
    statements = [i for i in items if "harbour wall" in i or "repair plan" in i]
    assert any("<q>We will rebuild the harbour wall before winter</q>" in i for i in statements)
    paraphrase = [i for i in statements if "repair plan" in i]
    # the shorter report lies inside the longer one: listed once, as paraphrase
    assert len(paraphrase) == 1
    assert '<span class="paraphrase">said that the council would publish' in paraphrase[0]
    assert "<q>" not in paraphrase[0]


def test_the_preview_shows_held_back_candidates_greyed(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = _site(make_site, "{ attributions = 0.999 }")
    build(BuildOptions(site=site, output=tmp_path / "preview", preview=True))
    html = (tmp_path / "preview/2026/03/a/index.html").read_text()
    held = re.findall(r'<span class="ann-held" data-held="([^"]*)"></span>', html)
    assert any(h.startswith("held back: direct \u2190 Jane Ortiz \u00b7 0.") for h in held), held


def test_the_preview_labels_an_editor_s_rejection_as_such(
        make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = _site(make_site, None)
    (site / "content/a.review.yaml").write_text(
        "decisions:\n- kind: attribution\n  action: reject\n"
        "  text: We will rebuild the harbour wall before winter\n")
    build(BuildOptions(site=site, output=tmp_path / "preview", preview=True))
    html = (tmp_path / "preview/2026/03/a/index.html").read_text()
    held = re.findall(r'<span class="ann-held" data-held="([^"]*)"></span>', html)
    assert any(h.startswith("rejected: direct \u2190 Jane Ortiz \u00b7 0.") for h in held), held
    assert not any(h.startswith("held back: direct") for h in held), held
