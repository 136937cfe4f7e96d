"""The entity annotator with the real spaCy model, on sentences written for these tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sitegen.annotate.entities import annotator as entities
from sitegen.annotate.entities.document import caps_blocks, norm_key
from sitegen.annotate.entities.names import (
    abbreviation_after,
    is_event,
    org_short_forms,
    person_short_forms,
)
from sitegen.annotate.entities.spans import NAME_LABELS
from sitegen.core.model import EntityMention, Source
from sitegen.source.kb import KnowledgeBase, load_kb
from sitegen.source.parse import parse


def run(nlp: Any, text: str, kb: KnowledgeBase | None = None) -> tuple[EntityMention, ...]:
    doc = parse(Source(path=Path("x.md"), rel="x.md", text=text, digest="x"), require_title=False)
    view = doc.view
    return entities.find_entities(nlp(view.text), view, kb or KnowledgeBase())


def pairs(mentions: tuple[EntityMention, ...]) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in mentions]


def by_text(mentions: tuple[EntityMention, ...], text: str) -> list[EntityMention]:
    return [m for m in mentions if m.text == text]


def check_invariants(text: str, mentions: tuple[EntityMention, ...]) -> None:
    last = -1
    for m in mentions:
        assert m.start >= last, "sorted and non-overlapping"
        last = m.end
        assert m.entity_id and m.name
        assert m.origin in {"model", "kb", "document", "override"}


def test_kb_corrects_a_wrong_model_label(nlp: Any, tmp_path: Path) -> None:
    kb_file = tmp_path / "entities.yaml"
    kb_file.write_text(
        "- id: crimea\n  name: Crimea\n  type: place\n  aliases: [Krym]\n"
        "- id: acme-shipping\n  name: Acme Shipping\n  type: organisation\n  link: false\n",
        encoding="utf-8",
    )
    kb = load_kb(kb_file)
    text = "The Crimea bridge was closed. Trains to Krym were cancelled, Acme Shipping said."
    found = run(nlp, text, kb)
    check_invariants(text, found)
    crimea = by_text(found, "Crimea") + by_text(found, "Krym")
    assert [(m.label, m.entity_id, m.name, m.origin) for m in crimea] == [
        ("GPE", "crimea", "Crimea", "kb"), ("GPE", "crimea", "Crimea", "kb"),
    ]
    acme = by_text(found, "Acme Shipping")
    assert acme and acme[0].entity_id == "acme-shipping" and acme[0].label == "ORG"


def test_places_the_model_calls_people_are_places(nlp: Any) -> None:
    found = run(nlp, "Residents of Kherson and Mykolaiv waited for news. "
                     "Volunteers from Kherson brought water.")
    assert pairs(found) == [("Kherson", "GPE"), ("Mykolaiv", "GPE"), ("Kherson", "GPE")]


def test_surname_and_alias_share_one_id(nlp: Any, tmp_path: Path) -> None:
    text = ("Odesa Mayor Hennadiy Trukhanov visited the port on Monday. Later, Trukhanov told "
            "reporters that the city would rebuild. Acme Robotics Ltd cut jobs. Acme blamed "
            "weak demand, while the Organisation for Security and Cooperation in Europe (OSCE) "
            "sent observers. The OSCE said little.")
    found = run(nlp, text)
    check_invariants(text, found)
    ids = {m.text: m.entity_id for m in found}
    assert ids["Hennadiy Trukhanov"] == ids["Trukhanov"] == "hennadiy-trukhanov"
    assert by_text(found, "Trukhanov")[0].name == "Hennadiy Trukhanov"
    assert by_text(found, "Trukhanov")[0].origin == "document"
    assert ids["Acme"] == ids["Acme Robotics Ltd"]
    assert ids["OSCE"] == ids["Organisation for Security and Cooperation in Europe"]
    # a knowledge-base alias resolves to the entry's id and canonical name
    kb_file = tmp_path / "entities.yaml"
    kb_file.write_text("- id: olena-zelenska\n  name: Olena Zelenska\n  type: person\n"
                       "  aliases: [First Lady Zelenska]\n", encoding="utf-8")
    found = run(nlp, "Olena Zelenska opened the school. First Lady Zelenska thanked the "
                     "teachers.", load_kb(kb_file))
    zel = [m for m in found if "Zelenska" in m.text]
    assert {m.entity_id for m in zel} == {"olena-zelenska"}
    assert {m.name for m in zel} == {"Olena Zelenska"}


def test_titles_in_front_of_names_are_split_off(nlp: Any) -> None:
    text = ("Odesa Mayor Hennadiy Trukhanov visited the port. "
            "He met the French Foreign Minister Catherine Colonna in Paris.")
    found = run(nlp, text)
    assert ("Odesa", "GPE") in pairs(found)
    assert ("Hennadiy Trukhanov", "PERSON") in pairs(found)
    assert ("Catherine Colonna", "PERSON") in pairs(found)
    assert not any("Mayor" in m.text or "Minister" in m.text for m in found)


def test_spans_are_clean(nlp: Any) -> None:
    text = ("Colonna's office confirmed the visit of Catherine Colonna. The Bundestag's vote "
            "was welcomed in Berlin. Shares of the Deutsche Bank rose 3 percent on Friday.")
    found = run(nlp, text)
    check_invariants(text, found)
    for m in found:
        assert m.text == m.text.strip(" .,;:'\"")
        assert not m.text.lower().startswith("the ")
        assert not m.text.endswith(("'s", "\u2019s"))
        assert m.label in NAME_LABELS
    assert ("Bundestag", "ORG") in pairs(found)
    colonna = by_text(found, "Colonna")
    assert colonna and colonna[0].entity_id == "catherine-colonna"


def test_nothing_inside_code_or_links(nlp: Any) -> None:
    text = ("Engineers at Siemens AG said the plant in Erlangen would reopen. "
            "Run `Siemens Erlangen` in a shell, or read [Munich Re in Munich]"
            "(https://example.org) for more.\n")
    found = run(nlp, text)
    view = parse(Source(path=Path("x.md"), rel="x.md", text=text, digest="x"),
                 require_title=False).view
    assert found
    for m in found:
        assert view.annotatable(m.start, m.end), m
    assert len([m for m in found if "Siemens" in m.text]) == 1
    assert not [m for m in found if "Munich" in m.text]


def test_inline_overrides(nlp: Any, tmp_path: Path) -> None:
    text = "[Peskov]{entity=dmitry-peskov} spoke. [Apple]{.no-entity} fell while Apple Inc rose."
    found = run(nlp, text)
    peskov = by_text(found, "Peskov")
    assert [(m.entity_id, m.origin) for m in peskov] == [("dmitry-peskov", "override")]
    assert not [m for m in found if m.text == "Apple"]
    assert by_text(found, "Apple Inc")
    # with a knowledge-base entry the override takes its label and canonical name
    kb_file = tmp_path / "entities.yaml"
    kb_file.write_text("- id: dmitry-peskov\n  name: Dmitry Peskov\n  type: person\n",
                       encoding="utf-8")
    found = run(nlp, "Reporters asked [Mr Peskov]{entity=dmitry-peskov} about it.",
                load_kb(kb_file))
    forced = [m for m in found if m.origin == "override"]
    assert [(m.text, m.label, m.name) for m in forced] == [
        ("Mr Peskov", "PERSON", "Dmitry Peskov")
    ]


def test_headline_in_capitals_uses_names_from_the_body(nlp: Any) -> None:
    text = "# MARCHETTI WINS IN LISBON\n\nElena Marchetti won the race in Lisbon on Sunday.\n"
    found = run(nlp, text)
    ids = [(m.text, m.entity_id) for m in found]
    assert ("MARCHETTI", "elena-marchetti") in ids
    assert ("LISBON", "lisbon") in ids


def test_name_helpers() -> None:
    assert person_short_forms("Charles de Gaulle") == ["Gaulle", "de Gaulle", "Charles"]
    assert person_short_forms("Madonna") == []
    assert org_short_forms("Magna International Inc") == ["Magna International", "Magna"]
    assert org_short_forms("Federal Reserve") == []
    text = "the European Options Exchange (EOE) said"
    end = text.index(" (")
    assert abbreviation_after(text, end, "European Options Exchange") == "EOE"
    assert abbreviation_after(text, end, "Options Exchange") is None
    assert is_event("Hong Kong Open") and not is_event("Hong Kong")
    assert norm_key("Kyiv\u2019s") == norm_key("KYIV") == "kyiv"
    assert caps_blocks("ALL CAPS HEADLINE HERE\n\nNormal text follows here.") == [(0, 22)]
