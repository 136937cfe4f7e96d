"""The attribution rules as a named, ordered list (sitegen/core/ruler.py,
sitegen/annotate/attribution/rules.py): added, disabled, moved by name; the default list
finds what the annotator always found. The article is tests/annotate/fixtures/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import article

from sitegen.annotate.attribution.annotator import find_attributions
from sitegen.annotate.attribution.rules import (
    DEFAULT_NAMES,
    AttributionState,
    Rule,
    default_ruler,
)
from sitegen.annotate.cache import annotation_settings
from sitegen.build.engine import BuildOptions, build
from sitegen.config.site import load_config
from sitegen.core.model import Attribution, TextView
from sitegen.core.ruler import Ruler, UnknownRule

TEXT = (Path(__file__).parent / "fixtures" / "attribution_rules.txt").read_text("utf-8")


def kinds(found: tuple[Attribution, ...]) -> list[tuple[str, str]]:
    return [(a.kind, a.rule.split("-")[0]) for a in found]  # "reported-clause": reported


def noop(_state: AttributionState) -> None:
    return None


def test_ruler_orders_disables_and_moves_by_name() -> None:
    ruler: Ruler[str] = Ruler([("a", "A"), ("b", "B"), ("c", "C")])
    ruler.before("b", "x", "X")
    ruler.after("c", "y", "Y")
    assert ruler.names() == ["a", "x", "b", "c", "y"]
    ruler.disable(["x", "c"])
    assert [r for _, r in ruler.rules()] == ["A", "B", "Y"]
    assert ruler.names(enabled_only=False) == ["a", "x", "b", "c", "y"]
    ruler.enable("c")
    ruler.move("c", before="a")
    ruler.move("a", after="y")
    ruler.at("b", "B2")
    ruler.remove("x")
    assert ruler.rules() == [("c", "C"), ("b", "B2"), ("y", "Y"), ("a", "A")]
    copy = ruler.copy()
    copy.disable("b")
    assert "b" in ruler.names()  # the copy is its own list


def test_ruler_refuses_unknown_and_duplicate_names() -> None:
    ruler: Ruler[str] = Ruler([("a", "A"), ("b", "B")])
    with pytest.raises(UnknownRule, match=r"no rule named 'zz' \(rules: a, b\)"):
        ruler.disable(["b", "zz"])
    assert ruler.names() == ["a", "b"]  # nothing changed
    with pytest.raises(UnknownRule):
        ruler.move("a", before="zz")
    assert ruler.names() == ["a", "b"]
    with pytest.raises(ValueError, match="already"):
        ruler.push("a", "again")


def test_default_rules_find_every_kind_and_name_their_rule(nlp: Any) -> None:
    assert default_ruler().names() == list(DEFAULT_NAMES) == [
        "quote", "reported", "according", "labelled", "credit", "unverified"]
    found = find_attributions(nlp(TEXT), TextView(TEXT, ()), (), default_ruler().rules())
    assert kinds(found) == [("direct", "quote"), ("indirect", "reported"),
                            ("according_to", "according"), ("unverified", "unverified"),
                            ("credit", "credit")]
    assert found == find_attributions(nlp(TEXT), TextView(TEXT, ()), ())


def test_disabling_and_adding_rules_by_name(nlp: Any) -> None:
    doc, view = nlp(TEXT), TextView(TEXT, ())
    ruler = default_ruler()
    ruler.disable(["credit", "reported"])
    assert kinds(find_attributions(doc, view, (), ruler.rules())) == [
        ("direct", "quote"), ("according_to", "according"), ("unverified", "unverified")]

    seen: list[int] = []

    def spy(state: AttributionState) -> None:  # a rule added after 'according'
        seen.append(len(state.ctx.drafts))

    ruler = default_ruler()
    ruler.after("according", "spy", spy)
    ruler.move("according", before="quote")
    assert ruler.names()[:5] == ["according", "quote", "reported", "spy", "labelled"]
    found = find_attributions(doc, view, (), ruler.rules())
    assert seen == [3]  # it ran once, after the three speech finders
    assert kinds(found) == kinds(find_attributions(doc, view, ()))


def test_site_disables_rules_in_site_toml(make_site: Callable[..., Path]) -> None:
    body = "The claims could not be independently verified.\n\nPhoto: Jan de Vries / ANP\n"
    site = make_site({"a.md": article("A", body)})
    default_settings = annotation_settings(load_config(site))
    assert default_settings["attributions"] == {"enabled": True}  # the key it always had
    build(BuildOptions(site=site))
    page = (site / "output" / "2026" / "03" / "a" / "index.html").read_text("utf-8")
    assert "attr-credit" in page and "attr-unverified" in page

    toml = site / "site.toml"
    toml.write_text(toml.read_text() + '\n[attributions]\ndisabled_rules = ["credit"]\n')
    settings = annotation_settings(load_config(site))
    assert settings["attributions"]["rules"] == [n for n in DEFAULT_NAMES if n != "credit"]
    report = build(BuildOptions(site=site))
    assert report.annotated == 1  # the rules are in the cache key
    page = (site / "output" / "2026" / "03" / "a" / "index.html").read_text("utf-8")
    assert "attr-credit" not in page and "attr-unverified" in page


def test_unknown_rule_in_site_toml_is_an_error_with_its_line(
        make_site: Callable[..., Path], run: Callable[..., Any]) -> None:
    site = make_site({"a.md": article("A", "Text.")},
                     config='\n[attributions]\ndisabled_rules = ["credits"]\n')
    res = run("build", "--site", site)
    assert res.code == 1
    assert (f"{site / 'site.toml'}:4: [attributions] disabled_rules: no rule named "
            "'credits' (rules: quote, reported, according, labelled, credit, unverified)"
            ) in res.err


def test_rule_type_is_a_callable_of_the_state() -> None:
    rule: Rule = noop
    state = AttributionState(ctx=None)  # type: ignore[arg-type]
    rule(state)
    assert state.found == []
