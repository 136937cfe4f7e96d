"""What a reader sees (issue 16): quiet annotations, markers after the closing quote,
typographic quotes, and previews placed at the hovered line (Chromium via Playwright)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ARGS, CHROMIUM, Result, article

from sitegen.index.site import snippet
from sitegen.render.marks import smart_quotes

KB = """\
- id: port-of-rotterdam
  name: Port of Rotterdam
  type: facility
  aliases: [Rotterdam port]
  description: Europe's largest seaport.
  image: images/port.svg
- id: dmitry-peskov
  name: Dmitry Peskov
  type: person
  aliases: [Peskov]
  description: Kremlin spokesperson.
- id: kyiv
  name: Kyiv
  type: place
  description: Capital of Ukraine.
- id: odesa
  name: Odesa
  type: place
"""
PORT_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30">'
            '<rect width="40" height="30" fill="#369"/></svg>')

QUOTES = """
Dmitry Peskov spoke to reporters in Kyiv on Monday. Peskov said it again in Kyiv.

"There is no contradiction here," Peskov said. "We have said so many times."

Peskov said the talks would resume next week. Peskov said the plan was final.

Use `"straight"` quotes in code; the group's plan, drawn up in Odesa.
"""


def _body(html: str) -> str:
    start = html.index('<div class="article-body">')
    end = html.find('<section class="sources"')
    return html[start:end if end > 0 else html.index("</article>")]


def test_first_mention_linking_and_the_all_option(make_site: Callable[..., Path],
                                                  run: Callable[..., Result]) -> None:
    files = {"content/entities.yaml": KB}
    site = make_site({"a.md": article("Talks", QUOTES)}, files=files)
    assert run("build", "--site", site).code == 0
    body = _body((site / "output/2026/03/a/index.html").read_text())
    assert body.count('href="../../../entities/dmitry-peskov/"') == 1
    assert body.count('href="../../../entities/kyiv/"') == 1
    first = body.index("entities/dmitry-peskov/")
    assert first < body.index("Peskov said it again")
    assert body.count('href="../../../entities/odesa/"') == 1
    quiet = make_site({"a.md": article("Talks", QUOTES)}, name="quiet",
                      config="[entities]\nlink_mentions = 2\n", files=files)
    assert run("build", "--site", quiet).code == 0
    body = _body((quiet / "output/2026/03/a/index.html").read_text())
    assert "entities/odesa/" not in body  # named once in passing
    assert body.count('href="../../../entities/kyiv/"') == 1
    every = make_site({"a.md": article("Talks", QUOTES)}, name="every",
                      config='[entities]\nlink = "all"\n', files=files)
    assert run("build", "--site", every).code == 0
    body = _body((every / "output/2026/03/a/index.html").read_text())
    assert body.count('ann-entity" data-type="person" href="../../../entities/dmitry-peskov/"') >= 5


def test_marker_after_the_closing_quote_and_never_adjacent(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("Talks", QUOTES)}, files={"content/entities.yaml": KB})
    assert run("build", "--site", site).code == 0
    body = _body((site / "output/2026/03/a/index.html").read_text())
    markers = [m.start() for m in re.finditer(r'<(a|span) class="attr-marker"', body)]
    assert markers, body
    for pos in markers:
        assert body[pos - 1] in "\u201d\"'\u2019" or body[pos - 1].isalnum() or body[
            pos - 1] == ">", body[pos - 20:pos + 5]
        assert body[pos - 1] != " "
    # the two direct quotes around 'Peskov said' are one statement: its marker comes after
    # the second closing quote, and the words between are not highlighted as quoted
    assert re.search(r'many times\.</q>\u201d<(a|span) class="attr-marker"', body), body
    quoted = re.findall(r'<q class="attr attr-direct"[^>]*>(.*?)</q>', body)
    assert quoted and not any("Peskov said" in q for q in quoted), quoted
    text = re.sub(r"<span class=\"vh\">.*?</span>", "", body)
    plain = re.sub(r"<(a|span) class=\"attr-marker\"[^>]*>.*?</\1>", "\0", text)
    plain = re.sub(r"<[^>]+>", "", plain)
    assert not re.search(r"\0[\s\W]*\0", plain), "two markers side by side"
    assert not re.search(r"\0 [,.;:]", plain), "a space between a marker and punctuation"


def test_typographic_quotes_and_the_option(make_site: Callable[..., Path],
                                           run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("The 'plan' here", QUOTES)},
                     files={"content/entities.yaml": KB})
    assert run("build", "--site", site).code == 0
    html = (site / "output/2026/03/a/index.html").read_text()
    body = _body(html)
    assert "\u201cThere is no contradiction here,\u201d" in body.replace(
        re.search(r'<q [^>]*>', body).group(0), "").replace("</q>", "")  # type: ignore[union-attr]
    assert "group\u2019s plan" in body
    assert "<code>&quot;straight&quot;</code>" in body
    assert "<h1>The \u2018plan\u2019 here</h1>" in html
    plain = make_site({"a.md": article("T", QUOTES)}, name="plain",
                      config="[markdown]\ntypographic_quotes = false\n",
                      files={"content/entities.yaml": KB})
    assert run("build", "--site", plain).code == 0
    assert "group's plan" in (plain / "output/2026/03/a/index.html").read_text()


def test_smart_quotes_keep_length_and_context() -> None:
    for text in ('"A," she said. "B."', "the '90s, 'x' and it's", '("x")'):
        assert len(smart_quotes(text)) == len(text)
    assert smart_quotes('"A," she said.') == "\u201cA,\u201d she said."
    assert smart_quotes("the '90s and it's 'x'") == "the \u201990s and it\u2019s \u2018x\u2019"
    assert smart_quotes('" more', "d") == "\u201d more"


def test_snippet_centred_on_the_mention_at_word_boundaries() -> None:
    text = "Intro. " + "alpha " * 60 + "MENTION here " + "omega " * 60 + "end. Next."
    at = text.index("MENTION")
    cut = snippet(text, at, at + 7, width=80)
    assert cut.startswith("\u2026alpha") and cut.endswith("omega\u2026")
    assert "MENTION" in cut and len(cut) <= 82
    left, right = cut.split("MENTION")
    assert abs(len(left) - len(right)) < 20


def test_pages_tag_names_groups_image_sizes(make_site: Callable[..., Path],
                                           run: Callable[..., Result]) -> None:
    site = make_site(
        {"a.md": article("Port", "The Port of Rotterdam grew. The Port of Rotterdam said so. "
                         "Kyiv and Kyiv again.\n\n![A map](images/port.svg)",
                         tags="[data-breach, eu]",
                         cover="{image: images/port.svg, alt: A port}")},
        config='[tags]\nnames = { eu = "European Union" }\n',
        files={"content/entities.yaml": KB, "content/images/port.svg": PORT_SVG})
    assert run("build", "--site", site).code == 0
    out = site / "output"
    home = (out / "index.html").read_text()
    assert 'class="card card-lead"' in home
    assert ">European Union<" in (out / "tags/index.html").read_text()
    assert ">Data Breach<" in (out / "tags/index.html").read_text()
    for page in (home, (out / "2026/03/a/index.html").read_text(),
                 (out / "entities/port-of-rotterdam/index.html").read_text()):
        for img in re.findall(r"<img [^>]*>", page):
            assert 'width="40" height="30"' in img, img
    entities = (out / "entities/index.html").read_text()
    assert "Facilities" in entities and "Places" in entities
    assert "Facilitys" not in entities and "Locations" not in entities
    entity = (out / "entities/port-of-rotterdam/index.html").read_text()
    assert 'class="entity-card"' in entity and "Also called Rotterdam port" in entity


# --- in the browser ---------------------------------------------------------------------

LONG = """
The ships waited for days outside the Port of Rotterdam while the barrier stayed closed.

