"""Decoded block records kept in memory while a caller asks for it (the preview's saves:
each reads the same unchanged blocks of the edited article again). Off by default: a build
reads each block once, and its worker processes should not hold them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

SIZE = 512  # blocks: a few articles' worth
# (the block cache's file, block key) -> (vocab, rows): a block is kept for the cache it is
# stored in (one that is not read from a cache is stored in none: kept for None)
_MEMO: OrderedDict[tuple[object, str], tuple[object, Any]] = OrderedDict()
_ON = [False]


@contextmanager
def kept() -> Iterator[None]:
    """Keep (and use) decoded blocks in this process meanwhile (the preview's saves)."""
    before = _ON[0]
    _ON[0] = True
    try:
        yield
    finally:
        _ON[0] = before


def enable() -> None:
    """Keep decoded blocks in this process from now on."""
    _ON[0] = True


def disable() -> None:
    """Stop keeping decoded blocks, and forget those kept."""
    _ON[0] = False
    _MEMO.clear()


def recall(scope: object, vocab: object, keys: Iterable[str]) -> dict[str, Any]:
    """The decoded rows kept for `keys` (block keys) of the cache `scope` on `vocab`."""
    out: dict[str, Any] = {}
    if not _ON[0]:
        return out
    for key in keys:
        hit = _MEMO.get((scope, key))
        if hit is not None and hit[0] is vocab:
            _MEMO.move_to_end((scope, key))
            out[key] = hit[1]
    return out


def keep(scope: object, vocab: object, rows: Mapping[str, Any]) -> None:
    """Keep `rows` (block key -> decoded rows on `vocab`, all stored in the cache `scope`),
    the least recently used go."""
    if not _ON[0]:
        return
    for key, value in rows.items():
        _MEMO[(scope, key)] = (vocab, value)
        _MEMO.move_to_end((scope, key))
    while len(_MEMO) > SIZE:
        _MEMO.popitem(last=False)
