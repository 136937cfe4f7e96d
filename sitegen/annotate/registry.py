"""Which annotators there are and which a site runs (docs/plugins.md).

The built-ins (annotate/builtins.py) are registered in code; plugins are found through the
entry-point group `sitegen.annotators` of the installed packages (the way pytest, MkDocs
and Pelican find theirs), looked up only when a site names one in `[annotate] plugins` or
`sitegen plugins` lists them. The pipeline version, the settings in the cache key and "is
any annotator enabled" all come from here.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from sitegen.annotate.annotator import FIELDS, Annotator
from sitegen.annotate.builtins import BUILTINS
from sitegen.annotate.confidence import publish as confidence
from sitegen.config.keys import key_line
from sitegen.config.plugins import table_line
from sitegen.config.site import SiteConfig
from sitegen.core.errors import SiteError

GROUP = "sitegen.annotators"
ANNOTATE_DIR = Path(__file__).resolve().parent


def code_digest(root: Path = ANNOTATE_DIR) -> str:
    """A digest of the annotators' code (every module below sitegen/annotate but the ones
    that only run or store them; the cache's layout has its own schema and seal): a change
    to a rule re-annotates, even when nobody remembered to raise an annotator's version
    (that once served stale speakers)."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("run/") or rel in {"cache.py", "block_cache.py", "codec.py",
                                             "export.py"}:
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:10]


# The version of the built-in pipeline: every built-in annotator's, the confidence models'
# and a digest of the annotators' code.
BUILTIN_VERSION = "-".join([*(f"{a.name[0]}{a.version}" for a in BUILTINS),
                            f"c{confidence.VERSION}", f"s{code_digest()}"])


@dataclass(frozen=True, slots=True)
class Installed:
    """A plugin found through its entry point: the annotator, or why it could not load."""

    name: str  # the entry point's name: what site.toml lists
    package: str  # the distribution that declares it
    package_version: str
    annotator: Annotator | None
    error: str = ""


def builtin(name: str) -> Annotator:
    """The built-in annotator called `name`."""
    for a in BUILTINS:
        if a.name == name:
            return a
    raise KeyError(name)


def _load(ep: metadata.EntryPoint) -> Installed:
    dist = ep.dist
    package = dist.metadata["Name"] if dist is not None else "?"
    version = dist.version if dist is not None else "?"
    try:
        obj = ep.load()
        annotator = obj() if isinstance(obj, type) else obj
    except Exception as exc:  # a broken plugin is reported, never half-loaded
        return Installed(ep.name, package, version, None, f"{type(exc).__name__}: {exc}")
    problem = _problem(ep.name, annotator)
    if problem:
        return Installed(ep.name, package, version, None, problem)
    return Installed(ep.name, package, version, annotator)


def _problem(name: str, annotator: Any) -> str:
    if not isinstance(annotator, Annotator):
        return "not a sitegen.annotate.annotator.Annotator"
    if annotator.name != name:
        return f"the annotator calls itself {annotator.name!r}, its entry point {name!r}"
    if not annotator.version or not isinstance(annotator.version, str):
        return "the annotator has no version"
    if any(f not in FIELDS for f in annotator.fields) or annotator.fields != ("notes",):
        return 'a plugin annotator fills "notes" only'
    if any(name == b.name for b in BUILTINS):
        return f"{name!r} is the name of a built-in annotator"
    return ""


@functools.cache
def _entry_points() -> dict[str, metadata.EntryPoint]:
    found: dict[str, metadata.EntryPoint] = {}
    for ep in metadata.entry_points(group=GROUP):
        found.setdefault(ep.name, ep)  # the first on sys.path wins, as for imports
    return found


@functools.cache
def _installed(name: str) -> Installed | None:
    ep = _entry_points().get(name)
    return _load(ep) if ep is not None else None


def installed(names: tuple[str, ...] | None = None) -> tuple[Installed, ...]:
    """The plugins of the `sitegen.annotators` entry-point group called `names` (every
    one when None), by name, each loaded once per process: a build imports only the
    plugins its site runs."""
    wanted = sorted(_entry_points()) if names is None else names
    return tuple(p for p in map(_installed, wanted) if p is not None)


def clear() -> None:
    """Forget what was found (after installing a plugin in a running process)."""
    _entry_points.cache_clear()
    _installed.cache_clear()


def _plugin_error(config: SiteConfig, message: str, hint: str) -> SiteError:
    path = config.config_path
    text = path.read_text("utf-8") if path.is_file() else ""
    return SiteError(message, path, key_line(text, "plugins"), hint=hint)


def plugins_for_site(config: SiteConfig) -> tuple[Annotator, ...]:
    """The plugins `[annotate] plugins` names, in that order; a name that is not
    installed (or does not load) is an error naming site.toml and the line."""
    if not config.annotate.plugins:
        return ()
    by_name = {p.name: p for p in installed(config.annotate.plugins)}
    out: list[Annotator] = []
    for name in config.annotate.plugins:
        plugin = by_name.get(name)
        if plugin is None:
            every = sorted(_entry_points())
            close = difflib.get_close_matches(name, every, n=1)
            known = ", ".join(every) or "none"
            hint = (f"did you mean {close[0]!r}? " if close else "") + (
                f"installed plugins: {known}; install the plugin's package (pip install "
                "...) or remove the name (sitegen plugins lists what is installed)")
            raise _plugin_error(config, f"unknown annotator plugin {name!r} in [annotate] "
                                "plugins", hint)
        if plugin.annotator is None:
            raise _plugin_error(config, f"annotator plugin {name!r} ({plugin.package} "
                                f"{plugin.package_version}) does not load: {plugin.error}",
                                "fix or reinstall the plugin's package, or remove the name")
        out.append(plugin.annotator)
    return tuple(out)


def for_site(config: SiteConfig) -> tuple[Annotator, ...]:
    """The annotators `config`'s site runs, in order: built-ins, then its plugins."""
    return tuple(a for a in (*BUILTINS, *plugins_for_site(config)) if a.enabled(config))


def check(config: SiteConfig) -> None:
    """Raise a SiteError (site.toml and the line) for a plugin the site names that is not
    installed, and for a setting an annotator rejects."""
    settings(config)


def any_enabled(config: SiteConfig) -> bool:
    """Whether the site runs any annotator (else no model is loaded, nothing cached);
    checks the annotators' settings first (`check`)."""
    check(config)
    return bool(for_site(config))


def pipeline_version(config: SiteConfig, builtin_version: str = BUILTIN_VERSION) -> str:
    """The built-in pipeline's version, then `+name==version` of each plugin the site
    runs: the same string as before plugins existed for a site that runs none."""
    return builtin_version + "".join(f"+{p.name}=={p.version}"
                                     for p in plugins_for_site(config))


def settings(config: SiteConfig) -> dict[str, Any]:
    """The settings the site's annotations depend on: the model, the thresholds and the
    language, every built-in's settings, and each enabled plugin's (`plugin:NAME`)."""
    out: dict[str, Any] = {
        "nlp": dataclasses.asdict(config.nlp),
        "annotate": {"publish_threshold": dataclasses.asdict(config.annotate.publish_threshold)},
        "language": config.language,
    }
    for a in BUILTINS:
        out.update(a.settings(config))
    for p in plugins_for_site(config):
        try:
            out[f"plugin:{p.name}"] = dict(p.settings(config))
        except ValueError as exc:
            path = config.config_path
            text = path.read_text("utf-8") if path.is_file() else ""
            raise SiteError(f"[plugins.{p.name}]: {exc}", path,
                            table_line(text, p.name)) from None
    return out
