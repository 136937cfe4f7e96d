"""Overlap queries on character spans in O(log n), where the annotators and the renderer
used to compare every span with every other (quadratic on long articles).

`Spans.overlaps(start, end)` is exactly `any(s < end and start < e for s, e in spans)`
over every span added; `SpanBuckets` finds the items that may touch a range.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class Spans:
    """[start, end) spans kept as their union: sorted, strictly non-overlapping runs."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(spans):
            if self._ends and start < self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], end)
            else:
                self._starts.append(start)
                self._ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        hi = bisect_left(self._starts, end)  # runs [0, hi) start before `end`
        return hi > 0 and self._ends[hi - 1] > start  # ends are sorted too

    def within(self, start: int, end: int) -> bool:
        """[start, end) lies inside one run (for disjoint spans: inside one of them)."""
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and end <= self._ends[i]

    def add(self, start: int, end: int) -> None:
        lo = bisect_right(self._ends, start)  # first run ending after `start`
        hi = bisect_left(self._starts, end)
        if lo < hi:  # runs [lo, hi) overlap the new span: merge them into it
            start = min(start, self._starts[lo])
            end = max(end, self._ends[hi - 1])
            del self._starts[lo:hi], self._ends[lo:hi]
        self._starts.insert(lo, start)
        self._ends.insert(lo, end)


class SpanBuckets(Generic[T]):
    """Items with a [start, end) span, found by range: each item is listed in the buckets
    (of `size` characters) its span touches; `near` returns candidates in insertion order,
    a superset of the items touching [start, end] that the caller filters exactly."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: list[T] = []
        self._buckets: dict[int, list[int]] = {}

    def add(self, start: int, end: int, item: T) -> None:
        index = len(self._items)
        self._items.append(item)
        for bucket in range(start // self.size, max(start, end) // self.size + 1):
            self._buckets.setdefault(bucket, []).append(index)

    def near(self, start: int, end: int) -> list[T]:
        found: set[int] = set()
        for bucket in range(start // self.size, max(start, end) // self.size + 1):
            found.update(self._buckets.get(bucket, ()))
        return [self._items[i] for i in sorted(found)]
