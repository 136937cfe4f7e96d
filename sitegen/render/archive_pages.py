"""The archive's pages (docs/archive-pages.md): a quotes page per quoted source, the
"Who speaks" sourcing page with its figures as CSV and JSON, and what article and entity
pages show of how stories connect. Each kind is turned off in `[archive]`; pages.py lists
the kinds with the others."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from markupsafe import Markup

from sitegen.index.connections import Related, entity_tags, related, timeline, together
from sitegen.index.quotes import has_quotes_page, quote_items
from sitegen.index.site import Article, EntityInfo, SiteIndex
from sitegen.index.sourcing import COLUMNS, Counts, Sourcing, sourcing
from sitegen.render.page import KeyParts, Page, PageKind
from sitegen.render.pagination import pages_of
from sitegen.render.quote_rows import page_list, quote_rows, tag_options
from sitegen.render.renderer import RenderedFile, Renderer, root_for
from sitegen.render.svg import bars, columns

SOURCING_URL = "sourcing/"
DATA_NAME = "sourcing"  # sourcing/sourcing.json and sourcing/sourcing.csv
CHART_TAGS = 20  # topics in the chart (the page's table lists PAGE_TAGS, the data all)
PAGE_TAGS = 60
ENTITY_TAGS = 30  # an entity page's topics, most articles first


@dataclass(frozen=True, slots=True)
class Speaker:
    """What a quotes page shows of its source."""

    id: str
    name: str
    type: str
    url: str  # the entity page


def quotes_url(r: Renderer, info: EntityInfo) -> str | None:
    """The URL of the entity's quotes page, None when it has none."""
    if r.config.archive.quotes and has_quotes_page(info):
        return info.url + "quotes/"
    return None


# -- quotes pages -------------------------------------------------------------------------
def _quotes(r: Renderer, index: SiteIndex) -> Iterator[Page]:
    """Each page's statements are made into items (their sentences cut) for that page
    only, as it comes."""
    if not r.config.archive.quotes:
        return
    per = r.config.archive.quotes_per_page
    for info in index.entities.values():
        base = quotes_url(r, info)
        if base is None:
            continue
        said = info.quotes
        pagers = pages_of(base, len(said), per)
        dates = {art.date for art, _a in said if art.date is not None}
        years = tuple(sorted({f"{d.year:04d}" for d in dates}, reverse=True))
        tags = tuple(sorted({t for art, _a in said for t in art.doc.document.meta.tags}))
        speaker = Speaker(info.id, info.name, info.type, info.url)
        urls = tuple(p.url for p in pagers)
        for pager in pagers:
            yield Page("quotes", pager.url, pager.url + "index.html", {
                "speaker": speaker, "quotes": quote_items(said[pager.start:pager.end]),
                "pager": pager, "total": len(said), "years": years, "tags": tags,
                "page_urls": urls})


def _quotes_key(k: KeyParts, _r: Renderer, page: Page, _i: SiteIndex) -> list[str]:
    """What a quotes page shows, each statement as its fields (not the dataclass's repr:
    the key of thousands of pages is made in every build)."""
    c = page.context
    parts = [k.salt, "quotes", page.url, page.out, repr(c["speaker"]), repr(c["pager"]),
             str(c["total"]), repr(c["years"]), repr(c["tags"]), repr(c["page_urls"])]
    parts += ["\x1f".join((q.url, q.title, "" if q.date is None else q.date.isoformat(),
                           "d" if q.direct else "r", q.quote, q.context, " ".join(q.tags),
                           q.anchor)) for q in c["quotes"]]
    return parts


def _draw_quotes(r: Renderer, page: Page, _i: SiteIndex) -> RenderedFile:
    root = root_for(page.url) if page.root is None else page.root
    c = page.context
    # A source's pages share their filter's lists: made once per source and depth.
    memo = (c["page_urls"], root, c["tags"], r.config.tags)
    shared = _filter_memo.get(memo)
    if shared is None:
        if len(_filter_memo) > 64:
            _filter_memo.clear()
        shared = _filter_memo[memo] = (
            page_list(c["page_urls"], root), tag_options(c["tags"], r.config.tags.name))
    rows = quote_rows(c["quotes"], root, r.env.filters["typo"])
    return r.render("quotes.html", page.url, page.out, root, rows=rows,
                    pages_attr=shared[0], tag_options=shared[1], **c)


_filter_memo: dict[tuple[Any, ...], tuple[Markup, Markup]] = {}


def archive_urls(r: Renderer, index: SiteIndex) -> tuple[str, ...]:
    """The URLs of the archive's HTML pages (for the sitemap)."""
    urls = [page.url for page in _quotes(r, index)]
    if r.config.archive.sourcing:
        urls.append(SOURCING_URL)
    return tuple(urls)


