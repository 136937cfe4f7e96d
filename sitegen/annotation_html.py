"""What one article shows of its annotations: marks in the text, popovers, sources panel."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html import escape

from .config import SiteConfig
from .index import Article, EntityInfo, SiteIndex
from .kb import Term
from .markup import Mark
from .model import Attribution, EntityMention
from .spans import Spans

SPEECH = ("direct", "indirect", "according_to")
MEDIA_WORDS = ("agency", "news", "tass", "reuters", "afp", "ap", "anp", "television", "radio",
               "broadcaster", "newspaper", "times", "post", "journal", "bbc", "cnn")


@dataclass(frozen=True, slots=True)
class SourceSummary:
    key: str
    name: str
    kind: str  # person, organisation, media, unnamed
    entity: EntityInfo | None
    count: int
    channels: tuple[str, ...]
    statements: tuple[Attribution, ...]


@dataclass(frozen=True, slots=True)
class ArticleAnnotations:
    marks: tuple[Mark, ...] = ()
    entities: tuple[tuple[EntityInfo, int], ...] = ()  # (entity, number of other articles)
    terms: tuple[Term, ...] = ()
    sources: tuple[SourceSummary, ...] = ()
    unverified: tuple[Attribution, ...] = ()
    credits: tuple[Attribution, ...] = ()
    sourcing_line: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    dateline: EntityInfo | None = None  # the byline's `location`, linked there only


DASHES = ("\u2014", "\u2013", "-", ",")


def dateline_mention(text: str, mentions: tuple[EntityMention, ...], location: str
                     ) -> EntityMention | None:
    """The mention that opens the body as its dateline ("ROTTERDAM — ..."), the front
    matter's `location` repeated: the byline already shows it."""
    if not location or not mentions:
        return None
    first = mentions[0]
    lead = text[:first.start]
    if lead.strip() or " ".join(first.text.split()).lower() != " ".join(
            location.split()).lower():
        return None
    return first if text[first.end:first.end + 3].strip().startswith(DASHES) else None


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _source_key(a: Attribution) -> str:
    return a.source_id or (a.source or "unnamed").lower()


def source_kind(a: Attribution, entity: EntityInfo | None) -> str:
    if a.source_kind and a.source_kind != "unnamed":
        return a.source_kind
    if entity is not None:
        return "person" if entity.label == "PERSON" else "organisation"
    name = (a.source_name or a.source or "").lower()
    if any(w in name.split() for w in MEDIA_WORDS):
        return "media"
    return "unnamed"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def held_marks(art: Article) -> list[Mark]:
    """The preview's view of what was held back: a zero-width, greyed label after each
    candidate below its publish threshold, with its confidence (the inspector shows them)."""
    marks: list[Mark] = []
    candidates = art.doc.all_annotations
    for m in candidates.entities:
        if not m.published:
            marks.append(_held(m.end, f"held back: {m.label} {m.text} \u00b7 {m.confidence:.2f}"))
    for g in candidates.glossary:
        if not g.published:
            marks.append(_held(g.end, f"held back: term {g.term} \u00b7 {g.confidence:.2f}"))
    for a in candidates.attributions:
        if not a.published:
            who = a.source_name or a.source or "unnamed"
            marks.append(_held(a.end, f"held back: {a.kind.replace('_', ' ')} \u2190 {who} "
                                      f"\u00b7 {a.confidence:.2f}"))
    return marks


def _held(pos: int, label: str) -> Mark:
    return Mark(pos, pos, f'<span class="ann-held" data-held="{_attr(label)}">', "</span>",
                order=3)


