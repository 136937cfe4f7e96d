"""Popovers in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ARGS, CHROMIUM, Result, article

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

KB = """\
- id: dmitry-peskov
  name: Dmitry Peskov
  type: person
  aliases: [Peskov]
  description: "Spokesperson <b>for</b> the Kremlin."
"""
GLOSSARY = """\
- term: annexation
  forms: [annex]
  definition: "Taking territory by force & declaring it one's own."
"""


@pytest.fixture
def page(make_site: Callable[..., Path], run: Callable[..., Result]) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    site = make_site(
        {"a.md": article("Kremlin speaks", """
            Dmitry Peskov spoke about the annexation on Monday.

            Peskov said the talks would continue.
        """), "b.md": article("Second", "Dmitry Peskov again.", date="2026-03-02")},
        files={"content/entities.yaml": KB, "content/glossary.yaml": GLOSSARY},
    )
    assert run("build", "--site", site).code == 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto((site / "output/2026/03/a/index.html").as_uri())
        yield pg
        assert not errors
        browser.close()


def test_entity_popover_hover_focus_escape(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    pop = page.locator("#sg-popover")
    mention = page.locator("a.ann-entity").first
    expect(mention).to_have_text("Dmitry Peskov")
    expect(pop).to_be_hidden()
    mention.hover()
    expect(pop).to_be_visible()
    expect(pop).to_contain_text("Spokesperson <b>for</b> the Kremlin.")
    expect(pop).to_contain_text("Mentioned in 2 articles")
    expect(pop.locator("a.pop-open")).to_contain_text("Open page")
    page.keyboard.press("Escape")
    expect(pop).to_be_hidden()
    page.mouse.move(0, 0)
    # keyboard only: Tab until the mention has focus
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('ann-entity')"):
            break
    expect(pop).to_be_visible()
    page.keyboard.press("Escape")
    expect(pop).to_be_hidden()


def test_glossary_popover_and_link(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    term = page.locator("a.ann-term").first
    expect(term).to_have_text("annexation")
    term.hover()
    expect(page.locator("#sg-popover")).to_contain_text("Taking territory by force & declaring")
    # opened from disk, the script points directory links at their index.html
    assert (term.get_attribute("href") or "").endswith("glossary/index.html#annexation")


def test_touch_first_tap_opens_second_follows(make_site: Callable[..., Path],
                                              run: Callable[..., Result]) -> None:
    from playwright.sync_api import expect, sync_playwright

    site = make_site({"a.md": article("Talks", "Dmitry Peskov spoke on Monday."),
                      "b.md": article("More", "Peskov again.", date="2026-03-02")},
                     files={"content/entities.yaml": KB})
    assert run("build", "--site", site).code == 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            ctx = browser.new_context(has_touch=True, is_mobile=True,
                                      viewport={"width": 390, "height": 800})
            pg = ctx.new_page()
            pg.goto((site / "output/2026/03/a/index.html").as_uri())
            assert pg.evaluate("matchMedia('(hover: none)').matches")
            mention = pg.locator("a.ann-entity").first
            mention.tap()
            expect(pg.locator("#sg-popover")).to_be_visible()
            expect(pg.locator("#sg-popover")).to_contain_text("Spokesperson")
            assert pg.url.endswith("/2026/03/a/index.html")
            mention.tap()
            pg.wait_for_url("**/entities/dmitry-peskov/index.html")
        finally:
            browser.close()
