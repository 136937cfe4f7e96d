"""Plugin annotators end to end: the example package (examples/plugins/sitegen-money) is
installed with pip into a temporary folder (never into the shared environment), then
`sitegen plugins`, `sitegen build` and `sitegen annotate --json` run as a user runs them,
in a subprocess whose PYTHONPATH holds the installed plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, article

from sitegen.annotate import registry
from sitegen.build.engine import BuildOptions, build

EXAMPLE = REPO / "examples" / "plugins" / "sitegen-money"
BODY = """\
The Rotterdam council said the new dike would cost €310 million, twice the $150m first
budgeted. A clerk's €5 coffee was not counted; neither is `€999 million` in code.

Critics put the <b>bill</b> at 2.5 billion euros.
"""
CONFIG = """
[annotate]
plugins = ["money"]

[plugins.money]
min_amount = 1000
"""


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin, installed by pip (no dependencies, no build isolation: the
    build backend, hatchling, comes with the test extra) into a folder of its own."""
    pytest.importorskip("hatchling", reason="the test extra installs hatchling, the example "
                        "plugin's build backend")
    target = tmp_path_factory.mktemp("plugins")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(EXAMPLE)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert (target / "sitegen_money" / "__init__.py").is_file()
    return target


def sitegen(plugins: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugins), str(REPO)]),
           "SITEGEN_NO_SEARCH": "1"}
    return subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600, check=False)


@pytest.fixture
def money_site(make_site: Callable[..., Path]) -> Path:
    site: Path = make_site({"dike.md": article("The dike bill", BODY)}, config=CONFIG)
    return site


