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

import dataclasses
import hashlib
import json
import operator
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen.config.site import SiteConfig
from sitegen.core.model import Annotations, Attribution, EntityMention, GlossaryMatch, TextView

CACHE_DIR = ".sitegen-cache"
DB_NAME = "annotations.sqlite"
SCHEMA = 3  # bump when the JSON layout of an entry changes
SEALED = 2  # the `schema` column of a sealed entry: seal (64 hex digits) + JSON rows
_SEAL = b"sitegen-annotations-sealed\0"

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
    """The settings an annotation may depend on (all of the annotation sections)."""
    return {
        "nlp": dataclasses.asdict(config.nlp),
        "entities": dataclasses.asdict(config.entities),
        "glossary": dataclasses.asdict(config.glossary),
        "attributions": dataclasses.asdict(config.attributions),
        "annotate": dataclasses.asdict(config.annotate),
        "language": config.language,
    }


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


# --- (de)serialising Annotations ---------------------------------------------------------


class InvalidEntry(ValueError):
    """A cache entry that is not a well-formed Annotations value for its text."""


_KINDS: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "str": (str,),
    "str | None": (str, type(None)),
    "float": (float,),
    "bool": (bool,),
}
_ITEM_TYPES: dict[str, type[Any]] = {
    "entities": EntityMention,
    "glossary": GlossaryMatch,
    "attributions": Attribution,
}


def _item_to_json(item: Any) -> dict[str, Any]:
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}


_Spec = tuple[tuple[str, tuple[type, ...], bool], ...]  # (field, accepted types, required)
_SPECS: dict[type[Any], _Spec] = {}


def _spec(cls: type[Any]) -> _Spec:
    spec = _SPECS.get(cls)
    if spec is None:
        rows = []
        for f in dataclasses.fields(cls):
            kinds = _KINDS.get(str(f.type))
            if kinds is None:
                raise TypeError(f"{cls.__name__}.{f.name}: no JSON form for {f.type}")
            rows.append((f.name, kinds, f.default is dataclasses.MISSING))
        spec = _SPECS[cls] = tuple(rows)
    return spec


def _item_from_json(cls: type[Any], raw: Any, size: int) -> Any:
    if not isinstance(raw, dict):
        raise InvalidEntry(f"{cls.__name__}: not an object")
    spec = _spec(cls)
    if len(raw) > len(spec):
        raise InvalidEntry(f"{cls.__name__}: unknown fields")
    seen = 0
    for name, kinds, required in spec:
        if name not in raw:
            if required:
                raise InvalidEntry(f"{cls.__name__}: missing {name}")
            continue
        seen += 1
        value = raw[name]
        if value.__class__ not in kinds:  # exact types: no bool for int, no subclasses
            raise InvalidEntry(f"{cls.__name__}.{name}: expected {kinds}")
    if seen != len(raw):
        raise InvalidEntry(f"{cls.__name__}: unknown fields")
    item = cls(**raw)
    if not 0 <= item.start <= item.end <= size:
        raise InvalidEntry(f"{cls.__name__}: span {item.start}-{item.end} outside the text")
    return item


def annotations_to_json(ann: Annotations) -> str:
    data = {
        "schema": SCHEMA,
        "entities": [_item_to_json(x) for x in ann.entities],
        "glossary": [_item_to_json(x) for x in ann.glossary],
        "attributions": [_item_to_json(x) for x in ann.attributions],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def annotations_from_json(blob: str, text_size: int) -> Annotations:
    """Parse and check an entry; raises InvalidEntry for anything not exactly right."""
    try:
        data = json.loads(blob)
    except (ValueError, TypeError) as exc:
        raise InvalidEntry(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InvalidEntry("wrong schema")
    if set(data) != {"schema", *_ITEM_TYPES}:
        raise InvalidEntry("wrong keys")
    parts: dict[str, tuple[Any, ...]] = {}
    for name, cls in _ITEM_TYPES.items():
        items = data[name]
        if not isinstance(items, list):
            raise InvalidEntry(f"{name}: not a list")
        parts[name] = tuple(_item_from_json(cls, raw, text_size) for raw in items)
    return Annotations(entities=parts["entities"], glossary=parts["glossary"],
                       attributions=parts["attributions"])


def _layout() -> bytes:
    """The field names of the sealed item types, in order: part of every seal, so a
    changed dataclass never reads an older row into the wrong fields."""
    names = [[cls.__name__, *(f.name for f in dataclasses.fields(cls))]
             for cls in (EntityMention, GlossaryMatch, Attribution)]
    return json.dumps(names).encode("utf-8")


_SEAL_PREFIX = hashlib.sha256(_SEAL + _layout()).digest()
_ROWS: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}
SHARED_LEN = 64  # strings up to this long are shared between decoded annotations


def _row(item: Any) -> tuple[Any, ...]:
    get = _ROWS.get(item.__class__)
    if get is None:
        names = [f.name for f in dataclasses.fields(item)]
        get = _ROWS[item.__class__] = operator.attrgetter(*names)
    return get(item)


def _seal(key: str, body: str) -> str:
    h = hashlib.sha256(_SEAL_PREFIX)
    h.update(key.encode("utf-8", "surrogateescape"))
    h.update(b"\0")
    h.update(body.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def sealed_entry(key: str, ann: Annotations) -> tuple[str, str]:
    """(value, seal) of the cache entry for `key`: the seal, then the JSON of each item's
    field values in declaration order."""
    body = json.dumps([[_row(x) for x in ann.entities], [_row(x) for x in ann.glossary],
                       [_row(x) for x in ann.attributions]],
                      ensure_ascii=False, separators=(",", ":"))
    seal = _seal(key, body)
    return seal + body, seal


def _shared(row: list[Any]) -> list[Any]:
    """The row with its short strings (labels, ids, names, mention texts) interned: a big
    site's annotations repeat them millions of times (issue 17: memory)."""
    return [sys.intern(v) if v.__class__ is str and len(v) <= SHARED_LEN else v for v in row]


def open_sealed(key: str, value: str) -> tuple[Annotations, str]:
    """The Annotations of a sealed entry and its seal; InvalidEntry unless the seal is
    right (then the JSON is exactly what sealed_entry wrote for this key)."""
    seal, body = value[:64], value[64:]
    if len(seal) != 64 or _seal(key, body) != seal:
        raise InvalidEntry("bad seal")
    try:
        ents, terms, attrs = json.loads(body)
        return Annotations(entities=tuple(EntityMention(*_shared(row)) for row in ents),
                           glossary=tuple(GlossaryMatch(*_shared(row)) for row in terms),
                           attributions=tuple(Attribution(*_shared(row)) for row in attrs)), seal
    except (ValueError, TypeError) as exc:  # sealed, yet not ours: an older code layout
        raise InvalidEntry(f"sealed entry does not decode: {exc}") from None


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
        for key, text in zip(keys, texts, strict=True):
            row = found.get(key)
            ann: Annotations | None = None
            if row is not None:
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
