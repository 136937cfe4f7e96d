"""`[plugins.NAME]` tables of site.toml: the settings of plugin annotators (docs/plugins.md).

Which plugins run is `[annotate] plugins = ["money"]`; each may have a table of its own
settings, `[plugins.money]`, handed to the plugin as a dict. Tables are kept frozen
(nested tuples) so the configuration stays an immutable, hashable value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.config.keys import key_line
from sitegen.core.errors import SiteError

_TABLE = "__table__"  # marks a frozen table, so thawing gives dicts back (not lists)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return (_TABLE, *((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        if value[:1] == (_TABLE,):
            return {k: _thaw(v) for k, v in value[1:]}
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class PluginOptions:
    """Each plugin's `[plugins.NAME]` table, frozen: (name, table) pairs."""

    tables: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of_tables(cls, tables: Mapping[str, Mapping[str, Any]]) -> PluginOptions:
        """From plain tables: `PluginOptions.of_tables({"money": {"min_amount": 100}})`."""
        return cls(tuple((name, _freeze(dict(table))) for name, table in tables.items()))

    def of(self, name: str) -> dict[str, Any]:
        """The `[plugins.NAME]` table as a dict (empty when the site has none)."""
        for key, table in self.tables:
            if key == name:
                found: dict[str, Any] = _thaw(table)
                return found
        return {}


def parse_plugin_tables(raw: Any, path: Path, text: str) -> PluginOptions:
    """`[plugins]` must hold one table per plugin: `[plugins.money] currencies = [...]`."""
    if not isinstance(raw, dict):
        raise SiteError("[plugins] must be a table of plugin tables", path,
                        key_line(text, "plugins"),
                        hint='the plugins to run are listed under [annotate]: plugins = '
                        '["money"]; their settings go under [plugins.money]')
    tables: list[tuple[str, Any]] = []
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise SiteError(f"[plugins] {name} must be a table of the plugin's settings",
                            path, key_line(text, name) or table_line(text, name),
                            hint=f"write them under [plugins.{name}]")
        tables.append((str(name), _freeze(table)))
    return PluginOptions(tuple(tables))


def table_line(text: str, name: str) -> int | None:
    """The 1-based line of the `[plugins.NAME]` header (or of `[plugins]`), or None."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().replace(" ", "") in (f"[plugins.{name}]", "[plugins]"):
            return number
    return None


def plugin_list_errors(names: tuple[str, ...], path: Path, text: str) -> None:
    """`[annotate] plugins`: names, each once."""
    seen: set[str] = set()
    for name in names:
        if not name.strip():
            raise SiteError("[annotate] plugins: a plugin name is empty", path,
                            key_line(text, "plugins"))
        if name in seen:
            raise SiteError(f"[annotate] plugins names {name!r} twice", path,
                            key_line(text, "plugins"))
        seen.add(name)