@pytest.fixture
def installed_here(plugin_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The plugin importable in this process too (for builds that return their report)."""
    monkeypatch.syspath_prepend(str(plugin_path))
    registry.clear()
    yield plugin_path
    registry.clear()


def test_sitegen_plugins_lists_the_installed_plugin(plugin_path: Path, money_site: Path
                                                    ) -> None:
    res = sitegen(plugin_path, "plugins", "--site", money_site, "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    rows = {r["name"]: r for r in data["annotators"]}
    assert list(rows) == ["entities", "glossary", "attributions", "money"]
    assert rows["money"]["package"] == "sitegen-money"
    assert rows["money"]["package_version"] == "0.1.0"
    assert rows["money"]["version"] == "1" and rows["money"]["enabled"] is True
    assert rows["entities"]["builtin"] is True and rows["entities"]["enabled"] is True
    assert data["pipeline_version"] == registry.BUILTIN_VERSION + "+money==1"
    table = sitegen(plugin_path, "plugins", "--site", money_site)
    line = next(x for x in table.stdout.splitlines() if x.startswith("money"))
    assert line.split() == ["money", "1", "sitegen-money", "0.1.0", "yes"]


def test_marks_in_the_built_page_and_notes_in_the_export(plugin_path: Path,
                                                         money_site: Path) -> None:
    res = sitegen(plugin_path, "build", "--site", money_site)
    assert res.returncode == 0, res.stderr
    page = (money_site / "output" / "2026" / "03" / "dike" / "index.html").read_text()
    assert ('<mark class="ann ann-note ann-note-money ann-note-money-amount" '
            'data-annotator="money" data-kind="amount" data-label="EUR 310,000,000" '
            'title="an amount in EUR" data-confidence="1.00">€310 million</mark>') in page
    assert 'data-label="USD 150,000,000"' in page and 'data-label="EUR 2,500,000,000"' in page
    assert "€5 coffee" in page and 'data-label="EUR 5"' not in page  # below min_amount
    assert "<code>€999 million</code>" in page  # never inside code
    assert "&lt;b&gt;bill&lt;/b&gt;" in page  # the rest of the text stays escaped

    res = sitegen(plugin_path, "annotate", "--site", money_site, "--json",
                  money_site / "content" / "dike.md")
    assert res.returncode == 0, res.stderr
    notes = json.loads(res.stdout)["notes"]
    source = (money_site / "content" / "dike.md").read_text("utf-8")
    assert [(n["annotator"], n["kind"], n["label"]) for n in notes] == [
        ("money", "amount", "EUR 310,000,000"), ("money", "amount", "USD 150,000,000"),
        ("money", "amount", "EUR 2,500,000,000")]
    assert [source[n["start"]:n["end"]] for n in notes] == [
        "€310 million", "$150m", "2.5 billion euros"]


def test_unknown_or_badly_set_plugin_is_an_error_naming_the_line(
        plugin_path: Path, make_site: Callable[..., Path]) -> None:
    site = make_site({"a.md": article("A", "€3 million.")},
                     config='\n[annotate]\nplugins = ["mony"]\n')
    res = sitegen(plugin_path, "build", "--site", site)
    assert res.returncode == 1
    assert f"{site / 'site.toml'}:4: unknown annotator plugin 'mony'" in res.stderr
    assert "did you mean 'money'?" in res.stderr
    assert not (site / "output").exists()
    listed = sitegen(plugin_path, "plugins", "--site", site)
    assert listed.returncode == 1 and "'mony', which is not installed" in listed.stderr

    site = make_site({"a.md": article("A", "€3 million.")}, name="bad", config=(
        '\n[annotate]\nplugins = ["money"]\n\n[plugins.money]\nmin_amount = "lots"\n'))
    res = sitegen(plugin_path, "annotate", "--site", site, "--json",
                  site / "content" / "a.md")
    assert res.returncode == 1
    assert (f"{site / 'site.toml'}:6: [plugins.money]: min_amount must be a number, "
            "not 'lots'") in res.stderr


def test_plugin_name_version_and_settings_are_in_the_cache_key(
        installed_here: Path, money_site: Path) -> None:
    first = build(BuildOptions(site=money_site))
    assert (first.annotated, first.from_cache) == (1, 0)
    again = build(BuildOptions(site=money_site))
    assert (again.annotated, again.from_cache) == (0, 1)
    toml = money_site / "site.toml"
    toml.write_text(toml.read_text().replace("min_amount = 1000", "min_amount = 5"))
    changed = build(BuildOptions(site=money_site))
    assert (changed.annotated, changed.from_cache) == (1, 0)
    page = (money_site / "output" / "2026" / "03" / "dike" / "index.html").read_text()
    assert 'data-label="EUR 5"' in page
    toml.write_text(toml.read_text().replace('plugins = ["money"]', "plugins = []"))
    off = build(BuildOptions(site=money_site))
    assert off.annotated == 1  # the built-ins' own key: cached from no earlier build
    page = (money_site / "output" / "2026" / "03" / "dike" / "index.html").read_text()
    assert "ann-note" not in page


def test_a_plugin_that_does_not_load_is_listed_with_its_error(
        tmp_path: Path, make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package declaring an entry point whose module fails to import (written by hand:
    a dist-info folder is all importlib.metadata reads)."""
    dist = tmp_path / "broken" / "sitegen_broken-2.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: sitegen-broken\n"
                                   "Version: 2.0\n")
    (dist / "entry_points.txt").write_text(
        "[sitegen.annotators]\nbroken = sitegen_broken_mod:Broken\n")
    (tmp_path / "broken" / "sitegen_broken_mod.py").write_text("raise ImportError('no numpy')\n")
    site = make_site({"a.md": article("A", "Text.")},
                     config='\n[annotate]\nplugins = ["broken"]\n')
    res = sitegen(tmp_path / "broken", "plugins", "--site", site)
    assert res.returncode == 1
    line = next(x for x in res.stdout.splitlines() if x.startswith("broken"))
    assert "sitegen-broken 2.0" in line and "ImportError: no numpy" in line
    res = sitegen(tmp_path / "broken", "build", "--site", site)
    assert res.returncode == 1
    assert ("annotator plugin 'broken' (sitegen-broken 2.0) does not load: ImportError: "
            "no numpy") in res.stderr
