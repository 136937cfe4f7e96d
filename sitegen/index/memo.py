"""Facts derived from a whole SiteIndex, computed once per index: the build renders many
pages from one index, the preview makes a new index per edit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from sitegen.index.site import SiteIndex

T = TypeVar("T")


def per_index(fn: Callable[[SiteIndex], T]) -> Callable[[SiteIndex], T]:
    """`fn(index)`, kept for the last index it was called with (by identity)."""
    last: list[tuple[SiteIndex, T]] = []

    @wraps(fn)
    def cached(index: SiteIndex) -> T:
        if last and last[0][0] is index:
            return last[0][1]
        value = fn(index)
        last[:] = [(index, value)]
        return value

    return cached
