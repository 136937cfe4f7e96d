"""Static files of the output and where each comes from, with what keeps them safe:

- every source folder (content/, static/, templates/, the theme folders) must resolve
  inside the site (a built-in theme: inside sitegen's themes), symlinked folders included;
- files under content/ are copied only when their type is on an allow-list of media
  (`[files] allow` adds more, e.g. ".html"); an SVG with script is refused;
- a content file never replaces a theme asset or a file of the site's static/ folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from sitegen.config.site import SiteConfig
from sitegen.core.errors import SiteError
from sitegen.render.themes import builtin_themes_dir, static_dirs, theme_chain

# Media a content author may publish next to the articles (the types `sitegen serve` and
# common web servers give a non-executable Content-Type).
MEDIA_TYPES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp",
    ".mp3", ".m4a", ".ogg", ".oga", ".wav", ".mp4", ".webm", ".ogv", ".vtt",
    ".pdf", ".csv", ".txt", ".json", ".geojson",
})
# Markup that runs script or loads other documents inside an SVG opened on its own.
_SVG_ACTIVE = re.compile(
    rb"<\s*(?:[a-z0-9_-]+:)?(?:script|foreignobject|iframe|embed|object|handler|listener)\b"
    rb"|\son[a-z]+\s*=|javascript:|vbscript:|data:\s*text/html|<!entity|&#",
    re.IGNORECASE)


def check_folder(folder: Path, inside: Path, what: str, config: Path) -> None:
    """`folder` (if it exists) must resolve inside `inside`: no symlinked folder out."""
    if not folder.exists() and not folder.is_symlink():
        return
    try:
        resolved = folder.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise SiteError(f"cannot read the {what} {folder}: {exc}", folder,
                        hint="remove the broken symbolic link") from None
    if not resolved.is_relative_to(inside.resolve()):
        raise SiteError(
            f"refusing to read the {what} {folder}: it points outside the site, to {resolved}",
            config, hint="a source folder must be a real folder inside the site; copy the "
            "files in instead of linking to them")


def check_source_folders(config: SiteConfig) -> None:
    """Every folder a build reads must lie inside the site (or sitegen's own themes)."""
    root = config.root
    for folder, what in ((config.content_path, "content folder"),
                         (root / "static", "static folder"),
                         (root / "templates", "templates folder"),
                         (root / "themes", "themes folder")):
        check_folder(folder, root, what, config.config_path)
    builtin = builtin_themes_dir()
    for theme in theme_chain(config.theme, root):
        base = builtin if theme.path.is_relative_to(builtin) else root
        for folder in (theme.path, theme.path / "templates", theme.path / "static"):
            check_folder(folder, base, f"theme '{theme.name}' folder", config.config_path)


def tree_files(src: Path, inside: Path, skip: frozenset[str] = frozenset()
               ) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, file) for every non-hidden file under `src`, sorted; a file
    that resolves outside `inside` (a symlink out) is an error naming it."""
    from sitegen.core.safety import check_inside

    if not src.is_dir():
        return
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if not path.is_file() or any(p.startswith(".") for p in rel.parts):
            continue
        if path.suffix in skip or rel.as_posix() in skip:
            continue
        yield rel.as_posix(), check_inside(path, inside)


def check_content_file(path: Path, rel: str, extra: frozenset[str]) -> None:
    """A content file may be published: a media type (or one in `extra`, the `[files]
    allow` setting); an SVG without active content (unless `extra` has ".svg")."""
    suffix = path.suffix.lower()
    if suffix not in MEDIA_TYPES and suffix not in extra:
        raise SiteError(
            f"refusing to publish {rel}: {suffix or 'a file without a suffix'} is not a media "
            "type content/ may publish", path,
            hint="move it out of the content folder, or (if the site owner trusts it) add "
            f'the type in site.toml: [files] allow = ["{suffix or rel}"]')
    if suffix == ".svg" and ".svg" not in extra:
        data = path.read_bytes()
        match = _SVG_ACTIVE.search(data)
        if match is not None:
            raise SiteError(
                f"refusing to publish an SVG with active content "
                f"({match.group().decode('utf-8', 'replace').strip()!r}): opened on its own, "
                "it would run on the site's origin", path, data[:match.start()].count(b"\n") + 1,
                hint="export the image without scripts, event handlers or entities, or "
                "convert it to PNG")


# Files a theme's static/ puts at the site's root, where browsers look for them; the
# site's own static/favicon.ico replaces the theme's.
ROOT_FILES = frozenset({"favicon.ico"})


def static_sources(config: SiteConfig) -> dict[str, Path]:
    """Output path -> source file of every static file: theme assets under static/ (parent
    theme first), then the site's static/ and content media at the root; the site's
    static/ overrides theme assets, a content file overrides nothing (an error)."""
    root = config.root
    check_source_folders(config)
    files: dict[str, Path] = {}
    builtin = builtin_themes_dir()
    for folder in static_dirs(theme_chain(config.theme, root)):
        inside = builtin if folder.is_relative_to(builtin) else root
        for rel, path in tree_files(folder, inside):
            files[rel if rel in ROOT_FILES else "static/" + rel] = path
    for rel, path in tree_files(root / "static", root):
        files[rel] = path
    extra = frozenset(s.lower() for s in config.files.allow)
    skip = frozenset({".md", config.entities.file, config.glossary.file})
    for rel, path in tree_files(config.content_path, root, skip):
        if rel.endswith(".review.yaml"):  # editors' decisions (docs/review.md): never published
            continue
        check_content_file(path, rel, extra)
        if rel in files:
            raise SiteError(
                f"{rel} would replace {files[rel]} in the output", path,
                hint="rename or move the content file; theme and static/ files are "
                "replaced by the site's static/ folder only")
        files[rel] = path
    return files


def static_files(config: SiteConfig) -> Iterator[tuple[str, bytes]]:
    files = static_sources(config)
    for rel in sorted(files):
        yield rel, files[rel].read_bytes()
