"""`sitegen new`, `new-article` and `annotate`, and the installed (non-editable) package."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, Result, article


def test_new_site_builds_with_the_default_theme(run: Callable[..., Result],
                                                tmp_path: Path) -> None:
    site = tmp_path / "my-news"
    res = run("new", site)
    assert res.code == 0
    assert (site / "site.toml").is_file() and (site / "content/entities.yaml").is_file()
    assert (site / "content/glossary.yaml").is_file()
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    home = (site / "output/index.html").read_text()
    assert "My News" in home and "Welcome to My News" in home
    assert run("new", site).code == 1  # never overwrites


def test_new_article_writes_a_draft(run: Callable[..., Result], tmp_path: Path) -> None:
    site = tmp_path / "s"
    run("new", site)
    res = run("new-article", "Floods: what we know", "--site", site)
    assert res.code == 0
    path = site / "content/floods-what-we-know.md"
    text = path.read_text()
    assert 'title: "Floods: what we know"' in text and "draft: true" in text
    res = run("build", "--site", site)
    assert res.code == 0 and "1 drafts" in res.out
    assert run("build", "--site", site, "--drafts").code == 0
    assert list((site / "output").glob("*/*/floods-what-we-know/index.html"))


def test_annotate_prints_the_export_for_one_file(run: Callable[..., Result],
                                                 tmp_path: Path) -> None:
    src = tmp_path / "story.md"
    src.write_text("No front matter here. Angela Merkel visited Paris on Monday.\n")
    res = run("annotate", src, "--json")
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert set(data) == {"entities", "glossary", "attributions"}
    for mention in data["entities"]:
        assert src.read_text()[mention["start"]:mention["end"]] == mention["text"]


def test_annotate_writes_one_json_per_article(make_site: Callable[..., Path],
                                              run: Callable[..., Result],
                                              tmp_path: Path) -> None:
    site = make_site({"a.md": article("A", "Body one."), "sub/b.md": article("B", "Two.")})
    out = tmp_path / "ann"
    res = run("annotate", site / "content", "--out", out, "--site", site)
    assert res.code == 0, res.err
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]
    assert run("annotate", site / "content", "--json").code == 1
    missing = run("annotate", tmp_path / "nope.md", "--json")
    assert missing.code == 1 and "no such file" in missing.err


def test_wheel_ships_the_default_theme(tmp_path: Path) -> None:
    """A non-editable install must carry themes/ inside the package."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
         str(REPO)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {proc.stderr[-300:]}")
    wheel = next(tmp_path.glob("sitegen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for rel in ("templates/base.html", "templates/article.html", "static/style.css",
                "static/sitegen.js", "theme.toml"):
        assert f"sitegen/_themes/default/{rel}" in names
