"""Related articles and co-occurrences computed from the index (index/connections.py):
ranked by rarity, ties broken the same way every time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import article

from sitegen.build.annotate_stage import annotate
from sitegen.build.engine import load_data, parse_all
from sitegen.config.site import load_config
from sitegen.index.builder import build_index
from sitegen.index.connections import related, timeline, together, weight
from sitegen.index.site import SiteIndex

KB = """\
- name: Tom Vos
  type: person
- name: Delft
  type: place
- name: Gouda
  type: place
"""


def index_of(make_site: Callable[..., Path], articles: dict[str, str]) -> SiteIndex:
    site = make_site(articles, files={"content/entities.yaml": KB})
    config = load_config(site)
    kb, glossary = load_data(config)
    docs = annotate(parse_all(config), config, kb, glossary).documents
    return build_index(docs, config, kb, glossary)


def test_rarer_names_weigh_more_and_ties_go_to_the_newer_article(
        make_site: Callable[..., Path]) -> None:
    index = index_of(make_site, {
        "b1.md": article("One", "Tom Vos visited Delft and Gouda.", date="2026-01-01"),
        "b2.md": article("Two", "Tom Vos spoke in Delft.", date="2026-02-01"),
        "b3.md": article("Three", "Tom Vos was in Gouda.", date="2026-03-01"),
        "b4.md": article("Four", "Tom Vos stayed home.", date="2026-04-01"),
    })
    assert weight(2) > weight(3) > weight(4)
    arts = {a.title: a for a in index.articles}
    # b2 and b3 each share one place (2 articles) and Tom Vos (4) with b1: equal scores,
    # the newer first; b4 shares only Tom Vos
    assert [(r.title, r.shared) for r in related(index, arts["One"], 5)] == [
        ("Three", ("Gouda", "Tom Vos")), ("Two", ("Delft", "Tom Vos")),
        ("Four", ("Tom Vos",))]
    assert [r.title for r in related(index, arts["One"], 2)] == ["Three", "Two"]
    assert [r.title for r in related(index, arts["Four"], 5)] == ["Three", "Two", "One"]
    tom = index.entities["tom-vos"]
    assert [(t.name, t.count) for t in together(index, tom, 10)] == [("Delft", 2), ("Gouda", 2)]
    # every month from the first mention to the last, a month without one counts 0
    assert timeline(tom) == (("2026-01", 1), ("2026-02", 1), ("2026-03", 1), ("2026-04", 1))
    assert timeline(index.entities["gouda"]) == (("2026-01", 1), ("2026-02", 0),
                                                 ("2026-03", 1))


def test_a_timeline_over_centuries_lists_only_the_months_with_mentions() -> None:
    from sitegen.index.sourcing import month_range

    assert month_range(["2026-03", "2025-11"]) == ["2025-11", "2025-12", "2026-01",
                                                    "2026-02", "2026-03"]
    assert month_range(["0001-01", "2026-03", "9999-12"]) == ["0001-01", "2026-03",
                                                              "9999-12"]
    assert month_range([]) == []
