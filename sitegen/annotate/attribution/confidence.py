"""Features of one attribution candidate for its confidence model.

The same function feeds training (`training/train_confidence.py`) and scoring, so the model
sees at build time exactly what it was fitted on. Features are named indicators (and a few
bucketed sizes): the construction, the cue and its class, what the source is (a name, a
pronoun, a role noun, an organisation, nothing), how far apart cue, source and content are,
negation, modality and questions around the cue, and the content's shape.
"""

from __future__ import annotations

import bisect
from typing import Any

from sitegen.annotate.attribution.cues import (
    COGNITION_VERBS,
    INFINITIVE_VERBS,
    SPEECH_NOUNS,
    SPEECH_VERBS,
    WEAK_VERBS,
)
from sitegen.annotate.confidence.model import Features
from sitegen.annotate.confidence.model import bucket as _bucket
from sitegen.core.model import Attribution, EntityMention

PRONOUNS = frozenset({"he", "she", "they", "it", "i", "we", "you", "who", "which", "that"})
FIRST_PERSON = frozenset({"i", "we", "me", "us"})
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "some", "many",
                         "several", "one", "two", "three", "most", "other", "others"})
NEGATIONS = frozenset({"not", "n't", "never", "no", "nobody", "nothing", "neither", "nor"})
REFUSALS = frozenset({"decline", "refuse", "deny", "reject", "dismiss", "avoid", "refute"})
MODALS = frozenset({"would", "could", "might", "may", "will", "should", "can", "must"})
_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"


def _starts(doc: Any) -> list[int]:
    data = doc.user_data
    starts = data.get("sitegen_starts")
    if starts is None:
        starts = data["sitegen_starts"] = [t.idx for t in doc]
    return starts  # type: ignore[no-any-return]


def _token(doc: Any, pos: int) -> Any | None:
    if pos < 0 or not len(doc):
        return None
    return doc[max(0, bisect.bisect_right(_starts(doc), pos) - 1)]


def _cue_class(lemma: str) -> str:
    if lemma in ("according", "accord"):
        return "according"
    if lemma in WEAK_VERBS:
        return "weak"
    if lemma in SPEECH_VERBS:
        return "speech"
    if lemma in COGNITION_VERBS:
        return "cognition"
    if lemma in INFINITIVE_VERBS:
        return "infinitive"
    if lemma in SPEECH_NOUNS:
        return "noun"
    return "other"


def _cue_features(f: Features, cue: Any, a: Attribution) -> None:
    lemma = cue.lemma_.lower()
    cls = _cue_class(lemma)
    f[f"cue={lemma}"] = 1.0
    f[f"cue_class={cls}"] = 1.0
    f[f"cue_class*kind={cls}|{a.kind}"] = 1.0
    f[f"cue_tag={cue.tag_}"] = 1.0
    f[f"cue_dep={cue.dep_}"] = 1.0
    f[f"cue_head_dep={cue.head.dep_ if cue.head is not cue else 'self'}"] = 1.0
    children = list(cue.children)
    deps = {c.dep_ for c in children}
    lowers = {c.lower_ for c in children}
    if "neg" in deps or lowers & NEGATIONS:
        f["cue_negated"] = 1.0
    if lemma in REFUSALS:
        f["cue_refusal"] = 1.0
    if cue.head is not cue and cue.head.lemma_.lower() in REFUSALS:
        f["cue_under_refusal"] = 1.0
    if lowers & MODALS:
        f["cue_modal"] = 1.0
    if any(c.dep_ == "aux" and c.lower_ in ("to",) for c in children):
        f["cue_infinitive"] = 1.0
    if "ccomp" in deps:
        f["cue_has_ccomp"] = 1.0
    if "xcomp" in deps:
        f["cue_has_xcomp"] = 1.0
    if "dobj" in deps:
        f["cue_has_dobj"] = 1.0
    if any(c.dep_ == "mark" and c.lower_ in ("if", "whether", "when", "because") for c in
           cue.head.children) and cue.dep_ == "advcl":
        f["cue_in_condition"] = 1.0
    sent = cue.sent
    if sent.text.rstrip().endswith("?"):
        f["sentence_question"] = 1.0


