"""`sitegen clean`: delete a site's output folder and its annotation cache."""

from __future__ import annotations

from pathlib import Path

from sitegen.annotate.cache import cache_dir
from sitegen.config.site import load_config
from sitegen.core.errors import SiteError


def clean(site: Path) -> list[Path]:
    """Delete the site's output folder and annotation cache; returns what was removed.

    Refuses to delete an output folder that sitegen did not write (it has no marker file).
    """
    import shutil

    from sitegen.build.write import MARKER

    config = load_config(site.resolve())
    output = config.root / "output"
    removed: list[Path] = []
    if output.is_dir() and not output.is_symlink():
        if not (output / MARKER).is_file():
            raise SiteError(
                f"refusing to delete {output}: it was not written by sitegen (no {MARKER})",
                hint="delete it yourself if it is really not needed",
            )
        shutil.rmtree(output)
        removed.append(output)
    cache = cache_dir(config.root)
    if cache.is_dir() and not cache.is_symlink():
        shutil.rmtree(cache)
        removed.append(cache)
    return removed
