"""The output is written as a stream (issue 17): files go to the staging folder as they
are rendered; a failure part-way leaves the previous output as it was, and a reused spare
output that is in the way is replaced."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Result, article

from sitegen.build.write import MARKER, write_output
from sitegen.core.errors import SiteError

NO_NLP = ("[entities]\nenabled = false\n[glossary]\nenabled = false\n"
          "[attributions]\nenabled = false\n")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failure_part_way_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output([("index.html", b"old"), ("a/index.html", b"a")], out)
    before = tree(out)

    def files() -> Iterator[tuple[str, bytes]]:
        yield "index.html", b"new"
        yield "b/index.html", b"b"
        raise SiteError("template 'entity.html' failed: boom")

    with pytest.raises(SiteError, match="boom"):
        write_output(files(), out)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["output"]  # no staging folder left


def test_unchanged_files_before_the_first_change_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_output([("a.html", b"same"), ("b.html", b"old")], out)
    inode = (out / "a.html").stat().st_ino
    stats = write_output(iter([("a.html", b"same"), ("b.html", b"new")]), out)
    assert (stats.written, stats.unchanged) == (1, 1)
    assert tree(out) == {MARKER: tree(out)[MARKER], "a.html": b"same", "b.html": b"new"}
    assert (out / "a.html").stat().st_ino == inode  # carried over, not rewritten


def test_a_spare_file_where_a_folder_is_needed(tmp_path: Path) -> None:
    out, spare = tmp_path / "output", tmp_path / "cache/spare"
    spare.parent.mkdir()
    write_output([("a.html", b"1"), ("foo", b"a file")], out, spare=spare)
    write_output([("a.html", b"2"), ("foo", b"a file")], out, spare=spare)
    assert (spare / "foo").is_file()  # the first output, kept for reuse
    write_output([("a.html", b"3"), ("foo/bar.css", b"now a folder")], out, spare=spare)
    files = tree(out)
    del files[MARKER]
    assert files == {"a.html": b"3", "foo/bar.css": b"now a folder"}


def test_a_file_in_the_way_of_a_page_leaves_the_output(make_site: Callable[..., Path],
                                                       run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "Text.")}, NO_NLP + '[files]\nallow = [".html"]\n')
    assert run("build", "--site", site).code == 0
    before = tree(site / "output")
    (site / "content/tags").mkdir()
    (site / "content/tags/index.html").write_text("<p>mine</p>", "utf-8")
    res = run("build", "--site", site)
    assert res.code == 1
    assert "tags/index.html would replace a page of the site" in res.err
    assert tree(site / "output") == before
    assert not list(site.glob(".output.*"))
