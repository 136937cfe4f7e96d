"""`[archive]`: the pages computed from what the archive knows (docs/archive-pages.md):
each kind can be turned off."""

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
