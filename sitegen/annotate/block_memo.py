"""Decoded block records kept in memory, in a process that asks for it (the preview: every
save of an article reads the same unchanged blocks again). Off by default: a build reads
each block once, and its worker processes should not hold them."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

SIZE = 512  # blocks: a few articles' worth
_MEMO: OrderedDict[str, tuple[object, Any]] = OrderedDict()
_ON = [False]


def enable() -> None:
    """Keep decoded blocks in this process from now on."""
    _ON[0] = True


def disable() -> None:
    """Stop keeping decoded blocks, and forget those kept."""
    _ON[0] = False
    _MEMO.clear()


def recall(vocab: object, keys: Iterable[str]) -> dict[str, Any]:
    """The decoded rows kept for `keys` (block keys) on `vocab`."""
    out: dict[str, Any] = {}
    if not _ON[0]:
        return out
    for key in keys:
        hit = _MEMO.get(key)
        if hit is not None and hit[0] is vocab:
            _MEMO.move_to_end(key)
            out[key] = hit[1]
    return out


def keep(vocab: object, rows: Mapping[str, Any]) -> None:
    """Keep `rows` (block key -> decoded rows on `vocab`), the least recently used go."""
    if not _ON[0]:
        return
    for key, value in rows.items():
        _MEMO[key] = (vocab, value)
        _MEMO.move_to_end(key)
    while len(_MEMO) > SIZE:
        _MEMO.popitem(last=False)
