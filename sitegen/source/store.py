"""Parsed documents kept between builds: front matter and TextView per source file, so an
unchanged article is not parsed again when only its data (title, date, text, annotations)
is needed. Its markdown-it tokens are parsed again only when its page must be rendered.

Entries are JSON (no pickle), keyed by a hash of the file's bytes, its path, the parser's
code and the Markdown settings. Anything that does not decode exactly is a miss.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitegen.core.model import ArticleMeta, Cover, Document, Override, Segment, Source, TextView

DB_NAME = "documents.sqlite"
SCHEMA = 1
_PARSER_FILES = (
    "source/parse.py", "source/frontmatter.py", "source/markdown.py", "core/model.py",
    "source/store.py",
)


class _Unencodable(ValueError):
    pass


def parser_fingerprint(settings: Any = None) -> str:
    """The parser's code (its modules' bytes) and the settings it reads."""
    here = Path(__file__).resolve().parents[1]  # the sitegen package
    h = hashlib.sha256(f"{SCHEMA}:{settings!r}".encode())
    for name in _PARSER_FILES:
        try:
            h.update((here / name).read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()


def document_key(fingerprint: str, source: Source) -> str:
    return hashlib.sha256(f"{fingerprint}\0{source.rel}\0{source.digest}".encode(
        "utf-8", "surrogateescape")).hexdigest()


def tokens_of(doc: Document, raw_html: bool = False) -> tuple[Any, ...]:
    """The document's markdown-it tokens, parsing the source again for a cached document
    (`raw_html` as it was parsed with: the `[markdown]` setting)."""
    if doc.tokens or not doc.body.strip():
        return doc.tokens
    from sitegen.source.parse import parse

    return parse(doc.source, require_title=False, raw_html=raw_html).tokens


# --- JSON ---------------------------------------------------------------------------------


MAX_VALUES = 10_000  # values of unknown front-matter keys worth caching; more: parse again
MAX_DEPTH = 50


def _enc(value: Any, budget: list[int], depth: int = 0) -> Any:
    """JSON for a front-matter value; _Unencodable past MAX_VALUES values or MAX_DEPTH
    levels, so a large or deep (aliased) value is never expanded here."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise _Unencodable("too large")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, list):
        return {"l": [_enc(v, budget, depth + 1) for v in value]}
    if isinstance(value, tuple):
        return {"t": [_enc(v, budget, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"d": [[_enc(k, budget, depth + 1), _enc(v, budget, depth + 1)]
                      for k, v in value.items()]}
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    raise _Unencodable(type(value).__name__)


def _dec(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError("bad value")
    (tag, inner), = value.items()
    if tag == "f":
        return float(inner)
    if tag == "l":
        return [_dec(v) for v in inner]
    if tag == "t":
        return tuple(_dec(v) for v in inner)
    if tag == "d":
        return {_dec(k): _dec(v) for k, v in inner}
    if tag == "dt":
        return dt.datetime.fromisoformat(inner)
    raise ValueError("bad tag")


def encode(doc: Document) -> str | None:
    """The JSON of a parsed document (without tokens); None when it cannot round-trip."""
    meta = doc.meta
    budget = [MAX_VALUES]
    try:
        fields = {f.name: _enc(getattr(meta, f.name), budget) for f in dataclasses.fields(meta)
                  if f.name != "cover"}
    except _Unencodable:
        return None
    view = doc.view
    blob = json.dumps({
        "meta": fields,
        "cover": dataclasses.astuple(meta.cover) if meta.cover else None,
        "offset": doc.body_offset,
        "text": view.text,
        "segments": [dataclasses.astuple(s) for s in view.segments],
        "overrides": [dataclasses.astuple(o) for o in view.overrides],
    }, ensure_ascii=False, separators=(",", ":"))
    source = doc.source
    try:
        blob.encode("utf-8")  # a lone surrogate would fail in the database write
    except UnicodeEncodeError:
        return None
    if decode(blob, source) != doc:
        return None
    return blob


def decode(blob: str, source: Source) -> Document | None:
    try:
        data = json.loads(blob)
        meta = {k: _dec(v) for k, v in data["meta"].items()}
        cover = Cover(*data["cover"]) if data["cover"] is not None else None
        offset = int(data["offset"])
        view = TextView(
            text=str(data["text"]),
            segments=tuple(Segment(*row) for row in data["segments"]),
            overrides=tuple(Override(*row) for row in data["overrides"]),
        )
        return Document(
            source=source, meta=ArticleMeta(**meta, cover=cover), body=source.text[offset:],
            body_offset=offset, body_line=source.text[:offset].count("\n") + 1, view=view,
            tokens=(),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class DocumentStore:
    """SQLite map key -> parsed document JSON, in the cache folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / DB_NAME
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> DocumentStore:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._db = self._connect()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY,"
                       " value TEXT NOT NULL)")
            db.commit()
        except BaseException:
            db.close()
            raise
        return db

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        assert self._db is not None
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):
            chunk = unique[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self._db.execute(
                    f"SELECT key, value FROM documents WHERE key IN ({marks})", chunk):
                if isinstance(value, str):
                    found[key] = value
        return found

    def put_many(self, rows: Sequence[tuple[str, str]]) -> None:
        assert self._db is not None
        if rows:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO documents (key, value) VALUES (?, ?)", rows)
