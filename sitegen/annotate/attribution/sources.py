"""Who said it: the source noun phrase of a cue, its kind, and what it refers to.

A source is resolved to an entity: the EntityMention it overlaps (when the entity annotator
found one), else a name from the parse (a surname is matched to the full name written
earlier), else an earlier source that fits (a pronoun to a person, "the ministry" to an
organisation), else its own text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from sitegen.annotate.attribution.cues import (
    DOCUMENT_HEADS,
    FIRST_PERSON,
    GROUP_PRONOUNS,
    MEDIA_HEADS,
    MEDIA_NAMES,
    ORG_HEADS,
    PERSON_HEADS,
    PERSON_PRONOUNS,
    RELATIVE_PRONOUNS,
    TITLES,
    UNNAMED_HEADS,
)
from sitegen.core.model import EntityMention
from sitegen.source.frontmatter import slugify

Token = Any  # spacy.tokens.Token (spaCy ships no type information)
Doc = Any

_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
_MEDIA_WORDS = frozenset({"news", "times", "post", "journal", "press", "agency", "tv",
                          "radio", "television", "daily", "tribune", "herald", "gazette"})


_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.? $")
_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}


@dataclass(frozen=True, slots=True)
class Resolved:
    source: str
    start: int
    end: int
    source_id: str | None
    name: str | None
    kind: str


def _canonical(name: str) -> str:
    name = name.strip().replace("\u2019", "'")
    if name.lower().startswith("the "):
        name = name[4:]
    if name.endswith("'s"):
        name = name[:-2]
    return name.strip(" ,.;:")


def _core(words: list[str]) -> list[str]:
    """A person's name without titles: ["Mr.", "King"] -> ["King"]."""
    out = [w for w in words if w.lower() not in TITLES]
    return out or words


def _where_they_are(head: Token, tok: Token) -> bool:
    """'a nurse at the Dordrecht site', 'a resident from Kyiv': a name in a place phrase of
    a common noun says where the speaker is, not who ('for the ministry' still speaks)."""
    if head.pos_ != "NOUN":
        return False
    for _ in range(6):  # up the tree (spaCy makes a new Token object per access: compare .i)
        if tok.i == head.i or tok.head.i == tok.i:
            return False
        if tok.dep_ == "prep" and tok.head.i == head.i and tok.lower_ in ("at", "from", "in"):
            return True
        tok = tok.head
    return False


