"""Review mode in a real browser (Debian's Chromium driven by Playwright, issue 15): reject
an annotation with the mouse, correct a speaker with the keyboard only; the decision file
holds the decision and the page reloads showing it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ARGS, CHROMIUM, article

from sitegen.annotate.review_file import load_review
from sitegen.serve.server import PreviewServer, ServeOptions

TIMEOUT_MS = 60_000
MAX_TABS = 200  # every control is reachable well within this many key presses

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

KB = """\
- id: jane-ortiz
  name: Jane Ortiz
  type: person
  aliases: [Ortiz, Mayor Ortiz]
- id: tom-reyes
  name: Tom Reyes
  type: person
  aliases: [Reyes]
"""

WALL = """
Mayor Jane Ortiz visited the flooded streets on Monday with harbour master Tom Reyes.

"We will rebuild the harbour wall before winter," Ortiz said.

The storm closed the ferry terminal for three days, and fishing boats stayed in port.

Reyes said the old breakwater had cracked in two places.
"""

FOCUSED = "document.activeElement && document.activeElement.getAttribute('data-sg-focus')"


def tab_to(page: Any, test: str) -> None:
    """Press Tab until the focused element passes the JavaScript `test`."""
    for _ in range(MAX_TABS):
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!({test}); }})()"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{test} was not reached with the Tab key")


def test_reject_with_the_mouse_and_correct_a_speaker_with_the_keyboard(
        make_site: Callable[..., Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    site = make_site({"wall.md": article("Harbour wall", WALL)},
                     files={"content/entities.yaml": KB})
    review = site / "content/wall.review.yaml"
    server = PreviewServer(ServeOptions(site=site, port=0, debounce=0.05, log=print))
    try:
        url = server.start() + "2026/03/wall/"
        assert server.wait_ready(300)  # the site is read after the server listens
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url)
                page.wait_for_function("window.__sitegenPreview && __sitegenPreview.connected")
                assert page.locator("q.attr", has_text="We will rebuild").count() == 1
                assert page.locator("span.attr", has_text="breakwater").count() == 1

                # Review mode lists every annotation with kind, confidence and source.
                page.click(".sg-review-toggle")
                panel = page.locator("#sg-review")
                expect(panel).to_be_visible()
                expect(panel.locator(".sg-review-summary")).to_have_text(
                    "0 checked, 0 held back, 0 rejected; 6 published unchecked")
                quote = panel.locator('.sg-review-item[data-sg-kind="attribution"]',
                                      has_text="breakwater")
                expect(quote.locator(".sg-review-kind")).to_have_text("attribution")
                expect(quote.locator(".sg-review-confidence")).to_have_text(
                    "confidence 0.91")
                expect(quote.locator(".sg-review-source")).to_contain_text(
                    "speaker: Tom Reyes (tom-reyes)")

                # Reject with the mouse: the file holds it, the page reloads without it.
                page.evaluate("window.marker = 1")
                quote.get_by_role("button", name="Reject").click()
                page.wait_for_function("window.marker === undefined")
                page.wait_for_function("document.querySelectorAll('.sg-review-item').length")
                [decision] = load_review(review)
                assert (decision.action, decision.anchor.text) == (
                    "reject", "the old breakwater had cracked in two places")
                assert page.locator("span.attr", has_text="breakwater").count() == 0
                assert "breakwater" in page.text_content("main")  # the words stay
                expect(panel).to_be_visible()  # review mode stays on across the reload
                expect(panel.locator(".sg-review-summary")).to_contain_text(
                    "1 checked, 0 held back, 1 rejected")
                expect(panel.locator('.sg-review-item[data-sg-kind="attribution"]',
                                     has_text="breakwater")).to_have_attribute(
                    "data-sg-decision", "rejected")

                # The keyboard only, in a fresh tab with review mode off.
                tab = browser.new_page()
                tab.set_default_timeout(TIMEOUT_MS)
                tab.on("pageerror", lambda e: errors.append(str(e)))
                tab.goto(url)
                tab.wait_for_function("window.__sitegenPreview && __sitegenPreview.connected")
                tab.evaluate("localStorage.setItem('sitegen-review', '')")
                tab.reload()
                tab.wait_for_function("window.__sitegenPreview && __sitegenPreview.connected")
                assert not tab.locator("#sg-review").is_visible()
                tab_to(tab, "e.classList.contains('sg-review-toggle')")
                # the focus is visible on the preview's own controls
                assert tab.evaluate("getComputedStyle(document.activeElement)"
                                    ".outlineStyle") != "none"
                tab.keyboard.press("Enter")
                said = tab.locator('.sg-review-item[data-sg-kind="attribution"]',
                                   has_text="We will rebuild")
                expect(said).to_have_count(1)
                ident = said.get_attribute("data-sg-id")

                # Escape closes the correction form, then the panel
                tab_to(tab, f"e.getAttribute('data-sg-focus') === '{ident}:correct'")
                tab.keyboard.press("Enter")
                expect(said.locator("form")).to_be_visible()
                tab.keyboard.press("Escape")
                expect(said.locator("form")).to_have_count(0)
                assert tab.evaluate(FOCUSED) == f"{ident}:correct"
                tab.keyboard.press("Escape")
                expect(tab.locator("#sg-review")).to_be_hidden()
                assert tab.evaluate("document.activeElement.className") == "sg-review-toggle"

                # Correct the speaker: pick Tom Reyes among the article's sources
                tab.keyboard.press("Enter")
                tab_to(tab, f"e.getAttribute('data-sg-focus') === '{ident}:correct'")
                tab.keyboard.press("Enter")
                speaker = said.locator("select[name=speaker]")
                expect(speaker).to_be_focused()
                tab.keyboard.type("Tom")
                assert speaker.input_value() == "source:tom-reyes"
                tab.evaluate("window.marker = 2")
                tab_to(tab, "e.classList.contains('sg-review-save')")
                tab.keyboard.press("Enter")
                tab.wait_for_function("window.marker === undefined")
                expect(tab.locator("q.attr", has_text="We will rebuild")).to_have_attribute(
                    "data-source-name", "Tom Reyes")
                decisions = {d.anchor.text: d for d in load_review(review)}
                fixed = decisions["We will rebuild the harbour wall before winter"]
                assert (fixed.action, dict(fixed.values)) == (
                    "correct", {"source_id": "tom-reyes", "source_name": "Tom Reyes"})
                assert decisions["the old breakwater had cracked in two places"].action \
                    == "reject"  # the first tab's decision is kept
                expect(tab.locator('.sg-review-item[data-sg-kind="attribution"]',
                                   has_text="We will rebuild")).to_have_attribute(
                    "data-sg-decision", "corrected")
                # focus returns to where the editor was
                assert tab.evaluate(FOCUSED) == f"{ident}:correct"
                assert errors == []
            finally:
                browser.close()
    finally:
        server.stop()
