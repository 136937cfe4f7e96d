"""Direct quotes: who said each quoted passage, from the cue next to it.

Placements: '"...," X said', '"...," said X', 'X said: "..."', 'X told reporters, "..."',
'The Times reports:' ending the paragraph before the quote, partial quotes inside a
reported clause ('claiming they will belong to Russia "forever"'), and a quote that goes
on after its cue ('"A," he said. "B."' is one attribution).
"""

from __future__ import annotations

import re

from sitegen.annotate.attribution.cues import ALL_VERBS, SPEECH_VERBS
from sitegen.annotate.attribution.draft import Context, Draft, Token, via_of
from sitegen.annotate.attribution.phrases import subject_of
from sitegen.annotate.attribution.quotes import Quote

_AFTER_WINDOW = 14
_BEFORE_WINDOW = 16
_INVERTED_OK = frozenset({"say", "add", "write", "continue", "explain", "note", "state",
                          "declare", "insist", "argue", "warn", "conclude", "reply",
                          "respond", "recall", "remark", "observe", "claim", "comment",
                          "report", "announce", "tweet", "post", "concede", "acknowledge"})
_DASH = re.compile(r"[ \t\u00a0]*(\u2015|\u2014|\u2013|--)[ \t\u00a0]*")
_PARTIAL_DEPS = frozenset({"ccomp", "xcomp", "dobj", "advcl", "conj"})
_OBJECT_DEPS = frozenset({"dobj", "attr", "npadvmod", "appos", "oprd", "dative", "nsubj"})
_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+")
_MARKS = ("\"", "\u201c", "\u201d", "''", "\u00ab", "\u00bb")


def is_speech_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in SPEECH_VERBS


def speaker_of(ctx: Context, verb: Token, inverted: bool = False) -> Token | None:
    """The subject of a cue verb, or (`inverted`) the name after it in
    '"...," said spokesperson X'."""
    subj = subject_of(verb)
    if subj is not None and subj.i not in ctx.quoted:
        return subj
    if not inverted or verb.lemma_.lower() not in _INVERTED_OK:
        return None
    for child in verb.rights:
        if child.i in ctx.quoted:
            break
        if child.dep_ in _OBJECT_DEPS and child.pos_ in ("PROPN", "NOUN", "PRON") and (
                child.ent_type_ not in ("DATE", "TIME")):
            return child
    return None


def _has_right_clause(ctx: Context, verb: Token) -> bool:
    """Whether the verb introduces content of its own after it ('He said the ...')."""
    return any(c.dep_ in ("ccomp", "xcomp") and c.i > verb.i and c.i not in ctx.quoted
               for c in verb.children)


def _after_cue(ctx: Context, q: Quote) -> Token | None:
    doc, text = ctx.doc, ctx.text
    i = ctx.token_after(q.close_at)
    nxt = text[q.close_at:q.close_at + 3].lstrip()
    content = text[q.start:q.end].rstrip()
    if content.endswith(".") and nxt[:1].isupper():
        return None  # '"... end." He said the ...' starts a new sentence
    for tok in doc[i:min(len(doc), i + _AFTER_WINDOW)]:
        if tok.i in ctx.quoted or ctx.is_stop(tok):
            return None
        if is_speech_verb(tok):
            return None if _has_right_clause(ctx, tok) else tok
    return None


def _before_cue(ctx: Context, q: Quote) -> Token | None:
    """A cue ending with ':' or ',' just before the quote; may end the previous paragraph."""
    doc, text = ctx.doc, ctx.text
    lead = text[:q.open_at].rstrip()
    if not lead or lead[-1] not in ":,":
        return None
    crossed = "\n" in text[len(lead):q.open_at]
    if crossed and lead[-1] != ":":
        return None
    i = ctx.token_at(len(lead) - 1)
    for j in range(i, max(-1, i - _BEFORE_WINDOW), -1):
        tok = doc[j]
        if tok.i in ctx.quoted or (ctx.is_stop(tok) and j != i):
            return None
        if is_speech_verb(tok):
            return tok
    return None


def _governing_cue(ctx: Context, q: Quote) -> Token | None:
    """The reporting verb a partial quote belongs to: walk up the parse from the quote to a
    speech verb whose clausal complement holds it ('claiming they will belong to Russia
    "forever"'); quoted names and labels ('called it "a disaster"') do not count."""
    doc = ctx.doc
    lo, hi = ctx.token_after(q.start), ctx.token_at(max(q.end - 1, q.start))
    for tok in doc[lo:hi + 1]:
        if tok.head.i in ctx.quoted and tok.head is not tok:
            continue  # not a root of the quoted fragment
        head = tok
        for _ in range(6):
            if head.head is head:
                break
            dep = head.dep_
            head = head.head
            if head.i in ctx.quoted:
                continue
            if head.pos_ == "VERB" and head.lemma_.lower() in ALL_VERBS:
                return head if dep in _PARTIAL_DEPS else None
    return None


def _draft(ctx: Context, q: Quote, cue: Token, partial: bool = False) -> Draft:
    speaker = speaker_of(ctx, cue, inverted=True)
    via = via_of(cue) or (via_of(speaker) if speaker is not None else None)
    return Draft("direct", list(q.parts), cue=cue, source=speaker, via=via, partial=partial)


def _plain(ctx: Context, lo: int, hi: int, verbs: bool) -> bool:
    """Whether text[lo:hi] is two or more unquoted words with no cue in them (and, when
    `verbs`, a verb of its own: a clause, not 'In a statement,')."""
    chunk = ctx.text[lo:hi]
    if len(chunk.split()) < 2 or "\n" in chunk.strip() or any(m in chunk for m in _MARKS):
        return False
    toks = ctx.doc[ctx.token_after(lo):ctx.token_after(hi)]
    if any(is_speech_verb(t) for t in toks):
        return False
    return not verbs or any(t.pos_ in ("VERB", "AUX") for t in toks)