class Resolver:
    """Resolves sources in text order; remembers earlier sources for pronouns."""

    def __init__(self, doc: Doc, entities: tuple[EntityMention, ...]) -> None:
        self.doc = doc
        self.entities = sorted(entities, key=lambda m: m.start)
        self._ent_starts = [m.start for m in self.entities]
        self.persons: list[tuple[int, list[str], str]] = []  # (start, words, full name)
        self.ents = list(doc.ents)  # doc.ents is rebuilt on every access
        self._ent_ends = [e.end for e in self.ents]
        # People as the entity annotator sees them (the knowledge base and the document's
        # consistency corrected the model: 'Rotterdam' is never a person here).
        named = [(m.start, m.name) for m in self.entities if m.label == "PERSON"]
        if not self.entities:  # no entity pass (a test, a site without entities): the model's
            named = [(e.start_char, e.text) for e in self.ents if e.label_ == "PERSON"]
        for at, name in named:
            words = _core(_canonical(name).split())
            self.persons.append((at, words, " ".join(words)))
        # 'Mr. Obama', 'Mrs. Clinton': the article's own word for who is he and who is she
        self.genders: dict[str, str] = {}
        text = doc.text
        for at, words, _full in self.persons:
            honorific = _HONORIFIC.search(text, max(0, at - 6), at)
            if honorific and words:
                self.genders.setdefault(words[-1].lower(),
                                        "m" if honorific.group(1) == "Mr" else "f")
        # earlier sources: (position, kind, name, id, lower-case text)
        self.history: list[tuple[int, str, str, str, str]] = []

    def ents_in(self, lo: int, hi: int) -> list[Any]:
        """spaCy entities lying inside tokens [lo, hi)."""
        out = []
        for e in self.ents[bisect.bisect_right(self._ent_ends, lo):]:
            if e.start >= hi:
                break
            if e.start >= lo and e.end <= hi:
                out.append(e)
        return out

    # -- entities -------------------------------------------------------------------------

    def _mention(self, start: int, end: int) -> EntityMention | None:
        i = bisect.bisect_left(self._ent_starts, end)
        best: EntityMention | None = None
        for m in reversed(self.entities[max(0, i - 8):i]):
            if m.end > start and m.start < end and (
                best is None or (m.end - m.start) > (best.end - best.start)
            ):
                best = m
        return best

    def _full_person(self, words: list[str], pos: int) -> str:
        """The longest person name written in the article that ends with these words."""
        best = " ".join(words)
        n = len(words)
        for start, other, full in self.persons:
            if (len(other) > n and other[-n:] == words and (start < pos or len(best) <= n)
                    and len(full) > len(best)):
                best = full
        return best

    # -- kinds ----------------------------------------------------------------------------

    def kind_of(self, lo: int, hi: int, head: Token) -> str:
        doc = self.doc
        span = doc[lo:hi]
        lower = {t.lower_ for t in span}
        mention = self._mention(span.start_char, span.end_char)
        labels = {e.label_ for e in self.ents_in(lo, hi)}
        if mention is not None:
            labels.add(mention.label)
        head_lower = head.lower_
        if (lower & MEDIA_NAMES and ("ORG" in labels or head.pos_ == "PROPN")
                and "PERSON" not in labels):
            return "media"
        if head.lemma_.lower() in MEDIA_HEADS and (lower & {"news", "state", "media"}
                                                   or labels & {"ORG", "NORP"}):
            return "media"
        if "ORG" in labels and lower & _MEDIA_WORDS and head_lower in _MEDIA_WORDS | {"reports"}:
            return "media"
        if head_lower in ("reports", "report") and lower & {"media", "news", "press"}:
            return "media"
        if "PERSON" in labels and head.ent_type_ in ("PERSON", ""):
            return "person"
        if head_lower in PERSON_PRONOUNS or head_lower == "i":
            return "person"
        if head.ent_type_ in ("ORG", "GPE", "NORP") or (labels & {"ORG", "GPE"}):
            return "organisation"
        if head.lemma_.lower() in ORG_HEADS or head_lower in DOCUMENT_HEADS:
            return "organisation"
        if head.lemma_.lower() in PERSON_HEADS and head.tag_ != "NNS":
            return "person"
        if head.lemma_.lower() in UNNAMED_HEADS or head_lower in UNNAMED_HEADS:
            return "unnamed"
        if head.pos_ == "PROPN":
            return "person" if head.ent_type_ == "PERSON" else "organisation"
        return "unnamed"

    # -- resolution -----------------------------------------------------------------------

    def _earlier(self, pos: int, kinds: tuple[str, ...], word: str = "",
                 guess: bool = True) -> tuple[str, str] | None:
        """The latest earlier source of one of `kinds` whose text has `word`; with `guess`,
        else the latest of those kinds."""
        fallback: tuple[str, str] | None = None
        for at, kind, name, sid, text in reversed(self.history):
            if at >= pos or kind not in kinds:
                continue
            if not word or word in text or word in name.lower():
                return name, sid
            if fallback is None and guess:
                fallback = (name, sid)
        return fallback

    def _relabelled(self, ent: Any) -> bool:
        """The entity pass gave this name another kind ('Rotterdam' is no person)."""
        m = self._mention(ent.start_char, ent.end_char)
        return m is not None and (m.label == "PERSON") != (ent.label_ == "PERSON")

    def _latest_source(self, pos: int, word: str) -> tuple[int, str, str] | None:
        """(position, name, id) of the latest earlier organisation source whose words have
        `word` ('A ransomware group calling itself Cobalt Lynx' for 'the group')."""
        for at, kind, name, sid, text in reversed(self.history):
            if (at < pos and kind in ("organisation", "media") and word in text.split()
                    and name.lower() != word):
                return at, name, sid
        return None

    def _organisation_named(self, pos: int, word: str) -> EntityMention | None:
        """The latest organisation mentioned before `pos` whose name has the head word of a
        definite description ('the trust' -> 'Northfield Hospital Trust')."""
        i = bisect.bisect_left(self._ent_starts, pos)
        for m in reversed(self.entities[:i]):
            if m.label in ("ORG", "FAC") and word in m.name.lower().split():
                return m
        return None

    def _agrees(self, name: str, pronoun: str) -> bool:
        """False when the article calls this person Mr. and the pronoun is 'she' (or Mrs.,
        Ms. and 'he'); unknown genders agree with every pronoun."""
        words = name.split()
        known = self.genders.get(words[-1].lower()) if words else None
        want = _PRONOUN_GENDER.get(pronoun)
        return known is None or want is None or known == want

    def _nearest_person(self, pos: int, pronoun: str = "") -> tuple[str, str] | None:
        """The nearest earlier person that agrees with the pronoun: a person source, else a
        PERSON name in the text."""
        from_history: tuple[str, str] | None = None
        last_at = -1
        for at, kind, name, sid, _text in reversed(self.history):
            if at < pos and kind == "person" and self._agrees(name, pronoun):
                from_history, last_at = (name, sid), at
                break
        name_at = -1
        name = ""
        for start, _words, full in self.persons:
            if start < pos and start > name_at and self._agrees(full, pronoun):
                name_at, name = start, full
        if name and name_at > last_at:
            full = self._full_person(name.split(), name_at)
            return full, slugify(full)
        return from_history

    def resolve(self, lo: int, hi: int, head: Token) -> Resolved:
        doc = self.doc
        span = doc[lo:hi]
        text = span.text.strip()
        start, end = span.start_char, span.end_char
        kind = self.kind_of(lo, hi, head)
        head_lower = head.lower_
        name: str | None = None
        sid: str | None = None
        # The mention the head word belongs to, else one before the head: never a name in a
        # relative clause or apposition ('Kuipers, who leads the National Civic Party').
        head_end = head.idx + len(head.text)
        mention = self._mention(head.idx, head_end) or self._mention(start, head_end)
        if mention is not None and mention.label != "PERSON" and head.pos_ != "PROPN" and not (
                mention.start <= head.idx < mention.end):
            mention = None  # 'the South Carolina senator' is not South Carolina
        if mention is not None and head_lower not in PERSON_PRONOUNS | GROUP_PRONOUNS:
            name, sid = mention.name, mention.entity_id
            kind = "person" if mention.label == "PERSON" else kind
        elif head_lower in PERSON_PRONOUNS:
            found = self._nearest_person(start, head_lower)
            if found:
                name, sid = found
        elif head_lower in GROUP_PRONOUNS:
            found = self._earlier(start, ("organisation", "media"))
            if found:
                name, sid = found
                kind = "organisation"
        elif head_lower in RELATIVE_PRONOUNS and head.dep_ in ("nsubj", "nsubjpass"):
            antecedent = head.head.head if head.head.dep_ == "relcl" else None
            if antecedent is not None and antecedent.i < head.i:
                a_lo, a_hi = antecedent.left_edge.i, head.i
                inner = self.resolve(max(a_lo, antecedent.sent.start), a_hi, antecedent)
                return Resolved(text, start, end, inner.source_id, inner.name, inner.kind)
        else:
            name, sid, kind = self._from_parse(span, head, kind, start)
        if name is None:
            name = text
            # an unresolved description ('critics', 'a spokesperson') is unnamed: no id
            sid = None if kind == "unnamed" else slugify(text) or None
        if sid is None and kind != "unnamed":
            sid = slugify(name) or None
        if kind != "unnamed" and head_lower not in FIRST_PERSON:
            self.history.append((start, kind, name, sid or "", text.lower()))
        return Resolved(text, start, end, sid, name, kind)

    def _from_parse(
        self, span: Any, head: Token, kind: str, start: int
    ) -> tuple[str | None, str | None, str]:
        """A name from the spaCy entities inside the span, or an earlier source it points to."""
        for child in head.children:  # 'Rotterdam's mayor, Annelies Verbruggen, ...'
            if child.dep_ == "appos":
                named = self._mention(child.idx, child.idx + len(child.text))
                if named is not None and named.label == "PERSON":
                    return named.name, named.entity_id, "person"
        ents = [e for e in self.ents_in(span.start, span.end) if e.label_ in _NAME_LABELS
                and not _where_they_are(head, e.root) and not self._relabelled(e)]
        if ents:
            pick = next((e for e in ents if e.start <= head.i < e.end), None)
            if pick is None:
                for label in ("PERSON", "ORG", "GPE", "NORP"):
                    pick = next((e for e in ents if e.label_ == label), None)
                    if pick is not None:
                        break
            if pick is None:
                pick = ents[0]
            if pick.label_ == "PERSON":
                full = self._full_person(_core(_canonical(pick.text).split()), start)
                return full, slugify(full), "person"
            if pick.label_ in ("NORP", "GPE") and not (pick.start <= head.i < pick.end):
                return None, None, kind  # "Russian state news agencies", "Kyiv authorities"
            return _canonical(pick.text), None, kind
        has_name = any(t.pos_ == "PROPN" for t in span)
        lemma = head.lemma_.lower()
        definite = any(t.dep_ == "det" and t.lower_ in ("the", "this", "that") for t in span)
        if not has_name and definite:
            # 'the group': the latest earlier source or organisation called so
            named = self._organisation_named(start, head.lower_)
            said = self._latest_source(start, head.lower_)
            if said is not None and (named is None or said[0] > named.start):
                return said[1], said[2], "organisation"
            if named is not None:
                return named.name, named.entity_id, "organisation"
            if lemma in ORG_HEADS or lemma in DOCUMENT_HEADS or lemma in MEDIA_HEADS:
                found = self._earlier(start, ("organisation", "media"), lemma)
                if found:
                    return found[0], found[1], kind
            elif lemma in PERSON_HEADS:
                # 'the spokesperson': only an earlier source called so, never a guess
                found = self._earlier(start, ("person",), lemma, guess=False)
                if found:
                    return found[0], found[1], "person"
        if not has_name and lemma in PERSON_HEADS:
            # 'a spokesperson for the ministry': the organisation speaks through them
            for prep in head.children:
                if prep.dep_ == "prep" and prep.lower_ in ("for", "of", "at"):
                    obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                    if obj is not None:
                        org = self._mention(obj.idx, obj.idx + len(obj.text))
                        if org is not None and org.label != "PERSON":
                            return org.name, org.entity_id, "organisation"
                        named = self._organisation_named(start, obj.lower_)
                        if named is not None:
                            return named.name, named.entity_id, "organisation"
        if head.pos_ == "PROPN":
            words = [t.text for t in span if t.pos_ == "PROPN" and t.i <= head.i
                     and t.i >= head.i - 3 and t.text[:1].isupper()]
            full = self._full_person(_core(words), start) if words else ""
            if kind == "person" or (full and full != " ".join(_core(words))):
                return full, slugify(full), "person"
            if words and 2 <= len(_core(words)) <= 3 and not (
                {w.lower() for w in words} & (ORG_HEADS | MEDIA_HEADS | MEDIA_NAMES)
            ) and head.dep_ in ("nsubj", "pobj", "dobj", "attr", "appos", "npadvmod"):
                return " ".join(_core(words)), None, "person"
        return None, None, kind
