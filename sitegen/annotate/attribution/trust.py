"""What is not a statement, whatever a broad verb list says.

- Action, voting, support and intention ("signed the law", "voted to", "backed the plan",
  "offered to pay", "plans to", "will continue to"): no content is attributed unless the
  verb introduces a finite clause ("backed claims that ..." is still not speech; "warned
  that ..." is).
- Negation and refusal ("would not comment", "declined to say when ...", "has not confirmed
  this"): a refusal is not a statement of its subject, and its content belongs to nobody.
"""

from __future__ import annotations

from sitegen.annotate.attribution.cues import STANCE_VERBS
from sitegen.annotate.attribution.draft import Draft, Token
from sitegen.core.spans import Spans

# Verbs of action, voting, support and intention: content only through a finite clause.
_NOT_SPEECH = """
vote back support endorse sponsor favor favour embrace resist oppose
offer plan want intend aim seek try attempt continue expect hope prepare
sign issue file rule invoke float debate examine review weigh investigate
probe revisit explore ignore pass approve adopt
"""
NOT_SPEECH: frozenset[str] = frozenset(_NOT_SPEECH.split())

# A refusal: "declined to say", "refused to comment".
REFUSALS: frozenset[str] = frozenset({"decline", "refuse"})
_NEGATIONS = frozenset({"not", "n't", "never", "no"})


def negated(tok: Token) -> bool:
    """'would not comment', 'has never said', 'did n't confirm'."""
    return any(c.dep_ == "neg" or (c.lower_ in _NEGATIONS and c.i < tok.i)
               for c in tok.children)


def refusal(tok: Token) -> bool:
    """The cue is a refusal or stands under one ('declined to say when ...')."""
    if tok.lemma_.lower() in REFUSALS:
        return True
    head = tok.head
    return head is not tok and tok.dep_ in ("xcomp", "ccomp") and (
        head.lemma_.lower() in REFUSALS or (negated(head) and head.lemma_.lower() in (
            "want", "wish", "care", "be", "would")))


def _finite_clause(d: Draft) -> bool:
    return d.rule.startswith("reported-clause") or d.rule.startswith("reported-inverted")


def not_a_statement(d: Draft) -> bool:
    """Whether a draft is an action, an intention, a negated cue or a refusal."""
    cue = d.cue
    if cue is None:
        return False
    if negated(cue) or refusal(cue):
        return True
    return d.kind == "indirect" and cue.lemma_.lower() in NOT_SPEECH and not _finite_clause(d)


def reported_event(d: Draft, according: Spans) -> bool:
    """A stance verb inside what an "according to" reports is the event reported, not a
    statement: "Russia attacked targets near Kyiv, according to Kyiv authorities"."""
    return (d.kind != "according_to" and d.cue is not None
            and d.cue.lemma_.lower() in STANCE_VERBS
            and according.overlaps(d.cue.idx, d.cue.idx + 1))
