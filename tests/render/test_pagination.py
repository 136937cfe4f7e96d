"""Paginated listings (issue 17): tag, entity and glossary-term pages of `[pagination]
page_size` articles, newest first, page 1 at the stable URL; the entities index split by
type and initial letter; per-tag feeds at the newest 20; the sitemap index."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import Result, article

from sitegen.cli import main
from sitegen.render import sitemaps

KB = """\
- name: Rotterdam
  type: place
  description: Port city.
- name: Dordrecht
  type: place
  description: River town.
- name: Anna Brouwer
  type: person
  aliases: [Brouwer]
  description: Dike engineer.
"""
GLOSSARY = """\
- term: storm surge
  definition: A rise of the sea above the normal tide driven by a storm.
"""
COUNT = 22
SMALL = '[pagination]\npage_size = 2\nindex_size = 2\n'
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def title(i: int) -> str:
    return f"Flood story {i:02d}"


def write_site(root: Path, config: str, cache: Path) -> Path:
    """COUNT articles tagged "floods", all naming Rotterdam and the storm surge; the
    annotation cache is shared by the module's sites (their articles are the same)."""
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(
        f'title = "Test Site"\nbase_url = "https://example.org/news/"\n{config}'
        f'[build]\ncache_dir = "{cache}"\n', "utf-8")
    (root / "content/entities.yaml").write_text(KB, "utf-8")
    (root / "content/glossary.yaml").write_text(GLOSSARY, "utf-8")
    for i in range(1, COUNT + 1):
        (root / f"content/s{i:02d}.md").write_text(article(title(i), f"""
            The storm surge reached Rotterdam on day {i}. Anna Brouwer inspected the dike.
            Dordrecht stayed dry.
        """, date=f"2026-03-{i:02d}", tags="[floods]"), "utf-8")
    return root


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-cache")


def build(root: Path, run: Callable[..., Result], config: str, cache: Path) -> Path:
    res = run("build", "--site", write_site(root, config, cache))
    assert res.code == 0, res.err
    return root / "output"


def titles(html: str) -> list[str]:
    return re.findall(r"Flood story \d\d", html)


def read(out: Path, rel: str) -> str:
    return (out / rel / "index.html").read_text("utf-8")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> Path:
    """The site with page_size 2, built once for the module's tests."""
    root = tmp_path_factory.mktemp("paged") / "site"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SITEGEN_NO_SEARCH", "1")
        assert main(["build", "--site", str(write_site(root, SMALL, cache))]) == 0
    return root / "output"


def test_tag_pages_newest_first_with_stable_first_page(small: Path,
                                                       run: Callable[..., Result]) -> None:
    first = read(small, "tags/floods")
    assert list(dict.fromkeys(titles(first))) == [title(22), title(21)]
    assert '<a rel="next" href="../../tags/floods/page/2/">' in first
    assert '<link rel="next" href="../../tags/floods/page/2/">' in first
    assert 'rel="prev"' not in first
    assert "Page 1 of 11" in first
    second = read(small, "tags/floods/page/2")
    assert list(dict.fromkeys(titles(second))) == [title(20), title(19)]
    assert '<a rel="prev" href="../../../../tags/floods/">' in second
    assert '<a rel="next" href="../../../../tags/floods/page/3/">' in second
    assert "<title>Floods \u2013 page 2 \u2013 Test Site</title>" in second
    # the tag's feed link resolves from page 2 too
    assert 'href="../../../../tags/floods/feed.xml"' in second
    last = read(small, "tags/floods/page/11")
    assert list(dict.fromkeys(titles(last))) == [title(2), title(1)]
    assert 'rel="next"' not in last
    assert not (small / "tags/floods/page/1").exists()
    assert not (small / "tags/floods/page/12").exists()
    res = run("check", small)
    assert res.code == 0, res.out + res.err


def test_tag_feed_keeps_the_newest_twenty(small: Path) -> None:
    feed = ElementTree.parse(small / "tags/floods/feed.xml").getroot()
    entries = [e.findtext("{http://www.w3.org/2005/Atom}title")
               for e in feed.iter("{http://www.w3.org/2005/Atom}entry")]
    assert entries == [title(i) for i in range(22, 2, -1)]


