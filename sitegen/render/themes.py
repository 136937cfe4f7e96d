"""Themes: folders of templates/ and static/ with a theme.toml that may extend another theme.

Lookup order for a template: the site's templates/, the theme, its parent, its parent's
parent ... so a site or a child theme overrides single templates.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from sitegen.core.errors import SiteError

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the sitegen package


def builtin_themes_dir() -> Path:
    """`sitegen/_themes` in an installed wheel, `themes/` beside the package in a checkout."""
    installed = PACKAGE_DIR / "_themes"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "themes"


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    path: Path


def available_themes(site_root: Path) -> list[str]:
    names: set[str] = set()
    for base in (site_root / "themes", builtin_themes_dir()):
        if base.is_dir():
            names.update(p.name for p in base.iterdir() if (p / "templates").is_dir())
    return sorted(names)


def find_theme(name: str, site_root: Path) -> Theme:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise SiteError(f"invalid theme name {name!r}", site_root / "site.toml")
    for base in (site_root / "themes", builtin_themes_dir()):
        path = base / name
        if (path / "templates").is_dir():
            return Theme(name=name, path=path)
    raise SiteError(
        f"unknown theme '{name}'",
        site_root / "site.toml",
        hint=f"available themes: {', '.join(available_themes(site_root)) or 'none'}",
    )


def theme_chain(name: str, site_root: Path) -> list[Theme]:
    """The theme and its ancestors, child first."""
    chain: list[Theme] = []
    while name:
        if any(t.name == name for t in chain):
            raise SiteError(f"theme '{name}' extends itself", chain[-1].path / "theme.toml")
        theme = find_theme(name, site_root)
        chain.append(theme)
        meta_path = theme.path / "theme.toml"
        try:
            meta = tomllib.loads(meta_path.read_text("utf-8")) if meta_path.is_file() else {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SiteError(f"invalid theme.toml: {exc}", meta_path) from None
        parent = meta.get("extends", "")
        name = parent if isinstance(parent, str) else ""
    return chain


def template_dirs(site_root: Path, chain: list[Theme]) -> list[Path]:
    dirs = [site_root / "templates"] if (site_root / "templates").is_dir() else []
    return dirs + [t.path / "templates" for t in chain]


def static_dirs(chain: list[Theme]) -> list[Path]:
    """Theme static folders, parent first so that a child's files win."""
    return [t.path / "static" for t in reversed(chain) if (t.path / "static").is_dir()]
