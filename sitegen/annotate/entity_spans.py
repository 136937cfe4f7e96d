"""Turn the model's raw entity spans into clean name spans.

A name is a run of capitalised words: determiners, possessive endings, pronouns, numbers,
lower-case words at either edge and trailing punctuation are not part of it. A role in front
of a person's name ("Kyiv Governor Oleksiy Kuleba") is split off, and what precedes the role
becomes a mention of its own when it is a name ("Kyiv"). Spans that run across a dash, a
slash, a bracket or a line break are cut there ("Juan BARRETO / AFP").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..spans import Spans
from .entity_gazetteer import is_title, looks_demonym, name_particles, place_rank

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Labels kept as mentions; the numeric and temporal ones (DATE, MONEY, ...) are not names.
NAME_LABELS = frozenset({
    "PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW",
})
BREAKS = frozenset({"-", "\u2013", "\u2014", "/", "|", "(", ")", "[", "]", ":", ";", "+",
                    "\u2022", "=", ",", "\"", "\u201c", "\u201d"})
CONNECTORS = frozenset({"of", "de", "del", "della", "di", "du", "da", "dos", "das", "van",
                        "von", "der", "den", "la", "le", "el", "al", "bin", "ibn", "and",
                        "&", "for", "on", "the", "y", "e", "st", "st.", "'s", "\u2019s"})
# Company suffixes: the word before them is the name the article goes on to use.
MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august",
                    "september", "october", "november", "december", "monday", "tuesday",
                    "wednesday", "thursday", "friday", "saturday", "sunday"})


@dataclass(slots=True)
class Cand:
    """A candidate mention: character offsets into the view's text."""

    start: int
    end: int
    label: str
    origin: str = "model"
    entity_id: str | None = None
    name: str | None = None
    fixed: bool = False  # label and id decided (knowledge base or override)


EDGE_POS = frozenset({"PRON", "DET", "ADP", "CCONJ", "PART", "AUX", "NUM"})


def is_capitalised(tok: Token) -> bool:
    text = tok.text
    return bool(text[:1].isupper() or (text[:1].isdigit() and any(c.isupper() for c in text)))


def _is_edge_junk(tok: Token) -> bool:
    """Words that never start or end a name."""
    low = tok.lower_
    if tok.is_punct or tok.is_space or tok.like_num or low in MONTHS:
        return True
    if tok.pos_ in EDGE_POS or low in ("'s", "\u2019s"):
        return True
    return not is_capitalised(tok) and low not in name_particles()


def _spaced(tok: Token) -> bool:
    return bool(tok.whitespace_) or (tok.i > 0 and bool(tok.doc[tok.i - 1].whitespace_))


QUOTES = frozenset({"\"", "\u201c", "\u201d"})


def _spaced_both(tok: Token) -> bool:
    return bool(tok.whitespace_) and tok.i > 0 and bool(tok.doc[tok.i - 1].whitespace_)


def _pieces(tokens: list[Token], label: str) -> list[list[Token]]:
    """Cut a token run at breaks (dashes, slashes, brackets, line breaks)."""
    out: list[list[Token]] = [[]]
    for tok in tokens:
        if label == "PERSON" and tok.text in QUOTES and not _spaced_both(tok):
            out[-1].append(tok)  # a nickname: Roberto "Hands of Stone" Duran
            continue
        if tok.text in BREAKS or tok.is_space or "\n" in tok.whitespace_:
            if tok.text == "-" and not _spaced(tok):  # Nagorno-Karabakh
                out[-1].append(tok)
                continue
            if tok.text not in BREAKS and not tok.is_space:
                out[-1].append(tok)
            out.append([])
        else:
            out[-1].append(tok)
    return [p for p in out if p]


def _trim(tokens: list[Token]) -> list[Token]:
    i, j = 0, len(tokens)
    while i < j and _is_edge_junk(tokens[i]):
        i += 1
    while j > i and _is_edge_junk(tokens[j - 1]):
        j -= 1
    return tokens[i:j]


def _prefix_label(tokens: list[Token]) -> str:
    """Label for the words in front of a role ("Kyiv" Governor, "Russian" President)."""
    text = " ".join(t.text for t in tokens)
    if len(tokens) == 1 and (tokens[0].tag_ == "JJ" or looks_demonym(text)):
        return "NORP"
    if place_rank(text):
        return "GPE"
    return "ORG"


