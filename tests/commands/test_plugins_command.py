"""`sitegen plugins` without any plugin installed: the built-in annotators, their versions
and whether the site runs them (tests/annotate/test_plugins.py installs a real plugin)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import Result, article

from sitegen.annotate import registry


def test_lists_builtins_and_what_the_site_runs(run: Callable[..., Result],
                                               make_site: Callable[..., Path]) -> None:
    site = make_site({"a.md": article("A", "x")}, config="\n[glossary]\nenabled = false\n")
    res = run("plugins", "--site", site)
    assert res.code == 0, res.err
    rows = [line.split() for line in res.out.splitlines()[1:4]]
    assert rows == [["entities", "2", "sitegen", "0.1.0", "(built-in)", "yes"],
                    ["glossary", "1", "sitegen", "0.1.0", "(built-in)", "no"],
                    ["attributions", "4", "sitegen", "0.1.0", "(built-in)", "yes"]]
    assert f"pipeline version {registry.BUILTIN_VERSION} for {site}" in res.out

    data = json.loads(run("plugins", "--site", site, "--json").out)
    assert data["site"] == str(site)
    assert data["pipeline_version"] == registry.BUILTIN_VERSION
    assert [(a["name"], a["enabled"], a["fields"]) for a in data["annotators"]][:3] == [
        ("entities", True, ["entities"]), ("glossary", False, ["entities", "glossary"]),
        ("attributions", True, ["attributions"])]


def test_outside_a_site_it_lists_without_enabled(run: Callable[..., Result],
                                                 tmp_path: Path) -> None:
    res = run("plugins", "--site", tmp_path)
    assert res.code == 0, res.err
    assert res.out.splitlines()[1].split()[-1] == "-"
    assert "no site.toml here: pass --site DIR" in res.out


def test_a_missing_plugin_the_site_names_fails(run: Callable[..., Result],
                                               make_site: Callable[..., Path]) -> None:
    site = make_site({"a.md": article("A", "x")},
                     config='\n[annotate]\nplugins = ["nosuchplugin"]\n')
    res = run("plugins", "--site", site, "--json")
    assert res.code == 1
    row = json.loads(res.out)["annotators"][-1]
    assert (row["name"], row["enabled"], row["error"]) == ("nosuchplugin", False,
                                                           "not installed")
    assert "[annotate] plugins names 'nosuchplugin', which is not installed" in res.err
