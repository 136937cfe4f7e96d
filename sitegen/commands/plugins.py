"""`sitegen plugins`: the annotators there are (built-in and installed through the
`sitegen.annotators` entry points), their versions, and which the site runs."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sitegen.annotate.builtins import BUILTINS
from sitegen.annotate.registry import BUILTIN_VERSION, installed
from sitegen.config.site import CONFIG_NAME, SiteConfig, load_config


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    version: str | None  # the annotator's version (None: it does not load)
    package: str
    package_version: str
    builtin: bool
    enabled: bool | None  # None: no site here to ask
    fields: tuple[str, ...]
    error: str = ""


def plugin_rows(config: SiteConfig | None) -> list[Row]:
    """Built-ins first, then installed plugins by name, then the names the site lists
    that are not installed."""
    from sitegen import __version__

    rows = [Row(a.name, a.version, "sitegen", __version__, True,
                a.enabled(config) if config is not None else None, a.fields)
            for a in BUILTINS]
    wanted = config.annotate.plugins if config is not None else ()
    for p in installed():
        on = None if config is None else (
            p.name in wanted and p.annotator is not None and p.annotator.enabled(config))
        rows.append(Row(p.name, p.annotator.version if p.annotator else None, p.package,
                        p.package_version, False, on,
                        p.annotator.fields if p.annotator else (), p.error))
    names = {r.name for r in rows}
    rows += [Row(n, None, "", "", False, False, (), "not installed")
             for n in wanted if n not in names]
    return rows


def _yes(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


def plugins_command(site: Path, as_json: bool) -> int:
    """Print the table (or JSON); 1 when the site lists a plugin that is missing or broken."""
    config = load_config(site.resolve()) if (site / CONFIG_NAME).is_file() else None
    rows = plugin_rows(config)
    version = BUILTIN_VERSION + "".join(f"+{r.name}=={r.version}" for r in rows
                                        if not r.builtin and r.enabled)
    wanted = config.annotate.plugins if config is not None else ()
    bad = [r for r in rows if r.name in wanted and r.error]
    if as_json:
        data: dict[str, Any] = {
            "site": str(config.root) if config is not None else None,
            "pipeline_version": version,
            "annotators": [{**asdict(r), "fields": list(r.fields)} for r in rows],
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        table = [("annotator", "version", "package", "enabled", "")]
        table += [(r.name, r.version or "?", f"{r.package} {r.package_version}".strip()
                   + (" (built-in)" if r.builtin else ""), _yes(r.enabled), r.error)
                  for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(4)]
        for row in table:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()
                  + (f"  ({row[4]})" if row[4] else ""))
        where = f"for {config.root}" if config is not None else \
            f"(no {CONFIG_NAME} here: pass --site DIR to see what a site runs)"
        print(f"\npipeline version {version} {where}")
    for r in bad:
        print(f"error: [annotate] plugins names {r.name!r}, which is {r.error}",
              file=sys.stderr)
    return 1 if bad else 0
