"""Who speaks on the site: the published statements counted by kind of source, named or
not, direct or reported, per month, per tag and per source (the sourcing page and its
CSV/JSON figures; docs/archive-pages.md). Held-back and rejected attributions are not in
an article's published annotations, so they are never counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sitegen.core.model import Annotations, Attribution
from sitegen.index.memo import per_index
from sitegen.index.site import SiteIndex

SPEECH = ("direct", "indirect", "according_to")
SOURCE_KINDS = ("person", "organisation", "media", "unnamed")
COLUMNS = ("statements", "named", "unnamed", "person", "organisation", "media", "direct",
           "reported")
TOP_SOURCES = 15
MAX_MONTHS = 600  # a timeline's longest run of months (50 years)


@dataclass(frozen=True, slots=True)
class Counts:
    """Statements in one group, by the COLUMNS."""

    statements: int = 0
    named: int = 0
    unnamed: int = 0
    person: int = 0
    organisation: int = 0
    media: int = 0
    direct: int = 0
    reported: int = 0

    def row(self) -> tuple[int, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)


@dataclass(frozen=True, slots=True)
class SourceCount:
    id: str
    name: str
    kind: str
    url: str | None  # its quotes page or entity page (None: no page)
    counts: Counts


@dataclass(frozen=True, slots=True)
class Sourcing:
    total: Counts
    articles: int  # published articles
    with_sources: int  # of which quote or cite at least one source
    months: tuple[tuple[str, Counts], ...]  # "YYYY-MM", oldest first
    tags: tuple[tuple[str, Counts], ...]  # most statements first
    sources: tuple[SourceCount, ...]  # the most quoted named sources


def speech(ann: Annotations) -> tuple[Attribution, ...]:
    """An article's published statements: named ones each once (Annotations.statements),
    and those of unnamed sources."""
    unnamed = tuple(a for a in ann.attributions if a.kind in SPEECH and not a.source_id)
    return tuple(sorted(ann.statements() + unnamed, key=lambda a: (a.start, a.end)))


def month_range(months: Iterable[str]) -> list[str]:
    """Every month ("YYYY-MM") from the first of `months` to the last; over a span longer
    than MAX_MONTHS (a date in year 1 is a typo, not history) only the months given."""
    found = sorted(months)
    if not found:
        return []
    y, m = int(found[0][:4]), int(found[0][5:])
    if (int(found[-1][:4]) - y) * 12 + int(found[-1][5:]) - m >= MAX_MONTHS:
        return found
    out = []
    while True:
        key = f"{y:04d}-{m:02d}"
        out.append(key)
        if key >= found[-1]:
            return out
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def is_named(a: Attribution) -> bool:
    return bool(a.source_id) and a.source_kind != "unnamed"


def _count(found: Sequence[Attribution]) -> Counts:
    kinds = Counter(a.source_kind if a.source_kind in SOURCE_KINDS else "unnamed"
                    for a in found)
    named = sum(1 for a in found if is_named(a))
    direct = sum(1 for a in found if a.kind == "direct")
    return Counts(statements=len(found), named=named, unnamed=len(found) - named,
                  person=kinds["person"], organisation=kinds["organisation"],
                  media=kinds["media"], direct=direct, reported=len(found) - direct)


@per_index
def sourcing(index: SiteIndex) -> Sourcing:
    everything: list[Attribution] = []
    months: dict[str, list[Attribution]] = {}
    tags: dict[str, list[Attribution]] = {}
    by_source: dict[str, list[Attribution]] = {}
    with_sources = 0
    for art in index.articles:
        found = speech(art.doc.annotations)
        if not found:
            continue
        with_sources += 1
        everything.extend(found)
        if art.date is not None:
            months.setdefault(f"{art.date.year:04d}-{art.date.month:02d}", []).extend(found)
        for tag in art.doc.document.meta.tags:
            tags.setdefault(tag, []).extend(found)
        for a in found:
            if is_named(a):
                by_source.setdefault(a.source_id or "", []).append(a)
    sources = []
    for sid, said in by_source.items():
        info = index.entities.get(sid)
        name = info.name if info is not None else (said[0].source_name or said[0].source
                                                   or sid)
        url = None if info is None else info.url
        sources.append(SourceCount(sid, name, said[0].source_kind, url, _count(said)))
    sources.sort(key=lambda s: (-s.counts.statements, s.name.casefold(), s.id))
    tag_rows = [(t, _count(f)) for t, f in tags.items()]
    tag_rows.sort(key=lambda r: (-r[1].statements, r[0]))
    return Sourcing(
        total=_count(everything), articles=len(index.articles), with_sources=with_sources,
        months=tuple((m, _count(months.get(m, ()))) for m in month_range(months)),
        tags=tuple(tag_rows), sources=tuple(sources[:TOP_SOURCES]))