def _split_title(tokens: list[Token], label: str) -> list[tuple[list[Token], str]]:
    """[(tokens, label)]: a role word inside a person span splits it."""
    if label != "PERSON" or len(tokens) < 2:
        return [(tokens, label)]
    if is_title(tokens[-1].text) and tokens[-1].is_title:  # "Kyiv Governor" (name follows)
        head = _trim(tokens[:-1])
        return [(head, _prefix_label(head))] if head else []
    cut = -1
    for k, tok in enumerate(tokens[:-1]):
        if is_title(tok.text) and not any(is_title(t.text) for t in tokens[k + 1:]):
            cut = k
    if cut < 0:
        return [(tokens, label)]
    out: list[tuple[list[Token], str]] = []
    head = _trim([t for t in tokens[:cut] if not is_title(t.text)])
    if head and all(is_capitalised(t) or t.lower_ in CONNECTORS for t in head):
        out.append((head, _prefix_label(head)))
    tail = _trim(tokens[cut + 1:])
    if tail:
        out.append((tail, "PERSON"))
    return out


def _acronym(word: str) -> bool:
    """"AFP", "NATO", "U.N.": people are not named by initials alone."""
    letters = word.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def _drop(tokens: list[Token], label: str) -> bool:
    if not any(is_capitalised(t) for t in tokens):
        return True
    if all(t.pos_ == "PRON" or (t.is_stop and len(tokens) == 1) for t in tokens):
        return True
    text = "".join(t.text_with_ws for t in tokens).strip()
    return len(text) < 2 and label != "NORP"


def _close_nickname(doc: Doc, tokens: list[Token]) -> list[Token]:
    """Roberto "Hands of Stone" Duran: the model often stops inside the nickname."""
    if sum(t.text in QUOTES for t in tokens) % 2 == 0:
        return tokens
    end = tokens[-1].i + 1
    if end + 1 < len(doc) and doc[end].text in QUOTES and is_capitalised(doc[end + 1]):
        j = end + 1
        while j < len(doc) and doc[j].pos_ == "PROPN" and is_capitalised(doc[j]):
            j += 1
        return tokens + list(doc[end:j])
    return tokens


def clean_span(doc: Doc, span: Span, label: str) -> list[Cand]:
    """Clean name spans inside one raw span (none when it holds no name)."""
    if label not in NAME_LABELS:
        return []
    out: list[Cand] = []
    tokens = list(span)
    if label == "PERSON":
        tokens = _close_nickname(doc, tokens)
    for piece in _pieces(tokens, label):
        piece = _trim(piece)
        if not piece:
            continue
        for tokens, lab in _split_title(piece, label):
            if _drop(tokens, lab):
                continue
            if lab == "PERSON" and len(tokens) == 1 and _acronym(tokens[0].text):
                lab = "GPE" if place_rank(tokens[0].text) else "ORG"
            out.append(Cand(tokens[0].idx, tokens[-1].idx + len(tokens[-1].text), lab))
    return out


def _role_prefix(doc: Doc, ent: Span) -> Cand | None:
    """"Odesa Mayor [Hennadiy Trukhanov]": the name in front of the role, which the model
    left outside the person's span."""
    k = ent.start - 1
    if k < 1 or not is_title(doc[k].text) or not doc[k].is_title:
        return None
    j = k
    while j > 0 and is_capitalised(doc[j - 1]) and doc[j - 1].pos_ == "PROPN" and not (
        is_title(doc[j - 1].text)
    ):
        j -= 1
    if j == k or doc[j:k].text.count("\n"):
        return None
    head = list(doc[j:k])
    return Cand(head[0].idx, head[-1].idx + len(head[-1].text), _prefix_label(head))


def model_candidates(doc: Doc) -> list[Cand]:
    out: list[Cand] = []
    spans = Spans()
    for ent in doc.ents:
        for c in clean_span(doc, ent, ent.label_):
            out.append(c)
            spans.add(c.start, c.end)
        if ent.label_ == "PERSON":
            prefix = _role_prefix(doc, ent)
            if prefix is not None and not spans.overlaps(prefix.start, prefix.end):
                out.append(prefix)
                spans.add(prefix.start, prefix.end)
    return out
