"""The attribution annotator on sentences written for these tests, with the real model."""

from __future__ import annotations

from typing import Any

import pytest

from sitegen.annotate.attribution.annotator import find_attributions
from sitegen.annotate.attribution.quotes import find_quotes
from sitegen.core.model import Attribution, EntityMention, TextView


def run(nlp: Any, text: str, entities: tuple[EntityMention, ...] = ()) -> list[Attribution]:
    return list(find_attributions(nlp(text), TextView(text, ()), entities))


def one(found: list[Attribution], kind: str, quote_part: str) -> Attribution:
    hits = [a for a in found if a.kind == kind and quote_part in a.quote]
    assert hits, f"no {kind} with {quote_part!r} in {found}"
    return hits[0]


# -- direct quotes --------------------------------------------------------------------------


def test_quote_then_speaker(nlp: Any) -> None:
    text = '"The bridge will reopen next spring," Mayor Ellen Hartwig said on Tuesday.'
    a = one(run(nlp, text), "direct", "bridge will reopen")
    assert a.quote == "The bridge will reopen next spring"
    assert a.source == "Mayor Ellen Hartwig"
    assert a.source_name == "Ellen Hartwig"
    assert a.source_id == "ellen-hartwig"
    assert a.source_kind == "person"
    assert a.cue == "said"
    assert text[a.start:a.end] == a.quote
    assert text[a.cue_start:a.cue_end] == "said"
    assert text[a.source_start:a.source_end] == a.source


def test_speaker_then_colon_quote(nlp: Any) -> None:
    text = 'The coach Maria Lindqvist said: "We played badly and we know it."'
    a = one(run(nlp, text), "direct", "We played badly")
    assert a.source_name == "Maria Lindqvist"
    assert a.cue == "said"


def test_said_before_speaker_with_channel(nlp: Any) -> None:
    text = ('"Four of the boats were damaged," said harbour master Tomas Keller on Facebook. '
            '"Nobody was hurt," said spokesman Ivo Brandt to Swiss television.')
    found = run(nlp, text)
    a = one(found, "direct", "Four of the boats")
    assert a.source_name == "Tomas Keller"
    assert a.via == "on Facebook"
    b = one(found, "direct", "Nobody was hurt")
    assert b.source_name == "Ivo Brandt"
    assert b.via == "to Swiss television"


def test_told_reporters(nlp: Any) -> None:
    text = '"We will not sign this deal," Minister Paolo Ferri told reporters in Rome.'
    a = one(run(nlp, text), "direct", "not sign this deal")
    assert a.cue == "told"
    assert a.source_name == "Paolo Ferri"


def test_continued_with_agency_as_via(nlp: Any) -> None:
    text = ('Senator Ruth Okafor spoke after the vote. Okafor continued: "The law will pass '
            'this year," the Reuters news agency reported.')
    a = one(run(nlp, text), "direct", "The law will pass")
    assert a.cue == "continued"
    assert a.source == "Okafor"
    assert a.source_name == "Ruth Okafor"  # the surname resolves to the full name
    assert a.via is not None and "Reuters" in a.via


def test_partial_quote(nlp: Any) -> None:
    text = 'The company is promising higher wages, claiming the factory will stay open "forever."'
    a = one(run(nlp, text), "direct", "forever")
    assert a.cue == "claiming"
    assert a.source is not None and "company" in a.source


def test_curly_quotes_and_split_quote(nlp: Any) -> None:
    text = ("\u201cPrices are falling,\u201d the analyst Jana Novak said. "
            "\u201cBut not fast enough.\u201d")
    a = one(run(nlp, text), "direct", "Prices are falling")
    assert "not fast enough" in a.quote  # the quote goes on after its cue
    assert a.source_name == "Jana Novak"


def test_quote_over_two_paragraphs(nlp: Any) -> None:
    text = ('Inspector Karl Berger said: "We searched the whole building.\n\n'
            '"Nothing was found," he added later.')
    quotes = find_quotes(text)
    assert len(quotes) == 1 and len(quotes[0].parts) == 2
    a = one(run(nlp, text), "direct", "We searched the whole building")
    assert "Nothing was found" in a.quote
    assert a.source_name == "Karl Berger"