"We have never seen anything like it," Dmitry Peskov said. The harbour master agreed.
""" + "\n\nFiller paragraph with words to make the page long enough to scroll. " * 30 + """

At the very end the Port of Rotterdam and Peskov appear again.
"""


@pytest.fixture
def reader(make_site: Callable[..., Path], run: Callable[..., Result]) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium")
    from playwright.sync_api import sync_playwright

    site = make_site({"a.md": article("Port", LONG),
                      "b.md": article("More", "Port of Rotterdam.", date="2026-03-02")},
                     files={"content/entities.yaml": KB, "content/images/port.svg": PORT_SVG})
    assert run("build", "--site", site).code == 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 800, "height": 600})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "output/2026/03/a/index.html").as_uri())
        yield page
        assert not errors
        browser.close()


def _wrap_link(page: object) -> dict[str, float]:
    """Make the entity link wrap across two lines; return its second line box."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.evaluate("""() => {
      const a = document.querySelector('a.ann-entity[data-entity="port-of-rotterdam"]');
      const p = a.closest('p');
      p.style.width = '0px';
      for (let w = 100; w < 700; w += 2) {
        p.style.width = w + 'px';
        if (a.getClientRects().length === 2) break;
      }
      a.scrollIntoView({block: 'center'});
    }""")
    rects: list[dict[str, float]] = page.evaluate("""() => Array.from(document.querySelector(
      'a.ann-entity[data-entity="port-of-rotterdam"]').getClientRects()).map(
      r => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right}))""")
    assert len(rects) == 2, rects
    assert rects[1]["top"] > rects[0]["bottom"] - 1
    return rects[1]


def test_popover_at_the_hovered_line_of_a_wrapped_link(reader: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(reader, Page)
    line = _wrap_link(reader)
    reader.mouse.move((line["left"] + line["right"]) / 2, (line["top"] + line["bottom"]) / 2)
    pop = reader.locator("#sg-popover")
    expect(pop).to_be_visible()
    expect(pop).to_contain_text("Port of Rotterdam")
    expect(pop).to_contain_text("largest seaport")
    expect(pop).to_contain_text("Mentioned in 2 articles")
    expect(pop.locator("a.pop-open")).to_have_attribute("href", re.compile("port-of-rotterdam"))
    box = reader.evaluate("document.getElementById('sg-popover').getBoundingClientRect().top")
    assert 0 <= box - line["bottom"] <= 8, (box, line)
    img = pop.locator("img.pop-img")
    assert img.get_attribute("width") == "40" and img.get_attribute("height") == "30"


def test_popover_flips_above_at_the_viewport_edge_and_escape(reader: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(reader, Page)
    link = reader.locator('a.ann-entity[data-entity="port-of-rotterdam"]')
    rect = reader.evaluate("""() => {
      const a = document.querySelector('a.ann-entity[data-entity="port-of-rotterdam"]');
      const spacer = document.createElement('div');
      spacer.style.height = (innerHeight - 40 - a.getBoundingClientRect().top) + 'px';
      a.closest('p').before(spacer);
      window.scrollTo(0, 0);
      const r = a.getClientRects()[0];
      return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
    }""")
    assert rect["bottom"] > 540
    reader.mouse.move(rect["left"] + 5, (rect["top"] + rect["bottom"]) / 2)
    pop = reader.locator("#sg-popover")
    expect(pop).to_be_visible()
    box = reader.evaluate("""() => {
      const r = document.getElementById('sg-popover').getBoundingClientRect();
      return {top: r.top, bottom: r.bottom, right: r.right};
    }""")
    assert box["top"] >= 0 and 0 <= rect["top"] - box["bottom"] <= 8, (box, rect)
    assert box["right"] <= 800
    # hoverable: the pointer may move onto the card without it closing
    reader.mouse.move(rect["left"] + 5, box["bottom"] - 5, steps=4)
    reader.wait_for_timeout(400)
    expect(pop).to_be_visible()
    reader.keyboard.press("Escape")
    expect(pop).to_be_hidden()
    link.focus()
    expect(pop).to_be_visible()  # at once on focus


def test_quote_highlight_only_while_its_marker_is_hovered(reader: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(reader, Page)
    quote = reader.locator("q.attr-direct").first
    bg = "getComputedStyle(document.querySelector('q.attr-direct')).backgroundColor"
    assert reader.evaluate(bg) in ("rgba(0, 0, 0, 0)", "transparent")
    marker = reader.locator(".attr-marker").first
    marker.scroll_into_view_if_needed()
    marker.hover()
    expect(quote).to_have_class(re.compile("sg-lit"))
    reader.wait_for_timeout(250)
    assert reader.evaluate(bg) not in ("rgba(0, 0, 0, 0)", "transparent")
    expect(reader.locator("#sg-popover")).to_contain_text("Dmitry Peskov")
    reader.mouse.move(0, 0)
    expect(quote).not_to_have_class(re.compile("sg-lit"))


def test_compact_phone_header_and_no_layout_shift(reader: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(reader, Page)
    reader.set_viewport_size({"width": 390, "height": 844})
    home = reader.url.split("/2026/")[0] + "/index.html"
    reader.goto(home)
    header = reader.evaluate("""() => {
      const h = document.querySelector('.site-header').getBoundingClientRect();
      const items = [...document.querySelectorAll('.site-header nav li')].map(
        li => li.getBoundingClientRect().top);
      return {height: h.height, rows: new Set(items.map(Math.round)).size};
    }""")
    assert header["height"] <= 0.15 * 844, header
    assert header["rows"] == 1, header  # the navigation never wraps
    missing = reader.evaluate("""() => [...document.images].filter(
      i => !i.getAttribute('width') || !i.getAttribute('height')).map(i => i.src)""")
    assert not missing

