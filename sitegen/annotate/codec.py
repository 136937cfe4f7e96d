"""The JSON forms of an `Annotations` value in the annotation cache (annotate/cache.py).

A sealed entry (what is written) is a seal, then the JSON of each item's field values in
declaration order: entities, glossary matches, attributions, and plugin notes when there
are any. The older layout (`schema` 3: JSON objects, checked field by field) is still read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
from collections.abc import Callable
from sys import intern
from typing import Any

from sitegen.core.model import Annotations, Attribution, EntityMention, GlossaryMatch, Note

SCHEMA = 3  # bump when the JSON layout of an entry changes
SEALED = 2  # the `schema` column of a sealed entry: seal (64 hex digits) + JSON rows
_SEAL = b"sitegen-annotations-sealed\0"


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
_NOTES = "notes"  # plugin annotators' (optional: an entry without notes has no such key)


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
    if ann.notes:
        data[_NOTES] = [_item_to_json(x) for x in ann.notes]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def annotations_from_json(blob: str, text_size: int) -> Annotations:
    """Parse and check an entry; raises InvalidEntry for anything not exactly right."""
    try:
        data = json.loads(blob)
    except (ValueError, TypeError) as exc:
        raise InvalidEntry(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise InvalidEntry("wrong schema")
    if set(data) - {_NOTES} != {"schema", *_ITEM_TYPES}:
        raise InvalidEntry("wrong keys")
    parts: dict[str, tuple[Any, ...]] = {}
    for name, cls in {**_ITEM_TYPES, _NOTES: Note}.items():
        items = data.get(name, [])
        if not isinstance(items, list):
            raise InvalidEntry(f"{name}: not a list")
        parts[name] = tuple(_item_from_json(cls, raw, text_size) for raw in items)
    return Annotations(entities=parts["entities"], glossary=parts["glossary"],
                       attributions=parts["attributions"], notes=parts[_NOTES])


def _layout(*types: type[Any]) -> bytes:
    """The field names of the sealed item types, in order: part of every seal, so a
    changed dataclass never reads an older row into the wrong fields."""
    names = [[cls.__name__, *(f.name for f in dataclasses.fields(cls))] for cls in types]
    return json.dumps(names).encode("utf-8")


_BUILTIN_TYPES = (EntityMention, GlossaryMatch, Attribution)
_SEAL_PREFIX = hashlib.sha256(_SEAL + _layout(*_BUILTIN_TYPES)).digest()
# An entry with plugin notes has a fourth list of rows and is sealed with the Note layout
# too; one without keeps the three lists and the seal it always had.
_SEAL_PREFIX_NOTES = hashlib.sha256(_SEAL + _layout(*_BUILTIN_TYPES, Note)).digest()
_ROWS: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}
SHARED_LEN = 64  # strings up to this long are shared between decoded annotations


def _row(item: Any) -> tuple[Any, ...]:
    get = _ROWS.get(item.__class__)
    if get is None:
        names = [f.name for f in dataclasses.fields(item)]
        get = _ROWS[item.__class__] = operator.attrgetter(*names)
    return get(item)


def _seal(key: str, body: str, prefix: bytes = _SEAL_PREFIX) -> str:
    h = hashlib.sha256(prefix)
    h.update(key.encode("utf-8", "surrogateescape"))
    h.update(b"\0")
    h.update(body.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def sealed_entry(key: str, ann: Annotations) -> tuple[str, str]:
    """(value, seal) of the cache entry for `key`: the seal, then the JSON of each item's
    field values in declaration order."""
    rows = [[_row(x) for x in ann.entities], [_row(x) for x in ann.glossary],
            [_row(x) for x in ann.attributions]]
    prefix = _SEAL_PREFIX
    if ann.notes:
        rows.append([_row(x) for x in ann.notes])
        prefix = _SEAL_PREFIX_NOTES
    body = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    seal = _seal(key, body, prefix)
    return seal + body, seal


_MAKERS: dict[type[Any], Callable[[list[Any]], Any]] = {}


def _maker(cls: type[Any]) -> Callable[[list[Any]], Any]:
    """A function making a `cls` from a sealed row, its short strings (labels, ids, names,
    mention texts) interned: a big site's annotations repeat them millions of times (issue
    17: memory). Only the fields declared `str` or `str | None` are looked at."""
    make = _MAKERS.get(cls)
    if make is None:
        texts = tuple(i for i, f in enumerate(dataclasses.fields(cls))
                      if str(f.type) in ("str", "str | None"))

        def make(row: list[Any]) -> Any:
            for i in texts:
                v = row[i]
                if v.__class__ is str and len(v) <= SHARED_LEN:
                    row[i] = intern(v)
            return cls(*row)

        _MAKERS[cls] = make
    return make


def open_sealed(key: str, value: str) -> tuple[Annotations, str]:
    """The Annotations of a sealed entry and its seal; InvalidEntry unless the seal is
    right (then the JSON is exactly what sealed_entry wrote for this key)."""
    seal, body = value[:64], value[64:]
    if len(seal) != 64:
        raise InvalidEntry("bad seal")
    notes = _seal(key, body) != seal
    if notes and _seal(key, body, _SEAL_PREFIX_NOTES) != seal:
        raise InvalidEntry("bad seal")
    try:
        rows = json.loads(body)
        ents, terms, attrs = rows[:3] if notes else rows
        return Annotations(
            entities=tuple(map(_maker(EntityMention), ents)),
            glossary=tuple(map(_maker(GlossaryMatch), terms)),
            attributions=tuple(map(_maker(Attribution), attrs)),
            notes=tuple(map(_maker(Note), rows[3])) if notes else ()), seal
    except (ValueError, TypeError, LookupError) as exc:  # sealed, yet not ours: old layout
        raise InvalidEntry(f"sealed entry does not decode: {exc}") from None
