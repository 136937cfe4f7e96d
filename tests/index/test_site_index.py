"""The site index is made of per-article contributions: an edit (remove the old article,
add the new) gives the same index as adding every article at once, which is what a build
does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE_GLOSSARY, SAMPLE_KB, article

from sitegen.build.annotate_stage import annotate
from sitegen.build.engine import load_data, parse_all
from sitegen.config.site import SiteConfig, load_config
from sitegen.core.errors import SiteError
from sitegen.core.model import AnnotatedDocument
from sitegen.index.builder import SiteIndexBuilder, build_index
from sitegen.index.site import SiteIndex
from sitegen.source.kb import Glossary, KnowledgeBase

ARTICLES = {
    "a.md": article("Alpha", "Dmitry Peskov spoke in Moscow about sanctions.\n\n"
                    '"We will respond," Peskov said.', tags="[world]"),
    "b.md": article("Beta", "Sanctions hit Moscow traders. Karin Mulder said so.",
                    date="2026-03-02", tags="[world, money]"),
    "c.md": article("Gamma", "Peskov was silent. Karin Mulder spoke in Moscow.",
                    date="2026-03-03"),
    "news/d.md": article("Delta", "Karin Mulder visited Moscow.", date="2026-03-03",
                         tags="[money]"),
}
EDITS = {
    "a.md": article("Alpha", "Karin Mulder spoke in Moscow. Peskov did not.",
                    tags="[world, money]"),
    "c.md": article("Gamma", "Nothing happened.", date="2026-02-01"),  # moves to the end
    "e.md": article("Epsilon", "Dmitry Peskov met Karin Mulder about sanctions.",
                    date="2026-03-05", tags="[world]"),
}


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    path: Path = make_site(ARTICLES, config="[entities]\nmin_mentions = 2\n", files={
        "content/entities.yaml": SAMPLE_KB, "content/glossary.yaml": SAMPLE_GLOSSARY})
    return path


def annotated(site: Path) -> tuple[list[AnnotatedDocument], SiteConfig, KnowledgeBase,
                                   Glossary]:
    """Every article of the site, annotated, as a build has them."""
    config = load_config(site)
    kb, glossary = load_data(config)
    return annotate(parse_all(config), config, kb, glossary).documents, config, kb, glossary


def shape(index: SiteIndex) -> tuple[object, ...]:
    """The index with the order of its mappings (pages are listed in that order)."""
    return (index.articles, list(index.tags.items()), list(index.entities.items()),
            list(index.terms.items()))


def test_an_edit_gives_the_index_of_a_full_build(site: Path) -> None:
    docs, config, kb, glossary = annotated(site)
    builder = SiteIndexBuilder(config, kb, glossary)
    first = builder.add(docs)
    assert shape(first) == shape(build_index(list(reversed(docs)), config, kb, glossary))
    assert [a.title for a in first.articles] == ["Delta", "Gamma", "Beta", "Alpha"]
    assert "karin-mulder" in first.entities  # mentioned three times: it has a page
    for rel, text in EDITS.items():
        (site / "content" / rel).write_text(text, "utf-8")
    (site / "content" / "b.md").unlink()
    edited, *_ = annotated(site)
    by_rel = {d.document.source.rel: d for d in edited}
    index = builder.update({rel: by_rel.get(rel) for rel in [*EDITS, "b.md"]})
    assert shape(index) == shape(build_index(edited, config, kb, glossary))
    assert [a.title for a in index.articles] == ["Epsilon", "Delta", "Alpha", "Gamma"]
    assert builder.article("b.md") is None
    assert set(index.tags) == {"money", "world"}
    mulder = index.entities["karin-mulder"]
    assert list(mulder.articles) == [  # newest first, Alpha's new version among them
        a for a in index.articles
        if any(m.entity_id == "karin-mulder" for m in a.doc.annotations.entities)]
    assert "Alpha" in [a.title for a in mulder.articles]


def test_a_url_taken_twice_is_refused_and_the_index_kept(site: Path) -> None:
    docs, config, kb, glossary = annotated(site)
    builder = SiteIndexBuilder(config, kb, glossary)
    before = builder.add(docs)
    (site / "content" / "b.md").write_text(
        article("Beta", "Sanctions hit Moscow traders.", slug="a"), "utf-8")
    edited, *_ = annotated(site)
    beta = next(d for d in edited if d.document.source.rel == "b.md")
    with pytest.raises(SiteError) as err:
        builder.update({"b.md": beta})
    assert "two articles have the same URL" in str(err.value)
    with pytest.raises(SiteError) as full:
        build_index(edited, config, kb, glossary)
    assert str(err.value) == str(full.value)
    assert builder.index is before and builder.article("b.md") is not None


def test_an_edit_keeping_or_moving_the_date_gives_the_full_build_order(site: Path) -> None:
    docs, config, kb, glossary = annotated(site)
    builder = SiteIndexBuilder(config, kb, glossary)
    builder.add(docs)
    path = site / "content" / "b.md"
    for date, order in (("2026-03-02", ["Delta", "Gamma", "Beta", "Alpha"]),
                        ("2026-03-09", ["Beta", "Delta", "Gamma", "Alpha"])):
        path.write_text(article("Beta", "Karin Mulder said sanctions hit Moscow traders.",
                                date=date, tags="[money]"), "utf-8")
        edited, *_ = annotated(site)
        beta = next(d for d in edited if d.document.source.rel == "b.md")
        index = builder.update({"b.md": beta})
        assert shape(index) == shape(build_index(edited, config, kb, glossary))
        assert [a.title for a in index.articles] == order
        assert next(a for a in index.articles if a.title == "Beta").doc is beta
