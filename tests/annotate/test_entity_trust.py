"""Trustworthy entity annotations (issue 14), with the real spaCy model on sentences written
for these tests: the failure families of the entity annotator, and every mention's
confidence and publication in the export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, article

from sitegen.annotate.confidence.model import load
from sitegen.annotate.pipeline import AnnotationContext, candidates
from sitegen.config.site import SiteConfig
from sitegen.core.model import EntityMention, Source
from sitegen.source.kb import Glossary, KnowledgeBase, Term
from sitegen.source.parse import parse


def find(nlp: Any, text: str, glossary: Glossary | None = None) -> tuple[EntityMention, ...]:
    doc = parse(Source(path=Path("x.md"), rel="x.md", text=text, digest="x"),
                require_title=False)
    view = doc.view
    ctx = AnnotationContext(SiteConfig(root=Path("."), title="t"), KnowledgeBase(),
                            glossary or Glossary())
    return candidates(nlp(view.text), view, ctx, nlp).entities


def named(mentions: tuple[EntityMention, ...]) -> dict[str, str]:
    return {m.text: m.label for m in mentions}


# ---------------------------------------------------------------- the failure families


def test_capitalised_common_word_before_a_role_is_no_organisation(nlp: Any) -> None:
    found = named(find(nlp, "Caretaker Mayor Lena Vos opened the new ferry terminal in "
                            "Harlingen on Monday. The caretaker council has run the town "
                            "since March."))
    assert "Caretaker" not in found
    assert found.get("Lena Vos") == "PERSON" and found.get("Harlingen") == "GPE"


def test_capitalised_common_word_at_sentence_start_is_no_name(nlp: Any) -> None:
    found = named(find(nlp, "Turnout was low in Groningen, where Karin Visser won the seat."))
    assert "Turnout" not in found
    assert found.get("Karin Visser") == "PERSON"


def test_capitalised_words_in_headings_and_before_roles_are_no_organisations(
        nlp: Any) -> None:
    found = named(find(nlp, "## Opposition regroups after the vote\n\nThe opposition in the "
                            "provincial assembly met in Zwolle on Tuesday. Opposition Leader "
                            "Pieter Bakker said the motion had failed, and Finance Minister "
                            "Sanne Mulder agreed."))
    assert "Opposition" not in found and "Finance" not in found
    assert found.get("Pieter Bakker") == "PERSON" and found.get("Sanne Mulder") == "PERSON"


def test_a_name_is_still_a_name_at_sentence_start(nlp: Any) -> None:
    found = named(find(nlp, "Groningen voted for the plan on Tuesday. Karin Visser of the "
                            "Northern Ports Alliance said Groningen would pay its share."))
    assert found.get("Groningen") == "GPE"
    assert found.get("Northern Ports Alliance") == "ORG"


def test_a_word_of_a_numbered_name_is_no_name(nlp: Any) -> None:
    found = named(find(nlp, "The marsh near Lauwersoog is part of the Natura 2000 network, "
                            "said Anna de Boer of the Wadden Society."))
    assert "Natura" not in found
    assert found.get("Anna de Boer") == "PERSON"


def test_glossary_terms_are_not_entities(nlp: Any) -> None:
    text = ("The water rose to 3.2 metres above NAP on Friday, the Frisian Water Authority "
            "said. The marsh is part of the Natura 2000 network.")
    glossary = Glossary(terms=(
        Term(id="nap", term="NAP", definition="Dutch reference level."),
        Term(id="natura-2000", term="Natura 2000", definition="EU network of nature areas."),
    ))
    assert "NAP" in named(find(nlp, text))  # the model alone calls it an organisation
    found = named(find(nlp, text, glossary))
    assert "NAP" not in found and "Natura" not in found
    assert found.get("Frisian Water Authority") == "ORG"


def test_laws_and_their_abbreviations_are_not_organisations(nlp: Any) -> None:
    mentions = find(nlp, "Under the Data Retention Regulation (DRR), telecom firms must keep "
                         "records for a year. Critics say the DRR goes too far, Jan Smit said.")
    labels = {m.text: m.label for m in mentions}
    assert labels.get("Data Retention Regulation") == "LAW"
    assert all(m.label == "LAW" for m in mentions if m.text == "DRR")


def test_newspapers_are_organisations(nlp: Any) -> None:
    found = named(find(nlp, "The story was first reported by the daily Noordkust Courant, and "
                            "later by the Harbour Times, which quoted Ellen Kok."))
    assert found.get("Noordkust Courant") == "ORG"
    assert found.get("Harbour Times") == "ORG"


def test_hospitals_are_facilities_and_hospital_groups_organisations(nlp: Any) -> None:
    found = named(find(nlp, "Injured passengers were taken to Sint Joris Hospital in "
                            "Leeuwarden. The Noord Hospital Group, which runs it, said doctor "
                            "Mark Jansen treated them."))
    assert found.get("Sint Joris Hospital") == "FAC"
    assert found.get("Noord Hospital Group") == "ORG"


def test_a_hospital_name_the_model_cut_short_is_completed(nlp: Any) -> None:
    found = named(find(nlp, "St Anne's Hospital, which uses the pool for rehabilitation, "
                            "declined to comment, Tom Hargreaves said."))
    assert found.get("St Anne's Hospital") == "FAC"
    assert "St Anne" not in found


def test_a_dateline_names_a_place(nlp: Any) -> None:
    found = find(nlp, "MILLFORD \u2014 The Millford town council voted on Tuesday to close the "
                      "Westbrook swimming pool, councillor Priya Natarajan said.")
    assert [(m.text, m.label) for m in found if m.start == 0] == [("MILLFORD", "GPE")]
    assert all(m.label == "GPE" for m in found if m.text.lower() == "millford")


def test_a_headline_in_capitals_is_no_dateline(nlp: Any) -> None:
    found = find(nlp, "RUGBY - HARLINGEN CLUB WINS CUP.\n\nThe Harlingen club won the cup "
                      "on Saturday, coach Pieter Bakker said.")
    assert not any(m.text == "RUGBY" for m in found)


def test_a_role_inside_a_name_the_model_joined_splits_it(nlp: Any) -> None:
    found = named(find(nlp, "The mayor cut the ribbon, watched by Harlingen Mayor Lena Vos, "
                            "Water Board Chair Pieter de Wit and about 200 guests."))
    assert "Harlingen Mayor Lena Vos" not in found
    assert found.get("Lena Vos") == "PERSON"


# ---------------------------------------------------------------- confidence and export


def test_entity_confidence_model_ships_with_the_package() -> None:
    model = load("entities")
    assert model is not None and model.kind == "entities"
    assert len(model.cal_x) == len(model.cal_y) > 1


BODY = """\
HARLINGEN — Caretaker Mayor Lena Vos said on Monday that the ferry terminal would reopen.
The caretaker council and the Noordkust Ferry Company agreed on a plan, Vos said.

