"""Checks that keep hostile input inside the site: URL schemes, asset paths, symlinks.

Every check either passes or raises a `SiteError` naming the file (and line) to fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from sitegen.core.errors import SiteError

SAFE_SCHEMES = ("http", "https")
# Browsers drop ASCII whitespace and control characters around and inside a scheme
# ("java\tscript:"), so they are removed before the scheme is read.
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in `url` (lower case), or None for a relative URL."""
    match = _SCHEME.match(_IGNORED.sub("", url))
    return match.group(1).lower() if match else None


def is_safe_url(url: str) -> bool:
    """True for http(s) URLs and relative URLs; False for javascript:, data:, vbscript: ..."""
    if "\\" in url:
        return False
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


def is_safe_asset(ref: str) -> bool:
    """True for an http(s) URL or a relative path that stays inside the site (no '..')."""
    if not ref:
        return True
    if _CONTROL.search(ref):
        return False
    scheme = url_scheme(ref)
    if scheme is not None:
        return scheme in SAFE_SCHEMES
    if "\\" in ref or ref.strip().startswith("/"):
        return False
    return all(part != ".." for part in ref.split("/"))


def check_url(url: str, what: str, file: Path, line: int | None) -> str:
    if not is_safe_url(url):
        raise SiteError(
            f"{what} is not an http(s) or relative URL: {url!r}", file, line,
            hint="links may only use http:, https: or a path; never javascript: or data:",
        )
    return url


def check_asset(ref: str, what: str, file: Path, line: int | None) -> str:
    if not is_safe_asset(ref):
        raise SiteError(
            f"{what} must be a path inside the site or an http(s) URL: {ref!r}", file, line,
            hint="write image paths relative to the content folder, without '..'",
        )
    return ref


def check_inside(path: Path, root: Path) -> Path:
    """`path` itself when it (after following symlinks) lies inside `root`."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a dangling or looping symlink
        raise SiteError(f"cannot read {path}: {exc}", path,
                        hint="remove the broken symbolic link") from None
    if not resolved.is_relative_to(root.resolve()):
        raise SiteError(
            f"refusing to read a file outside the site: {path} points to {resolved}", path,
            hint="symbolic links must point inside the site folder; copy the file instead",
        )
    return path


# Characters XML 1.0 forbids (C0 controls but tab, newline and carriage return; U+FFFE/F):
# one of them in a title would make every feed that lists the article unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """Jinja `finalize`: strip characters that are invalid in XML (and HTML) from text."""
    if isinstance(value, str) and _NOT_XML.search(value):
        cleaned = _NOT_XML.sub("", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value
