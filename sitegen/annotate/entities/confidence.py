"""Features of each entity mention of an article for its confidence model.

The same function feeds training (`training/train_confidence.py`) and scoring. Features are
named indicators (most of them also crossed with the mention's coarse type, since what makes
a good person differs from what makes a good place):

- where the label came from: the final label, its origin (model, knowledge base, document
  consistency, gazetteer), spaCy's own label on the span's tokens and whether the two
  agree, whether spaCy's entity has exactly the mention's boundaries;
- the mention's shape: number of words, ALL CAPS, digits, lower-case words inside, the
  token shapes, the last word (a head such as "Party", "Inc", "United") and its ending;
- evidence of a common word: capitalised only because it opens a sentence, a heading, a
  line, or stands in front of a role ("Caretaker Prime Minister"); the same word written
  in lower case elsewhere in the article;
- evidence of a part of a longer name: a capitalised word or a number right before or after;
- world knowledge: a known place (GeoNames, major or minor), a nationality-like word;
- the context: the lower-case word before and after (in X, X said, X beat), a role word in
  front, brackets around it;
- the article: how often it repeats the name, whether its mentions agree on a type and how
  many of spaCy's own labels for the name agree with the final type, how numeric the
  article is (results and tables) and how much it reads like a sports report (where teams
  are named after places), the block kind (heading, list, paragraph).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from typing import Any

from sitegen.annotate.confidence.model import Features
from sitegen.annotate.confidence.model import bucket as _bucket
from sitegen.annotate.entities.gazetteer import is_title, looks_demonym, place_rank
from sitegen.core.model import EntityMention, TextView

PLACE = frozenset({"GPE", "LOC", "FAC"})
WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
# Words of sports reports, where teams are named after their towns and countries.
SPORT_WORDS = frozenset({
    "beat", "beaten", "match", "matches", "goal", "goals", "scored", "season", "league",
    "cup", "championship", "tournament", "innings", "wickets", "points", "coach", "striker",
    "midfielder", "defender", "race", "win", "won", "drew", "draw", "final", "semifinal",
    "quarterfinal", "game", "games", "team", "teams", "players", "player", "club", "clubs",
    "victory", "defeat", "seed", "seeded", "round", "title",
})


def _coarse(label: str) -> str:
    return "PLACE" if label in PLACE else label


def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:6]


def _lower_words(text: str) -> Counter[str]:
    """Words written in lower case in the article."""
    return Counter(w for w in WORD.findall(text) if w.islower())


def entity_features(doc: Any, view: TextView, ents: tuple[EntityMention, ...]
                    ) -> list[Features]:
    """One feature dict per mention, in order."""
    text = view.text
    starts = [t.idx for t in doc]
    per_id = Counter(m.entity_id for m in ents)
    labels_of: dict[str, set[str]] = {}
    for m in ents:
        labels_of.setdefault(m.entity_id, set()).add(_coarse(m.label))
    lower = _lower_words(text)
    # spaCy's own label on each mention of a name: do its votes agree with the final type?
    votes: dict[str, Counter[str]] = {}
    for m in ents:
        i = bisect.bisect_right(starts, m.start) - 1
        if 0 <= i < len(doc):
            spacy_label = doc[i].ent_type_
            votes.setdefault(m.text.lower(), Counter())[
                _coarse(spacy_label) if spacy_label else "-"] += 1
    sport = sum(lower.get(w, 0) for w in SPORT_WORDS) / max(1, len(text.split())) * 100
    doc_sport = _bucket(round(sport, 2), (0.0, 0.5, 1.5))
    n_tok = max(1, len(doc))
    numeric = sum(1 for t in doc if t.like_num) / n_tok
    doc_numeric = _bucket(round(numeric, 3), (0.02, 0.05, 0.1))
    out: list[Features] = []
    for m in ents:
        c = _coarse(m.label)
        f: Features = {f"label={m.label}": 1.0, f"origin={m.origin}": 1.0,
                       f"label*origin={m.label}|{m.origin}": 1.0}

        def add(name: str, value: float = 1.0, crossed: bool = True, f: Features = f,
                c: str = c) -> None:
            f[name] = value
            if crossed:
                f[f"{name}*{c}"] = value

        lo = max(0, bisect.bisect_right(starts, m.start) - 1)
        hi = max(lo + 1, bisect.bisect_left(starts, m.end))
        toks = [doc[i] for i in range(lo, min(hi, len(doc)))]
        words = m.text.split()
        add(f"n_words={_bucket(len(words), (1, 2, 3, 4))}")
        if m.text.isupper() and len(m.text) > 1:
            add("all_caps")
        if any(ch.isdigit() for ch in m.text):
            add("digit")
        if any(w[:1].islower() for w in words):
            add("lower_word")
        if "." in m.text:
            add("period")
        add("shape=" + " ".join(_shape(w) for w in words[:3]))
        last = words[-1].lower().strip(".,'\u2019") if words else ""
        if len(words) > 1:
            add(f"last={last}")
        add(f"suffix={last[-3:]}")
        rank = place_rank(m.text)
        add(f"place_rank={rank}")
        if looks_demonym(m.text):
            add("demonym_like")
        add(f"doc_numeric={doc_numeric}")
        add(f"doc_sport={doc_sport}")
        v = votes.get(m.text.lower())
        if v and sum(v.values()) > 1:
            share = v.get(c, 0) / sum(v.values())
            add(f"spacy_vote_share={_bucket(round(share, 2), (0.0, 0.5, 0.99))}")
        block = view.block_at(m.start)
        if block:
            add(f"block={block}")
        add(f"repeats={_bucket(per_id[m.entity_id], (1, 2, 4, 8))}")
        if m.name and m.name != m.text and m.text.lower() in m.name.lower():
            add("short_form_of_full_name")
        elif len(m.name.split()) > 1:
            add("full_name")
        if len(labels_of.get(m.entity_id, ())) > 1:
            add("id_mixed_types")
        if len(words) == 1 and lower.get(m.text.lower()):
            add("lowercase_elsewhere")
        elif len(words) > 1 and all(lower.get(w.lower()) for w in words if w.isalpha()):
            add("all_words_lowercase_elsewhere")
        if toks:
            first, final = toks[0], toks[-1]
            line_start = first.i == 0 or "\n" in doc[first.i - 1].whitespace_ or doc[
                first.i - 1].is_space
            if first.is_sent_start or line_start:
                add("sentence_start")
                if len(words) == 1:
                    add("sentence_start_single")
            prev = doc[first.i - 1] if first.i > 0 else None
            nxt = doc[final.i + 1] if final.i + 1 < len(doc) else None
            if prev is not None and not line_start:
                if prev.is_alpha and prev.is_lower:
                    add(f"prev={prev.lower_}")
                elif prev.is_punct:
                    add(f"prev_punct={prev.text}")
                elif prev.text[:1].isupper():
                    add("prev_capital")
                    if is_title(prev.text):
                        add("prev_title")
            if nxt is not None:
                if nxt.is_alpha and nxt.is_lower:
                    add(f"next={nxt.lower_}")
                elif nxt.is_punct:
                    add(f"next_punct={nxt.text}")
                elif nxt.like_num and not final.whitespace_.count("\n"):
                    add("next_number")
                elif nxt.text[:1].isupper() and "\n" not in final.whitespace_:
                    add("next_capital")
                    if is_title(nxt.text) and len(words) == 1:
                        add("before_role")
            pos = Counter(t.pos_ for t in toks)
            for p, n in pos.items():
                f[f"pos={p}"] = n / len(toks)
            tags = Counter(t.tag_ for t in toks)
            if len(toks) == 1:
                add(f"tag={toks[0].tag_}")
            elif tags.get("NNP", 0) + tags.get("NNPS", 0) < len(toks) / 2:
                add("few_nnp")
            add(f"dep={final.dep_}", crossed=False)
            if first.ent_type_:
                f[f"spacy_ent={first.ent_type_}"] = 1.0
                f[f"spacy_ent*label={first.ent_type_}|{m.label}"] = 1.0
                add("spacy_agrees" if first.ent_type_ == m.label else "spacy_differs")
                exact = first.ent_iob_ == "B" and (
                    nxt is None or nxt.ent_iob_ != "I")
                add("spacy_exact" if exact else "spacy_boundary_differs")
                covered = sum(1 for t in toks if t.ent_type_) / len(toks)
                if covered < 1:
                    add("spacy_partial_cover")
            else:
                add("spacy_none")
        out.append(f)
    return out
