"""Screenshots of the default theme for a reviewer: home, an article, an entity page and the
glossary, at desktop (1280 px) and phone (390 px) width, light and dark.

    PYTHONPATH=. python benchmarks/screenshots.py --out /tmp/shots
    PYTHONPATH=. python benchmarks/screenshots.py --out /tmp/shots --site SITE --full-page

builds the site (the demo by default: this repository) into OUT/site and writes
OUT/{home,article,entity,glossary}-{desktop,mobile}-{light,dark}.png (16 files), plus
OUT/article-popover-desktop-light.png with an entity card open. Uses Debian's Chromium
(/usr/bin/chromium) through Playwright; never downloads a browser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SIZES = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}


def pages(site: Path) -> dict[str, Path]:
    articles = sorted(site.glob("20*/*/*/index.html"))
    entities = sorted(p for p in site.glob("entities/*/index.html"))
    # the article with a cover image, the entity with the most text
    article = next((a for a in articles if 'class="cover"' in a.read_text()), articles[0])
    entity = max(entities, key=lambda p: len(p.read_text()))
    return {"home": site / "index.html", "article": article, "entity": entity,
            "glossary": site / "glossary/index.html"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--site", type=Path, default=REPO, help="site folder (default: demo)")
    parser.add_argument("--full-page", action="store_true", help="whole pages, not the viewport")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from sitegen.cli import main as sitegen

    args.out.mkdir(parents=True, exist_ok=True)
    built = args.out / "site"
    if sitegen(["build", "--site", str(args.site), "--output", str(built)]) != 0:
        return 1
    targets = pages(built)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for size, viewport in SIZES.items():
                for scheme in ("light", "dark"):
                    ctx = browser.new_context(viewport=viewport, color_scheme=scheme,  # type: ignore[arg-type]
                                              is_mobile=size == "mobile",
                                              has_touch=size == "mobile")
                    page = ctx.new_page()
                    for name, path in targets.items():
                        page.goto(path.as_uri())
                        page.wait_for_load_state("load")
                        shot = args.out / f"{name}-{size}-{scheme}.png"
                        page.screenshot(path=str(shot), full_page=args.full_page)
                        print(shot)
                    if size == "desktop" and scheme == "light":
                        page.goto(targets["article"].as_uri())
                        link = page.locator("a.ann-entity").nth(1)
                        link.scroll_into_view_if_needed()
                        link.hover()
                        page.locator("#sg-popover").wait_for(state="visible")
                        shot = args.out / "article-popover-desktop-light.png"
                        page.screenshot(path=str(shot))
                        print(shot)
                    ctx.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
