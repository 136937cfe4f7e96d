"""A big archive's settings: `[archive]`, the pages computed from what the archive knows
(docs/archive-pages.md), each kind can be turned off; `[pagination]`, long lists in pages
(docs/performance.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    quotes: bool = True  # a quotes page per quoted person or organisation
    quotes_per_page: int = 50
    sourcing: bool = True  # the "Who speaks" page and its CSV/JSON figures
    related: bool = True  # related articles on every article page
    related_count: int = 5  # at most this many (3 to 5 reads best)
    entity_timeline: bool = True  # timeline, "often mentioned with" and tags on entity pages
    cooccurring_count: int = 10  # entities listed as "often mentioned with"


@dataclass(frozen=True, slots=True)
class PaginationConfig:
    """`[pagination]`: how many articles a tag, entity or glossary-term page lists (page 1
    at the stable URL, page N at .../page/N/), and how many entities the entities index
    shows on one page before it is split by type and initial letter."""

    page_size: int = 50
    index_size: int = 1000
