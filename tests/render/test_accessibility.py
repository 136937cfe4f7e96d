"""The demo site in a real browser: axe-core finds no serious or critical violation on the
four page kinds (light and dark), keyboard users reach every popover, and a subpath deploy
loads every asset."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARGS, CHROMIUM, REPO

from sitegen.build.engine import BuildOptions, build
from sitegen.commands.check import check_site

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "output"
    build(BuildOptions(site=REPO, output=out, base_url="https://example.org/news/",
                       cache_dir=out.parent / "cache"))
    return out


def page_kinds(out: Path) -> list[str]:
    article = sorted(out.glob("2026/*/*/index.html"))[0].relative_to(out).as_posix()
    entity = sorted(out.glob("entities/*/index.html"))[0].relative_to(out).as_posix()
    quotes = sorted(out.glob("entities/*/quotes/index.html"))[0].relative_to(out).as_posix()
    return ["index.html", article, entity, "glossary/index.html",
            "sourcing/index.html", quotes]  # the archive pages (docs/archive-pages.md)


@pytest.fixture(scope="module")
def server(demo: Path) -> Iterator[str]:
    """The output served under /news/ on loopback, as on a host with a subpath."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            if not path.startswith("/news/"):
                return str(demo / "__missing__")
            return super().translate_path(path[len("/news"):])

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(demo)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/news/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_demo_passes_the_link_check_under_a_subpath(demo: Path) -> None:
    report = check_site(demo)
    assert report.ok, report.broken[:10]
    assert report.pages > 50 and report.links > 1000


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(demo: Path, server: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(color_scheme=scheme)
            failed: list[str] = []
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failed.append(r.url))
            for rel in page_kinds(demo):
                page.goto(server + rel)
                violations = axe.run(page).response["violations"]
                serious = [(v["id"], v["impact"]) for v in violations
                           if v["impact"] in ("serious", "critical")]
                assert not serious, (rel, serious)
            assert not [u for u in failed if u.startswith(server)], failed
        finally:
            browser.close()


def test_keyboard_reaches_every_popover(demo: Path, server: str) -> None:
    from playwright.sync_api import sync_playwright

    article = page_kinds(demo)[1]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto(server + article)
            # Since issue 16 a source's repeated markers (and those of a source whose name
            # is linked in the text) are not tab stops: they name their source in text and
            # the sources panel lists every source. Every link with a card is reachable.
            triggers = page.locator("a[data-pop]").count()
            assert triggers > 10
            quiet = page.locator("span.attr-marker[data-pop]")
            for i in range(quiet.count()):
                marker = quiet.nth(i)
                assert "source" in (marker.locator(".vh").text_content() or "")
                n = (marker.get_attribute("data-pop") or "").split()[0].removeprefix("pop-s-")
                assert page.locator(f"#source-{n}").count() == 1
            seen: set[str] = set()
            for _ in range(triggers + 200):
                page.keyboard.press("Tab")
                info = page.evaluate(
                    "(() => { const a = document.activeElement;"
                    " if (!a || !a.dataset.pop) return null;"
                    " const p = document.getElementById('sg-popover');"
                    " const i = [...document.querySelectorAll('a[data-pop]')].indexOf(a);"
                    " return [a.dataset.pop + '#' + i, !p.hidden,"
                    " p.textContent.length > 0]; })()")
                if info:
                    key, visible, filled = info
                    assert visible and filled, key
                    seen.add(key)
                if len(seen) == triggers:
                    break
            assert len(seen) == triggers
        finally:
            browser.close()
