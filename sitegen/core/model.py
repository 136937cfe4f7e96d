"""Frozen values passed between the build stages (parse -> annotate -> index -> render)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Source:
    """One Markdown file as read from disk."""

    path: Path  # absolute path
    rel: str  # path relative to the content folder, POSIX style
    text: str
    digest: str  # sha256 of the text


@dataclass(frozen=True, slots=True)
class Cover:
    image: str
    alt: str = ""
    credit: str = ""
    caption: str = ""


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """Validated front matter."""

    title: str
    date: dt.datetime | None
    updated: dt.datetime | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = ""
    slug: str = ""
    draft: bool = False
    cover: Cover | None = None
    location: str = ""
    extra: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of plain text that came from one inline token of the Markdown body.

    `start`/`end` are offsets in `TextView.text`; `src` is the offset of the same run in
    the source file (or -1 when it could not be located, e.g. after backslash escapes).
    `kind` is "text", "code", "link" (text inside a link) or "html".
    `block` is the enclosing block type ("paragraph", "heading", "list", "blockquote", "table").
    """

    start: int
    end: int
    src: int
    kind: str
    block: str


@dataclass(frozen=True, slots=True)
class Override:
    """An author's inline correction: `[Peskov]{entity=dmitry-peskov}` or `[Apple]{.no-entity}`."""

    start: int
    end: int
    entity: str | None  # forced entity id, or None
    no_entity: bool = False
    no_glossary: bool = False


def _seg_start(seg: Segment) -> int:
    return seg.start


def _seg_end(seg: Segment) -> int:
    return seg.end


