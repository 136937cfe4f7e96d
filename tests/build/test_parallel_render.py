"""Rendering on every core (build/render_pool.py): pages drawn by forked worker processes
give the output one process gives, byte for byte; a page that fails in a worker is
reported as in one process and leaves the previous output; unchanged pages are reused."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, Result, article

from sitegen.build.engine import BuildOptions, build

NO_NLP = ("[entities]\nenabled = false\n[glossary]\nenabled = false\n"
          "[attributions]\nenabled = false\n")
BASE_URL = "https://example.org/news/"  # feeds, sitemap and social cards too


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    """Staging or swapped-out folders a build left beside its output."""
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


@pytest.fixture(autouse=True)
def _earlier_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads that earlier tests left in this process (Dask's IO loop) do not count: a
    build run from the command line has none; one its own build starts still counts."""
    from sitegen.build import render_pool

    before = set(threading.enumerate())
    monkeypatch.setattr(render_pool, "_other_threads", lambda: any(
        t not in before and t.name != "tqdm_monitor" for t in threading.enumerate()))


@pytest.fixture
def many(make_site: Callable[..., Path]) -> Path:
    """A site of 40 articles in 4 tags (no NLP: rendering is what is tested here)."""
    path: Path = make_site({
        f"story-{i:02d}.md": article(f"Story {i}", f"Paragraph {i} of the archive.\n\n"
                                     f"Another paragraph, number {i * 7}.",
                                     date=f"2026-03-{1 + i % 28:02d}",
                                     tags=[f"topic-{i % 4}"])
        for i in range(40)
    }, config=f'base_url = "{BASE_URL}"\n' + NO_NLP)
    return path


def test_the_demo_site_renders_the_same_on_two_processes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_NO_SEARCH", "1")
    cache = tmp_path / "cache"
    one = build(BuildOptions(site=REPO, output=tmp_path / "one", base_url=BASE_URL,
                             cache_dir=cache, jobs=1))
    two = build(BuildOptions(site=REPO, output=tmp_path / "two", base_url=BASE_URL,
                             cache_dir=cache, jobs=2))
    assert (one.render_processes, two.render_processes) == (1, 2)
    assert two.rendered == one.rendered > 100 and two.reused == 0
    assert "(2 processes)" in two.split_summary()
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert sorted(first) == sorted(second)
    assert [rel for rel in first if first[rel] != second[rel]] == []
    assert any(rel.endswith(".png") for rel in second)  # social cards drawn in workers too
    assert "feed.xml" in second and "sitemap.xml" in second


def test_serial_and_parallel_builds_give_the_same_tree(many: Path, tmp_path: Path,
                                                       run: Callable[..., Result]) -> None:
    serial = run("build", "--site", many, "--output", tmp_path / "a", "-j", "1")
    parallel = run("build", "--site", many, "--output", tmp_path / "b", "-j", "2")
    assert (serial.code, parallel.code) == (0, 0)
    assert parallel.report is not None and parallel.report.render_processes == 2
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    feed = (tmp_path / "b/feed.xml").read_text("utf-8")
    assert feed.count("<entry>") == 20  # the newest 20, whichever process drew them
    assert "Story 39" in (tmp_path / "b/tags/topic-3/index.html").read_text("utf-8")


