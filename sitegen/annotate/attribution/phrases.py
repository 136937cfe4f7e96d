"""The source noun phrase of a cue: the cue's subject (borrowed from the governing verb for
"adding", "and said") and the token range of the phrase it heads."""

from __future__ import annotations

from typing import Any

from sitegen.annotate.attribution.cues import CHANNEL_WORDS

Token = Any  # spacy.tokens.Token (spaCy ships no type information)

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_EDGE_PUNCT = frozenset({"punct", "cc"})
_LOOSE_DEPS = frozenset({"acl", "advcl"})
_CHANNEL_PREPS = frozenset({"on", "to", "via", "in"})


def subject_of(verb: Token) -> Token | None:
    """The subject of a cue verb, borrowed from the governing verb for "adding", "and said"."""
    tok = verb
    for _ in range(4):
        agent: Token | None = None
        subjects: list[Token] = []
        for child in tok.children:
            if child.dep_ in _SUBJECTS:
                if child.dep_ == "nsubjpass" or child.ent_type_ in ("DATE", "TIME"):
                    continue
                subjects.append(child)
            if child.dep_ == "agent":
                agent = next((c for c in child.children if c.dep_ == "pobj"), None)
        if subjects:  # "The coach Maria Lindqvist said": the one next to the verb
            before = [c for c in subjects if c.i < tok.i]
            return before[-1] if before else subjects[0]
        if agent is not None:
            return agent
        if any(c.dep_ == "nsubjpass" for c in tok.children):
            return None  # passive without agent: "it was reported that"
        if tok.dep_ in ("conj", "xcomp", "advcl") and tok.head is not tok and tok.head.pos_ in (
            "VERB", "AUX"
        ):
            tok = tok.head
            continue
        if tok.dep_ == "acl" and tok.head.pos_ in ("NOUN", "PROPN") and tok.head.i < tok.i:
            return tok.head  # "groups claiming loyalty to Russia"
        if tok.dep_ == "relcl" and tok.head is not tok:
            return tok.head  # "Peskov, who said ..." without a parsed "who"
        return None
    return None


def _restrictive_end(head: Token, hi: int) -> int:
    """End of the phrase without a participle set off by a comma: 'Trump, speaking to
    veterans in Virginia, said' (relative clauses and appositions stay: news sources are
    often introduced with them)."""
    doc = head.doc
    for child in head.rights:
        if child.i >= hi:
            break
        edge = child.left_edge.i
        if (child.dep_ in _LOOSE_DEPS and child.tag_ in ("VBG", "VBN") and edge > 0
                and doc[edge - 1].text == ","):
            return int(edge) - 1
    return hi


def phrase_bounds(head: Token, blocked: set[int]) -> tuple[int, int]:
    """Token range [i, j) of the noun phrase headed by `head`, without quoted text,
    edge punctuation and anything outside its sentence."""
    sent = head.sent
    lo, hi = head.left_edge.i, head.right_edge.i + 1
    lo, hi = max(lo, sent.start), min(hi, sent.end)
    # stop at quoted text on either side of the head
    doc = head.doc
    for i in range(head.i - 1, lo - 1, -1):
        if i in blocked or (doc[i].is_space and "\n" in doc[i].text):
            lo = i + 1
            break
    for i in range(head.i + 1, hi):
        if i in blocked or (doc[i].is_space and "\n" in doc[i].text):
            hi = i
            break
    hi = min(hi, _restrictive_end(head, hi))
    for child in head.rights:  # "Kuleba on Telegram": the channel is not the source
        if child.dep_ == "prep" and child.lower_ in _CHANNEL_PREPS and child.i < hi:
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and {t.lower_ for t in pobj.subtree} & CHANNEL_WORDS:
                hi = child.i
                break
    while lo < head.i and (doc[lo].dep_ in _EDGE_PUNCT or doc[lo].is_punct):
        lo += 1
    while hi - 1 > head.i and (doc[hi - 1].dep_ in _EDGE_PUNCT or doc[hi - 1].is_punct):
        hi -= 1
    return lo, hi
