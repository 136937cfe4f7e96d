"""Document-level consistency: one name, one type and one id within an article.

- Mentions of one name (case and possessive ignored) are one group; the group's type is
  decided by the knowledge base, then by person evidence (a surname of a full name seen in
  the article is a person), then by the place gazetteer and the model's majority vote.
- A surname ("Peskov") shares the id of the nearest full name ("Dmitry Peskov").
- Every further occurrence of a recognised name is a mention too (the model misses names
  it has just found a paragraph earlier, and names in ALL CAPS headlines).
- A single capitalised word whose capital says nothing (it opens a sentence, a line or a
  heading, or stands before a role: "Caretaker Prime Minister", "Opposition Leader") is no
  name when it is a common word: written in lower case elsewhere in the article, or a
  dictionary word that the article never capitalises where capitals mean something.
- A dateline ("ROTTERDAM — ...", "LONDON 1996-08-30") names a place, wherever else the
  article uses the name.
- What a name is follows from its head word where that is unambiguous: laws and
  regulations ("... Regulation", "... Act") are LAW, newspapers ("... Times", "the daily
  X") are organisations, hospitals and clinics are facilities.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sitegen.annotate.entities.cleanup import Cleanup, inside_range
from sitegen.annotate.entities.gazetteer import MAJOR, is_title, looks_demonym, place_rank
from sitegen.annotate.entities.names import (
    LEGAL_FORMS,
    abbreviation_after,
    is_event,
    org_short_forms,
    person_short_forms,
)
from sitegen.annotate.entities.spans import Cand
from sitegen.core.spans import Spans
from sitegen.source.frontmatter import slugify

if TYPE_CHECKING:
    from spacy.tokens import Doc

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
PROPAGATE = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
POSSESSIVE = re.compile(r"['\u2019]s?$")
# Head words that make a name a law or regulation (OntoNotes LAW, not an organisation).
LAW_HEADS = frozenset({
    "act", "regulation", "regulations", "directive", "treaty", "constitution", "charter",
    "protocol", "statute", "ordinance", "amendment", "decree",
})
# Head words of newspapers and news magazines: organisations (CoNLL and OntoNotes agree).
PRESS_HEADS = frozenset({
    "times", "post", "herald", "journal", "gazette", "tribune", "telegraph", "chronicle",
    "guardian", "observer", "courier", "mail", "express", "mirror", "dagblad", "zeitung",
    "inquirer", "examiner", "bulletin", "courant", "krant", "dispatch", "gazet", "monde",
})
# Words around a name that say it is a newspaper ("the daily X", "X newspaper").
PRESS_WORDS = frozenset({"newspaper", "daily", "weekly", "tabloid", "paper", "magazine",
                         "broadsheet", "newsweekly"})
# Head words of hospitals and clinics: facilities (a "... Hospital Group" is an organisation).
FACILITY_HEADS = frozenset({"hospital", "clinic", "infirmary", "hospice", "sanatorium"})
# A dateline opening a block: a place in capitals, then a dash or a date
# ("ROTTERDAM — ...", "LONDON 1996-08-30").
DATELINE = re.compile(
    r"(?:^|\n\n)([A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+){0,3})"
    r"(?=\s*(?:[\u2014\u2013]|-\s|,?\s+\d{4}-\d\d-\d\d))")


def norm_key(text: str) -> str:
    text = " ".join(text.replace("\u2019", "'").split())
    return POSSESSIVE.sub("", text).lower() if text.endswith(("'s", "'")) else text.lower()


@dataclass(slots=True)
class Group:
    key: str
    forms: Counter[str] = field(default_factory=Counter)
    votes: Counter[str] = field(default_factory=Counter)
    fixed: Cand | None = None
    label: str = ""
    full: list[tuple[int, str]] = field(default_factory=list)  # (offset, full-name key)

    def form(self) -> str:
        """The preferred written form: mixed case over ALL CAPS, then the most frequent."""
        if not self.forms:
            return self.key
        return max(self.forms, key=lambda f: (not f.isupper() or len(f) <= 4, self.forms[f]))


def caps_blocks(text: str) -> list[tuple[int, int]]:
    """Blocks written in capitals (headlines, datelines), where the model is unreliable."""
    out: list[tuple[int, int]] = []
    pos = 0
    for block in text.split("\n\n"):
        letters = [c for c in block if c.isalpha()]
        upper = sum(c.isupper() for c in letters)
        if len(letters) >= 8 and upper >= 0.8 * len(letters):
            out.append((pos, pos + len(block)))
        pos += len(block) + 2
    return out


class Resolver(Cleanup):
    def __init__(self, doc: Doc, text: str, cands: list[Cand],
                 headings: list[tuple[int, int]] | None = None,
                 common_word: Callable[[str], bool] | None = None) -> None:
        self.doc = doc
        self.text = text
        self.caps = caps_blocks(text)
        self.headings = headings or []
        self.common_word = common_word or (lambda _w: False)
        caps = Spans(self.caps)  # disjoint blocks: inside the union is inside one block
        self.cands = [c for c in cands if c.fixed or not caps.within(c.start, c.end)]
        self.press: set[str] = set()
        self.groups: dict[str, Group] = {}
        # short form key -> [(offset of the full name, full name key, priority)]
        self.short_of: dict[str, list[tuple[int, str, int]]] = {}
        self.short_written: dict[str, Counter[str]] = {}

    def group(self, key: str) -> Group:
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = Group(key)
        return g

    def run(self) -> list[Cand]:
        self._drop_common_words()
        self._complete_facilities()
        self._collect()
        self._decide_labels()
        self._propagate()
        self._gazetteer_places()
        self._assign_ids()
        return self.cands

    def datelines(self) -> list[tuple[int, int]]:
        """(start, end) of each dateline's place name."""
        return [(m.start(1), m.end(1)) for m in DATELINE.finditer(self.text)
                if m.group(1).upper() not in ("UPDATE", "BREAKING", "EXCLUSIVE", "ANALYSIS")
                and not inside_range(m.start(1), self.caps)]  # a headline in capitals

    def _press_context(self, c: Cand) -> bool:
        """"the daily X", "X newspaper", "the X newspaper reported"."""
        before = self.text[max(0, c.start - 20):c.start].lower().split()
        after = self.text[c.end:c.end + 20].lower().split()
        return bool((before and before[-1] in PRESS_WORDS)
                    or (after and after[0].strip(".,;:'\u2019s") in PRESS_WORDS))

    def _collect(self) -> None:
        for c in self.cands:
            surface = self.text[c.start:c.end]
            if not c.fixed and self._press_context(c):
                self.press.add(norm_key(surface))
            g = self.group(norm_key(surface))
            g.forms[POSSESSIVE.sub("", surface) if surface.endswith("'s") else surface] += 1
            if c.fixed and g.fixed is None:
                g.fixed = c
            else:
                g.votes[c.label] += 1
        for c in self.cands:  # short forms of the full names
            surface = self.text[c.start:c.end]
            full = norm_key(surface)
            shorts: list[str] = []
            if c.label == "PERSON":
                shorts = person_short_forms(surface)
            elif c.label == "ORG":
                shorts = org_short_forms(surface)
            abbr = abbreviation_after(self.text, c.end, surface)
            if abbr:
                shorts.append(abbr)
            for rank, short in enumerate(shorts):
                key = norm_key(short)
                if key != full:
                    self.short_of.setdefault(key, []).append((c.start, full, rank))
                    self.short_written.setdefault(key, Counter())[short] += 1

    def _decide_labels(self) -> None:
        for g in self.groups.values():
            g.label = g.fixed.label if g.fixed is not None else _vote(g)
            if g.fixed is None and g.key in self.press and not place_rank(g.key) and g.label in (
                    "PERSON", "GPE", "LOC", "FAC", "WORK_OF_ART", "PRODUCT", "ORG"):
                g.label = "ORG"
        for key, options in self.short_of.items():
            g = self.group(key)
            if g.fixed is None:
                full = self.groups[min(options, key=lambda o: (o[2], o[0]))[1]]
                g.label = full.label
        self._dateline_places()
        for c in self.cands:
            if not c.fixed:
                c.label = self.groups[norm_key(self.text[c.start:c.end])].label

    def _dateline_places(self) -> None:
        """A dateline names a place: its name is a place throughout the article."""
        for start, end in self.datelines():
            if _overlaps([(c.start, c.end) for c in self.cands if c.fixed], start, end):
                continue
            key = norm_key(self.text[start:end])
            same = [c for c in self.cands if c.start == start and c.end == end]
            if not same:
                if _overlaps([(c.start, c.end) for c in self.cands], start, end):
                    continue
                self.cands.append(Cand(start, end, "GPE", "document"))
                self.group(key).forms[self.text[start:end]] += 1
            g = self.group(key)
            if g.fixed is None:
                g.label = "GPE"

    def _propagate(self) -> None:
        """Add the occurrences of known names that the model did not mark."""
        keys = {k for k, g in self.groups.items() if g.label in PROPAGATE}
        keys |= set(self.short_of)
        if not keys:
            return
        taken = Spans((c.start, c.end) for c in self.cands)
        alternatives = "|".join(
            re.escape(k).replace(r"\ ", r"\s+") for k in sorted(keys, key=len, reverse=True)
        )
        pattern = re.compile(r"(?<![\w-])(?:" + alternatives + r")(?![\w-])", re.IGNORECASE)
        added: list[Cand] = []
        for m in pattern.finditer(self.text):
            if taken.overlaps(m.start(), m.end()):
                continue
            key = norm_key(m.group(0))
            g = self.groups.get(key)
            forms = (g.forms if g else Counter()) + self.short_written.get(key, Counter())
            if not self._acceptable(m.start(), m.end(), m.group(0), forms):
                continue
            added.append(Cand(m.start(), m.end(), g.label if g else "PERSON", "document"))
        self.cands.extend(added)

    def _gazetteer_places(self) -> None:
        """Names of countries, states and big cities the model missed (GeoNames)."""
        taken = Spans((c.start, c.end) for c in self.cands)
        caps = Spans(self.caps)
        doc = self.doc
        runs: list[tuple[int, int]] = []  # token ranges
        i = 0
        while i < len(doc):
            tok = doc[i]
            if not (tok.text[:1].isupper() and tok.is_alpha):
                i += 1
                continue
            j = i + 1
            while j < len(doc) and doc[j].text[:1].isupper() and doc[j].is_alpha and not doc[
                j - 1
            ].whitespace_.count("\n"):
                j += 1
            if caps.overlaps(tok.idx, tok.idx + 1):  # inside an all-capitals range
                runs.extend((a, b) for a in range(i, j) for b in range(a + 1, min(j, a + 3) + 1))
            else:
                runs.append((i, j))
            i = j
        for a, b in runs:
            span = doc[a:b]
            start, end = span.start_char, span.end_char
            if place_rank(span.text) != MAJOR or taken.overlaps(start, end):
                continue
            if len(span) == 1 and span[0].is_sent_start and span[0].pos_ != "PROPN":
                continue
            if a > 0 and is_title(doc[a - 1].text):
                continue
            self.cands.append(Cand(start, end, "GPE", "model"))
            taken.add(start, end)
            g = self.group(norm_key(span.text))
            g.label = g.label or "GPE"
            g.forms[span.text] += 1

    def _acceptable(self, start: int, end: int, found: str, forms: Counter[str]) -> bool:
        if found not in forms and not (found.isupper() and len(found) > 2) and not any(
            f.isupper() and len(f) > 4 and found[:1].isupper() and f.lower() == found.lower()
            for f in forms
        ):
            return False
        span = self.doc.char_span(start, end)
        if span is None:
            return False
        # A capitalised common word opening a sentence ("Such", "Given") is no name.
        first = span[0]
        return not (
            first.is_sent_start and len(span) == 1 and first.pos_ != "PROPN"
            and (first.is_stop or first.tag_ != "NNP")
        )

    def _assign_ids(self) -> None:
        names: dict[str, str] = {}
        for c in self.cands:
            if c.entity_id:
                continue
            key = norm_key(self.text[c.start:c.end])
            full = self._full_name(key, c.start)
            if full is not None:
                c.name = self.groups[full].form() if full in self.groups else full
            else:
                g = self.groups.get(key)
                c.name = g.form() if g else self.text[c.start:c.end]
            c.name = names.setdefault(c.name.lower(), c.name)
            c.entity_id = slugify(c.name) or None
            if c.origin == "model" and full is not None and full != key:
                c.origin = "document"

    def _full_name(self, key: str, pos: int) -> str | None:
        options = self.short_of.get(key)
        if not options:
            return None
        before = [o for o in options if o[0] <= pos]
        if before:
            return max(before, key=lambda o: (o[0], -o[2]))[1]
        return min(options, key=lambda o: (o[2], o[0]))[1]


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return Spans(taken).overlaps(start, end)