@pytest.mark.parametrize("failing", ["every article", "the oldest article", "a tag page"])
def test_a_template_error_in_a_worker_is_reported_as_in_one_process(
        many: Path, run: Callable[..., Result], failing: str) -> None:
    assert run("build", "--site", many, "-j", "2").code == 0
    before = tree(many / "output")
    templates = many / "templates"
    templates.mkdir()
    theme = REPO / "themes/default/templates"
    name, condition = {
        "every article": ("article.html", "true"),
        "the oldest article": ("article.html", "page_url.endswith('story-00/')"),
        "a tag page": ("tag.html", "page_url == 'tags/topic-2/'"),
    }[failing]
    text = (theme / name).read_text("utf-8")
    # {}[page_url] fails with the page's URL in the message: which page failed shows.
    (templates / name).write_text(
        f"{{% if {condition} %}}{{{{ {{}}[page_url] }}}}{{% endif %}}" + text, "utf-8")
    serial = run("build", "--site", many, "-j", "1")
    parallel = run("build", "--site", many, "-j", "2")
    assert serial.code == parallel.code == 1
    assert f"template '{name}' failed" in parallel.err and "has no attribute" in parallel.err
    assert parallel.err == serial.err
    assert tree(many / "output") == before  # the previous output, as it was
    assert leftovers(many) == []


def test_a_static_file_in_place_of_a_page_stops_a_parallel_build(
        many: Path, run: Callable[..., Result]) -> None:
    static = many / "static/tags/topic-1"
    static.mkdir(parents=True)
    (static / "index.html").write_text("mine", "utf-8")
    serial = run("build", "--site", many, "-j", "1")
    parallel = run("build", "--site", many, "-j", "2")
    assert serial.code == parallel.code == 1
    assert "tags/topic-1/index.html would replace a page of the site" in parallel.err
    assert parallel.err == serial.err
    assert not (many / "output").exists() and leftovers(many) == []


def test_an_edit_rebuilt_on_two_processes_reuses_the_unchanged_pages(
        many: Path, tmp_path: Path, run: Callable[..., Result]) -> None:
    first = run("build", "--site", many, "-j", "2")
    assert first.code == 0 and first.report is not None
    total = first.report.rendered
    (many / "content/story-05.md").write_text(article(
        "Story 5", "Paragraph 5 of the archive, corrected.", date="2026-03-06",
        tags=["topic-1"]), "utf-8")
    again = run("build", "--site", many, "-j", "2")
    assert again.code == 0 and again.report is not None
    assert again.report.render_processes == 2
    assert 0 < again.report.rendered < total // 4
    assert again.report.reused == total - again.report.rendered
    assert again.report.files_written < 10
    page = (many / "output/2026/03/story-05/index.html").read_text("utf-8")
    assert "Paragraph 5 of the archive, corrected." in page
    # The same as a clean build of the edited site in one process.
    clean = run("build", "--site", many, "--output", tmp_path / "clean", "--no-cache",
                "-j", "1")
    assert clean.code == 0
    assert tree(many / "output") == tree(tmp_path / "clean")
    # Nothing changed since: nothing is rendered.
    assert "nothing changed" in run("build", "--site", many, "-j", "2").out


def test_a_spare_output_in_the_way_of_a_worker(many: Path, tmp_path: Path,
                                               run: Callable[..., Result]) -> None:
    """The spare output an earlier build left (reused as the staging folder) has a file
    where a page now needs a folder: the page is put by the parent, which starts the
    staging folder afresh."""
    static = many / "static/tags"
    static.mkdir(parents=True)
    (static / "topic-9").write_text("a file, for now", "utf-8")
    assert run("build", "--site", many, "-j", "2").code == 0  # kept as the spare later
    (many / "content/story-01.md").write_text(article("Story 1", "Edited once."), "utf-8")
    assert run("build", "--site", many, "-j", "2").code == 0
    (static / "topic-9").unlink()
    (many / "content/story-02.md").write_text(article(
        "Story 2", "Now in topic 9.", tags=["topic-9"]), "utf-8")
    res = run("build", "--site", many, "-j", "2")
    assert res.code == 0 and res.report is not None and res.report.render_processes == 2
    page = (many / "output/tags/topic-9/index.html").read_text("utf-8")
    assert "Story 2" in page
    clean = run("build", "--site", many, "--output", tmp_path / "clean", "--no-cache",
                "-j", "1")
    assert clean.code == 0
    assert tree(many / "output") == tree(tmp_path / "clean")
