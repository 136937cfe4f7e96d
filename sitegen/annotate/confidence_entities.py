"""Features of each entity mention of an article for its confidence model.

The same function feeds training (`training/train_confidence.py`) and scoring. Features are
named indicators: the label and where it came from (model, knowledge base, gazetteer,
document consistency), the mention's shape (length, capitals, digits), its place in the
sentence and the block, the parts of speech inside it, and how often the article repeats it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from typing import Any

from ..model import EntityMention, TextView
from .confidence_model import Features


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return f">{edges[-1]}"


def entity_features(doc: Any, view: TextView, ents: tuple[EntityMention, ...]
                    ) -> list[Features]:
    """One feature dict per mention, in order."""
    starts = [t.idx for t in doc]
    per_id = Counter(m.entity_id for m in ents)
    out: list[Features] = []
    for m in ents:
        f: Features = {f"label={m.label}": 1.0, f"origin={m.origin}": 1.0,
                       f"label*origin={m.label}|{m.origin}": 1.0}
        lo = max(0, bisect.bisect_right(starts, m.start) - 1)
        hi = max(lo + 1, bisect.bisect_left(starts, m.end))
        toks = [doc[i] for i in range(lo, min(hi, len(doc)))]
        words = m.text.split()
        f[f"n_words={_bucket(len(words), (1, 2, 3, 4))}"] = 1.0
        if m.text.isupper() and len(m.text) > 1:
            f["all_caps"] = 1.0
        if any(ch.isdigit() for ch in m.text):
            f["digit"] = 1.0
        if any(w[:1].islower() for w in words):
            f["lower_word"] = 1.0
        if toks:
            first = toks[0]
            if first.is_sent_start or first.i == 0 or doc[first.i - 1].is_space:
                f["sentence_start"] = 1.0
                f[f"sentence_start*label={m.label}"] = 1.0
            pos = Counter(t.pos_ for t in toks)
            for p, n in pos.items():
                f[f"pos={p}"] = n / len(toks)
            if first.ent_type_:
                f[f"spacy_ent={first.ent_type_}"] = 1.0
                f["spacy_agrees" if first.ent_type_ == m.label else "spacy_differs"] = 1.0
            else:
                f["spacy_none"] = 1.0
        block = view.block_at(m.start)
        if block:
            f[f"block={block}"] = 1.0
        f[f"repeats={_bucket(per_id[m.entity_id], (1, 2, 4))}"] = 1.0
        out.append(f)
    return out
