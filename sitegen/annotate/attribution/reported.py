"""Reported speech and "according to".

- 'X said (that) ...', 'X told reporters ...', 'the ministry's daily brief said ...': a
  reporting verb and its clausal complement, with the subject as source;
- '..., the ministry said.': the clause before a trailing reporting verb;
- 'his claim that ...': a reporting noun and its "that" clause;
- 'according to X': the clause it attaches to (or the quote of the cue it attaches to).
"""

from __future__ import annotations

from sitegen.annotate.attribution.cues import (
    AIM_VERBS,
    COGNITION_VERBS,
    FIRST_PERSON,
    INFINITIVE_VERBS,
    OBJECT_VERBS,
    PREP_VERBS,
    SPEECH_NOUNS,
    SPEECH_VERBS,
    STANCE_VERBS,
    SUASION_VERBS,
    WEAK_VERBS,
)
from sitegen.annotate.attribution.direct import speaker_of
from sitegen.annotate.attribution.draft import Context, Draft, Token, via_of

_CLAUSE_DEPS = frozenset({"ccomp"})
_INVERTED_DEPS = frozenset({"parataxis", "ccomp", "advcl", "conj"})
_DASHES = frozenset({",", "\u2014", "\u2013", "--", "-"})
_ENDS = frozenset({".", "!", "?", ";"})
_ROLE_PREPS = frozenset({"of", "for", "as"})
_OBJECT_DEPS = frozenset({"dobj", "oprd", "ccomp", "xcomp", "attr"})
# First-person opinion ('I believe that ...', 'we know the ...'), common in letters and columns.
_FIRST_PERSON_VERBS = frozenset({"believe", "think", "know", "hope", "fear", "doubt", "expect",
                                 "suspect", "assume", "recognize", "realize", "feel", "wish",
                                 "worry", "guess", "understand", "accept", "imagine"})
_OBJECT_VERBS = OBJECT_VERBS | STANCE_VERBS
_VERBS = SPEECH_VERBS | COGNITION_VERBS | _OBJECT_VERBS | AIM_VERBS | frozenset(
    v for v, _ in PREP_VERBS)


def _content(ctx: Context, lo: int, hi: int, skip: tuple[int, int] | None = None
             ) -> list[tuple[int, int]]:
    """Character parts of tokens [lo, hi), minus the token range `skip`."""
    ranges = [(lo, hi)] if skip is None else [(lo, skip[0]), (skip[1], hi)]
    parts: list[tuple[int, int]] = []
    for a, b in ranges:
        if b > a:
            span = ctx.trimmed(a, b)
            if span is not None:
                parts.append(span)
    return parts


def _inside_quote_share(ctx: Context, lo: int, hi: int) -> float:
    if hi <= lo:
        return 0.0
    return sum(1 for i in range(lo, hi) if i in ctx.quoted) / (hi - lo)


def _mixed(ctx: Context, head: Token) -> bool:
    """Whether a clause headed inside a quote goes on outside it ('that "we will appeal"
    despite the fine'): two or more unquoted words."""
    return sum(1 for t in head.subtree if t.i not in ctx.quoted and t.is_alpha
               and t.dep_ != "mark") >= 2


def _left_clause(ctx: Context, verb: Token, lo: int) -> tuple[int, int]:
    """[lo, hi) before a trailing cue, within its paragraph and sentence."""
    doc = ctx.doc
    subj = speaker_of(ctx, verb)
    hi = min(verb.i, subj.left_edge.i if subj is not None and subj.i < verb.i else verb.i)
    p_lo = ctx.paragraph(verb.i)[0]
    lo = max(lo, p_lo)
    for i in range(hi - 1, lo - 1, -1):
        if doc[i].text in _ENDS and i not in ctx.quoted:
            return i + 1, hi
    return lo, hi


