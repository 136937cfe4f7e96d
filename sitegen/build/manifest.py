"""The build manifest: what the last build read and wrote, so that a rebuild with nothing
changed does nothing beyond statting (and hashing what stat cannot vouch for).

One JSON file per output folder in the cache folder records:
  - `inputs`: a digest of every input: each file of the content folder, site.toml, the
    site's templates/ and static/, every theme of the chain, sitegen's own code, the model
    identity, the annotators' version, library versions and the build options;
  - `stats`: (size, mtime_ns, sha256) per input file, so an unchanged file is not re-read;
  - `valid_until`: the date of the earliest article held back as future-dated (the day it
    is due, the site changes although no file did);
  - `output`: (size, mtime_ns, sha256, dependency key) per file written, to check that
    output/ is intact and to let unchanged pages be reused instead of rendered.
Anything unreadable or unexpected in it is a miss: the build just runs in full.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.config.site import SiteConfig
from sitegen.render.themes import PACKAGE_DIR, theme_chain

VERSION = 1
_RACY_NS = 2_000_000_000  # a file modified this recently may change again within its mtime


def manifest_path(cache: Path, output: Path) -> Path:
    tag = hashlib.sha256(str(output).encode("utf-8")).hexdigest()[:16]
    return cache / f"manifest-{tag}.json"


def spare_path(cache: Path, output: Path) -> Path:
    """Where the output swapped out by a build is kept for the next one (write.py)."""
    tag = hashlib.sha256(str(output).encode("utf-8")).hexdigest()[:16]
    return cache / f"spare-output-{tag}"


@dataclass(slots=True)
class Manifest:
    inputs: str = ""
    stats: dict[str, list[Any]] = field(default_factory=dict)  # path -> [size, mtime, sha]
    valid_until: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    output: dict[str, list[Any]] = field(default_factory=dict)  # rel -> [size, mtime, sha, key]

    def to_json(self) -> str:
        return json.dumps({"version": VERSION, "inputs": self.inputs, "stats": self.stats,
                           "valid_until": self.valid_until, "counts": self.counts,
                           "output": self.output}, separators=(",", ":"))


def load_manifest(path: Path) -> Manifest:
    """The manifest at `path`, or an empty one when missing, foreign or corrupt."""
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return Manifest()
        m = Manifest(inputs=str(data["inputs"]), stats=dict(data["stats"]),
                     valid_until=data["valid_until"], counts=dict(data["counts"]),
                     output=dict(data["output"]))
        for rows in (m.stats, m.output):
            for row in rows.values():
                if not isinstance(row, list) or len(row) < 3:
                    return Manifest()
        if m.valid_until is not None and not isinstance(m.valid_until, str):
            return Manifest()
        return m
    except (OSError, ValueError, TypeError, KeyError):
        return Manifest()


def save_manifest(path: Path, manifest: Manifest) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_text(manifest.to_json(), "utf-8")
    os.replace(tmp, path)


def file_digest(path: str, st: os.stat_result, previous: Mapping[str, list[Any]],
                stats: dict[str, list[Any]], now_ns: int) -> str:
    """sha256 of a file, reusing the previous digest when size and mtime are the same
    (and the file was not modified so recently that its mtime could still hide a change)."""
    old = previous.get(path)
    if old is not None and old[0] == st.st_size and old[1] == st.st_mtime_ns:
        digest = str(old[2])
    else:
        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
    racy = now_ns - st.st_mtime_ns < _RACY_NS
    stats[path] = [-1 if racy else st.st_size, st.st_mtime_ns, digest]
    return digest


def walk(folder: Path, skip_dirs: frozenset[str] = frozenset()) -> list[str]:
    """Every non-hidden regular file below `folder` (absolute path strings)."""
    out: list[str] = []
    if not folder.is_dir():
        return out
    for dirpath, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in skip_dirs)
        out.extend(os.path.join(dirpath, n) for n in sorted(names) if not n.startswith("."))
    return out


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in ("jinja2", "markdown-it-py", "mdit-py-plugins", "pyyaml", "markupsafe"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _plugins_version(config: SiteConfig) -> str:
    """The annotators' part of the digest beyond the files hashed: the built-ins' versions,
    code and confidence models are files of the sitegen package (hashed with it), so only
    the plugins the site names, which live in other packages, are asked for their versions
    (annotate/registry.py). A site that names none never imports the annotators (issue 17:
    that took ~0.3 s of a no-change rebuild)."""
    if not config.annotate.plugins:
        return "builtin"
    from sitegen.annotate.registry import pipeline_version

    return pipeline_version(config, "builtin")


def input_digest(config: SiteConfig, options: Mapping[str, Any], previous: Manifest
                 ) -> tuple[str, dict[str, list[Any]], str]:
    """The digest of every input of a build, the file stats it was computed from and the
    JSON of its non-file parts (versions, options)."""
    from sitegen import __version__
    from sitegen.annotate.cache import model_identity
    from sitegen.render.search import pagefind_executable

    root = config.root
    files: list[str] = [str(config.config_path)]
    files += walk(config.content_path)
    files += walk(root / "static")
    files += walk(root / "templates")
    for theme in theme_chain(config.theme, root):
        files += walk(theme.path)
    files += walk(PACKAGE_DIR, frozenset({"__pycache__"}))
    now_ns = time.time_ns()
    stats: dict[str, list[Any]] = {}
    h = hashlib.sha256()
    for path in dict.fromkeys(files):
        try:
            st = os.stat(path)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        h.update(f"{path}\0{file_digest(path, st, previous.stats, stats, now_ns)}\n"
                 .encode("utf-8", "surrogateescape"))
    pagefind = pagefind_executable()
    scalars = {
        "sitegen": __version__, "annotators": _plugins_version(config),
        "model": model_identity(config.nlp.model), "libraries": _versions(),
        "pagefind": str(pagefind) if pagefind else None, "options": dict(options),
    }
    blob = json.dumps(scalars, sort_keys=True, default=str)
    h.update(blob.encode("utf-8"))
    return h.hexdigest(), stats, blob


def output_intact(output: Path, recorded: Mapping[str, list[Any]], marker: str) -> bool:
    """True when `output` holds exactly the recorded files with the recorded bytes (by stat,
    or by hash where the stat differs). A symbolic link to a folder (which no build writes,
    and none removes) is not entered; any other entry that is not a regular file (a link to
    a file, a broken link) is not intact.

    One scandir per folder, each entry lstat-ed once (issue 17: os.walk stats every folder
    twice, and a site has a folder per page)."""
    if not recorded or not (output / marker).is_file():
        return False
    seen = 0
    stack: list[tuple[str, str]] = [(str(output), "")]
    try:
        while stack:
            folder, prefix = stack.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, rel + "/"))
                        continue
                    if entry.is_dir():  # a link to a folder: not entered, as os.walk does
                        continue
                    if rel == marker:
                        continue
                    row = recorded.get(rel)
                    if row is None:
                        return False
                    st = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(st.st_mode) or st.st_size != row[0]:
                        return False
                    if st.st_mtime_ns != row[1]:
                        with open(entry.path, "rb") as fh:
                            if hashlib.sha256(fh.read()).hexdigest() != row[2]:
                                return False
                    seen += 1
    except OSError:  # changed or unreadable meanwhile
        return False
    return seen == len(recorded)


def record_written(output: Path, rows: Mapping[str, tuple[int, str | None]],
                   keys: Mapping[str, str], previous: Mapping[str, list[Any]] | None = None
                   ) -> dict[str, list[Any]]:
    """The `output` rows of the manifest for the files just written, from (size, digest or
    None when the bytes are the previous output's) per file: a file with the size and mtime
    of its `previous` row keeps that row's digest (it is the same file)."""
    out: dict[str, list[Any]] = {}
    previous = previous or {}
    for rel, (size, digest) in rows.items():
        st = os.lstat(output / rel)
        old = previous.get(rel)
        if digest is None:
            if old is not None and old[0] == st.st_size == size and old[1] == st.st_mtime_ns:
                digest = str(old[2])
            else:
                digest = hashlib.sha256((output / rel).read_bytes()).hexdigest()
        out[rel] = [st.st_size, st.st_mtime_ns, digest, keys.get(rel, "")]
    return out
