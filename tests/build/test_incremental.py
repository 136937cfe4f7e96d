"""Incremental builds: the build manifest (a rebuild with nothing changed does nothing),
pages reused by dependency key, and output byte-identical to a fresh full build."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE_GLOSSARY, SAMPLE_KB, Result, article

from sitegen.build.engine import BuildOptions, build

KB = SAMPLE_KB
GLOSSARY = SAMPLE_GLOSSARY


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".sitegen-output"}


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    path: Path = make_site(
        {
            "a.md": article("Alpha", "Dmitry Peskov spoke in Moscow about sanctions.\n\n"
                            '"We will respond," Peskov said.\n', tags=["world"]),
            "b.md": article("Beta", "Sanctions hit Moscow traders.", date="2026-03-02",
                            tags=["world", "money"]),
            "c.md": article("Gamma", "Peskov was silent.", date="2026-03-03"),
            "d.md": article("Delta", "A quiet day.", date="2026-03-04"),
        },
        files={"content/entities.yaml": KB, "content/glossary.yaml": GLOSSARY},
    )
    return path


def test_nothing_changed_does_nothing(site: Path, run: Callable[..., Result]) -> None:
    assert run("build", "--site", site).code == 0
    again = run("build", "--site", site)
    assert "nothing changed" in again.out and "0 files written" in again.out
    # A touched file with the same bytes changes nothing either.
    path = site / "content/a.md"
    path.write_bytes(path.read_bytes())
    assert "nothing changed" in run("build", "--site", site).out


def test_damaged_output_is_rebuilt(site: Path, run: Callable[..., Result]) -> None:
    run("build", "--site", site)
    page = site / "output/2026/03/a/index.html"
    good = page.read_bytes()
    page.write_bytes(b"oops")
    res = run("build", "--site", site)
    assert "nothing changed" not in res.out
    assert page.read_bytes() == good
    (site / "output/2026/03/b/index.html").unlink()
    assert "nothing changed" not in run("build", "--site", site).out
    assert (site / "output/2026/03/b/index.html").is_file()


@pytest.mark.parametrize("change", ["edit", "entity", "new", "delete", "template", "config",
                                    "glossary", "kb", "date"])
def test_incremental_build_equals_a_full_build(site: Path, run: Callable[..., Result],
                                               tmp_path: Path, change: str) -> None:
    run("build", "--site", site)
    content = site / "content"
    if change == "edit":
        (content / "d.md").write_text(article("Delta", "A quiet day, then rain.",
                                              date="2026-03-04"))
    elif change == "entity":  # d now mentions Peskov: other pages' counts change
        (content / "d.md").write_text(article("Delta", "Peskov had a quiet day.",
                                              date="2026-03-04"))
    elif change == "new":
        (content / "e.md").write_text(article("Epsilon", "Moscow again.", date="2026-03-05",
                                              tags=["money"]))
    elif change == "delete":
        (content / "c.md").unlink()
    elif change == "template":
        (site / "templates").mkdir()
        (site / "templates/tag.html").write_text(
            '{% extends "base.html" %}{% block content %}TAG {{ tag }}{% endblock %}\n')
    elif change == "config":
        (site / "site.toml").write_text((site / "site.toml").read_text()
                                        .replace("Test Site", "Other Site"))
    elif change == "glossary":
        (content / "glossary.yaml").write_text(GLOSSARY.replace("punish", "pressure"))
    elif change == "kb":
        (content / "entities.yaml").write_text(KB.replace("Kremlin", "The Kremlin's"))
    else:
        (content / "b.md").write_text(article("Beta", "Sanctions hit Moscow traders.",
                                              date="2026-03-09", tags=["world", "money"]))
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    assert "nothing changed" not in res.out
    full = run("build", "--site", site, "--no-cache", "--output", tmp_path / "full")
    assert full.code == 0, full.err
    assert files(site / "output") == files(tmp_path / "full")


def test_an_edit_renders_only_dependent_pages(site: Path, run: Callable[..., Result]) -> None:
    first = run("build", "--site", site).report
    assert first is not None
    total = first.rendered
    (site / "content/d.md").write_text(article("Delta", "A quiet day, then rain.",
                                               date="2026-03-04"))
    report = run("build", "--site", site).report
    assert report is not None
    assert 0 < report.rendered < total
    assert report.annotated == 1


def test_a_future_article_appears_when_due(site: Path) -> None:
    (site / "content/f.md").write_text(article("Later", "Soon.", date="2026-06-01"))
    before = dt.datetime(2026, 5, 1)
    report = build(BuildOptions(site=site, now=before))
    assert report.future_skipped == 1
    assert build(BuildOptions(site=site, now=before)).nothing_changed
    due = build(BuildOptions(site=site, now=dt.datetime(2026, 6, 2)))
    assert not due.nothing_changed and due.future_skipped == 0
    assert (site / "output/2026/06/f/index.html").is_file()


def test_successive_builds_reuse_the_swapped_out_output(site: Path, run: Callable[..., Result],
                                                        tmp_path: Path) -> None:
    run("build", "--site", site)
    content = site / "content"
    steps: list[Callable[[], object]] = [
        lambda: (content / "d.md").write_text(article("Delta", "A quiet day, then rain.",
                                                      date="2026-03-04")),
        lambda: (content / "e.md").write_text(article("Epsilon", "Moscow again.",
                                                      date="2026-03-05", tags=["new"])),
        lambda: (content / "e.md").unlink(),
        lambda: (content / "d.md").write_text(article("Delta", "Peskov had a quiet day.",
                                                      date="2026-03-04")),
    ]
    for n, step in enumerate(steps):
        output = site / "output"
        inodes = {rel: (output / rel).stat().st_ino for rel in files(output)}
        before = files(output)
        step()
        assert run("build", "--site", site).code == 0
        full = tmp_path / f"full{n}"
        assert run("build", "--site", site, "--no-cache", "--output", full).code == 0
        after = files(output)
        assert after == files(full)
        kept = [rel for rel in after if before.get(rel) == after[rel]]
        assert kept and all((output / rel).stat().st_ino == inodes[rel] for rel in kept)
        spares = list((site / ".sitegen-cache").glob("spare-output-*"))
        assert len(spares) == 1
        # The spare is the previous output, untouched by the new one.
        assert files(spares[0]) == before
    assert not list(site.glob(".output.*"))