def article_annotations(art: Article, index: SiteIndex, config: SiteConfig, root: str,
                        held: bool = False) -> ArticleAnnotations:
    """The marks, popovers and sources panel of an article; with `held` (the preview),
    also a greyed label for every candidate held back below its threshold."""
    ann = art.doc.annotations
    view = art.doc.document.view
    marks: list[Mark] = []
    taken = Spans()
    terms = Spans((g.start, g.end) for g in ann.glossary)
    shown_entities: dict[str, EntityInfo] = {}
    # A dateline is linked once: in the byline (the front matter's `location`), not again
    # where the body repeats it; with `link = "first"` it is the place's one link.
    opener = dateline_mention(view.text, ann.entities, art.doc.document.meta.location)
    dateline: EntityInfo | None = None
    for m in ann.entities:
        info = index.entity_for(m)
        if info is None or not view.annotatable(m.start, m.end):
            continue
        if m is opener:
            dateline = shown_entities[info.id] = info
            continue
        if view.block_at(m.start) == "heading":
            continue
        # The glossary matcher only keeps a term over an entity when the term is longer and
        # contains it ("Natura 2000" over "Natura"): such a term wins here too.
        if terms.overlaps(m.start, m.end):
            continue
        if config.entities.link == "first" and info.id in shown_entities:
            continue
        shown_entities[info.id] = info
        pop = f"pop-e-{info.id}"
        marks.append(Mark(
            m.start, m.end,
            f'<a class="ann ann-entity" data-type="{_attr(info.type)}" '
            f'href="{_attr(root + info.url)}" data-pop="{_attr(pop)}" '
            f'data-entity="{_attr(info.id)}" data-origin="{_attr(m.origin)}" '
            f'data-confidence="{m.confidence:.2f}" '
            f'aria-describedby="{_attr(pop)}">', "</a>", order=2))
        taken.add(m.start, m.end)

    shown_terms: dict[str, Term] = {}
    for g in ann.glossary:
        info_t = index.terms.get(g.term_id)
        if info_t is None or taken.overlaps(g.start, g.end):
            continue
        if not view.annotatable(g.start, g.end) or view.block_at(g.start) == "heading":
            continue
        if config.glossary.link == "first" and g.term_id in shown_terms:
            continue
        shown_terms[g.term_id] = info_t.term
        pop = f"pop-t-{g.term_id}"
        marks.append(Mark(
            g.start, g.end,
            f'<a class="ann ann-term" href="{_attr(root)}glossary/#{_attr(g.term_id)}" '
            f'data-origin="{_attr(g.origin)}" data-confidence="{g.confidence:.2f}" '
            f'data-pop="{_attr(pop)}" aria-describedby="{_attr(pop)}">', "</a>", order=2))
        taken.add(g.start, g.end)

    groups: dict[str, list[Attribution]] = {}
    for a in ann.attributions:
        if a.kind in SPEECH:
            groups.setdefault(_source_key(a), []).append(a)
    keys = list(groups)
    sources: list[SourceSummary] = []
    for key in keys:
        items = groups[key]
        first = items[0]
        entity = index.entities.get(first.source_id or "")
        channels = tuple(dict.fromkeys(a.via for a in items if a.via))
        sources.append(SourceSummary(
            key=key, name=entity.name if entity else (first.source_name or first.source
                                                       or "Unnamed source"),
            kind=source_kind(first, entity), entity=entity, count=len(items),
            channels=channels, statements=tuple(items)))
    number = {s.key: i + 1 for i, s in enumerate(sources)}
    placed: set[tuple[int, int, int]] = set()  # one marker per source and quote span
    for a in ann.attributions:
        if a.start >= a.end:
            continue
        if a.kind in SPEECH:
            n = number[_source_key(a)]
            if (n, a.start, a.end) in placed:
                continue
            placed.add((n, a.start, a.end))
            pop = f"pop-s-{n}"
            who = sources[n - 1].name
            # Direct quotes are <q> (the text keeps its own quotation marks: the theme sets
            # `quotes: none`); reported speech is a <span>. Both name their source.
            tag = "q" if a.kind == "direct" else "span"
            entity = sources[n - 1].entity
            cite = root + entity.url if entity else f"#source-{n}"
            marks.append(Mark(a.start, a.end,
                              f'<{tag} class="attr attr-{_attr(a.kind)}" data-source="{n}" '
                              f'data-source-name="{_attr(who)}" '
                              f'data-confidence="{a.confidence:.2f}"'
                              + (f' cite="{_attr(cite)}">' if tag == "q" else ">"),
                              f"</{tag}>", order=1))
            marks.append(Mark(a.end, a.end,
                              f'<a class="attr-marker" href="#source-{n}" data-pop="{pop}" '
                              f'aria-describedby="{pop}"><span aria-hidden="true">{n}</span>'
                              f'<span class="vh">source: {_attr(who)}</span>', "</a>"))
        elif a.kind == "unverified":
            marks.append(Mark(a.start, a.end, '<span class="attr attr-unverified">', "</span>",
                              order=1))
            marks.append(Mark(a.end, a.end, '<a class="flag-unverified" href="#sources">'
                              "unverified</a>", ""))
        elif a.kind == "credit":
            marks.append(Mark(a.start, a.end, '<span class="attr attr-credit">', "</span>",
                              order=1))

    kinds = Counter(s.kind for s in sources)
    unverified = tuple(a for a in ann.attributions if a.kind == "unverified")
    named = kinds["person"] + kinds["organisation"] + kinds["media"]
    parts = [_plural(named, "named source")]
    if kinds["unnamed"]:
        parts.append(f"{kinds['unnamed']} anonymous")
    if unverified:
        parts.append(_plural(len(unverified), "unverified claim"))
    # An entity shown here is mentioned in this article, so it is one of its articles
    # (unique by URL): the others are all but one.
    others = {e.id: len(e.articles) - 1 for e in shown_entities.values()}
    if held:
        marks.extend(held_marks(art))
    return ArticleAnnotations(
        marks=tuple(sorted(marks, key=lambda m: (m.start, -m.end, m.order))),
        entities=tuple((e, others[e.id]) for e in shown_entities.values()),
        terms=tuple(shown_terms.values()),
        sources=tuple(sources),
        unverified=unverified,
        credits=tuple(a for a in ann.attributions if a.kind == "credit"),
        sourcing_line=", ".join(parts) if sources or unverified else "",
        counts=dict(kinds),
        dateline=dateline,
    )