def head_label(form: str) -> str | None:
    """The label a name's head word decides: LAW, ORG (newspapers) or FAC (hospitals)."""
    words = form.lower().replace("\u2019", "'").split()
    if len(words) < 2:
        return None
    head = words[-1].strip(".,;:")
    if head in LAW_HEADS:
        return "LAW"
    if head in PRESS_HEADS:
        return "ORG"
    if head in FACILITY_HEADS or " ".join(words[-2:]) in ("medical center", "medical centre"):
        return "FAC"
    return None


def _vote(g: Group) -> str:
    votes = g.votes
    form = g.form()
    rank = place_rank(form)
    top = votes.most_common()
    label = top[0][0] if top else "ORG"
    by_head = head_label(form)
    if by_head is not None and label in ("ORG", "GPE", "LOC", "FAC", "PERSON", "WORK_OF_ART",
                                         "PRODUCT", "LAW", "NORP", "EVENT"):
        return by_head
    if label in ("ORG", "GPE", "LOC", "FAC", "PERSON") and is_event(form):
        return "EVENT"
    if " " in form and form.split()[-1].lower() in LEGAL_FORMS:
        return "ORG"
    if label in PLACE_LABELS and looks_demonym(form) and " " not in form:
        return "NORP"
    if rank == MAJOR and label in ("PERSON", "ORG") and not votes.get("GPE"):
        return "GPE" if label == "PERSON" or votes[label] <= 1 else label
    if rank and label == "PERSON" and " " not in form and votes.get("PERSON", 0) <= 2:
        return "GPE"
    return label
