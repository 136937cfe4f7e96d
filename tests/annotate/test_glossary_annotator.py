"""Glossary matching with the real model, and the glossary file's validation errors."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sitegen.annotate.glossary import annotator as glossary_mod
from sitegen.annotate.glossary.annotator import find_terms
from sitegen.annotate.nlp import load_model
from sitegen.config.site import DEFAULT_MODEL
from sitegen.core.errors import SiteError
from sitegen.core.model import Document, EntityMention, GlossaryMatch, Source
from sitegen.source.kb import Glossary, Term, load_glossary
from sitegen.source.parse import parse

if TYPE_CHECKING:
    from spacy.language import Language


def term(term: str, *forms: str, tid: str | None = None) -> Term:
    return Term(
        id=tid or term.lower().replace(" ", "-"), term=term, forms=forms,
        definition=f"What {term} means.",
    )


GLOSSARY = Glossary(
    terms=(
        term("drone strike"),
        term("drone"),
        term("kamikaze drone"),
        term("coalition"),
        term("breach"),
        term("data breach"),
        term("annexation"),
        term("Security Council"),
        term("UN Security Council", "UNSC", tid="unsc"),
        term("UN Security Council resolution"),
        term("NGO"),
        term("sanctions"),
    ),
    fingerprint="test-glossary-1",
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model(DEFAULT_MODEL)


def document(text: str) -> Document:
    return parse(Source(path=Path("x.md"), rel="x.md", text=text, digest="x"),
                 require_title=False)


def run(
    nlp: Language,
    text: str,
    glossary: Glossary = GLOSSARY,
    entities: tuple[EntityMention, ...] = (),
) -> tuple[Document, tuple[GlossaryMatch, ...]]:
    doc = document(text)
    return doc, find_terms(nlp(doc.view.text), doc.view, glossary, entities, nlp=nlp)


def found(nlp: Language, text: str, glossary: Glossary = GLOSSARY) -> list[tuple[str, str]]:
    return [(m.text, m.term_id) for m in run(nlp, text, glossary)[1]]


# --------------------------------------------------------------------------- matching


def test_inflected_forms_match_on_the_lemma(nlp: Language) -> None:
    text = (
        "Two drone strikes hit the depot overnight. Hackers breached the network, and "
        "earlier breaches went unreported. Smaller coalitions rarely survive a winter."
    )
    assert found(nlp, text) == [
        ("drone strikes", "drone-strike"),
        ("breached", "breach"),
        ("breaches", "breach"),
        ("coalitions", "coalition"),
    ]


def test_case_is_ignored_for_ordinary_words(nlp: Language) -> None:
    text = "Coalitions come and go. Drone Strikes were reported. The Annexation was condemned."
    assert found(nlp, text) == [
        ("Coalitions", "coalition"),
        ("Drone Strikes", "drone-strike"),
        ("Annexation", "annexation"),
    ]


def test_a_term_written_in_the_plural_finds_the_singular(nlp: Language) -> None:
    assert found(nlp, "A new sanction was added to the existing sanctions.") == [
        ("sanction", "sanctions"),
        ("sanctions", "sanctions"),
    ]


def test_different_words_only_match_when_listed_as_forms(nlp: Language) -> None:
    text = "Russia annexed the peninsula in 2014; the annexation is not recognised."
    assert found(nlp, text) == [("annexation", "annexation")]

    with_forms = Glossary(terms=(term("annexation", "annex"),), fingerprint="annex-forms")
    text = "Russia annexed the peninsula and now annexes another region; the annexation stands."
    assert found(nlp, text, with_forms) == [
        ("annexed", "annexation"),
        ("annexes", "annexation"),
        ("annexation", "annexation"),
    ]


def test_multi_word_terms_and_the_longest_match_wins(nlp: Language) -> None:
    text = (
        "A kamikaze drone hit a warehouse. Another drone was shot down. "
        "The data breach exposed records. The UN Security Council resolution passed."
    )
    _, matches = run(nlp, text)
    assert [(m.text, m.term_id, m.term) for m in matches] == [
        ("kamikaze drone", "kamikaze-drone", "kamikaze drone"),
        ("drone", "drone", "drone"),
        ("data breach", "data-breach", "data breach"),
        ("UN Security Council resolution", "un-security-council-resolution",
         "UN Security Council resolution"),
    ]


def test_offsets_are_into_the_view_text_and_sorted(nlp: Language) -> None:
    text = "Intro *paragraph*.\n\nA drone strike, then a coalition, then a breach."
    doc, matches = run(nlp, text)
    assert [m.start for m in matches] == sorted(m.start for m in matches)
    for m in matches:
        assert doc.view.text[m.start:m.end] == m.text
        assert m.origin == "glossary"
    pairs = [(m.start, m.end) for m in matches]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(pairs))


def test_every_occurrence_is_returned(nlp: Language) -> None:
    text = "The coalition met. The coalition split.\n\nA new coalition formed."
    assert [t for _, t in found(nlp, text)] == ["coalition"] * 3


def test_a_match_never_spans_two_paragraphs(nlp: Language) -> None:
    assert found(nlp, "He flew the drone\n\nstrike teams waited.") == [("drone", "drone")]


def test_a_line_break_inside_a_paragraph_still_matches(nlp: Language) -> None:
    assert found(nlp, "There was a drone\nstrike at dawn.") == [("drone strike", "drone-strike")]


def test_abbreviation_forms_are_case_sensitive(nlp: Language) -> None:
    text = (
        "The UNSC met on Friday. Critics say the unsc label is unfamiliar. "
        "Three NGOs and one NGO signed; ngo staff left."
    )
    assert found(nlp, text) == [
        ("UNSC", "unsc"),
        ("NGOs", "ngo"),
        ("NGO", "ngo"),
    ]
    _, matches = run(nlp, "The UNSC met.")
    assert matches[0].term == "UN Security Council"


# --------------------------------------------------------------------------- precedence


def mention(doc: Document, text: str, label: str, eid: str) -> EntityMention:
    start = doc.view.text.index(text)
    return EntityMention(start=start, end=start + len(text), text=text, label=label,
                         entity_id=eid, name=text)


def test_an_entity_wins_over_an_equal_or_shorter_overlapping_term(nlp: Language) -> None:
    text = "The UN Security Council met. The Security Council adjourned."
    doc = document(text)
    ents = (
        mention(doc, "UN Security Council", "ORG", "unsc"),
        mention(doc, "The Security Council", "ORG", "unsc"),
    )
    assert find_terms(nlp(doc.view.text), doc.view, GLOSSARY, ents, nlp=nlp) == ()


def test_a_strictly_longer_term_containing_the_entity_wins(nlp: Language) -> None:
    text = "The UN Security Council resolution passed."
    doc = document(text)
    ents = (mention(doc, "UN Security Council", "ORG", "unsc"),)
    matches = find_terms(nlp(doc.view.text), doc.view, GLOSSARY, ents, nlp=nlp)
    assert [m.text for m in matches] == ["UN Security Council resolution"]


def test_a_term_inside_or_across_an_entity_gives_way(nlp: Language) -> None:
    # "drone strike" lies inside the first entity and straddles the second one; where it
    # gives way, a shorter term that does not touch the entity ("drone") still matches.
    text = (
        "The Drone Strike Review board met. Officers of the drone Strike Command spoke. "
        "A drone strike was discussed."
    )
    doc = document(text)
    ents = (
        mention(doc, "The Drone Strike Review", "ORG", "dsr"),
        mention(doc, "Strike Command", "ORG", "strike-command"),
    )
    matches = find_terms(nlp(doc.view.text), doc.view, GLOSSARY, ents, nlp=nlp)
    assert [(m.text, m.start) for m in matches] == [
        ("drone", doc.view.text.index("drone Strike")),
        ("drone strike", doc.view.text.index("A drone strike") + 2),
    ]
    # Without the entities all three are the longer term.
    plain = find_terms(nlp(doc.view.text), doc.view, GLOSSARY, (), nlp=nlp)
    assert [m.text for m in plain] == ["Drone Strike", "drone Strike", "drone strike"]


# --------------------------------------------------------------------------- exclusions


def test_no_match_in_code_links_headings_or_html(nlp: Language) -> None:
    text = (
        "# Drone strike on the coalition\n\n"
        "A `drone strike` in code, a [drone strike](https://example.org) link, "
        "<b>coalition</b> in HTML.\n\n"
        "## Another coalition\n\n"
        "The real drone strike came later."
    )
    doc, matches = run(nlp, text)
    assert [(m.text, doc.view.block_at(m.start)) for m in matches] == [
        ("drone strike", "paragraph")
    ]
    assert matches[0].start == doc.view.text.index("real drone strike") + len("real ")


def test_no_glossary_override_is_respected(nlp: Language) -> None:
    text = "The [coalition]{.no-glossary} held; the [breach]{.no-annotate} did not, a coalition."
    doc, matches = run(nlp, text)
    assert [m.text for m in matches] == ["coalition"]
    assert matches[0].start == doc.view.text.rindex("coalition")


def test_lists_blockquotes_and_tables_are_annotated(nlp: Language) -> None:
    text = "- a drone strike\n\n> a data breach\n\n| a | b |\n|---|---|\n| coalition | x |\n"
    assert [t for _, t in found(nlp, text)] == ["drone-strike", "data-breach", "coalition"]


def test_empty_glossary_or_text(nlp: Language) -> None:
    assert run(nlp, "A drone strike.", Glossary())[1] == ()
    assert run(nlp, "")[1] == ()


def test_the_doc_must_be_of_the_view(nlp: Language) -> None:
    doc = document("A drone strike.")
    with pytest.raises(ValueError):
        find_terms(nlp("Something else."), doc.view, GLOSSARY, (), nlp=nlp)


def test_the_glossary_index_is_built_once_per_glossary_and_model(nlp: Language) -> None:
    doc = document("Strikes by a drone.")
    spacy_doc = nlp(doc.view.text)
    first = find_terms(spacy_doc, doc.view, GLOSSARY, (), nlp=nlp)
    assert first == find_terms(spacy_doc, doc.view, GLOSSARY, (), nlp=nlp)
    index = glossary_mod._index_for(GLOSSARY, spacy_doc, nlp)
    assert glossary_mod._index_for(GLOSSARY, spacy_doc, nlp) is index
    assert index.nlp is nlp


def test_fast_after_the_model_pass(nlp: Language) -> None:
    paragraph = (
        "Two drone strikes hit the depot as the coalition met to discuss the data breach. "
        "The UNSC said a kamikaze drone had been used; NGOs called for sanctions. "
    ) * 4
    text = "\n\n".join([paragraph] * 6)  # ~1,000 words
    doc = document(text)
    spacy_doc = nlp(doc.view.text)
    find_terms(spacy_doc, doc.view, GLOSSARY, (), nlp=nlp)  # builds the index
    matches = find_terms(spacy_doc, doc.view, GLOSSARY, (), nlp=nlp)
    assert len(matches) == 6 * 4 * 7


# --------------------------------------------------------------------------- validation


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "glossary.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_glossary_reads_terms_and_forms(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "- term: UN Security Council\n"
        "  id: unsc\n"
        "  forms: [UNSC, Security Council]\n"
        "  definition: The UN body responsible for peace and security.\n"
        "- term: drone strike\n"
        "  definition: An attack by an unmanned aircraft.\n"
    ))
    glossary = load_glossary(path)
    assert [(t.id, t.term, t.forms, t.line) for t in glossary.terms] == [
        ("unsc", "UN Security Council", ("UNSC", "Security Council"), 1),
        ("drone-strike", "drone strike", (), 5),
    ]
    assert glossary.fingerprint


def test_term_defined_twice_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "- term: coalition\n"
        "  definition: A group of parties that govern together.\n"
        "- term: Coalition\n"
        "  definition: The same again.\n"
    ))
    with pytest.raises(SiteError) as info:
        load_glossary(path)
    err = info.value
    assert err.file == str(path) and err.line == 3
    assert "defined twice" in err.message and "line 1" in err.message
    assert str(err).startswith(f"{path}:3: ")


def test_form_claimed_by_two_terms_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "- term: UN Security Council\n"
        "  forms: [UNSC]\n"
        "  definition: The UN body responsible for peace and security.\n"
        "- term: Security Council of the UN\n"
        "  forms: [unsc]\n"
        "  definition: A duplicate entry.\n"
    ))
    with pytest.raises(SiteError) as info:
        load_glossary(path)
    err = info.value
    assert err.file == str(path) and err.line == 4
    assert "claimed by two terms" in err.message and "'unsc'" in err.message
    assert "line 1" in err.message
    assert str(err).startswith(f"{path}:4: ")


def test_entry_without_definition_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, (
        "- term: breach\n"
        "  definition: A failure to keep data or a rule safe.\n"
        "\n"
        "- term: ceasefire\n"
        "  forms: [truce]\n"
    ))
    with pytest.raises(SiteError) as info:
        load_glossary(path)
    err = info.value
    assert err.file == str(path) and err.line == 4
    assert "'ceasefire' has no definition" in err.message
    assert str(err).startswith(f"{path}:4: ")
