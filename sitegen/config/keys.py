"""Where a key is in a TOML file, and the error for an unknown one (with a "did you mean")."""

from __future__ import annotations

import difflib
from pathlib import Path

from sitegen.core.errors import SiteError


def key_line(text: str, key: str) -> int | None:
    """The 1-based line that sets `key` in `text`, or None."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(f"{key} ") or line.strip().startswith(f"{key}="):
            return number
    return None


def unknown_key(key: str, known: list[str], path: Path, text: str, where: str) -> SiteError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
    return SiteError(f"unknown setting '{key}'{where}", path, key_line(text, key), hint)