@pytest.mark.parametrize("text", [
    'He said "this never ends.',
    '"" "" said X',
    'The "deal" was "good," "and" she said "',
    "\u201d backwards \u201c marks \u201d said Anna.",
    "''Doubled apostrophes,'' Mr. Lee said. And ''one more",
    '"',
    "",
    'A quote "that runs\n\ninto the next paragraph without a mark.',
])
def test_unbalanced_marks_do_not_crash(nlp: Any, text: str) -> None:
    found = run(nlp, text)
    for a in found:
        assert 0 <= a.start <= a.end <= len(text)
    assert [a.start for a in found] == sorted(a.start for a in found)


def test_unbalanced_quote_ends_with_paragraph(nlp: Any) -> None:
    text = ('"We will rebuild the school, Principal Ada Moreno said.\n\n'
            "The council met on Monday.")
    quotes = find_quotes(text)
    assert len(quotes) == 1
    assert "council" not in quotes[0].text(text)


# -- reported speech ------------------------------------------------------------------------


def test_said_that(nlp: Any) -> None:
    text = "The Ukrainian army said on Wednesday that it had seized three more villages."
    a = one(run(nlp, text), "indirect", "seized three more villages")
    assert a.source == "The Ukrainian army"
    assert a.source_kind == "organisation"
    assert a.cue == "said"


@pytest.mark.parametrize(("sentence", "cue"), [
    ("The mayor argued that the tax was unfair to small shops.", "argued"),
    ("The police reported that two cars had been stolen overnight.", "reported"),
    ("The minister warned that prices would rise again in winter.", "warned"),
    ("The company denied that it had fired any workers.", "denied"),
    ("The judge noted that the witness had changed her story.", "noted"),
    ("Officials believe the fire was started deliberately by vandals.", "believe"),
])
def test_reporting_verbs(nlp: Any, sentence: str, cue: str) -> None:
    found = [a for a in run(nlp, sentence) if a.kind == "indirect"]
    assert any(a.cue == cue for a in found), found


def test_trailing_cue_with_document_source(nlp: Any) -> None:
    text = ("Enemy units had advanced ten kilometres beyond the river, the British Defence "
            "Ministry's daily brief said on Friday.")
    a = one(run(nlp, text), "indirect", "advanced ten kilometres")
    assert a.source == "the British Defence Ministry's daily brief"
    assert a.source_name is not None and "Defence Ministry" in a.source_name


def test_unnamed_source(nlp: Any) -> None:
    text = "Officials said the border crossing would stay closed until Monday."
    a = one(run(nlp, text), "indirect", "border crossing")
    assert a.source_kind == "unnamed"


# -- according to ---------------------------------------------------------------------------


def test_according_to_first_and_last(nlp: Any) -> None:
    text = ("According to local police, the storm destroyed forty houses. "
            "The dam was never inspected, according to media reports.")
    found = run(nlp, text)
    a = one(found, "according_to", "storm destroyed forty houses")
    assert a.source == "local police"
    assert a.cue == "According to"
    b = one(found, "according_to", "dam was never inspected")
    assert b.source == "media reports"
    assert b.source_kind == "media"


def test_according_to_after_quote_is_also_via(nlp: Any) -> None:
    text = ('"We will stay," Governor Lena Fisher told reporters, according to state news '
            'agencies.')
    found = run(nlp, text)
    direct = one(found, "direct", "We will stay")
    assert direct.via == "state news agencies"
    acc = one(found, "according_to", "We will stay")
    assert acc.source == "state news agencies"


# -- resolving sources ----------------------------------------------------------------------


def test_pronoun_resolves_to_earlier_person(nlp: Any) -> None:
    text = ('"There is no problem," Dmitry Volkov explained. He said that the talks would '
            "continue next week.")
    a = one(run(nlp, text), "indirect", "talks would continue")
    assert a.source == "He"
    assert a.source_name == "Dmitry Volkov"
    assert a.source_id == "dmitry-volkov"
    assert a.source_kind == "person"


def test_description_resolves_to_earlier_organisation(nlp: Any) -> None:
    text = ("The Health Ministry said on Monday that cases were falling. "
            '"The worst is over," the ministry said.')
    a = one(run(nlp, text), "direct", "The worst is over")
    assert a.source == "the ministry"
    assert a.source_name == "Health Ministry"
    assert a.source_kind == "organisation"


