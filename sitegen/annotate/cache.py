"""Per-document annotation cache, kept outside output/ (default `SITE/.sitegen-cache/`).

One SQLite table maps a key to the JSON of an `Annotations` value. The key is a sha256 over
everything an annotation depends on: the text the NLP sees, the model's name and version,
spaCy's version, the annotators' versions, the knowledge-base and glossary fingerprints and
the annotation settings. Change any of them and the key changes, so exactly the documents
that must be re-annotated miss.

Entries are data, never code (JSON, no pickle). An entry is written sealed: a sha256 over
its key and its JSON (rows of field values) comes first, and reading checks the seal
instead of every field, so a build reads thousands of entries in a fraction of a second.
An entry whose seal does not match (corrupt, truncated, copied from another key, written
by something else) is a miss and is overwritten, never trusted. Entries of the older
layout (`schema` 1: JSON objects) are checked field by field, as before; one that does
not parse, has the wrong shape or has offsets outside its text is a miss too. A cache
file that is not a database is deleted and started afresh. The model version is read from
package metadata, so a build whose documents are all cached never imports spaCy.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.annotate.codec import SCHEMA as SCHEMA
from sitegen.annotate.codec import SEALED as SEALED
from sitegen.annotate.codec import InvalidEntry as InvalidEntry
from sitegen.annotate.codec import annotations_from_json as annotations_from_json
from sitegen.annotate.codec import annotations_to_json as annotations_to_json
from sitegen.annotate.codec import open_sealed as open_sealed
from sitegen.annotate.codec import sealed_entry as sealed_entry
from sitegen.config.site import SiteConfig
from sitegen.core.model import Annotations, TextView

CACHE_DIR = ".sitegen-cache"
DB_NAME = "annotations.sqlite"

_SQL_CREATE = (
    "CREATE TABLE IF NOT EXISTS annotations ("
    " key TEXT PRIMARY KEY, schema INTEGER NOT NULL, value TEXT NOT NULL)"
)


def cache_dir(site: Path) -> Path:
    return site / CACHE_DIR


# --- the key -------------------------------------------------------------------------------


def _dist_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def model_identity(model: str) -> str:
    """`name==version` of the spaCy model (and of spaCy), without importing spaCy.

    A model installed as a package is identified by its distribution's version; a model
    given as a folder by a hash of its meta.json (which carries its version). Anything
    else falls back to loading the model and reading `nlp.meta`.
    """
    spacy_version = _dist_version("spacy") or "?"
    version = _dist_version(model)
    if version is not None:
        return f"{model}=={version};spacy=={spacy_version}"
    meta = Path(model) / "meta.json"
    if meta.is_file():
        digest = hashlib.sha256(meta.read_bytes()).hexdigest()
        return f"{Path(model).resolve()}#{digest};spacy=={spacy_version}"
    from sitegen.annotate.nlp import model_version

    return f"{model_version(model)};spacy=={spacy_version}"


def annotation_settings(config: SiteConfig) -> dict[str, Any]:
    """The settings an annotation may depend on: the model, the thresholds, the language
    and what each annotator says it depends on (annotate/registry.py)."""
    from sitegen.annotate.registry import settings

    return settings(config)


def context_digest(*, model: str, annotators: str, kb: str, glossary: str,
                   settings: Mapping[str, Any]) -> str:
    """The part of the key shared by every document of one build."""
    parts = {
        "schema": SCHEMA, "model": model, "annotators": annotators, "kb": kb,
        "glossary": glossary, "settings": settings,
    }
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def document_key(context: str, view: TextView) -> str:
    """The key of one document: the shared context plus everything of the view the
    annotators read: its text, the kind and block of each segment (annotations are never
    made inside code, links or headings) and the author's overrides. Segment source
    offsets are left out: they move when the front matter changes, annotations do not."""
    h = hashlib.sha256()
    h.update(context.encode("ascii"))
    h.update(b"\0")
    h.update(view.text.encode("utf-8"))
    h.update(b"\0")
    layout = [[s.start, s.end, s.kind, s.block] for s in view.segments]
    overrides = [[o.start, o.end, o.entity, o.no_entity, o.no_glossary] for o in view.overrides]
    h.update(json.dumps([layout, overrides], separators=(",", ":")).encode("utf-8"))
    return h.hexdigest()


# --- the store -----------------------------------------------------------------------------


@dataclass(slots=True)
class CacheStats:
    hits: int = 0
    misses: int = 0
    invalid: int = 0  # entries found but rejected (corrupt or foreign)


class AnnotationCache:
    """SQLite-backed map key -> Annotations. Use as a context manager; safe to share
    between a build and a preview server (SQLite locks; WAL lets readers go on)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / DB_NAME
        self.stats = CacheStats()
        self.digests: dict[str, str] = {}  # key -> sha256 of its entry, for keys read/written
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> AnnotationCache:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        gitignore = self.folder / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# sitegen's annotation cache; safe to delete\n*\n", "utf-8")
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError:
            # Not a database (truncated, overwritten, foreign): start afresh.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SQL_CREATE)
            cols = [row[1] for row in db.execute("PRAGMA table_info(annotations)")]
            if cols != ["key", "schema", "value"]:
                raise sqlite3.DatabaseError(f"foreign table layout: {cols}")
            db.commit()
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the annotation cache is not open")
        return self._db

    def get_many(self, keys: Sequence[str], texts: Sequence[str]) -> list[Annotations | None]:
        """The cached Annotations for each key (None for a miss or a rejected entry)."""
        db = self._conn()
        found: dict[str, tuple[int, str]] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):
            chunk = unique[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for key, schema, value in db.execute(
                    f"SELECT key, schema, value FROM annotations WHERE key IN ({marks})", chunk):
                found[key] = (schema, value)
        out: list[Annotations | None] = []
        upgrade: dict[str, Annotations] = {}
        # An entry read for several documents (the same text: syndicated or duplicated
        # articles) is decoded once; Annotations are immutable, so they share it.
        opened: dict[str, Annotations] = {}
        for key, text in zip(keys, texts, strict=True):
            row = found.get(key)
            ann: Annotations | None = opened.get(key)
            if ann is None and row is not None:
                schema, value = row
                try:
                    if not isinstance(value, str):
                        raise InvalidEntry("not text")
                    if schema == SEALED:
                        ann, self.digests[key] = open_sealed(key, value)
                    elif schema == SCHEMA:
                        ann = upgrade[key] = annotations_from_json(value, len(text))
                    else:
                        raise InvalidEntry("wrong schema")
                except InvalidEntry:
                    self.stats.invalid += 1
            if ann is None:
                self.stats.misses += 1
            else:
                self.stats.hits += 1
                opened[key] = ann
            out.append(ann)
        if upgrade:  # checked field by field once: stored sealed from now on
            self.put_many(upgrade.items())
        return out

    def put_many(self, items: Iterable[tuple[str, Annotations]]) -> None:
        db = self._conn()
        rows = []
        for key, ann in items:
            value, self.digests[key] = sealed_entry(key, ann)
            rows.append((key, SEALED, value))
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO annotations (key, schema, value) VALUES (?, ?, ?)",
                rows)

    def __len__(self) -> int:
        row = self._conn().execute("SELECT COUNT(*) FROM annotations").fetchone()
        return int(row[0])