def _sentence_start(ctx: Context, pos: int) -> int:
    text = ctx.text
    lo = text.rfind("\n", 0, pos) + 1
    for m in _SENT_END.finditer(text, lo, pos):
        lo = m.end()
    return lo


def _mixed(ctx: Context, draft: Draft, q: Quote, cue_after: bool) -> None:
    """Widen a quote that is only part of its sentence to the sentence: the unquoted words
    before it ('However good the aim, the tax "is misguided," X said') or, after a leading
    cue, the words that go on after it ('X said that "we will win" despite the polls.')."""
    text = ctx.text
    if cue_after:
        lo = _sentence_start(ctx, q.open_at)
        if lo < q.open_at and _plain(ctx, lo, q.open_at, verbs=False):
            draft.parts[0] = (lo, draft.parts[0][1])
        return
    src = draft.source
    if src is not None and draft.cue is not None and src.i < draft.cue.i:
        lo = _sentence_start(ctx, src.left_edge.idx)
        lead = text[lo:src.left_edge.idx].rstrip()
        if lead.endswith(",") and _plain(ctx, lo, len(lead) - 1, verbs=True):
            draft.parts.insert(0, (lo, len(lead) - 1))
    m = _SENT_END.search(text, q.close_at)
    hi = m.start() + 1 if m is not None else len(text)
    nl = text.find("\n", q.close_at, hi)
    hi = nl if nl >= 0 else hi
    tail = text[q.close_at:hi]
    if tail[:1] == " " and tail[1:2].islower() and _plain(ctx, q.close_at, hi, verbs=False):
        end = hi - 1 if text[hi - 1] in ".!?" else hi
        draft.parts[-1] = (draft.parts[-1][0], end)


def find_direct(ctx: Context) -> None:
    """Add a direct Draft for every quote with a cue; cues are marked used."""
    text = ctx.text
    last: tuple[Draft, Quote] | None = None
    for q in ctx.quotes:
        words = len(text[q.start:q.end].split())
        after = _after_cue(ctx, q)
        before = _before_cue(ctx, q)
        draft: Draft | None = None
        if before is not None and before.i not in ctx.used_cues:
            draft = _draft(ctx, q, before)
            ctx.used_cues.add(before.i)
            _mixed(ctx, draft, q, cue_after=False)
            if after is not None and after.i not in ctx.used_cues:
                ctx.used_cues.add(after.i)
                witness = speaker_of(ctx, after, inverted=True)
                if witness is not None and draft.via is None:
                    draft.via = str(ctx.doc[witness.left_edge.i:witness.right_edge.i + 1].text)
        elif after is not None and after.i not in ctx.used_cues:
            draft = _draft(ctx, q, after)
            ctx.used_cues.add(after.i)
            _mixed(ctx, draft, q, cue_after=True)
        elif last is not None and _continues(ctx, last, q):
            prev, _ = last
            prev.parts.extend(q.parts)
            last = (prev, q)
            continue
        elif last is not None and _next_paragraph(ctx, last, q):
            prev, _ = last
            draft = Draft("direct", list(q.parts), source=prev.source, via=prev.via,
                          rule="quote-continued")
        elif (signed := _dash_source(ctx, q)) is not None:
            name, dash = signed
            draft = Draft("direct", list(q.parts), source=name, extra_cue=dash,
                          rule="quote-dash")
        else:
            cue = _governing_cue(ctx, q)
            if cue is not None and (words >= 1):
                draft = _draft(ctx, q, cue, partial=True)
        if draft is not None:
            ctx.drafts.append(draft)
            last = (draft, q)
        else:
            last = None


def _dash_source(ctx: Context, q: Quote) -> tuple[Token, tuple[int, int]] | None:
    """'"...." ― Jane Doe': a quote signed with a dash and a name."""
    m = _DASH.match(ctx.text, q.close_at)
    if m is None:
        return None
    i = ctx.token_after(m.end())
    if i >= len(ctx.doc):
        return None
    tok = ctx.doc[i]
    if tok.pos_ != "PROPN" and tok.ent_type_ not in ("PERSON", "ORG"):
        return None
    while tok.head is not tok and tok.head.pos_ == "PROPN" and tok.head.i > tok.i \
            and tok.head.i - i < 6:
        tok = tok.head
    return tok, (m.start(1), m.end(1))


def _continues(ctx: Context, last: tuple[Draft, Quote], q: Quote) -> bool:
    """'"A," he said. "B."': B has no cue of its own and follows A's cue closely."""
    draft, prev = last
    if draft.cue is None or draft.partial or draft.cue.i < ctx.token_at(prev.close_at - 1):
        return False
    gap = ctx.text[prev.close_at:q.open_at]
    return "\n" not in gap and len(gap) < 200 and draft.cue.idx < q.open_at


def _next_paragraph(ctx: Context, last: tuple[Draft, Quote], q: Quote) -> bool:
    """News style: a paragraph that is one quote with no cue, right after a paragraph that
    ends with an attributed quote, goes on with the same speaker."""
    draft, prev = last
    if draft.kind != "direct" or draft.partial or draft.source is None:
        return False
    text = ctx.text
    gap = text[prev.close_at:q.open_at]
    if gap.count("\n") < 1 or len(gap) > 120 or not text[:q.open_at].endswith(("\n", "\n ")):
        return False
    end = text.find("\n", q.close_at)
    tail = text[q.close_at:end if end >= 0 else len(text)].strip()
    return len(tail) <= 1 and len(text[q.start:q.end].split()) >= 4
