"""The preview client in a real browser (Debian's Chromium driven by Playwright): reload on
an edit, the error overlay, stylesheet swap without a reload, the annotation inspector."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ARGS, CHROMIUM, article

from sitegen.serve.server import PreviewServer, ServeOptions

TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

KB = """\
- id: dmitry-peskov
  name: Dmitry Peskov
  type: person
  aliases: [Peskov]
"""


def test_preview_client_in_a_browser(make_site: Callable[..., Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    site = make_site(
        {"one.md": article("Kremlin speaks", "Dmitry Peskov spoke on Monday.")},
        # the site's static/ lands at the output root: this overrides the theme stylesheet
        files={"content/entities.yaml": KB,
               "static/static/style.css": "body { color: rgb(1, 2, 3) }\n"})
    server = PreviewServer(ServeOptions(site=site, port=0, debounce=0.05, log=print))
    try:
        url = server.start()
        assert server.wait_ready(300)  # the site is read after the server listens
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url + "2026/03/one/")
                page.wait_for_function("window.__sitegenPreview && __sitegenPreview.connected")

                # the inspector labels each annotation with its type and id
                page.click(".sg-inspect-toggle")
                mention = page.locator("a.ann-entity").first
                expect(mention).to_have_attribute(
                    "data-sg-label", re.compile(r"^person: dmitry-peskov \u00b7 kb \u00b7 "
                                                r"[01]\.\d\d$"))
                assert page.evaluate("getComputedStyle(document.querySelector("
                                     "'a.ann-entity'), '::after').content") != "none"

                # a stylesheet edit swaps the link: same document, new colour
                page.evaluate("window.marker = 1")
                (site / "static/static/style.css").write_text("body { color: rgb(4, 5, 6) }\n")
                page.wait_for_function(
                    "getComputedStyle(document.body).color === 'rgb(4, 5, 6)'")
                assert page.evaluate("window.marker") == 1

                # an edit of the article reloads the page
                (site / "content/one.md").write_text(
                    article("Kremlin speaks", "Dmitry Peskov spoke on Tuesday."))
                page.wait_for_function("document.body.textContent.includes('Tuesday')")
                assert page.evaluate("window.marker") is None
                # the inspector stays on across reloads
                expect(page.locator("html")).to_have_class("sg-inspect")

                # broken front matter: the overlay names the file and the line
                (site / "content/one.md").write_text('---\ntitle: "Broken\n---\n\nText.\n')
                overlay = page.locator("#sg-overlay")
                expect(overlay).to_be_visible()
                expect(overlay.locator(".sg-error-loc")).to_contain_text("content/one.md:")
                assert "Tuesday" in page.text_content("main")  # last good page still shown

                # fixed: the overlay goes and the page updates by itself
                (site / "content/one.md").write_text(
                    article("Kremlin speaks", "Dmitry Peskov spoke on Wednesday."))
                page.wait_for_function("document.body.textContent.includes('Wednesday')")
                expect(page.locator("#sg-overlay")).to_have_count(0)
                assert not errors
            finally:
                browser.close()
    finally:
        server.stop()
