"""Small built-site stand-ins for the deploy tests (no model needed), and a reader's check:
every page reachable from the home page has all its links resolving.

Version 1 has articles a00..a29; version 2 deletes a00..a04, adds a30..a39 (each linking to
the next, a new image and a tag page that changes), changes the stylesheet, the tag pages,
a29 (its "next" link) and the home page and feed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

MARKER = ".sitegen-output"
_LINK = re.compile(r'(?:href|src)="([^"#:]+)"')


def write_site(site: Path, version: int) -> Path:
    """A site folder with site.toml and a built-looking output/ of `version` (1 or 2)."""
    site.mkdir(parents=True, exist_ok=True)
    if not (site / "site.toml").is_file():
        (site / "site.toml").write_text('title = "Deploy test"\n', "utf-8")
    out = site / "output"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    (out / MARKER).write_text("written by sitegen; safe to delete\n", "utf-8")
    ids = list(range(30)) if version == 1 else list(range(5, 40))
    files: dict[str, str] = {
        "style.css": "body { color: %s }\n" % ("red" if version == 1 else "blue"),
        "img/photo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    }
    if version == 2:
        files["img/new.svg"] = "<svg xmlns='http://www.w3.org/2000/svg' width='2'/>\n"
    for i in ids:
        nxt = f'<a href="../a{i + 1:02d}/">next</a>' if i + 1 in ids else ""
        img = "../img/new.svg" if i >= 30 else "../img/photo.svg"
        files[f"a{i:02d}/index.html"] = (
            f'<link href="../style.css" rel="stylesheet"><h1>Article {i}</h1>'
            f'<img src="{img}"><a href="../tags/t{i % 3}/">tag</a>{nxt}'
            f'<a href="../index.html">home</a>\n')
    for t in range(3):
        links = "".join(f'<a href="../../a{i:02d}/">{i}</a>' for i in ids if i % 3 == t)
        files[f"tags/t{t}/index.html"] = (
            f'<link href="../../style.css" rel="stylesheet">{links}\n')
    links = "".join(f'<a href="a{i:02d}/">{i}</a>' for i in ids)
    files["index.html"] = f'<link href="style.css" rel="stylesheet">{links}' \
        '<a href="tags/t0/">t0</a><a href="feed.xml">feed</a>\n'
    files["feed.xml"] = "<feed>" + "".join(f"<id>a{i:02d}</id>" for i in ids) + "</feed>\n"
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return site


def tree(root: Path, skip: tuple[str, ...] = (MARKER, ".sitegen-deploy.json")
         ) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).as_posix() not in skip}


def broken_reachable(root: Path) -> list[str]:
    """Links that do not resolve on pages reachable from index.html (what a reader can
    reach by clicking); [] when the site at `root` is whole."""
    seen: set[str] = set()
    todo = ["index.html"]
    broken: list[str] = []
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        path = root / rel
        if not path.is_file():
            continue
        for link in _LINK.findall(path.read_text("utf-8", "replace")):
            target = (Path(rel).parent / link).as_posix()
            parts: list[str] = []
            for part in target.split("/"):
                if part == "..":
                    parts.pop()
                elif part not in ("", "."):
                    parts.append(part)
            resolved = "/".join(parts)
            if link.endswith("/"):
                resolved = f"{resolved}/index.html" if resolved else "index.html"
            if not (root / resolved).is_file():
                broken.append(f"{rel}: {link}")
            elif resolved.endswith(".html"):
                todo.append(resolved)
    return broken