def test_entities_give_ids(nlp: Any) -> None:
    text = '"Talks are over," Peskov said.'
    start = text.index("Peskov")
    ents = (EntityMention(start, start + 6, "Peskov", "PERSON", "dmitry-peskov",
                          "Dmitry Peskov", "kb"),)
    with_kb = one(run(nlp, text, ents), "direct", "Talks are over")
    assert with_kb.source_id == "dmitry-peskov"
    assert with_kb.source_name == "Dmitry Peskov"
    without = one(run(nlp, text), "direct", "Talks are over")
    assert without.source_id == "peskov"
    assert without.source_name == "Peskov"


# -- unverified and credits -----------------------------------------------------------------


@pytest.mark.parametrize("sentence", [
    "The information cannot be independently verified.",
    "Reporters could not confirm the number of victims.",
    "The figures were not immediately available to verify.",
])
def test_unverified(nlp: Any, sentence: str) -> None:
    text = f"Rebels said they had taken the airport. {sentence}"
    a = one(run(nlp, text), "unverified", sentence.rstrip("."))
    assert a.quote == sentence
    assert a.source is None


def test_not_unverified(nlp: Any) -> None:
    text = "The ministry confirmed the figures on Monday."
    assert not [a for a in run(nlp, text) if a.kind == "unverified"]


def test_credits(nlp: Any) -> None:
    text = ("The river flooded the old town.\n\nCover photo: Anna SMITH / AFP\n\n"
            "Video: Reuters")
    found = [a for a in run(nlp, text) if a.kind == "credit"]
    assert [(a.cue, a.source, a.quote) for a in found] == [
        ("Cover photo", "Anna SMITH / AFP", "Anna SMITH / AFP"),
        ("Video", "Reuters", "Reuters"),
    ]
    assert found[1].source_kind == "media"


def test_sorted_by_start(nlp: Any) -> None:
    text = ('"One," Ann Lee said. According to the police, two. "Three," Bob Stone said.'
            " The claim could not be verified.")
    found = run(nlp, text)
    assert [a.start for a in found] == sorted(a.start for a in found)
    assert {a.kind for a in found} >= {"direct", "according_to", "unverified"}


# -- version 2: wider coverage ----------------------------------------------------------------


def test_quoted_phrase_inside_reported_clause_is_one_attribution(nlp: Any) -> None:
    text = 'The senator said that the budget was "a fantasy" and the plan "a mess".'
    found = [a for a in run(nlp, text) if a.kind in ("direct", "indirect")]
    assert len(found) == 1
    assert "the budget was" in found[0].quote and "a mess" in found[0].quote


def test_mixed_quote_keeps_unquoted_lead(nlp: Any) -> None:
    text = ('However noble the aim, raising the fuel duty "would hurt rural drivers," '
            'said Mr. Brand.')
    a = one(run(nlp, text), "direct", "rural drivers")
    assert a.quote.startswith("However noble the aim")
    assert a.source_name == "Brand"


def test_leading_cue_quote_goes_on(nlp: Any) -> None:
    text = ('Spokeswoman Lena Ortiz said by phone that "the company will appeal" despite the '
            'heavy fine.')
    a = one(run(nlp, text), "direct", "will appeal")
    assert a.quote.endswith("despite the heavy fine")


@pytest.mark.parametrize("sentence, cue, part", [
    ("The mayor attacked the proposal for a new stadium.", "attacked", "new stadium"),
    ("Recent surveys show a close race in the northern districts.", "show", "close race"),
])
def test_stance_and_evidence_verbs(nlp: Any, sentence: str, cue: str, part: str) -> None:
    a = one(run(nlp, sentence), "indirect", part)
    assert a.cue == cue


@pytest.mark.parametrize("sentence", [
    "The union backed the teachers in the dispute.",  # support is not speech (issue 14)
    "The senator ignored the question.",  # an action
])
def test_support_and_action_are_not_speech(nlp: Any, sentence: str) -> None:
    assert run(nlp, sentence) == []


def test_short_object(nlp: Any) -> None:
    a = one(run(nlp, "Governor Alma Reyes criticized Hendricks on Sunday."), "indirect",
            "Hendricks")
    assert a.source == "Governor Alma Reyes"


def test_accuse_of_keeps_the_charge(nlp: Any) -> None:
    text = "The coach accused the referee of ignoring two clear fouls."
    a = one(run(nlp, text), "indirect", "ignoring two clear fouls")
    assert a.cue == "accused"


def test_persuasion_object_and_infinitive(nlp: Any) -> None:
    text = "The governor told his aides to find a way around the legislature."
    a = one(run(nlp, text), "indirect", "his aides to find a way")
    assert a.cue == "told"
    assert a.source == "The governor"


