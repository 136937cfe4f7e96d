"""A hostile site in a real browser (Debian's Chromium via Playwright): every page is loaded,
every annotation hovered and focused; no dialog opens and nothing is logged as an error."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from conftest import ARGS, CHROMIUM
from test_security import NOW, PAYLOADS, write_hostile_site

from sitegen.build.engine import BuildOptions, build

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def hostile_values() -> dict[str, Any]:
    names = ["site_title", "site_description", "site_author", "title", "summary", "location",
             "body_text", "link_text", "link_url", "image_alt", "quote", "speaker", "kb_name",
             "kb_alias", "kb_desc", "kb_long", "kb_credit", "term_form", "definition",
             "term_long", "related", "term2", "definition2"]
    values: dict[str, Any] = {n: PAYLOADS[i % len(PAYLOADS)] + f" {n}"
                              for i, n in enumerate(names)}
    values["site_title"] = "T" + values["site_title"]
    values["title"] = "T" + values["title"]
    values["term2"] = "x" + values["term2"]
    values["authors"] = [PAYLOADS[0], PAYLOADS[2]]
    values["tags"] = [PAYLOADS[1], PAYLOADS[6]]
    values["cover"] = {"image": "images/x.png", "alt": PAYLOADS[3], "credit": PAYLOADS[4],
                       "caption": PAYLOADS[9]}
    values["kb_url"] = 'https://example.org/"><script>alert(1)</script>'
    values["kb_image"] = "images/x.png"
    values["term_url"] = "https://example.org/' onmouseover='alert(1)"
    return values


@pytest.mark.parametrize("raw_html", ["escape", "sanitize"])
def test_hostile_site_runs_no_script_in_chromium(tmp_path: Path, raw_html: str) -> None:
    from playwright.sync_api import ConsoleMessage, Dialog, sync_playwright

    root = tmp_path / "site"
    values = hostile_values()
    if raw_html == "sanitize":
        values["body_text"] += "\n\n" + "\n\n".join(PAYLOADS) + "\n\n<b>kept</b>"
    write_hostile_site(root, values, f'[markdown]\nraw_html = "{raw_html}"\n')
    (root / "content/images/x.png").write_bytes(png())
    build(BuildOptions(site=root, now=NOW, no_cache=True))
    # 404.html links from the server root (/static/...): it is for a web server, not file://
    pages = sorted(p for p in (root / "output").rglob("*.html") if p.name != "404.html")
    assert len(pages) > 5

    dialogs: list[str] = []
    errors: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()

            def on_dialog(dialog: Dialog) -> None:
                dialogs.append(f"{page.url}: {dialog.type} {dialog.message}")
                dialog.dismiss()

            def on_console(msg: ConsoleMessage) -> None:
                # A missing file (the sanitizer keeps `<img src=x>`) is a failed request,
                # checked below; every other error message counts.
                if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
                    errors.append(f"{page.url}: {msg.text}")

            page.on("dialog", on_dialog)
            page.on("console", on_console)
            page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
            page.on("requestfailed", lambda req: failed.append(req.url))
            # Nothing leaves the machine: any request that is not a local file is refused.
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                "file:") else route.abort())
            for path in pages:
                page.goto(path.as_uri())
                for link in page.locator("a.ann, a.attr-marker").all()[:12]:
                    link.hover()
                    link.focus()
                page.mouse.move(0, 0)
                page.keyboard.press("Tab")
                page.wait_for_timeout(50)
        finally:
            browser.close()
    assert not dialogs, dialogs
    assert not errors, errors
    # Only local files were ever requested (nothing external, no script URL).
    assert all(url.startswith((root / "output").as_uri()) for url in failed), failed
