"""Knowledge-base names and aliases found in the text, and the authors' inline overrides."""

from __future__ import annotations

import re
from functools import lru_cache

from sitegen.annotate.entities.spans import Cand
from sitegen.core.model import Override
from sitegen.source.kb import Entity, KnowledgeBase


@lru_cache(maxsize=8)
def _index(kb: KnowledgeBase) -> tuple[re.Pattern[str] | None, dict[str, Entity]]:
    """One regex for every name and alias (longest first) and lower form -> entity."""
    forms: dict[str, Entity] = {}
    for ent in kb.entities:
        for form in (ent.name, *ent.aliases):
            form = " ".join(form.split())
            if len(form) >= 2:
                forms.setdefault(form.lower(), ent)
    if not forms:
        return None, forms
    alternatives = sorted(forms, key=len, reverse=True)
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(f) for f in alternatives) + r")(?!\w)"
    return re.compile(pattern.replace(r"\ ", r"\s+"), re.IGNORECASE), forms


def _case_ok(found: str, form: str) -> bool:
    """Exact case, ALL CAPS (headlines) or a capitalised first letter (sentence start)."""
    if found == form or (found.isupper() and len(found) > 2):
        return True
    return found == form[:1].upper() + form[1:] and form[:1].islower()


def kb_candidates(text: str, kb: KnowledgeBase) -> list[Cand]:
    pattern, forms = _index(kb)
    if pattern is None:
        return []
    out: list[Cand] = []
    for m in pattern.finditer(text):
        found = " ".join(m.group(0).split())
        ent = forms.get(found.lower())
        if ent is None:
            continue
        canonical = next(
            (f for f in (ent.name, *ent.aliases) if " ".join(f.split()).lower() == found.lower()),
            ent.name,
        )
        if not _case_ok(found, " ".join(canonical.split())):
            continue
        out.append(Cand(m.start(), m.end(), ent.label, "kb", ent.id, ent.name, fixed=True))
    return out


def override_candidate(
    ov: Override, kb: KnowledgeBase, overlapped: list[Cand], text: str
) -> Cand | None:
    """The mention an `{entity=...}` override forces, or None for other overrides."""
    if not ov.entity:
        return None
    from sitegen.source.frontmatter import slugify

    eid = slugify(ov.entity)
    ent = kb.by_id().get(eid)
    if ent is not None:
        return Cand(ov.start, ov.end, ent.label, "override", ent.id, ent.name, fixed=True)
    label = overlapped[0].label if overlapped else "PERSON"
    name = next((c.name for c in overlapped if c.name), None) or " ".join(
        text[ov.start:ov.end].split()
    )
    return Cand(ov.start, ov.end, label, "override", eid, name, fixed=True)
