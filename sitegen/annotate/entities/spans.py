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

from sitegen.annotate.entities.gazetteer import is_title, looks_demonym, name_particles, place_rank
from sitegen.core.spans import Spans

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


# Last words of organisation names, never of a person's ("Electric Co", "Motors Corp").
ORG_HEADS = frozenset({
    "inc", "corp", "co", "ltd", "llc", "plc", "sa", "ag", "nv", "group", "bank", "party",
    "motors", "company", "corporation", "holdings", "international", "foundation", "trust",
    "council", "board", "club", "united", "city", "association", "union", "institute",
})
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


def _role_then_person(tokens: list[Token]) -> int:
    """Index of a role word between a name and a person's full name inside a span the model
    did not label a person ("Rotterdam Mayor Jane Doe" as one organisation), else -1."""
    for k in range(1, len(tokens) - 2):
        tok = tokens[k]
        tail = tokens[k + 1:]
        if not (is_title(tok.text) and tok.is_title) or any(is_title(t.text) for t in tail):
            continue
        if all((is_capitalised(t) and t.is_alpha) or t.lower_ in name_particles()
               for t in tail) and tail[-1].lower_ not in ORG_HEADS:
            return k
    return -1


def _split_title(tokens: list[Token], label: str) -> list[tuple[list[Token], str]]:
    """[(tokens, label)]: a role word inside a person span splits it."""
    if label != "PERSON" and len(tokens) >= 4 and _role_then_person(tokens) > 0:
        k = _role_then_person(tokens)
        head = _trim(tokens[:k])
        return ([(head, _prefix_label(head))] if head else []) + [(tokens[k + 1:], "PERSON")]
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


def _number_cut(whole: list[Token], piece: list[Token]) -> bool:
    """A one-word name cut from a number the model's span joined it to ("Natura 2000",
    "Formula 1"): the name is the whole, and the word alone names nothing."""
    if len(piece) != 1 or piece[-1] is whole[-1]:
        return False
    after = whole[whole.index(piece[-1]) + 1]
    return bool(after.like_num and piece[-1].whitespace_ == " ")


def clean_span(doc: Doc, span: Span, label: str) -> list[Cand]:
    """Clean name spans inside one raw span (none when it holds no name)."""
    if label not in NAME_LABELS:
        return []
    out: list[Cand] = []
    tokens = list(span)
    if label == "PERSON":
        tokens = _close_nickname(doc, tokens)
    for piece in _pieces(tokens, label):
        whole = piece
        piece = _trim(piece)
        if not piece:
            continue
        if _number_cut(whole, piece):
            continue  # "Natura" of "Natura 2000": a part of a name is no name
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