def _clause_of(ctx: Context, verb: Token) -> tuple[int, int, tuple[int, int] | None, str] | None:
    """Token range of the content a reporting verb introduces, a range cut out of it, and
    how it was found ('clause', 'aim', 'inverted', 'object')."""
    lemma = verb.lemma_.lower()
    children = list(verb.children)
    for child in children:
        if child.dep_ in _CLAUSE_DEPS and (child.i not in ctx.quoted or _mixed(ctx, child)):
            lo, hi = child.left_edge.i, child.right_edge.i + 1
            if lo > verb.i:
                return lo, hi, None, "clause"
            if hi <= verb.i:  # '..., Mr. Clarke said': up to the cue's subject
                return (*_left_clause(ctx, verb, lo), None, "clause")
    if lemma in SUASION_VERBS:  # 'told his aides to find a way': object and infinitive
        obj = next((c for c in children if c.dep_ in ("dobj", "dative") and c.i > verb.i), None)
        inf = next((c for c in children if c.dep_ == "xcomp" and obj is not None
                    and c.i > obj.i and c.pos_ in ("VERB", "AUX")), None)
        if obj is not None and inf is not None:
            return obj.left_edge.i, inf.right_edge.i + 1, None, "aim"
    if lemma in INFINITIVE_VERBS or lemma in AIM_VERBS:
        for child in children:
            if child.dep_ == "xcomp" and child.i > verb.i and child.pos_ in ("VERB", "AUX"):
                return child.left_edge.i, child.right_edge.i + 1, None, "aim"
    head = verb.head
    if (verb.dep_ in _INVERTED_DEPS and lemma in SPEECH_VERBS and head is not verb
            and head.pos_ in ("VERB", "AUX")):
        # '..., the ministry said.' / 'X, officials said, was ...': the rest of the clause
        subj = speaker_of(ctx, verb)
        doc = ctx.doc
        first = min(verb.left_edge.i, subj.left_edge.i if subj is not None else verb.i)
        last = max(verb.right_edge.i, subj.right_edge.i if subj is not None else verb.i)
        while first < verb.i and doc[first].is_punct:
            first += 1
        while last > verb.i and doc[last].is_punct:
            last -= 1
        last += 1
        before = first > 0 and doc[first - 1].text in _DASHES
        after = last >= len(doc) or doc[last].text in _DASHES or doc[last].text in _ENDS
        if before and (head.i < verb.i or after):
            lo = max(head.left_edge.i, verb.sent.start)
            hi = min(head.right_edge.i + 1, verb.sent.end)
            return lo, hi, (first - 1, last), "inverted"
    if lemma in _OBJECT_VERBS or lemma in SPEECH_VERBS:
        # 'Clinton has been endorsed by the Times': the passive subject, the agent as source
        patient = next((c for c in children if c.dep_ == "nsubjpass"), None)
        if patient is not None and any(c.dep_ == "agent" for c in children):
            return patient.left_edge.i, patient.right_edge.i + 1, None, "object"
    if lemma in _OBJECT_VERBS:
        objs = [c for c in children if c.i > verb.i and c.dep_ in _OBJECT_DEPS]
        if objs and objs[0].dep_ in ("dobj", "ccomp", "xcomp"):
            hi = objs[-1].right_edge.i + 1
            for child in children:  # 'accused X of ...', 'praised X for ...', 'described X as'
                if child.dep_ == "prep" and child.i >= hi and child.lower_ in _ROLE_PREPS:
                    hi = child.right_edge.i + 1
            return objs[0].left_edge.i, hi, None, "object"
    for child in children:
        if child.dep_ == "prep" and (lemma, child.lower_) in PREP_VERBS and child.i > verb.i:
            obj = next((c for c in child.children if c.dep_ in ("pobj", "pcomp")), None)
            if obj is not None:
                return obj.left_edge.i, obj.right_edge.i + 1, None, "object"
    return None


def _that_clause(verb: Token) -> bool:
    """'X [any verb] that S': a verb with a subject and a finite "that" clause after it
    ('the senator has made clear that ...', 'she knows full well that ...')."""
    return any(c.dep_ == "ccomp" and c.i > verb.i and any(
        g.dep_ == "mark" and g.lower_ == "that" for g in c.children) and any(
        g.dep_ in ("nsubj", "nsubjpass", "expl") for g in c.children) for c in verb.children
    ) and any(c.dep_ == "nsubj" and c.lower_ not in ("it", "this", "that") for c in verb.children)


def _accept(ctx: Context, verb: Token, subj: Token | None, lo: int, hi: int, how: str) -> bool:
    lemma = verb.lemma_.lower()
    doc = ctx.doc
    if hi - lo < 2 and doc[lo].pos_ not in ("PRON", "PROPN", "NOUN"):
        return False
    if how in ("object", "aim"):
        return subj is not None and subj.lower_ not in FIRST_PERSON
    if lemma in SPEECH_VERBS and lemma not in WEAK_VERBS:
        return True
    if subj is None or subj.lower_ == "it":
        return False
    if subj.lower_ in FIRST_PERSON and (lemma not in _FIRST_PERSON_VERBS or how != "clause"):
        return False
    # cognition and weak verbs: only with a finite clause of their own ('found that X ...')
    return any(doc[i].dep_ in ("nsubj", "nsubjpass", "expl") for i in range(lo, hi))


