"""The preview in a dark colour scheme (Debian's Chromium, Playwright): the review panel
follows the reader's setting as the theme does, and axe-core finds no serious violation
on an article with the panel open nor on the archive pages served by the preview."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ARGS, CHROMIUM, article

from sitegen.serve.server import PreviewServer, ServeOptions

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")

KB = """\
- id: jane-ortiz
  name: Jane Ortiz
  type: person
  aliases: [Ortiz, Mayor Ortiz]
"""
WALL = """
Mayor Jane Ortiz visited the flooded streets on Monday.

"We will rebuild the harbour wall before winter," Ortiz said.

Ortiz said the old breakwater had cracked in two places.
"""
BACKGROUND = "getComputedStyle(document.querySelector('#sg-review')).backgroundColor"


def luminance(rgb: str) -> float:
    r, g, b = (int(x) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def serious(axe: object, page: object) -> list[tuple[str, str, list[str]]]:
    found = axe.run(page).response["violations"]  # type: ignore[attr-defined]
    return [(v["id"], v["impact"], [str(n["target"]) for n in v["nodes"]][:5])
            for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_review_panel_and_archive_pages_follow_the_colour_scheme(
        make_site: Callable[..., Path], scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    site = make_site({"wall.md": article("Harbour wall", WALL)},
                     files={"content/entities.yaml": KB})
    server = PreviewServer(ServeOptions(site=site, port=0, debounce=0.05, log=print))
    axe = Axe()
    try:
        root = server.start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page(color_scheme=scheme)
                page.set_default_timeout(60_000)
                page.goto(root + "2026/03/wall/")
                page.wait_for_function("window.__sitegenPreview && __sitegenPreview.connected")
                page.click(".sg-review-toggle")
                expect(page.locator("#sg-review")).to_be_visible()
                shade = luminance(page.evaluate(BACKGROUND))
                assert shade < 0.2 if scheme == "dark" else shade > 0.9, (scheme, shade)
                bad = serious(axe, page)
                assert not bad, (scheme, bad)
                for rel in ("entities/jane-ortiz/quotes/", "sourcing/"):
                    response = page.goto(root + rel)
                    assert response is not None and response.status == 200, rel
                    assert not serious(axe, page), (scheme, rel)
                assert "Who speaks" in page.locator("h1").inner_text()
            finally:
                browser.close()
    finally:
        server.stop()