Turnout at the public meeting was low. Sanne Mulder of the
[port authority]{entity=harlingen-port-authority} said repairs would take a month.
"""


@pytest.fixture
def trust_site(make_site: Callable[..., Path], nlp: Any) -> Path:
    site: Path = make_site({"ferry.md": article("Ferry terminal to reopen", BODY,
                                                location="Harlingen")})
    return site


def test_annotate_all_gives_every_mention_a_confidence_and_publication(
        trust_site: Path, run: Callable[..., Result]) -> None:
    res = run("annotate", "--json", "--all", "--site", trust_site,
              trust_site / "content" / "ferry.md")
    assert res.code == 0, res.err
    ents = json.loads(res.out)["entities"]
    assert ents
    for m in ents:
        assert 0.0 <= m["confidence"] <= 1.0
        assert isinstance(m["published"], bool)
    override = [m for m in ents if m["text"] == "port authority"]
    assert override and override[0]["confidence"] == 1.0 and override[0]["published"]


def test_default_export_omits_held_back_mentions(
        trust_site: Path, run: Callable[..., Result]) -> None:
    path = trust_site / "content" / "ferry.md"
    every = json.loads(run("annotate", "--json", "--all", "--site", trust_site, path).out)
    shown = json.loads(run("annotate", "--json", "--site", trust_site, path).out)
    published = [(m["start"], m["text"]) for m in every["entities"] if m["published"]]
    assert [(m["start"], m["text"]) for m in shown["entities"]] == published
    assert all("published" not in m for m in shown["entities"])


def test_a_threshold_of_one_holds_back_all_but_overrides(
        make_site: Callable[..., Path], run: Callable[..., Result], nlp: Any) -> None:
    site = make_site({"ferry.md": article("Ferry", BODY)},
                     config="[annotate]\npublish_threshold = { entities = 1.0 }\n")
    shown = json.loads(run("annotate", "--json", "--site", site,
                           site / "content" / "ferry.md").out)
    assert [m["text"] for m in shown["entities"]] == ["port authority"]


def test_a_dateline_is_linked_once_in_the_byline(
        trust_site: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    (trust_site / "content" / "entities.yaml").write_text(
        "- name: Harlingen\n  type: place\n  description: A port town.\n", "utf-8")
    out = tmp_path / "out"
    assert run("build", "--site", trust_site, "--output", out).code == 0
    page = next(out.glob("20*/*/*/index.html")).read_text("utf-8")
    byline = page.split('class="byline"', 1)[1].split("</p>", 1)[0]
    assert 'data-entity="harlingen"' in byline
    body = page.split('class="article-body"', 1)[1]
    assert ">HARLINGEN</a>" not in body  # the body's dateline repeats it: not linked again