def find_reported(ctx: Context) -> None:
    """Add indirect Drafts for reporting verbs and nouns not used by a direct quote."""
    for tok in ctx.verbs:
        if tok.i in ctx.quoted or tok.i in ctx.used_cues:
            continue
        lemma = tok.lemma_.lower()
        if tok.pos_ == "VERB" and (lemma in _VERBS or _that_clause(tok)):
            found = _clause_of(ctx, tok)
            if found is None:
                continue
            lo, hi, skip, how = found
            p_lo, p_hi = ctx.paragraph(tok.i)
            lo, hi = max(lo, p_lo), min(hi, p_hi)
            subj = speaker_of(ctx, tok)
            if not _accept(ctx, tok, subj, lo, hi, how):
                continue
            if _inside_quote_share(ctx, lo, hi) > 0.95:
                continue
            parts = _content(ctx, lo, hi, skip)
            if not parts:
                continue
            ctx.used_cues.add(tok.i)
            ctx.drafts.append(Draft("indirect", parts, cue=tok, source=subj, via=via_of(tok),
                                    rule=f"reported-{how}"))
        elif tok.pos_ == "NOUN" and lemma in SPEECH_NOUNS:
            for child in tok.children:
                if child.dep_ in ("acl", "ccomp") and any(
                    c.dep_ == "mark" and c.lower_ == "that" for c in child.children
                ):
                    owner = next((c for c in tok.children if c.dep_ == "poss"), None)
                    parts = _content(ctx, child.left_edge.i, child.right_edge.i + 1)
                    verb = _saying_in(tok)
                    if parts and owner is None and verb is not None and (
                            verb.i not in ctx.used_cues):
                        # 'X said in a statement that ...': the verb's subject speaks
                        ctx.used_cues.add(verb.i)
                        ctx.drafts.append(Draft("indirect", parts, cue=verb,
                                                source=speaker_of(ctx, verb), via=via_of(verb),
                                                rule="reported-clause"))
                    elif parts and owner is not None:
                        ctx.used_cues.add(tok.i)
                        ctx.drafts.append(Draft("indirect", parts, cue=tok, source=owner,
                                                rule="reported-noun"))
                    break


def _saying_in(noun: Token) -> Token | None:
    """The speech verb of 'said in a statement that ...' for the noun 'statement'."""
    prep = noun.head
    if noun.dep_ != "pobj" or prep.dep_ != "prep" or prep.lower_ not in ("in", "on", "via"):
        return None
    verb = prep.head
    if verb.pos_ == "VERB" and verb.lemma_.lower() in SPEECH_VERBS:
        return verb
    return None


def find_according_to(ctx: Context) -> None:
    """Add an according_to Draft for every 'according to X'."""
    doc = ctx.doc
    by_cue = {d.cue.i: d for d in ctx.drafts if d.cue is not None}
    for tok in ctx.according:
        if tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if pobj is None:
            pobj = next((c for c in tok.children if c.dep_ == "pobj"), None)
        if pobj is None:
            continue
        head = tok.head
        for _ in range(4):
            if head.pos_ in ("VERB", "AUX") or head.head is head:
                break
            head = head.head
        pp = (tok.left_edge.i, max(tok.right_edge.i, pobj.right_edge.i) + 1)
        cue_span = (tok.idx, to.idx + len(to.text))
        source_text = doc[pobj.left_edge.i:pobj.right_edge.i + 1].text
        governed = by_cue.get(head.i)
        if governed is not None and head.lemma_.lower() in SPEECH_VERBS and (
            governed.kind == "direct" or not governed.partial
        ):
            if governed.via is None:
                governed.via = source_text
            parts = list(governed.parts)
        else:
            lo = max(head.left_edge.i, tok.sent.start)
            hi = min(head.right_edge.i + 1, tok.sent.end)
            if head.i == tok.i or not (lo <= pp[0] and pp[1] <= hi):
                lo, hi = tok.sent.start, tok.sent.end
            p_lo, p_hi = ctx.paragraph(tok.i)
            lo, hi = max(lo, p_lo), min(hi, p_hi)
            parts = _content(ctx, lo, hi, pp)
        if not parts:
            continue
        ctx.drafts.append(Draft("according_to", parts, source=pobj,
                                extra_cue=cue_span, cue_text=ctx.text[cue_span[0]:cue_span[1]]))
