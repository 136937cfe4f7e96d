"""Editors decide (issue 15): decisions in NAME.review.yaml, applied after confidence, made
with `sitegen review`, kept through edits elsewhere, orphaned when their text is gone."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import Result, article

KB = """\
- id: jane-ortiz
  name: Jane Ortiz
  type: person
  aliases: [Ortiz, Mayor Ortiz]
  description: Mayor of Harbourton.
- id: tom-reyes
  name: Tom Reyes
  type: person
  aliases: [Reyes]
  description: Harbour master of Harbourton.
"""

WALL = """
Mayor Jane Ortiz visited the flooded streets on Monday with harbour master Tom Reyes.

"We will rebuild the harbour wall before winter," Ortiz said.

The storm closed the ferry terminal for three days, and fishing boats stayed in port.

Reyes said the old breakwater had cracked in two places.
"""

OTHER = """
Volunteers from Harbourton cleared sand from the promenade on Tuesday.

"The town came out in force," Ortiz said.
"""

PAGE = "output/2026/03/wall/index.html"
Run = Callable[..., Result]


def _site(make_site: Callable[..., Path], body: str = WALL, config: str = "") -> Path:
    return make_site({"wall.md": article("Harbour wall", body),
                      "other.md": article("Promenade", OTHER)},
                     config=config, files={"content/entities.yaml": KB})


def _json(run: Run, *args: str | Path) -> Any:
    result = run(*args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def _attributions(html: str) -> list[str]:
    """The attribution elements of a page, each with what follows it (the quote)."""
    return re.findall(r'class="attr attr-[^"]*"[^>]*>([^<]{0,60})', html)


def _exported(run: Run, site: Path) -> list[dict[str, Any]]:
    data = _json(run, "annotate", "--json", "--site", site, site / "content/wall.md")
    return list(data["attributions"])


def test_reject_survives_edits_is_orphaned_when_gone_and_correct_changes_speaker(
        make_site: Callable[..., Path], run: Run) -> None:
    site = _site(make_site)
    items = _json(run, "review", "--site", site, "--json")
    assert [i["confidence"] for i in items] == sorted(i["confidence"] for i in items)
    first = next(i for i in items if i["kind"] == "attribution" and i["published"])
    assert first["text"] == "the old breakwater had cracked in two places"
    assert run("build", "--site", site).code == 0
    page = site / PAGE
    assert any("breakwater" in a for a in _attributions(page.read_text()))

    assert run("review", "--site", site, "--reject", first["id"]).code == 0
    review = site / "content/wall.review.yaml"
    assert "action: reject" in review.read_text()
    built = run("build", "--site", site)
    assert built.code == 0 and built.report is not None
    assert (built.report.annotated, built.report.from_cache) == (0, 2)  # no model run
    assert built.report.rendered > 0 and built.report.reused > 0  # the other article's
    assert not any("breakwater" in a for a in _attributions(page.read_text()))
    assert not any("breakwater" in a["quote"] for a in _exported(run, site))
    assert "breakwater" in page.read_text()  # the words stay, unattributed
    assert not list((site / "output").rglob("*.review.yaml"))  # decisions are not published
    remaining = [i["id"] for i in _json(run, "review", "--site", site, "--json")]
    assert first["id"] not in remaining

    # An edit elsewhere in the article: the decision still finds its annotation.
    wall = site / "content/wall.md"
    wall.write_text(wall.read_text().replace("three days", "four long days"))
    assert run("build", "--site", site).code == 0
    assert "four long days" in page.read_text()
    assert not any("breakwater" in a for a in _attributions(page.read_text()))
    assert _json(run, "review", "--site", site, "--orphans", "--json") == []

    # The sentence is deleted: the decision is orphaned, nothing else changes.
    before = _exported(run, site)
    other = (site / "output/2026/03/other/index.html").read_bytes()
    wall.write_text(wall.read_text().replace(
        "Reyes said the old breakwater had cracked in two places.\n", ""))
    assert run("build", "--site", site).code == 0
    orphans = _json(run, "review", "--site", site, "--orphans", "--json")
    assert [(o["file"], o["line"], o["action"], o["reason"]) for o in orphans] == [
        ("content/wall.review.yaml", 4, "reject", "gone")]
    assert orphans[0]["text"] == first["text"]
    assert _exported(run, site) == before
    assert (site / "output/2026/03/other/index.html").read_bytes() == other
    text = run("review", "--site", site, "--orphans")
    assert "content/wall.review.yaml:4: reject attribution" in text.out

    # Correct a speaker: the page and the entity pages show the new one.
    items = _json(run, "review", "--site", site, "--json")
    quote = next(i for i in items if i["kind"] == "attribution"
                 and i["text"].startswith("We will rebuild"))
    assert quote["source_id"] == "jane-ortiz"
    assert run("review", "--site", site, "--set", quote["id"], "source_id=tom-reyes").code == 0
    assert run("build", "--site", site).code == 0
    html = page.read_text()
    assert re.search(r'<q class="attr attr-direct"[^>]*data-source-name="Tom Reyes"', html)
    assert "We will rebuild" in (site / "output/entities/tom-reyes/index.html").read_text()
    assert "We will rebuild" not in (
        site / "output/entities/jane-ortiz/index.html").read_text()
    exported = next(a for a in _exported(run, site) if a["quote"].startswith("We will"))
    assert (exported["source_id"], exported["source_name"]) == ("tom-reyes", "Tom Reyes")
    assert [o["reason"] for o in _json(run, "review", "--site", site, "--orphans",
                                       "--json")] == ["gone"]  # the reject is still kept


def test_accepting_a_held_back_candidate_publishes_it(
        make_site: Callable[..., Path], run: Run) -> None:
    site = _site(make_site, config="[annotate]\npublish_threshold = { attributions = 0.999 }\n")
    assert run("build", "--site", site).code == 0
    assert _attributions((site / PAGE).read_text()) == []
    items = _json(run, "review", "--site", site, "--json", site / "content/wall.md")
    assert {i["file"] for i in items} == {"content/wall.md"}
    held = next(i for i in items if i["kind"] == "attribution" and not i["published"])
    for bad, message in (("colour=red", "unknown field 'colour'"),
                         ("kind=rumour", "unknown kind 'rumour'"), ("red", "FIELD=VALUE")):
        result = run("review", "--site", site, "--set", held["id"], bad)
        assert result.code == 1 and message in result.err
    assert not (site / "content/wall.review.yaml").exists()
    assert run("review", "--site", site, "--accept", held["id"]).code == 0
    assert run("build", "--site", site).code == 0
    shown = _attributions((site / PAGE).read_text())
    assert len(shown) == 1 and held["text"][:20] in shown[0]
    assert [a["quote"] for a in _exported(run, site)] == [held["text"]]
    # the other article's held-back attribution stays held back
    assert _attributions((site / "output/2026/03/other/index.html").read_text()) == []


def test_a_bad_review_file_is_an_error_with_file_and_line(
        make_site: Callable[..., Path], run: Run) -> None:
    site = _site(make_site)
    review = site / "content/wall.review.yaml"
    review.write_text("decisions:\n- kind: attribution\n  action: reject\n"
                      "  text: the old breakwater\n  colour: red\n")
    result = run("build", "--site", site)
    assert result.code == 1
    assert "wall.review.yaml:5: unknown key 'colour'" in result.err
    review.write_text("decisions:\n- kind: entity\n  action: correct\n  text: Reyes\n"
                      "  set: {source_id: x}\n")
    result = run("review", "--site", site)
    assert result.code == 1 and "wall.review.yaml:5: unknown field 'source_id'" in result.err
    review.write_text('decisions:\n- kind: entity\n  action: reject\n  text: "Reyes\n')
    result = run("build", "--site", site)
    assert result.code == 1 and "wall.review.yaml:4:" in result.err


def test_an_ambiguous_anchor_is_orphaned_not_misapplied(
        make_site: Callable[..., Path], run: Run) -> None:
    said = "Ortiz said the council would publish the repair plan in March."
    site = _site(make_site, body=f"{said}\n\nThe storm moved north.\n\n{said}\n")
    items = _json(run, "review", "--site", site, "--json", site / "content/wall.md")
    quotes = [i for i in items if i["kind"] == "attribution" and i["published"]]
    assert len(quotes) == 2 and quotes[0]["id"] == quotes[1]["id"]  # the same words around
    assert run("build", "--site", site).code == 0
    result = run("review", "--site", site, "--reject", quotes[0]["id"])
    assert result.code == 1 and "fits 2 annotations" in result.err
    (site / "content/wall.review.yaml").write_text(
        "decisions:\n- kind: attribution\n  action: reject\n"
        f"  text: {quotes[0]['text']}\n")
    orphans = _json(run, "review", "--site", site, "--orphans", "--json")
    assert [(o["line"], o["reason"]) for o in orphans] == [(2, "ambiguous")]
    built = run("build", "--site", site)
    assert built.code == 0 and built.report is not None
    assert built.report.rendered == 0  # an orphan changes nothing
    assert len(_attributions((site / PAGE).read_text())) == 2  # neither was rejected


def test_require_review_fails_until_every_doubtful_annotation_is_decided(
        make_site: Callable[..., Path], run: Run) -> None:
    site = _site(make_site)
    result = run("build", "--site", site, "--require-review", "--review-below", "0.95")
    assert result.code == 1
    assert re.search(r"content/wall\.md:12: attribution .*has no editor's decision", result.err)
    assert not (site / "output").exists()
    doubtful = [i for i in _json(run, "review", "--site", site, "--json")
                if i["published"] and i["confidence"] < 0.95]
    assert doubtful
    assert run("review", "--site", site,
               *[a for i in doubtful for a in ("--accept", i["id"])]).code == 0
    assert run("build", "--site", site, "--require-review", "--review-below", "0.95").code == 0


def test_review_files_round_trip_and_anchors_ignore_wrapping(tmp_path: Path) -> None:
    from sitegen.annotate.review import Anchor, Decision, anchor_of, apply, candidates
    from sitegen.annotate.review_file import load_review, save_review
    from sitegen.core.model import Annotations, Attribution, TextView

    path = tmp_path / "a.review.yaml"
    tricky = Decision("attribution", "correct", Anchor('a "quoted": text', "- x: ", "#y"),
                      (("source", "The ministry"), ("kind", "according_to")), note="n: 1")
    plain = Decision("entity", "reject", Anchor("Reyes", "", " said"))
    save_review(path, [tricky, plain])
    loaded = load_review(path)
    assert [dataclasses.replace(d, line=0) for d in loaded] == [tricky, plain]
    assert [d.line for d in loaded] == [4, 13]
    assert [d.id for d in loaded] == [tricky.id, plain.id]

    text = "First block.\n\nThe mayor said\nthe wall will hold, officials said."
    view = TextView(text, ())
    start = text.index("the wall")
    quote = Attribution("indirect", start, start + len("the wall will hold"),
                        "the wall will hold", source="mayor", confidence=0.2,
                        published=False)
    anchor = anchor_of(view, quote.start, quote.end)
    assert anchor == Anchor("the wall will hold", "The mayor said ", ", officials said.")
    [cand] = candidates(view, Annotations(attributions=(quote,)))
    # re-wrapped: the same anchor, the same ID; the decision applies and wins over 0.2
    rewrapped = TextView(text.replace("said\nthe", "said the"), ())
    [again] = candidates(rewrapped, Annotations(attributions=(
        dataclasses.replace(quote, start=start, end=start + 18),)))
    assert again.id == cand.id
    applied = apply([Decision("attribution", "correct", Anchor("the wall will hold"),
                              (("source", "Ortiz"),))], rewrapped,
                    Annotations(attributions=(quote,)))
    [fixed] = applied.annotations.attributions
    assert (fixed.published, fixed.source, fixed.source_name) == (True, "Ortiz", "Ortiz")
    assert applied.orphans == ()
