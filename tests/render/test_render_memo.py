"""What the faster render (issue 17) must keep: popovers made once per build are still
each article's own and escaped, a cached document's body renders as a fresh one, marks in
mark order need no sorting, quotes, dates and page keys come out as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import jinja2
from conftest import Result, article

from sitegen.render.keys import PageKeys
from sitegen.render.markdown_html import render_tokens
from sitegen.render.marks import Mark, render_text, smart_quotes
from sitegen.render.renderer import body_tokens, format_date, fragment_memo
from sitegen.source.discover import read_source
from sitegen.source.parse import parse

KB = """\
- id: acme
  name: "Acme <b>&</b> Sons"
  type: organisation
  aliases: [Acme]
  description: "Makes <script>alert(1)</script> anvils."
"""
BODY = """
Acme said on Monday that it would close. Acme has 40 workers.

"We are sorry," Acme said.
"""


def _popover(html: str, entity: str) -> str:
    found = re.search(rf'<div role="tooltip" id="pop-e-{entity}".*?</div>', html, re.S)
    assert found, f"no popover of {entity}"
    return found.group(0)


def test_a_popover_made_once_is_on_every_article_escaped_and_new_after_an_edit(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("One", BODY), "b.md": article("Two", BODY)},
                     files={"content/entities.yaml": KB})
    assert run("build", "--site", site).code == 0
    one = (site / "output/2026/03/a/index.html").read_text()
    two = (site / "output/2026/03/b/index.html").read_text()
    pop = _popover(one, "acme")
    assert pop == _popover(two, "acme")
    assert "Acme &lt;b&gt;&amp;&lt;/b&gt; Sons" in pop and "<b>" not in pop
    assert "Makes &lt;script&gt;alert(1)&lt;/script&gt; anvils." in pop
    assert "Mentioned in 2 articles" in pop
    assert 'href="../../../entities/acme/"' in pop
    (site / "content/entities.yaml").write_text(KB.replace("anvils", "rockets"), "utf-8")
    (site / "content/c.md").write_text(article("Three", BODY), "utf-8")
    assert run("build", "--site", site).code == 0
    for name in "abc":
        pop = _popover((site / f"output/2026/03/{name}/index.html").read_text(), "acme")
        assert "rockets" in pop and "anvils" not in pop
        assert "Mentioned in 3 articles" in pop


def test_the_memo_block_is_reused_only_for_the_same_values() -> None:
    env = jinja2.Environment(autoescape=True)
    env.globals["memo"] = fragment_memo()
    made: list[str] = []

    def note(name: str) -> str:
        made.append(name)
        return ""

    env.globals["made"] = note
    page = env.from_string(
        "{% call memo(x, root) %}{{ made(x.name) }}<a href='{{ root }}'>{{ x.name }}</a>"
        "{% endcall %}")
    a, b = SimpleNamespace(name="<A>"), SimpleNamespace(name="<A>")
    first = page.render(x=a, root="../")
    assert first == "<a href='../'>&lt;A&gt;</a>"
    assert page.render(x=a, root="".join(["..", "/"])) == first  # an equal string: reused
    assert made == ["<A>"]
    assert page.render(x=a, root="../../") == "<a href='../../'>&lt;A&gt;</a>"
    assert page.render(x=b, root="../") == first  # another object: made again
    assert len(made) == 3


def test_a_cached_document_renders_the_body_of_a_fresh_parse(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(article("T", '# Head\n\nSome *"quoted"* [link](x.md) text.\n\n'
                              "- one\n- two `code`\n\n> Said [so]{.x}.\n"), "utf-8")
    fresh = parse(read_source(path, "a.md"))
    cached = dataclasses.replace(fresh, tokens=())  # as the document cache gives it back
    env = {"marks": (Mark(5, 11, "<m>", "</m>"),), "root": "../", "smart": True}
    want = render_tokens(fresh.tokens, dict(env))
    assert "<m>" in want and "\u201cquoted\u201d" in want
    assert render_tokens(body_tokens(cached), dict(env)) == want


def _reference_quotes(text: str, before: str = "") -> str:
    """smart_quotes as it was: a loop over every character."""
    out = list(text)
    for i, c in enumerate(out):
        if c not in "\"'":
            continue
        p = out[i - 1] if i else before
        n = out[i + 1] if i + 1 < len(out) else ""
        opening = (not p or p.isspace() or p in "([{<\u2014\u2013-/\u201c\u2018") if p or i else (
            not n or not (n.isspace() or n in ".,;:!?)"))
        if c == '"':
            out[i] = "\u201c" if opening else "\u201d"
        else:
            out[i] = "\u2018" if opening and not n.isdigit() else "\u2019"
    return "".join(out)


def test_smart_quotes_as_a_loop_over_every_character_made_them() -> None:
    rnd = random.Random(17)
    for _ in range(3000):
        text = "".join(rnd.choice("ab 9.(-\"'\u201c\n") for _ in range(rnd.randint(0, 24)))
        before = rnd.choice(["", " ", "a", "(", '"'])
        assert smart_quotes(text, before) == _reference_quotes(text, before), (text, before)


def test_marks_in_mark_order_render_as_sorted_ones() -> None:
    rnd = random.Random(4)
    for _ in range(3000):
        text = "".join(rnd.choice("ab <&>") for _ in range(rnd.randint(0, 20)))
        marks = []
        for k in range(rnd.randint(0, 7)):
            s = rnd.randint(0, 26)
            e = s if rnd.random() < 0.3 else rnd.randint(s, 26)
            marks.append(Mark(s, e, f"<{k}>", f"</{k}>", order=rnd.randint(0, 3)))
        marks.sort(key=lambda m: (m.start, -m.end, m.order))
        at = rnd.randint(0, 4)
        html = render_text(text, at, marks, ordered=True)
        assert html == render_text(text, at, marks)  # sorted again: the same HTML
        assert "<&>" not in html


def test_long_dates_are_the_calendar_day_given() -> None:
    west = dt.timezone(dt.timedelta(hours=-5))
    late = dt.datetime(2024, 3, 3, 23, 30, tzinfo=west)
    assert format_date(late) == "3 March 2024"
    # The same instant in UTC is another day: dates are not cached by instant.
    assert format_date(late.astimezone(dt.UTC)) == "4 March 2024"
    assert format_date(dt.date(2024, 3, 3)) == "3 March 2024"
    assert format_date(None) == ""


def test_page_key_digests_are_sha256_over_nul_terminated_parts() -> None:
    """Keys written by earlier builds stay valid: the digest of a tuple is unchanged."""
    keys = PageKeys(renderer=None, salt="s")  # type: ignore[arg-type]
    want = hashlib.sha256(b"tuple\0str:'a\\udcff'\0int:1\0").hexdigest()
    assert keys.digest(("a\udcff", 1)) == want
    assert keys.digest([]) == hashlib.sha256(b"list\0").hexdigest()
