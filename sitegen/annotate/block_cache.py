"""The paragraph-level NLP cache: block key -> the compact record of one block's spaCy
analysis (annotate/blocks.py), in SQLite beside the annotation cache
(`.sitegen-cache/blocks.sqlite`).

Entries are data, never code: a record is zlib-compressed JSON and integer columns, written
sealed (a sha256 over the key and the record comes first). An entry whose seal does not
match (corrupt, truncated, copied from another key) is a miss and is overwritten; a file
that is not a database is deleted and started afresh. Several processes (build workers, the
preview server) may read and write at once: SQLite locks, WAL lets readers go on.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

DB_NAME = "blocks.sqlite"  # keys: 64 hex digits (annotate/blocks.block_key)
_SEAL = b"sitegen-blocks-sealed\0"
# The key (a sha256) as its 32 bytes; no rowid, so it is stored once, not again in an index.
_SQL_CREATE = ("CREATE TABLE IF NOT EXISTS blocks (key BLOB PRIMARY KEY, value BLOB NOT NULL)"
               " WITHOUT ROWID")
_DIGEST = 16  # bytes of the seal (it tells a damaged or foreign entry, not an attack)


def _seal(key: str, record: bytes) -> bytes:
    h = hashlib.sha256(_SEAL)
    h.update(key.encode("ascii"))
    h.update(b"\0")
    h.update(record)
    return h.digest()[:_DIGEST]


class BlockCache:
    """SQLite-backed map block key -> record bytes. Use as a context manager."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / DB_NAME
        self.invalid = 0  # entries found but rejected
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> BlockCache:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SQL_CREATE)
            cols = [row[1] for row in db.execute("PRAGMA table_info(blocks)")]
            if cols != ["key", "value"]:
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
            raise RuntimeError("the block cache is not open")
        return self._db

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The sealed records found for `keys` (a key missing from the result is a miss)."""
        db = self._conn()
        out: dict[str, bytes] = {}
        unique = [bytes.fromhex(k) for k in dict.fromkeys(keys)]
        for i in range(0, len(unique), 500):
            chunk = unique[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for raw, value in db.execute(
                    f"SELECT key, CAST(value AS BLOB) FROM blocks WHERE key IN ({marks})",
                    chunk):
                key = raw.hex() if isinstance(raw, bytes) else ""
                if (isinstance(value, bytes) and len(value) > _DIGEST
                        and _seal(key, value[_DIGEST:]) == value[:_DIGEST]):
                    out[key] = value[_DIGEST:]
                else:
                    self.invalid += 1
        return out

    def put_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        rows = [(bytes.fromhex(key), _seal(key, record) + record) for key, record in items]
        if not rows:
            return
        db = self._conn()
        with db:
            db.executemany("INSERT OR REPLACE INTO blocks (key, value) VALUES (?, ?)", rows)

    def __len__(self) -> int:
        row = self._conn().execute("SELECT COUNT(*) FROM blocks").fetchone()
        return int(row[0])
