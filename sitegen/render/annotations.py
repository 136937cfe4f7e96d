"""What one article shows of its annotations: marks in the text, popovers, sources panel."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from sitegen.config.site import SiteConfig
from sitegen.config.thresholds import PublishThresholds
from sitegen.core.model import Attribution, EntityMention
from sitegen.core.spans import Spans
from sitegen.index.site import Article, EntityInfo, SiteIndex
from sitegen.render.marks import Mark
from sitegen.render.notes import note_marks
from sitegen.source.kb import Term

DOUBLE_QUOTES = "\"\u201c\u201d"
CLOSING = re.compile("[,.;:!?\u2026]?[\"'\u201d\u2019\u00bb]")
VIA_PREFIX = re.compile(r"^(?:on|to|in|via|through|from|by)\s+", re.IGNORECASE)
WORD = re.compile(r"\w")
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


@lru_cache(maxsize=4096)
def _entity_open(kind: str, href: str, entity_id: str) -> str:
    """The start of an entity's link (the same on every article at one depth)."""
    pop = _attr(f"pop-e-{entity_id}")
    return (f'<a class="ann ann-entity" data-type="{_attr(kind)}" href="{_attr(href)}" '
            f'data-pop="{pop}" data-entity="{_attr(entity_id)}"')


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


def _channel(via: str) -> str:
    """'on Telegram' -> 'Telegram': the cards and the panel say 'via Telegram'."""
    return VIA_PREFIX.sub("", via.strip()) or via


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _marker_pos(text: str, start: int, end: int) -> int:
    """Where a statement's marker goes: after its last word (never after a space), and
    after the closing quotation mark (and the punctuation inside it) when one follows."""
    pos = end
    while pos > start and text[pos - 1].isspace():
        pos -= 1
    close = CLOSING.match(text, pos)
    if close:
        pos = close.end()
    return pos


