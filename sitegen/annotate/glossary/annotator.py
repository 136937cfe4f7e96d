"""Glossary term matching over the article's one spaCy pass.

A term matches on the *lemma sequence* of its `term` and of each of its `forms`,
case-insensitively: "drone strikes" finds "drone strike", "breached" finds "breach",
"Coalitions" finds "coalition". Different words are never merged: "annexed" finds the
term "annexation" only when the entry lists "annexed" (or "annex") among its `forms`.
A word written in capitals in the glossary ("UNSC", the "UN" of "UN Security Council")
is matched case-sensitively, so the form "US" never finds the pronoun "us".

How a document token meets a glossary word: the token offers the keys
`{lower-case text, lower-case lemma}` (plus the noun lemma when the tagger took a
capitalised common noun for a proper noun, and `=TEXT` for words in capitals); each
glossary word offers `{lower-case text, lower-case lemma}` (or only `=TEXT` when it is in
capitals). The glossary's words are lemmatised once per glossary and model, by running the
model over each entry inside a short sentence frame ("... about the drone strike ."), so
the tagger sees a noun phrase rather than a lone word ("left bank" stays "left", not
"leave"). Offering the written form on both sides keeps matching robust when the tagger
lemmatises a word differently in the article than in the frame.

The index is a small trie over those keys, walked from every token: a few milliseconds
per article after the model pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sitegen.core.model import EntityMention, GlossaryMatch, TextView
from sitegen.core.spans import Spans
from sitegen.source.kb import Glossary, Term

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

VERSION = "1"

# The sentence every glossary entry is lemmatised in; the entry starts at len(_FRAME_HEAD).
_FRAME_HEAD = "They wrote about the "
_FRAME_TAIL = " ."
_CACHE_SIZE = 8
_MAX_VARIANTS = 64  # alternative key paths inserted per form (a product over its words)


@dataclass(slots=True, eq=False)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    term: Term | None = None  # the term a path ending here matches (first entry wins)


@dataclass(slots=True)
class _Index:
    vocab: Any  # the spaCy Vocab the index was built for (identity-checked on reuse)
    nlp: Language | None
    root: _Node
    noun_lemmas: dict[str, tuple[str, ...]] = field(default_factory=dict)


_INDEXES: dict[tuple[object, int, int], _Index] = {}
# The candidates of the last Doc matched: the glossary annotator matches each Doc twice.
_LAST: list[Any] = []


def find_terms(
    doc: Doc,
    view: TextView,
    glossary: Glossary,
    entities: tuple[EntityMention, ...],
    nlp: Language | None = None,
) -> tuple[GlossaryMatch, ...]:
    """Every occurrence of a glossary term in `view.text`, sorted and non-overlapping.

    `doc` is the model's Doc of `view.text`; `nlp` the Language that made it (found from
    `doc.vocab` when not given). Rules, in order:

    - never inside code, links or raw HTML (`view.annotatable`), never in a heading, and
      never where the author wrote `{.no-glossary}` / `{.no-annotate}`;
    - precedence with entities: where a term overlaps an entity mention the entity wins,
      unless the term is strictly longer and contains the mention (so "UN Security Council
      resolution" is a term over the entity "UN Security Council", but "Security Council"
      gives way to it);
    - among overlapping terms the longest wins (the earlier one on a tie). The rules above
      are applied first, so where a long term is excluded a shorter one inside it that is
      not ("drone" in "drone Strike Command") still matches.

    Every occurrence is returned; whether only the first is linked is the renderer's call.
    """
    if not glossary.terms or not view.text:
        return ()
    if doc.text != view.text:
        raise ValueError("find_terms: the Doc is not of this TextView's text")
    index = _index_for(glossary, doc, nlp)
    last = _LAST
    if last and last[0] is doc and last[1] is index:  # the same Doc again (builtins.py)
        found: list[tuple[int, int, Term]] = last[2]
    else:
        found = list(_candidates(doc, index))
        _LAST[:] = [doc, index, found]
    candidates = [
        (start, end, term)
        for start, end, term in found
        if _allowed(view, start, end, entities)
    ]
    # Longest first, then leftmost; keep what does not overlap an accepted match.
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    taken: list[tuple[int, int, Term]] = []
    spans = Spans()
    for start, end, term in candidates:
        if not spans.overlaps(start, end):
            taken.append((start, end, term))
            spans.add(start, end)
    taken.sort(key=lambda c: c[0])
    return tuple(
        GlossaryMatch(start=s, end=e, text=view.text[s:e], term_id=t.id, term=t.term)
        for s, e, t in taken
    )


# --------------------------------------------------------------------------- filtering


def _allowed(
    view: TextView, start: int, end: int, entities: Sequence[EntityMention]
) -> bool:
    if not view.annotatable(start, end) or view.block_at(start) == "heading":
        return False
    for ov in view.overrides:
        if ov.no_glossary and ov.start < end and start < ov.end:
            return False
    for ent in entities:
        if ent.start < end and start < ent.end:
            contains = start <= ent.start and ent.end <= end
            if not (contains and end - start > ent.end - ent.start):
                return False
    return True


# --------------------------------------------------------------------------- matching


def _is_caps(word: str) -> bool:
    """A word written in capitals ("UNSC", "UN"): matched case-sensitively."""
    return len(word) >= 2 and word.isupper()


def _token_keys(token: Token, index: _Index) -> tuple[str, ...]:
    if token.is_space:
        return ()
    text = token.text
    lower = token.lower_
    lemma = token.lemma_.lower()
    keys = {lower, lemma} if lemma else {lower}
    caps = text.isupper() and len(text) >= 2
    if caps:
        keys.add("=" + text)
    elif text[-1] == "s" and len(text) >= 3 and text[:-1].isupper():
        keys.add("=" + text[:-1])  # "NGOs" finds the form "NGO"
    if not caps and token.pos_ == "PROPN":
        # A capitalised common noun tagged as a proper noun keeps its text as its lemma:
        # "Strikes continued." should still find "strike".
        keys.update(_noun_lemmas(lower, index))
    return tuple(keys)


def _candidates(doc: Doc, index: _Index) -> Iterator[tuple[int, int, Term]]:
    """Every (start, end, term) whose key path appears in the doc, all lengths."""
    root = index.root.children
    keys = [_token_keys(tok, index) for tok in doc]
    n = len(keys)
    for i in range(n):
        if not any(k in root for k in keys[i]):
            continue
        frontier = [index.root]
        j = i
        while frontier and j < n:
            nxt: list[_Node] = []
            for node in frontier:
                for key in keys[j]:
                    child = node.children.get(key)
                    if child is not None and child not in nxt:
                        nxt.append(child)
            found: Term | None = None
            for node in nxt:
                if node.term is not None:
                    found = node.term
                    break
            if found is not None:
                last = doc[j]
                yield doc[i].idx, last.idx + len(last.text), found
            frontier = nxt
            j += 1


# --------------------------------------------------------------------------- the index


def _index_for(glossary: Glossary, doc: Doc, nlp: Language | None) -> _Index:
    """The trie for this glossary and model, built once (cache keyed by the glossary's
    fingerprint, or its terms when it has none, and the model's vocab)."""
    vocab = doc.vocab
    ident: object = glossary.fingerprint or glossary.terms
    key = (ident, id(vocab), id(nlp))
    cached = _INDEXES.get(key)
    if cached is not None and cached.vocab is vocab:
        return cached
    language = nlp
    index = _Index(vocab=vocab, nlp=language, root=_Node())
    entries = [(term, form) for term in glossary.terms for form in (term.term, *term.forms)]
    for (term, _form), words in zip(
        entries, term_words([form for _, form in entries], language), strict=True
    ):
        _insert(index.root, words, term)
    if len(_INDEXES) >= _CACHE_SIZE:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[key] = index
    return index


def _insert(root: _Node, words: Sequence[tuple[str, str]], term: Term) -> None:
    """Add every key path of one form: per word its text and lemma (or `=TEXT`)."""
    if not words:
        return
    options: list[tuple[str, ...]] = []
    for text, lemma in words:
        if _is_caps(text):
            options.append(("=" + text,))
        else:
            # A pipeline without a lemmatiser leaves lemmas empty: match the text then.
            options.append(tuple(k for k in dict.fromkeys((text.lower(), lemma.lower())) if k))
    paths: list[list[str]] = [[]]
    for opts in options:
        paths = [[*p, o] for p in paths for o in opts][:_MAX_VARIANTS]
    for path in paths:
        node = root
        for key in path:
            node = node.children.setdefault(key, _Node())
        if node.term is None:
            node.term = term


def term_forms(glossary: Glossary) -> list[str]:
    """Every entry of `glossary` (each term and its forms), in the order they are indexed."""
    return [form for term in glossary.terms for form in (term.term, *term.forms)]


_PRESET: dict[int, tuple[object, dict[str, list[tuple[str, str]]]]] = {}


def preset_words(nlp: object, forms: Sequence[str],
                 words: Sequence[list[tuple[str, str]]]) -> None:
    """The words of `forms` as the model tagged them (`term_words` with the model, kept by
    annotate/model_facts.py), for `nlp`, a stand-in for the model that cannot tag them."""
    hit = _PRESET.get(id(nlp))
    table = hit[1] if hit is not None and hit[0] is nlp else {}
    table.update(zip(forms, words, strict=True))
    _PRESET[id(nlp)] = (nlp, table)


def term_words(forms: Sequence[str], nlp: Language | None) -> list[list[tuple[str, str]]]:
    """(text, lemma) of each word of each form, tagged inside a sentence frame.

    Without a model (a Doc made from a bare Vocab) the words are split on whitespace and
    their lemma is their text: entries written in their base form still match exactly.
    """
    if nlp is None:
        return [[(w, w) for w in form.split()] for form in forms]
    hit = _PRESET.get(id(nlp))
    if hit is not None and hit[0] is nlp and all(f in hit[1] for f in forms):
        return [hit[1][f] for f in forms]
    out: list[list[tuple[str, str]]] = []
    head = len(_FRAME_HEAD)
    frames = (f"{_FRAME_HEAD}{form}{_FRAME_TAIL}" for form in forms)
    for form, frame in zip(forms, nlp.pipe(frames), strict=True):
        end = head + len(form)
        words = [
            (t.text, t.lemma_)
            for t in frame
            if t.idx >= head and t.idx + len(t.text) <= end and not t.is_space
        ]
        if "".join(w for w, _ in words) != "".join(form.split()):
            # The tokeniser joined the entry with the frame: tag it on its own.
            words = [(t.text, t.lemma_) for t in nlp(form) if not t.is_space]
        out.append(words)
    return out


def _noun_lemmas(lower: str, index: _Index) -> tuple[str, ...]:
    """The lemmatiser's noun readings of a word ("strikes" -> "strike"), cached."""
    cached = index.noun_lemmas.get(lower)
    if cached is not None:
        return cached
    lemmas: tuple[str, ...] = ()
    nlp = index.nlp
    if nlp is not None and "lemmatizer" in nlp.pipe_names:
        from spacy.tokens import Doc

        lemmatizer: Any = nlp.get_pipe("lemmatizer")
        rule = getattr(lemmatizer, "rule_lemmatize", None)
        if rule is not None and getattr(lemmatizer, "mode", "") == "rule":
            probe = Doc(nlp.vocab, words=[lower], pos=["NOUN"])
            lemmas = tuple(str(x).lower() for x in rule(probe[0]))
    index.noun_lemmas[lower] = lemmas
    return lemmas
