"""Before a deploy: the output must exist, be sitegen's, match the sources it was built from
and pass `sitegen check`. Each refusal says what to run; `--force` skips the last two.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from sitegen.annotate.cache import cache_dir
from sitegen.build.manifest import Manifest, load_manifest, manifest_path, output_intact, walk
from sitegen.build.write import MARKER
from sitegen.config.site import SiteConfig
from sitegen.core.errors import SiteError
from sitegen.render.themes import PACKAGE_DIR, theme_chain

_BUILD_HINT = "run 'sitegen build' first (or pass --force to deploy it as it is)"


def require_output(output: Path) -> None:
    if not output.is_dir():
        raise SiteError(f"there is no built site in {output}",
                        hint="run 'sitegen build' first, or pass --output DIR")
    if not (output / MARKER).is_file():
        raise SiteError(f"{output} was not written by sitegen (no {MARKER})",
                        hint="deploy the folder 'sitegen build' writes (--output DIR)")


def site_cache(config: SiteConfig) -> Path:
    return config.cache_path or cache_dir(config.root)


def build_record(config: SiteConfig, output: Path) -> Manifest:
    """The build manifest of `output` (empty when it was built with --no-cache)."""
    return load_manifest(manifest_path(site_cache(config), output))


def source_files(config: SiteConfig) -> list[str]:
    """The site's own inputs (sitegen's code and model are not the site's business here)."""
    root = config.root
    files = [str(config.config_path), *walk(config.content_path), *walk(root / "static"),
             *walk(root / "templates")]
    for theme in theme_chain(config.theme, root):
        if not theme.path.resolve().is_relative_to(PACKAGE_DIR):
            files += walk(theme.path)
    return list(dict.fromkeys(files))


def stale_reason(config: SiteConfig, output: Path, record: Manifest,
                 now: dt.datetime | None = None) -> str | None:
    """Why `output` is not the build of the sources as they are now, or None."""
    sources = source_files(config)
    if not record.output:
        newest = max((_mtime(p) for p in sources), default=0)
        if newest > _mtime(str(output / MARKER)):
            changed = max(sources, key=_mtime)
            return f"{_rel(changed, config.root)} changed after the last build"
        return None
    if not output_intact(output, record.output, MARKER):
        return f"files in {output} were changed after the build"
    if record.valid_until is not None:
        now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if now >= dt.datetime.fromisoformat(record.valid_until):
            return "an article held back as future-dated is now due"
    package = str(PACKAGE_DIR)
    recorded = {p for p in record.stats if not p.startswith(package)}
    for path in sources:
        row = record.stats.get(path)
        if row is None:
            return f"{_rel(path, config.root)} is new since the last build"
        recorded.discard(path)
        if not _same(path, row):
            return f"{_rel(path, config.root)} changed after the last build"
    inside = str(config.root) + os.sep
    for path in recorded:  # a source deleted since
        if path.startswith(inside):
            return f"{_rel(path, config.root)} was deleted after the last build"
    return None


def _same(path: str, row: list[Any]) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    if st.st_size == row[0] and st.st_mtime_ns == row[1]:
        return True
    with open(path, "rb") as fh:
        return bool(hashlib.file_digest(fh, "sha256").hexdigest() == row[2])


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


def _rel(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def check_output(config: SiteConfig, output: Path, record: Manifest) -> list[str]:
    """`sitegen check` on the output: the broken links (none: []). A passing result is
    remembered in the cache for this exact output, so a redeploy does not check again."""
    from sitegen.commands.check import check_site

    key = hashlib.sha256(json.dumps(record.output, sort_keys=True).encode()).hexdigest() \
        if record.output else ""
    stamp = site_cache(config) / "deploy" / "checked"
    if key and stamp.is_file() and stamp.read_text("utf-8").strip() == key:
        return []
    report = check_site(output)
    if report.ok and key:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(key + "\n", "utf-8")
    return [str(b) for b in report.broken]


def preflight(config: SiteConfig, output: Path, *, force: bool, check: bool = True
              ) -> Manifest:
    """Refuse a missing, foreign, stale or (when `check`) broken output (the last two unless
    `force`); returns the build manifest (its hashes spare re-reading unchanged files)."""
    require_output(output)
    record = build_record(config, output)
    if force:
        return record if record.output and output_intact(output, record.output, MARKER) \
            else Manifest()
    reason = stale_reason(config, output, record)
    if reason is not None:
        raise SiteError(f"the built site is out of date: {reason}", hint=_BUILD_HINT)
    broken = check_output(config, output, record) if check else []
    if broken:
        shown = "\n  ".join(broken[:10]) + (f"\n  ... and {len(broken) - 10} more"
                                             if len(broken) > 10 else "")
        raise SiteError(f"'sitegen check' found {len(broken)} broken links:\n  {shown}",
                        hint="fix them and build again, or pass --force to deploy anyway")
    return record