@dataclass(frozen=True, slots=True)
class TextView:
    """The article body as the NLP sees it: the text of every block, blocks separated by
    blank lines, with where each run came from and what must never be annotated."""

    text: str
    segments: tuple[Segment, ...]
    overrides: tuple[Override, ...] = ()

    # Segments are in text order and do not overlap, so their starts and ends are both
    # sorted: each lookup is a binary search, not a scan (linear time on long articles).

    def annotatable(self, start: int, end: int) -> bool:
        """True when [start, end) lies in plain text segments only (no code, links, html)."""
        segments = self.segments
        i = bisect_right(segments, start, key=_seg_end)  # the first segment ending after it
        while i < len(segments) and segments[i].start < end:
            if segments[i].kind != "text":
                return False
            i += 1
        return True

    def block_at(self, pos: int) -> str:
        segments = self.segments
        i = bisect_right(segments, pos, key=_seg_end)
        if i < len(segments) and segments[i].start <= pos:
            return segments[i].block
        return ""

    def source_offset(self, pos: int) -> int:
        """Map an offset in `text` to an offset in the Markdown source file (best effort)."""
        segments = self.segments
        i = bisect_left(segments, pos, key=_seg_end)  # the first segment ending at or after
        while i < len(segments) and segments[i].start <= pos:
            if segments[i].src >= 0:
                return segments[i].src + (pos - segments[i].start)
            i += 1
        i = bisect_right(segments, pos, key=_seg_start) - 1
        while i >= 0 and segments[i].src < 0:
            i -= 1
        return segments[i].src + (pos - segments[i].start) if i >= 0 else -1


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed article: front matter, Markdown tokens and the text view for the NLP."""

    source: Source
    meta: ArticleMeta
    body: str
    body_offset: int  # offset of the body in the source text
    body_line: int  # 1-based line of the body's first line in the source file
    view: TextView
    tokens: tuple[Any, ...] = field(repr=False, compare=False)  # markdown-it Tokens


@dataclass(frozen=True, slots=True)
class EntityMention:
    start: int  # offsets in TextView.text
    end: int
    text: str
    label: str  # OntoNotes label: PERSON, ORG, GPE, LOC, FAC, NORP, ...
    entity_id: str
    name: str  # canonical name
    origin: str = "model"  # "model", "kb", "document", "override"
    confidence: float = 1.0  # calibrated probability that the mention is right (0..1)
    published: bool = True  # shown to readers: at or above the publish threshold


@dataclass(frozen=True, slots=True)
class GlossaryMatch:
    start: int
    end: int
    text: str
    term_id: str
    term: str
    origin: str = "glossary"
    confidence: float = 1.0
    published: bool = True


@dataclass(frozen=True, slots=True)
class Attribution:
    kind: str  # direct, indirect, according_to, unverified, credit
    start: int  # span of the attributed content (quote) in TextView.text
    end: int
    quote: str
    source: str | None = None  # as written
    source_start: int = -1
    source_end: int = -1
    source_id: str | None = None
    source_name: str | None = None
    source_kind: str = "unnamed"  # person, organisation, media, unnamed
    cue: str | None = None
    cue_start: int = -1
    cue_end: int = -1
    via: str | None = None
    rule: str = ""  # the construction that found it: "quote", "reported", "according", ...
    confidence: float = 1.0  # calibrated probability that it is right, speaker included
    published: bool = True


@dataclass(frozen=True, slots=True)
class Note:
    """What a plugin annotator (docs/plugins.md) found: a labelled span of the text, shown
    as a mark around it (a link when `href` is set) and exported as it is."""

    kind: str  # what it is, in the plugin's words: "amount", "date", ...
    start: int  # offsets in TextView.text
    end: int
    text: str
    label: str = ""  # a normalised value, e.g. "EUR 2,500,000"
    title: str | None = None  # shown on hover
    href: str | None = None  # http(s) or relative URL the mark links to
    confidence: float = 1.0
    published: bool = True
    annotator: str = ""  # the plugin's name; the pipeline fills it in


@dataclass(frozen=True, slots=True)
class Annotations:
    entities: tuple[EntityMention, ...] = ()
    glossary: tuple[GlossaryMatch, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    notes: tuple[Note, ...] = ()  # plugin annotators', in the order the site lists them

    def statements(self) -> tuple[Attribution, ...]:
        """Speech with a known source, each statement once: one that lies inside another of
        the same source ('any party' inside 'to endorse any party') is left out."""
        speech = [a for a in self.attributions
                  if a.source_id and a.kind in ("direct", "indirect", "according_to")]
        # Compared within each source only, each quote casefolded once.
        by_source: dict[str, list[tuple[Attribution, str]]] = {}
        for a in speech:
            by_source.setdefault(a.source_id or "", []).append((a, a.quote.casefold()))

        def inside(a: Attribution, qa: str, b: Attribution, qb: str) -> bool:
            if b is a:
                return False
            if b.start <= a.start and a.end <= b.end and (b.end - b.start) > (a.end - a.start):
                return True  # the same words, a shorter cut
            return qa in qb and (len(qb) > len(qa) or b.start < a.start)  # said again

        def kept(a: Attribution) -> bool:
            same = by_source[a.source_id or ""]
            qa = a.quote.casefold()
            return not any(inside(a, qa, b, qb) for b, qb in same)

        return tuple(a for a in speech if kept(a))

    def published(self) -> Annotations:
        """What readers see: the annotations at or above their publish threshold."""
        if (all(m.published for m in self.entities) and all(g.published for g in self.glossary)
                and all(a.published for a in self.attributions)
                and all(n.published for n in self.notes)):
            return self
        return Annotations(
            entities=tuple(m for m in self.entities if m.published),
            glossary=tuple(g for g in self.glossary if g.published),
            attributions=tuple(a for a in self.attributions if a.published),
            notes=tuple(n for n in self.notes if n.published),
        )


@dataclass(frozen=True, slots=True)
class AnnotatedDocument:
    """`annotations` are what readers see (published only); `candidates` every annotation
    the annotators proposed, held-back ones included (the preview's inspector and
    `sitegen annotate --all` show them)."""

    document: Document
    annotations: Annotations
    candidates: Annotations | None = None
    # A digest of the annotations (the sha256 of their cache entry, with the editors'
    # decisions that apply): what the page keys hash instead of the annotations themselves.
    # None without a cache. Candidates, thresholds and decisions determine what is published,
    # so it stands for `annotations` and `candidates` both.
    digest: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, document: Document, candidates: Annotations,
           digest: str | None = None) -> AnnotatedDocument:
        return cls(document, candidates.published(), candidates, digest)

    @property
    def all_annotations(self) -> Annotations:
        return self.candidates if self.candidates is not None else self.annotations