# -- the sourcing page ----------------------------------------------------------------------
def _charts(s: Sourcing, tag_name: Callable[[str], str]) -> dict[str, Any]:
    t = s.total
    top = s.tags[:CHART_TAGS]
    return {
        "named": bars("chart-named", "Named and unnamed sources",
                      f"Of {t.statements} statements, {t.named} come from named sources "
                      f"and {t.unnamed} from unnamed ones.",
                      [("Named", t.named), ("Unnamed", t.unnamed)]),
        "kinds": bars("chart-kinds", "Statements by kind of source",
                      f"People {t.person}, organisations {t.organisation}, media and "
                      f"documents {t.media}, unnamed {t.unnamed}.",
                      [("People", t.person), ("Organisations", t.organisation),
                       ("Media and documents", t.media), ("Unnamed", t.unnamed)]),
        "direct": bars("chart-direct", "Direct and reported speech",
                       f"{t.direct} statements are direct quotes, {t.reported} reported "
                       "(paraphrase).",
                       [("Direct quotes", t.direct), ("Reported", t.reported)]),
        "sources": bars("chart-sources", "The most quoted sources",
                        "Statements per named source, most first: "
                        + ", ".join(f"{x.name} {x.counts.statements}" for x in s.sources)
                        + ".", [(x.name, x.counts.statements) for x in s.sources]),
        "months": columns("chart-months", "Statements per month",
                          f"Statements per month from {s.months[0][0]} to {s.months[-1][0]}."
                          if s.months else "No dated statements.",
                          [(m, c.statements) for m, c in s.months]),
        "tags": bars("chart-tags", "Statements per topic",
                     f"Statements in the articles of the {len(top)} topics with the most, "
                     "most first: "
                     + ", ".join(f"{tag_name(t)} {c.statements}" for t, c in top) + ".",
                     [(tag_name(t), c.statements) for t, c in top]),
    }


def _sourcing(r: Renderer, index: SiteIndex) -> list[Page]:
    if not r.config.archive.sourcing:
        return []
    s = sourcing(index)
    links = tuple(_source_link(r, index, x.id) for x in s.sources)
    charts = _charts(s, r.config.tags.name)
    return [Page("sourcing", SOURCING_URL, SOURCING_URL + "index.html", {
        "stats": s, "links": links, "charts": charts, "data_name": DATA_NAME,
        "page_tags": s.tags[:PAGE_TAGS]})]


def _source_link(r: Renderer, index: SiteIndex, sid: str) -> str | None:
    info = index.entities.get(sid)
    if info is None:
        return None
    return quotes_url(r, info) or info.url


def _sourcing_data(r: Renderer, index: SiteIndex) -> list[Page]:
    if not r.config.archive.sourcing:
        return []
    s = sourcing(index)
    return [Page("sourcing-data", SOURCING_URL, f"{SOURCING_URL}{DATA_NAME}.{ext}",
                 {"stats": s, "format": ext}) for ext in ("json", "csv")]


def _counts(c: Counts) -> dict[str, int]:
    return asdict(c)


def _safe_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def sourcing_data(s: Sourcing, fmt: str, title: str) -> bytes:
    if fmt == "json":
        data = {
            "site": title, "articles": s.articles, "articles_with_sources": s.with_sources,
            "total": _counts(s.total),
            "months": [{"month": m, **_counts(c)} for m, c in s.months],
            "tags": [{"tag": t, **_counts(c)} for t, c in s.tags],
            "sources": [{"id": x.id, "name": x.name, "kind": x.kind, **_counts(x.counts)}
                        for x in s.sources],
        }
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["figure", "key", "name", *COLUMNS])
    w.writerow(["total", "", "", *s.total.row()])
    for m, c in s.months:
        w.writerow(["month", m, "", *c.row()])
    for t, c in s.tags:
        w.writerow(["tag", _safe_cell(t), "", *c.row()])
    for x in s.sources:
        w.writerow(["source", _safe_cell(x.id), _safe_cell(x.name), *x.counts.row()])
    return out.getvalue().encode("utf-8")


# -- article and entity pages ---------------------------------------------------------------
def article_related(r: Renderer, index: SiteIndex, art: Article) -> tuple[Related, ...]:
    if not r.config.archive.related:
        return ()
    return related(index, art, r.config.archive.related_count)


def related_key(r: Renderer, index: SiteIndex, art: Article) -> str:
    return repr(article_related(r, index, art))


def entity_extras(r: Renderer, index: SiteIndex, info: EntityInfo, first: bool = True
                  ) -> dict[str, Any]:
    """What the entity page shows of the archive (empty when turned off): the timeline,
    "often mentioned with" and topics on its first page (`first`), the link to its quotes
    page on every page."""
    shown = first and r.config.archive.entity_timeline
    months = timeline(info) if shown else ()
    chart = columns(f"timeline-{info.id}", f"Mentions of {info.name} per month",
                    f"Mentions per month from {months[0][0]} to {months[-1][0]}; the "
                    "table below lists them.", months, width=480, height=90) if months else ""
    return {
        "timeline": tuple(m for m in months if m[1]), "timeline_chart": chart,
        "together": together(index, info, r.config.archive.cooccurring_count) if shown
        else (),
        "entity_tags": entity_tags(info)[:ENTITY_TAGS] if shown else (),
        "quotes_url": quotes_url(r, info)}


def _data_key(_k: KeyParts, r: Renderer, page: Page, _i: SiteIndex) -> list[str]:
    return ["sourcing-data", page.out, r.config.title, repr(page.context["stats"])]


ARCHIVE_KINDS: tuple[PageKind, ...] = (
    PageKind("quotes", "quotes.html", _quotes, key=_quotes_key, draw=_draw_quotes),
    PageKind("sourcing", "sourcing.html", _sourcing),
    PageKind("sourcing-data", None, _sourcing_data, key=_data_key,
             draw=lambda r, page, _i: RenderedFile(page.out, sourcing_data(
                 page.context["stats"], page.context["format"], r.config.title))),
)
