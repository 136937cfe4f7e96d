"""Input that used to end in a traceback: YAML alias bombs, lone surrogates, dates at the
ends of the calendar with an offset, tags and ids that slugify to nothing. Each gives a
file:line error and exit 1 with the previous output intact, or builds correctly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import Result, article, file_tree

NO_NLP = "[entities]\nenabled = false\n[glossary]\nenabled = false\n" \
         "[attributions]\nenabled = false\n"
ATOM = "{http://www.w3.org/2005/Atom}"


def laughs(levels: int = 9) -> str:
    lines = ['  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"  {cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "extra:\n" + "\n".join(lines)


def front(extra: str) -> str:
    return f'---\ntitle: "Bad"\ndate: 2026-03-01\n{extra}\n---\n\nBody.\n'


CASES = [
    ("billion laughs", front(laughs()), 10, "expands to more than 100,000 values"),
    ("self alias", front("foo: &a [*a]"), 4, "refers to the value that contains it"),
    ("nested self alias", front("foo: &a {x: [1, {y: *a}]}"), 4, "contains it"),
    ("surrogate title", '---\ntitle: "\\ud800"\ndate: 2026-03-01\n---\nx\n', 2, "surrogate"),
    ("surrogate summary", front('summary: "ok \\udfff"'), 4, "surrogate"),
    ("surrogate tags", front('tags: [fine, "\\ud800x"]'), 4, "surrogate"),
    ("surrogate authors", front('authors: ["\\udc80"]'), 4, "surrogate"),
    ("dot tag", front('tags: [ok, ".."]'), 4, "the tag '..' has no letters or digits"),
    ("bang tag", front('tags: ["!!!"]'), 4, "the tag '!!!'"),
    ("nbsp tag", front('tags: ["\\u00a0"]'), 4, "has no letters or digits"),
]


@pytest.mark.parametrize("name,text,line,message", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_bad_front_matter_gives_a_file_line_error(
        make_site: Callable[..., Path], run: Callable[..., Result], name: str, text: str,
        line: int, message: str, cache: bool) -> None:
    site = make_site({"good.md": article("Good", "Fine text.")}, NO_NLP)
    flags = [] if cache else ["--no-cache"]
    assert run("build", "--site", site, *flags).code == 0
    before = file_tree(site / "output")
    (site / "content/bad.md").write_text(text, "utf-8")
    result = run("build", "--site", site, *flags)
    assert result.code == 1
    assert f"content/bad.md:{line}: " in result.err, result.err
    assert message in result.err
    assert "Traceback" not in result.err
    assert file_tree(site / "output") == before


@pytest.mark.parametrize("data,line,what", [
    ('- name: "!!!"\n  type: person\n', 1, "entity"),
    ('- name: Good\n  type: person\n- name: X\n  id: "..."\n  type: place\n', 3, "entity"),
    ('- name: "\\ud800"\n  type: person\n', 1, "surrogate"),
    ("- name: A\n  type: person\n  aliases: &a [*a]\n", 3, "contains it"),
])
def test_bad_knowledge_base_entries_name_the_line(
        make_site: Callable[..., Path], run: Callable[..., Result], data: str, line: int,
        what: str) -> None:
    site = make_site({"a.md": article("A", "Text.")}, NO_NLP,
                     files={"content/entities.yaml": data})
    result = run("build", "--site", site)
    assert result.code == 1
    assert f"entities.yaml:{line}: " in result.err and what in result.err, result.err
    assert "Traceback" not in result.err


def test_glossary_id_that_slugifies_to_nothing(make_site: Callable[..., Path],
                                               run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "Text.")}, NO_NLP, files={
        "content/glossary.yaml": "- term: ok\n  definition: fine\n"
                                 "- term: \"\u00bf?\"\n  definition: nothing\n"})
    result = run("build", "--site", site)
    assert result.code == 1
    assert "glossary.yaml:3: the glossary term has no usable id" in result.err


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
def test_dates_at_the_ends_of_the_calendar_keep_their_offset(
        make_site: Callable[..., Path], run: Callable[..., Result], cache: bool) -> None:
    site = make_site({
        "first.md": article("First", "Old.", date="0001-01-01T00:00:00+05:00"),
        "mid.md": article("Mid", "Now.", date="2026-03-01T10:00:00+05:00",
                          updated="2026-03-02T08:30:00-04:00"),
        "last.md": article("Last", "Soon.", date="2026-01-01",
                           updated="9999-12-31T23:00:00-05:00"),
    }, 'base_url = "https://example.org/"\n' + NO_NLP)  # feeds need a public URL
    flags = [] if cache else ["--no-cache"]
    for _ in range(2):  # the second build reads the document cache
        result = run("build", "--site", site, *flags)
        assert result.code == 0, result.err
    feed = ElementTree.parse(site / "output/feed.xml").getroot()
    dates = {e.findtext(f"{ATOM}title"): (e.findtext(f"{ATOM}published"),
                                          e.findtext(f"{ATOM}updated"))
             for e in feed.iter(f"{ATOM}entry")}
    assert dates["Mid"] == ("2026-03-01T10:00:00+05:00", "2026-03-02T08:30:00-04:00")
    assert dates["First"][0] == "0001-01-01T00:00:00+05:00"
    assert dates["Last"][1] == "9999-12-31T23:00:00-05:00"
    page = (site / "output/2026/03/mid/index.html").read_text("utf-8")
    assert '"datePublished":"2026-03-01T10:00:00+05:00"' in page.replace(" ", "")
    # Newest first by instant: Mid (05:00 UTC, 1 March), Last (1 January), First.
    assert list(dates) == ["Mid", "Last", "First"]