def _source_features(f: Features, doc: Any, a: Attribution,
                     ents: tuple[EntityMention, ...], cue: Any | None) -> None:
    if a.source is None:
        f["source=none"] = 1.0
        f[f"source=none|{a.kind}"] = 1.0
        return
    words = a.source.split()
    first = words[0].lower() if words else ""
    head = _token(doc, a.source_end - 1) if a.source_end > 0 else None
    if len(words) == 1 and first in PRONOUNS:
        form = "first_person" if first in FIRST_PERSON else f"pronoun_{first}"
    elif any(m.start <= a.source_start < m.end or a.source_start <= m.start < a.source_end
             for m in ents if m.label == "PERSON"):
        form = "person_name"
    elif any(a.source_start <= m.start < a.source_end for m in ents):
        form = "named_other"
    elif first in DETERMINERS:
        form = "nominal_det"
    elif head is not None and head.pos_ == "PROPN":
        form = "propn"
    else:
        form = "nominal"
    f[f"source_form={form}"] = 1.0
    f[f"source_form*kind={form}|{a.kind}"] = 1.0
    f[f"source_kind={a.source_kind}"] = 1.0
    f[f"source_len={_bucket(len(words), (1, 2, 3, 5, 8))}"] = 1.0
    if a.source_id:
        f["source_has_id"] = 1.0
    if a.source_name and a.source_name.lower() != a.source.lower():
        f["source_resolved_other"] = 1.0
    if a.via:
        f["has_via"] = 1.0
    if any(ch.isdigit() for ch in a.source):
        f["source_digit"] = 1.0
    if "," in a.source:
        f["source_comma"] = 1.0
    if head is not None:
        f[f"source_head_dep={head.dep_}"] = 1.0
        f[f"source_head_pos={head.pos_}"] = 1.0
        if head.ent_type_:
            f[f"source_head_ent={head.ent_type_}"] = 1.0
        if cue is not None:
            gap = abs(cue.i - head.i)
            f[f"cue_source_gap={_bucket(gap, (1, 2, 4, 8, 16))}"] = 1.0
            if head.head is cue or (head.head.head is cue and head.dep_ == "pobj"):
                f["source_child_of_cue"] = 1.0
            if head.sent.start != cue.sent.start:
                f["source_other_sentence"] = 1.0
            f["source_before_cue" if head.i < cue.i else "source_after_cue"] = 1.0


def _content_features(f: Features, doc: Any, text: str, a: Attribution, cue: Any | None
                      ) -> None:
    quote = a.quote
    n = len(quote.split())
    f[f"quote_len={_bucket(n, (2, 4, 8, 15, 30, 60))}"] = 1.0
    before = text[a.start - 1] if a.start > 0 else ""
    after = text[a.end] if a.end < len(text) else ""
    if before and before in _MARKS:
        f["quote_opens_with_mark"] = 1.0
    if after and after in _MARKS:
        f["quote_closes_with_mark"] = 1.0
    if any(ch in _MARKS for ch in quote):
        f["quote_has_marks"] = 1.0
    if " " in quote and quote.count(".") > 1:
        f["quote_sentences"] = 1.0
    line_start = text.rfind("\n", 0, a.start) + 1
    if line_start == 0:
        f["first_paragraph"] = 1.0
    if cue is not None:
        if a.cue_start >= a.end:
            where = "after"
        elif a.cue_end <= a.start:
            where = "before"
        else:
            where = "inside"
        f[f"cue_{where}_content"] = 1.0
        f[f"cue_where*kind={where}|{a.kind}"] = 1.0
        gap = a.cue_start - a.end if where == "after" else a.start - a.cue_end
        f[f"cue_gap={_bucket(max(gap, 0), (2, 10, 40, 120))}"] = 1.0
        first = _token(doc, a.start)
        if first is not None and first.sent.start != cue.sent.start:
            f["cue_other_sentence"] = 1.0
        if text.count("\n", min(a.cue_start, a.start), max(a.cue_start, a.start)):
            f["cue_other_paragraph"] = 1.0
    else:
        f["no_cue_token"] = 1.0
    first_tok = _token(doc, a.start)
    if first_tok is not None:
        f[f"content_first_pos={first_tok.pos_}"] = 1.0
        if first_tok.lower_ == "to":
            f["content_infinitive"] = 1.0
        last = _token(doc, max(a.start, a.end - 1))
        toks = doc[first_tok.i:last.i + 1] if last is not None else ()
        verbs = sum(1 for t in toks if t.pos_ in ("VERB", "AUX"))
        subjects = sum(1 for t in toks if t.dep_ in ("nsubj", "nsubjpass", "expl"))
        f["content_clause" if verbs and subjects else
          "content_verb_phrase" if verbs else "content_noun_phrase"] = 1.0
        if len(toks) <= 3 and any(t.pos_ in ("PRON", "DET") for t in toks):
            f["content_pronoun"] = 1.0


def attribution_features(doc: Any, text: str, a: Attribution,
                         ents: tuple[EntityMention, ...]) -> Features:
    """Named feature values of one candidate attribution (see the module docstring)."""
    f: Features = {"bias_kind=" + a.kind: 1.0, "rule=" + (a.rule or "none"): 1.0}
    cue = _token(doc, a.cue_start) if a.cue_start >= 0 else None
    if cue is not None:
        _cue_features(f, cue, a)
    elif a.cue:
        f["cue_text=" + a.cue.lower()] = 1.0
    _source_features(f, doc, a, ents, cue)
    _content_features(f, doc, text, a, cue)
    return f
