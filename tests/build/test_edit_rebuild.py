"""One-article edits on a built site (issue 17): the edited article's pages and the listings
that show it change, nothing else is rewritten; an unchanged article's parse comes from the
document store, an edited one is parsed again, even when its size and mtime stayed."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SAMPLE_GLOSSARY, SAMPLE_KB, Result, article


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".sitegen-output"}


def mtimes(root: Path) -> dict[str, int]:
    return {rel: (root / rel).stat().st_mtime_ns for rel in files(root)}


BETA = "Sanctions hit Moscow traders."


@pytest.fixture
def site(make_site: Callable[..., Path]) -> Path:
    path: Path = make_site(
        {
            "a.md": article("Alpha", "Dmitry Peskov spoke in Moscow about sanctions.\n\n"
                            '"We will respond," Peskov said.\n', tags=["world"]),
            "b.md": article("Beta", BETA, date="2026-03-02", tags=["world", "money"]),
            "c.md": article("Gamma", "Peskov was silent.", date="2026-03-03"),
            "d.md": article("Delta", "A quiet day.", date="2026-03-04"),
        },
        files={"content/entities.yaml": SAMPLE_KB, "content/glossary.yaml": SAMPLE_GLOSSARY},
    )
    return path


def test_an_edit_rewrites_only_the_pages_that_show_the_article(
        site: Path, run: Callable[..., Result]) -> None:
    first = run("build", "--site", site).report
    assert first is not None and first.rendered > 0
    output = site / "output"
    before, stamps = files(output), mtimes(output)
    path = site / "content/b.md"
    path.write_text(article("Beta", BETA.replace("traders", "grain traders"),
                            date="2026-03-02", tags=["world", "money"]))
    res = run("build", "--site", site)
    report = res.report
    assert res.code == 0, res.err
    assert report is not None and not report.nothing_changed
    assert (report.annotated, report.from_cache) == (1, 3)
    # Only pages that depend on b are rendered again: its own, the listings of its tags,
    # the home page and feeds; every other page is reused.
    assert 0 < report.rendered < first.rendered
    assert report.rendered + report.reused == first.rendered
    after = files(output)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    page = "2026/03/b/index.html"
    assert page in changed and "grain traders" in after[page].decode()
    # What changed is exactly what shows the new words; the rest keeps its bytes and is
    # not even rewritten.
    assert all(b"grain" in after[rel] for rel in changed), sorted(changed)
    assert {rel for rel in after if b"grain" in after[rel]} == changed
    assert "2026/03/a/index.html" not in changed
    assert all(mtimes(output)[rel] == stamps[rel] for rel in after if rel not in changed)
    assert report.files_written == len(changed)


def test_a_same_size_edit_under_the_same_mtime_is_parsed_again(
        site: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    """The build trusts (size, mtime) only for a file older than the mtime granularity
    (build/manifest.py: a file modified within 2 s of the build is hashed again). b.md's
    mtime is in the future here, so it is always 'recent': an edit keeping its size and
    mtime is read, hashed and parsed again (the document store is keyed by the bytes)."""
    path = site / "content/b.md"
    stamp = time.time_ns() + 3600 * 10**9
    os.utime(path, ns=(stamp, stamp))
    assert run("build", "--site", site).code == 0
    size = path.stat().st_size
    path.write_text(path.read_text().replace("traders", "dealers"))  # same length
    os.utime(path, ns=(stamp, stamp))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (size, stamp)
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    assert res.report is not None and not res.report.nothing_changed
    assert res.report.annotated == 1
    html = (site / "output/2026/03/b/index.html").read_text()
    assert "dealers" in html and "traders" not in html
    # The three unchanged articles came from the document store and the annotation
    # cache: the whole output equals a build that reads and annotates everything afresh.
    again = run("build", "--site", site)
    assert again.report is not None and again.report.nothing_changed
    full = run("build", "--site", site, "--no-cache", "--output", tmp_path / "full")
    assert full.code == 0, full.err
    assert files(site / "output") == files(tmp_path / "full")



def test_links_in_the_output_are_checked_entry_by_entry(
        site: Path, run: Callable[..., Result], tmp_path: Path) -> None:
    """The no-change check walks output/ entry by entry: a link to a folder (a media
    folder linked in by hand) is left alone, as it always was; a link to a file in place of
    a page is not the page: the build runs and writes the page back."""
    assert run("build", "--site", site).code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "page.html").write_text("<p>not ours</p>")
    planted = site / "output" / "media"
    planted.symlink_to(elsewhere, target_is_directory=True)
    res = run("build", "--site", site)
    assert res.report is not None and res.report.nothing_changed
    page = site / "output/2026/03/b/index.html"
    good = page.read_bytes()
    page.unlink()
    page.symlink_to(elsewhere / "page.html")
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    assert res.report is not None and not res.report.nothing_changed
    assert not page.is_symlink() and page.read_bytes() == good
    assert (elsewhere / "page.html").read_text() == "<p>not ours</p>"