def _quoted_runs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The runs inside quotation marks of a direct quote that the attribution cuts across
    ('…first," Mulder said. "Where…' is two runs); the whole span when the marks do not
    pair up."""
    inner = [i for i in range(start, end) if text[i] in DOUBLE_QUOTES]
    if not inner or len(inner) % 2:
        return [(start, end)]
    bounds = [start, *inner, end]
    runs = [(bounds[i] + (i > 0), bounds[i + 1]) for i in range(0, len(bounds), 2)]
    return [(s, e) for s, e in runs if text[s:e].strip(" ,.;:") ]


@dataclass(slots=True)
class _Marker:
    pos: int
    sources: list[int]
    statements: list[int]
    block: int  # the paragraph (the offset of the blank line before it)


def _markers(text: str, statements: list[tuple[int, Attribution]],
             sources: list[SourceSummary], linked_entities: set[str]) -> list[Mark]:
    """One marker per statement, after its closing quote; consecutive statements of one
    source in a paragraph share the last one's marker, and markers that would touch
    (nothing but spaces and punctuation between them) are one grouped marker.

    A marker is a link (a tab stop) the first time its source has none: later markers of
    the source, and those of a source whose name is linked in the text, are not; they name
    the source to screen readers, open its card on hover, and the sources panel lists
    every source."""
    markers: list[_Marker] = []
    for k, (n, a) in enumerate(statements, start=1):
        pos = _marker_pos(text, a.start, a.end)
        block = text.rfind("\n\n", 0, a.start)
        last = markers[-1] if markers else None
        if last is not None and last.sources == [n] and last.block == block:
            last.pos, last.statements = max(pos, last.pos), [*last.statements, k]
            continue
        markers.append(_Marker(pos, [n], [k], block))
    markers.sort(key=lambda m: m.pos)
    merged: list[_Marker] = []
    for m in markers:
        prev = merged[-1] if merged else None
        if prev is not None and not WORD.search(text[min(prev.pos, m.pos):max(prev.pos, m.pos)]):
            prev.pos = max(prev.pos, m.pos)
            prev.sources += [n for n in m.sources if n not in prev.sources]
            prev.statements += m.statements
            continue
        merged.append(m)
    out: list[Mark] = []
    linked = {i + 1 for i, s in enumerate(sources) if s.entity and s.entity.id in linked_entities}
    for m in merged:
        pops = " ".join(f"pop-s-{n}" for n in m.sources)
        names = "; ".join(sources[n - 1].name for n in m.sources)
        label = ",".join(str(n) for n in m.sources)
        word = "source" if len(m.sources) == 1 else "sources"
        inner = (f'data-pop="{pops}" data-stmts="{" ".join(map(str, m.statements))}">'
                 f'<span aria-hidden="true">{label}</span>'
                 f'<span class="vh">({word}: {_attr(names)})</span>')
        if linked.issuperset(m.sources):
            out.append(Mark(m.pos, m.pos, f'<span class="attr-marker" {inner}', "</span>"))
            continue
        linked.update(m.sources)
        out.append(Mark(m.pos, m.pos,
                        f'<a class="attr-marker" href="#source-{m.sources[0]}" '
                        f'aria-describedby="{pops}" {inner}', "</a>"))
    return out


def held_marks(art: Article, thresholds: PublishThresholds | None = None) -> list[Mark]:
    """The preview's view of what is not shown: a zero-width, greyed label after each
    candidate left out, with its confidence (the inspector shows them). One at or above its
    publish threshold can only have been left out by an editor: it reads "rejected"."""
    marks: list[Mark] = []
    candidates = art.doc.all_annotations
    limits = thresholds or PublishThresholds()

    def why(confidence: float, threshold: float) -> str:
        return "rejected" if thresholds is not None and confidence >= threshold else "held back"

    for m in candidates.entities:
        if not m.published:
            marks.append(_held(m.end, f"{why(m.confidence, limits.entities)}: {m.label} "
                                      f"{m.text} \u00b7 {m.confidence:.2f}"))
    for g in candidates.glossary:
        if not g.published:
            marks.append(_held(g.end, f"{why(g.confidence, limits.glossary)}: term {g.term} "
                                      f"\u00b7 {g.confidence:.2f}"))
    for a in candidates.attributions:
        if not a.published:
            who = a.source_name or a.source or "unnamed"
            marks.append(_held(a.end, f"{why(a.confidence, limits.attributions)}: "
                                      f"{a.kind.replace('_', ' ')} \u2190 {who} "
                                      f"\u00b7 {a.confidence:.2f}"))
    for n in candidates.notes:
        if not n.published:
            marks.append(_held(n.end, f"held back: {n.annotator} {n.kind} {n.text} "
                                      f"\u00b7 {n.confidence:.2f}"))
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
    times_named = Counter(m.entity_id for m in ann.entities)
    speakers = {a.source_id for a in ann.attributions if a.kind in SPEECH}
    entities = index.entities
    link_first = config.entities.link == "first"
    link_mentions = config.entities.link_mentions
    for m in ann.entities:
        info = entities.get(m.entity_id)  # index.entity_for
        if info is None:
            continue
        # The cheap tests first (they only skip a mention, as the order below does):
        # with `link = "first"`, an entity is linked once; quiet by default, an entity
        # named once in passing is not linked; one the article comes back to (the
        # dateline counts) or quotes is, at its first mention.
        if m is not opener and link_first and (
                info.id in shown_entities or (info.id not in speakers
                                              and times_named[info.id] < link_mentions)):
            continue
        if not view.annotatable(m.start, m.end):
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
        shown_entities[info.id] = info
        marks.append(Mark(
            m.start, m.end,
            f'{_entity_open(info.type, root + info.url, info.id)} '
            f'data-origin="{_attr(m.origin)}" data-confidence="{m.confidence:.2f}" '
            f'aria-describedby="{_attr(f"pop-e-{info.id}")}">', "</a>", order=2))
        taken.add(m.start, m.end)

    shown_terms: dict[str, Term] = {}
    terms_first = config.glossary.link == "first"
    for g in ann.glossary:
        info_t = index.terms.get(g.term_id)
        if info_t is None or (terms_first and g.term_id in shown_terms):
            continue
        if taken.overlaps(g.start, g.end):
            continue
        if not view.annotatable(g.start, g.end) or view.block_at(g.start) == "heading":
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
        channels = tuple(dict.fromkeys(_channel(a.via) for a in items if a.via))
        sources.append(SourceSummary(
            key=key, name=entity.name if entity else (first.source_name or first.source
                                                       or "Unnamed source"),
            kind=source_kind(first, entity), entity=entity, count=len(items),
            channels=channels, statements=tuple(items)))
    number = {s.key: i + 1 for i, s in enumerate(sources)}
    text = view.text
    statements: list[tuple[int, Attribution]] = []  # (source number, statement)
    placed: set[tuple[int, int, int]] = set()  # one statement per source and quote span
    for a in sorted(ann.attributions, key=lambda a: (a.start, a.end)):
        if a.start >= a.end:
            continue
        if a.kind in SPEECH:
            n = number[_source_key(a)]
            if (n, a.start, a.end) in placed:
                continue
            placed.add((n, a.start, a.end))
            statements.append((n, a))
        elif a.kind == "unverified":
            marks.append(Mark(a.start, a.end, '<span class="attr attr-unverified">', "</span>",
                              order=1))
            flag = _marker_pos(text, a.start, a.end)
            marks.append(Mark(flag, flag,
                              '<a class="flag-unverified" href="#sources" data-pop="pop-u" '
                              'aria-describedby="pop-u">unverified</a>', ""))
        elif a.kind == "credit":
            marks.append(Mark(a.start, a.end, '<span class="attr attr-credit">', "</span>",
                              order=1))
    for k, (n, a) in enumerate(statements, start=1):
        # Direct quotes are <q> (the text keeps its own quotation marks: the theme sets
        # `quotes: none`), one per quoted run ("…," Mulder said. "…" is two); reported
        # speech is a <span>. Both name their source and their statement (the marker
        # lights them up on hover or focus).
        tag = "q" if a.kind == "direct" else "span"
        who = sources[n - 1].name
        entity = sources[n - 1].entity
        cite = root + entity.url if entity else f"#source-{n}"
        runs = _quoted_runs(text, a.start, a.end) if tag == "q" else [(a.start, a.end)]
        for s, e in runs:
            marks.append(Mark(s, e,
                              f'<{tag} class="attr attr-{_attr(a.kind)}" data-source="{n}" '
                              f'data-source-name="{_attr(who)}" '
                              f'data-confidence="{a.confidence:.2f}" data-stmt="{k}"'
                              + (f' cite="{_attr(cite)}">' if tag == "q" else ">"),
                              f"</{tag}>", order=1))
    marks.extend(_markers(text, statements, sources, set(shown_entities)))
    marks.extend(note_marks(ann.notes, view, taken, marks))  # plugins' (docs/plugins.md)

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
        marks.extend(held_marks(art, config.annotate.publish_threshold))
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
