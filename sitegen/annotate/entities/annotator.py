"""Entity recognition and resolution.

The model's entities (spaCy, OntoNotes labels) are cleaned into name spans
(`entity_spans`), completed with every knowledge-base name and alias (`entity_kb`), made
consistent within the article (`entity_document`: one name, one type, one id; surnames
inherit the full name's id; missed repetitions are added) and finally corrected by the
authors' inline overrides. Mentions in code, links or raw HTML are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sitegen.annotate.entities.document import Resolver
from sitegen.annotate.entities.kb import kb_candidates, override_candidate
from sitegen.annotate.entities.spans import Cand, model_candidates
from sitegen.core.model import EntityMention, GlossaryMatch, TextView
from sitegen.core.spans import SpanBuckets, Spans
from sitegen.source.kb import KnowledgeBase

if TYPE_CHECKING:
    from spacy.tokens import Doc

VERSION = "2"
# Parts of speech of the model's lemmatizer index (WordNet lemmas): the common words.
COMMON_POS = ("noun", "adj", "verb", "adv")


@lru_cache(maxsize=4)
def _lexicon(nlp: Any) -> frozenset[str]:
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    except (KeyError, ValueError, AttributeError):
        return frozenset()
    words: set[str] = set()
    for pos in COMMON_POS:
        if pos in table:
            words.update(w for w in table[pos] if w.isalpha())
    return frozenset(words)


def common_word_test(nlp: Any) -> Callable[[str], bool] | None:
    """Whether a lower-case word is an English dictionary word (the model's lemma index)."""
    if nlp is None:
        return None
    words = _lexicon(nlp)
    return words.__contains__ if words else None


def drop_glossary_terms(ents: tuple[EntityMention, ...], terms: tuple[GlossaryMatch, ...]
                        ) -> tuple[EntityMention, ...]:
    """A mention inside one of the site's glossary terms ("NAP", "Natura" of "Natura 2000")
    is a term, not a name, unless the knowledge base or the author says it is an entity."""
    if not terms:
        return ents
    return tuple(m for m in ents if m.origin in ("kb", "override") or not any(
        g.start <= m.start and m.end <= g.end for g in terms))


def _overlap(a: Cand, start: int, end: int) -> bool:
    return a.start < end and start < a.end


def _merge(model: list[Cand], kb: list[Cand]) -> list[Cand]:
    """Knowledge-base matches win over the model's spans they overlap, unless the model's
    span is longer and contains them ("UN Security Council" over an alias "UN")."""
    index = SpanBuckets[int]()
    for i, k in enumerate(kb):
        index.add(k.start, k.end, i)
    removed: set[int] = set()
    kept: list[Cand] = []
    for c in model:
        rivals = [i for i in index.near(c.start, c.end) if _overlap(kb[i], c.start, c.end)]
        if not rivals:
            kept.append(c)
        elif all(c.start <= kb[i].start and kb[i].end <= c.end
                 and c.end - c.start > kb[i].end - kb[i].start for i in rivals):
            removed.update(rivals)
            kept.append(c)
    return [k for i, k in enumerate(kb) if i not in removed] + kept


def _non_overlapping(cands: list[Cand]) -> list[Cand]:
    """Fixed first, then longer, then earlier spans win."""
    chosen: list[Cand] = []
    taken = Spans()
    for c in sorted(cands, key=lambda c: (not c.fixed, -(c.end - c.start), c.start)):
        if not taken.overlaps(c.start, c.end):
            chosen.append(c)
            taken.add(c.start, c.end)
    return sorted(chosen, key=lambda c: c.start)


def find_entities(doc: Doc, view: TextView, kb: KnowledgeBase, nlp: Any = None
                  ) -> tuple[EntityMention, ...]:
    """The entity mentions of `view.text`; `nlp` (the Language that made `doc`) lends its
    dictionary to tell capitalised common words from names."""
    text = view.text
    cands = [c for c in model_candidates(doc) if view.annotatable(c.start, c.end)]
    kb_cands = [c for c in kb_candidates(text, kb) if view.annotatable(c.start, c.end)]
    cands = _merge(cands, kb_cands)

    forced: list[Cand] = []
    index = SpanBuckets[int]()  # each override looks only at the candidates near it
    for i, c in enumerate(cands):
        index.add(c.start, c.end, i)
    removed: set[int] = set()
    for ov in view.overrides:
        near = [i for i in index.near(ov.start, ov.end)
                if i not in removed and _overlap(cands[i], ov.start, ov.end)]
        if ov.no_entity:
            removed.update(near)
            near = []
        forced_cand = override_candidate(ov, kb, [cands[i] for i in near], text)
        if forced_cand is not None:
            removed.update(near)
            forced.append(forced_cand)
    cands = [c for i, c in enumerate(cands) if i not in removed]
    headings = [(seg.start, seg.end) for seg in view.segments if seg.block == "heading"]
    cands = Resolver(doc, text, cands + forced, headings, common_word_test(nlp)).run()

    blocked = Spans((ov.start, ov.end) for ov in view.overrides if ov.no_entity)
    mentions: list[EntityMention] = []
    for c in _non_overlapping(cands):
        if blocked.overlaps(c.start, c.end):
            continue
        if not view.annotatable(c.start, c.end):
            continue
        mentions.append(EntityMention(
            start=c.start, end=c.end, text=text[c.start:c.end], label=c.label,
            entity_id=c.entity_id or "", name=c.name or text[c.start:c.end], origin=c.origin,
        ))
    return tuple(mentions)
