"""Static full-text search with Pagefind, when it is installed (`pip install 'sitegen[search]'`).

Pagefind reads the rendered HTML: articles mark their text with `data-pagefind-body` and
their tags and entities with `data-pagefind-filter`. The index is built from the rendered
pages in a temporary folder and its files join the site's file list, so it is written and
swapped in atomically with the rest of the output. Without Pagefind the site builds as
before and the search page says that search is unavailable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sitegen.core.errors import SiteError

BUNDLE = "pagefind"  # the index's folder in the output, as the search page expects
ENV_DISABLE = "SITEGEN_NO_SEARCH"  # set to 1 to build without the search index
TIMEOUT = 600.0


def pagefind_executable() -> Path | None:
    """The Pagefind binary from the `pagefind-bin` package, else `pagefind` on PATH."""
    if os.environ.get(ENV_DISABLE, "") not in ("", "0"):
        return None
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        pass
    else:
        try:
            return Path(get_executable())
        except (FileNotFoundError, OSError):
            pass
    found = shutil.which("pagefind")
    return Path(found) if found else None


def search_available() -> bool:
    return pagefind_executable() is not None


def search_index(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The Pagefind bundle for the rendered `files` as (path under the output, bytes).

    Empty when Pagefind is not installed. Only the HTML pages are handed to Pagefind.
    """
    spool = SearchSpool.start()
    if spool is None:
        return []
    for rel, data in files:
        spool.add(rel, data)
    return spool.finish()


class SearchSpool:
    """The HTML pages handed to Pagefind, written to a temporary folder as they are
    rendered (so a streamed build need not keep them); `finish` runs Pagefind."""

    def __init__(self, exe: Path) -> None:
        self.exe = exe
        self.tmp = tempfile.TemporaryDirectory(prefix="sitegen-search-")
        self.site = Path(self.tmp.name, "site")
        self.site.mkdir()

    @classmethod
    def start(cls) -> SearchSpool | None:
        """A spool, or None when Pagefind is not installed (or disabled)."""
        exe = pagefind_executable()
        return cls(exe) if exe is not None else None

    def add(self, rel: str, data: bytes) -> None:
        if rel.endswith(".html") and rel != "404.html":
            path = self.site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def finish(self) -> list[tuple[str, bytes]]:
        try:
            return self._run()
        finally:
            self.tmp.cleanup()

    def _run(self) -> list[tuple[str, bytes]]:
        exe, bundle = self.exe, Path(self.tmp.name, "bundle")
        cmd = [str(exe), "--site", str(self.site), "--output-path", str(bundle), "--silent"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SiteError(f"search index: could not run Pagefind ({exe}): {exc}",
                            hint=f"set {ENV_DISABLE}=1 to build without search") from None
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise SiteError("search index: Pagefind failed: " + " / ".join(detail),
                            hint=f"set {ENV_DISABLE}=1 to build without search")
        out: list[tuple[str, bytes]] = []
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                out.append((f"{BUNDLE}/{path.relative_to(bundle).as_posix()}",
                            path.read_bytes()))
        return out
