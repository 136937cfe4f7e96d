"""Pages of a long list: page 1 at the list's stable URL, page N at `URL/page/N/` (as Hugo
does), each with links to the previous (newer) and next (older) page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pager:
    """Page `number` of `count` of the list at `base` (a URL relative to the site root,
    ending in '/', or '' for the home page): items [start, end) of the list."""

    base: str
    number: int
    count: int
    start: int
    end: int

    @property
    def url(self) -> str:
        return page_url(self.base, self.number)

    @property
    def prev_url(self) -> str | None:
        return page_url(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return page_url(self.base, self.number + 1) if self.number < self.count else None


def page_url(base: str, number: int) -> str:
    """The URL of page `number` of the list at `base`."""
    return base if number == 1 else f"{base}page/{number}/"


def pages_of(base: str, total: int, size: int) -> list[Pager]:
    """The pages of a list of `total` items, `size` per page (one empty page for an empty
    list, so the stable URL always exists)."""
    if size < 1:
        raise ValueError("a page holds at least one item")
    count = max(1, -(-total // size))
    return [Pager(base, n, count, (n - 1) * size, min(total, n * size))
            for n in range(1, count + 1)]