def test_dash_signature_after_no_break_space(nlp: Any) -> None:
    text = ("\u201cThe library must stay open.\u201d\u00a0\u2015 Marta Kowal\n\n"
            "The board meets on Monday.")
    a = one(run(nlp, text), "direct", "library must stay open")
    assert a.source_name == "Marta Kowal"


def test_transcript_speaker_labels(nlp: Any) -> None:
    text = ("HOST: Will the council approve the new budget this week?\n\n"
            "LINDQVIST: We expect a vote on Thursday and we have the numbers.")
    found = run(nlp, text)
    a = one(found, "direct", "approve the new budget")
    assert a.source == "HOST"
    assert a.cue == ":"
    b = one(found, "direct", "expect a vote on Thursday")
    assert b.source == "LINDQVIST"


def test_headline_label_names_a_person_of_the_article(nlp: Any) -> None:
    text = ("Okafor: Farmers Deserve Better Prices\n\n"
            "Senator Ruth Okafor spoke to growers in Lagos on Monday.")
    a = one(run(nlp, text), "direct", "Farmers Deserve Better Prices")
    assert a.source == "Okafor"


def test_labels_that_are_not_speakers(nlp: Any) -> None:
    text = "UPDATE: The bridge reopened at noon after repairs.\n\nRefugees: the camps are full."
    assert not [a for a in run(nlp, text) if a.cue == ":"]


# -- version 3 ------------------------------------------------------------------------------


def test_headline_label_source_is_the_name_only(nlp: Any) -> None:
    text = ("Harriet Vane: Rail Fares Must Fall for Commuters in Leeds\n\n"
            "Harriet Vane, the transport campaigner, spoke in Leeds on Monday.")
    a = one(run(nlp, text), "direct", "Rail Fares Must Fall")
    assert a.source == "Harriet Vane"


def test_participle_after_comma_is_not_part_of_the_source(nlp: Any) -> None:
    text = ("Governor Tomas Ferreira, speaking to farmers in rural Nebraska, said the "
            "drought relief would arrive within weeks.")
    a = one(run(nlp, text), "indirect", "drought relief")
    assert a.source == "Governor Tomas Ferreira"
    assert a.source_name == "Tomas Ferreira"


def test_relative_clause_stays_in_the_source(nlp: Any) -> None:
    text = ("Anna Berg, who runs the food bank, said demand had doubled since the spring.")
    a = one(run(nlp, text), "indirect", "demand had doubled")
    assert a.source is not None and a.source.startswith("Anna Berg, who runs the food bank")


def test_date_after_said_is_not_the_speaker(nlp: Any) -> None:
    text = '"We will not close the clinic," said Monday, according to nobody.'
    found = [a for a in run(nlp, text) if a.kind == "direct"]
    assert all(a.source != "Monday" for a in found)


def test_any_verb_with_a_that_clause(nlp: Any) -> None:
    text = "The union leaders grumbled that the pay offer was far too low."
    a = one(run(nlp, text), "indirect", "pay offer was far too low")
    assert a.source == "The union leaders"
    assert a.cue == "grumbled"


def test_first_person_belief_in_a_letter(nlp: Any) -> None:
    text = "I believe that the new bypass will ruin the quiet of our village."
    a = one(run(nlp, text), "indirect", "bypass will ruin")
    assert a.source == "I"
    assert a.cue == "believe"


def test_first_person_object_is_not_an_attribution(nlp: Any) -> None:
    text = "We support the plan and we back the mayor."
    assert not run(nlp, text)


def test_place_inside_a_title_is_not_the_source_name(nlp: Any) -> None:
    text = ("Senator Maria Lopez spoke first. Later the Texas senator argued that the "
            "border fund was too small.")
    ents = (EntityMention(text="Texas", label="GPE", entity_id="texas", name="Texas",
                          start=text.index("Texas"), end=text.index("Texas") + 5),)
    a = one(run(nlp, text, ents), "indirect", "border fund")
    assert a.source_name != "Texas"


def test_quote_paragraph_after_an_attributed_quote_keeps_the_speaker(nlp: Any) -> None:
    text = ('"The harvest was the best in ten years," farmer Ilse Brandt said.\n\n'
            '"Next year we will plant twice as many apple trees on the hill."\n\n'
            "The cooperative meets in May.")
    found = run(nlp, text)
    a = one(found, "direct", "plant twice as many")
    assert a.source == "farmer Ilse Brandt"