def test_entity_and_term_pages_are_paginated(small: Path) -> None:
    page = read(small, "entities/rotterdam")
    assert "Mentioned in 22 articles" in page
    assert list(dict.fromkeys(titles(page))) == [title(22), title(21)]
    assert '<a rel="next" href="../../entities/rotterdam/page/2/">' in page
    second = read(small, "entities/rotterdam/page/2")
    assert list(dict.fromkeys(titles(second))) == [title(20), title(19)]
    assert "The storm surge reached Rotterdam on day 20." in second
    assert "on day 22." not in second
    glossary = read(small, "glossary")
    assert '<a href="../glossary/storm-surge/">Used in 22 articles</a>' in glossary
    assert title(5) not in glossary
    term = read(small, "glossary/storm-surge/page/3")
    assert list(dict.fromkeys(titles(term))) == [title(18), title(17)]
    assert '<a rel="prev" href="../../../../glossary/storm-surge/page/2/">' in term


def test_entities_index_split_by_type_and_letter(small: Path) -> None:
    index = read(small, "entities")
    assert '<a href="../entities/places/d/">D</a>' in index
    assert '<a href="../entities/places/r/">R</a>' in index
    assert '<a href="../entities/people/a/">A</a>' in index
    letter = read(small, "entities/places/r")
    assert '<a href="../../../entities/rotterdam/">Rotterdam</a>' in letter
    assert "Dordrecht" not in letter


def test_sitemap_lists_stable_urls_only(small: Path) -> None:
    locs = [e.text for e in ElementTree.parse(small / "sitemap.xml").getroot().iter(f"{NS}loc")]
    base = "https://example.org/news/"
    assert base + "tags/floods/" in locs
    assert base + "glossary/storm-surge/" in locs
    assert base + "entities/places/r/" in locs
    assert not [u for u in locs if u and "/page/" in u]


def test_short_lists_are_one_page_as_before(tmp_path: Path, run: Callable[..., Result],
                                            cache: Path) -> None:
    out = build(tmp_path / "site", run, "", cache)  # page_size 50: every list fits
    assert not (out / "tags/floods/page").exists()
    assert not (out / "entities/places").exists()
    # used in more than INLINE_USES (10) articles: the term has one page of its own
    assert len(set(titles(read(out, "glossary/storm-surge")))) == COUNT
    assert not (out / "glossary/storm-surge/page").exists()
    assert len(set(titles(read(out, "tags/floods")))) == COUNT
    assert 'class="pagination"' not in read(out, "tags/floods")


def test_sitemap_index_split(tmp_path: Path, run: Callable[..., Result], cache: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps, "SITEMAP_LIMIT", 10)
    out = build(tmp_path / "site", run, SMALL, cache)
    root = ElementTree.parse(out / "sitemap.xml").getroot()
    assert root.tag == f"{NS}sitemapindex"
    names = [e.text for e in root.iter(f"{NS}loc")]
    assert names[0] == "https://example.org/news/sitemap-1.xml"
    locs: list[str | None] = []
    for name in names:
        assert name is not None
        piece = ElementTree.parse(out / name.rsplit("/", 1)[1]).getroot()
        assert piece.tag == f"{NS}urlset"
        found = [e.text for e in piece.iter(f"{NS}loc")]
        assert 0 < len(found) <= 10
        locs += found
    assert len(locs) == len(set(locs)) > 20
    assert locs[0] == "https://example.org/news/"
    assert "https://example.org/news/entities/rotterdam/" in locs
    res = run("check", out)
    assert res.code == 0, res.out + res.err


def test_split_pieces() -> None:
    urls = [(f"a{i}/", "") for i in range(7)]
    assert [len(p) for p in sitemaps.split(urls, 3)] == [3, 3, 1]
    assert [len(p) for p in sitemaps.split(urls)] == [7]
    assert sitemaps.split([], 3) == [[]]


def test_page_size_must_be_positive(make_site: Callable[..., Path],
                                    run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "Text.")}, config="[pagination]\npage_size = 0\n")
    res = run("build", "--site", site)
    assert res.code != 0
    assert "[pagination] page_size must be 1 or more" in res.err
    assert "site.toml" in res.err
