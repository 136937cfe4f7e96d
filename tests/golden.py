"""The demo site's whole output as a committed snapshot (tests/golden/demo/), so any change
to what the site emits shows up as a diff in review.

Text files (HTML, XML, CSS, JS, SVG, TXT) are kept as they are; binary files (PNG social
cards, the favicon) by their sha256 in `tests/golden/demo.binary.sha256`.

Regenerate after an intended output change, then review the diff before committing:

    .venv/bin/python tests/golden.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / "tests" / "golden" / "demo"
BINARY = REPO / "tests" / "golden" / "demo.binary.sha256"
BASE_URL = "https://example.org/news/"
TEXT = frozenset({".html", ".xml", ".css", ".js", ".svg", ".txt", ".json", ".csv",
                  ".webmanifest"})


def build_demo(out: Path, cache: Path) -> None:
    """The demo site as CI publishes it (absolute URLs), without the optional search index."""
    from sitegen.build.engine import BuildOptions, build

    os.environ["SITEGEN_NO_SEARCH"] = "1"
    build(BuildOptions(site=REPO, output=out, base_url=BASE_URL, cache_dir=cache))


def snapshot(out: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(text files by path, sha256 of binary files by path) of a built output folder."""
    texts: dict[str, str] = {}
    binaries: dict[str, str] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if path.suffix in TEXT:
            texts[rel] = path.read_text("utf-8")
        else:
            binaries[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return texts, binaries


def committed() -> tuple[dict[str, str], dict[str, str]]:
    texts = {p.relative_to(SNAPSHOT).as_posix(): p.read_text("utf-8")
             for p in sorted(SNAPSHOT.rglob("*")) if p.is_file()}
    binaries = dict(
        reversed(line.split("  ", 1)) for line in BINARY.read_text("utf-8").splitlines() if line
    )
    return texts, binaries


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        build_demo(out, Path(tmp) / "cache")
        texts, binaries = snapshot(out)
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    for rel, text in texts.items():
        dest = SNAPSHOT / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, "utf-8")
    BINARY.write_text("".join(f"{h}  {rel}\n" for rel, h in binaries.items()), "utf-8")
    print(f"{len(texts)} text files and {len(binaries)} binary files in {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
