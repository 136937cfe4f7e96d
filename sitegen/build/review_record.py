"""Recording an editor's decision in NAME.review.yaml: the one read-modify-write that
`sitegen review` and the preview's review mode (`sitegen serve`) share, so both write the
same file format. It runs under the folder lock and reads the file again inside it: two
writers at once (two terminals, two preview tabs) both keep their decision."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sitegen.annotate.review import ACTIONS, Candidate, Decision, match
from sitegen.annotate.review_file import check_value, load_review, locked, review_path, save_review
from sitegen.build.review_status import Reviewed
from sitegen.core.errors import SiteError


def find_candidate(reviews: Sequence[Reviewed], ident: str) -> tuple[Reviewed, Candidate]:
    """The one annotation with the ID `ident` (a SiteError when none or several)."""
    hits = [(r, c) for r in reviews for c in r.cands if c.id == ident]
    if not hits:
        raise SiteError(f"no annotation has the ID {ident}",
                        hint="list them with: sitegen review (IDs change when the words "
                        "around an annotation change)")
    if len(hits) > 1:
        raise SiteError(f"the ID {ident} fits {len(hits)} annotations with the same words "
                        "and context", hint="write the decision by hand with more context "
                        "(docs/review.md)")
    return hits[0]


def record_decision(r: Reviewed, c: Candidate, action: str,
                    values: Sequence[tuple[str, str]] = (), note: str | None = None) -> Path:
    """Record `action` (with the corrected `values`) for candidate `c` of article `r` in its
    review file; returns the file. A new decision replaces the one the annotation had; a
    second correction adds to the fields of the first. `note` None keeps the old note."""
    if action not in ACTIONS:
        raise SiteError(f"unknown action '{action}'", hint="action is one of "
                        + ", ".join(ACTIONS))
    if action == "correct" and not values:
        raise SiteError("a correction needs at least one field=value")
    if action != "correct" and values:
        raise SiteError(f"only a correction sets fields, not '{action}'")
    for key, value in values:
        check_value(c.kind, key, value)
    path = review_path(r.path)
    with locked(path):
        decisions = load_review(path)  # again, under the lock: another writer may have won
        decided, _ = match(decisions, r.cands)
        old = decided.get(c.id)
        merged = dict(old.values) if old is not None and old.action == "correct" and values \
            else {}
        merged.update(values)
        kept = [d for d in decisions
                if d != old and not (d.kind == c.kind and d.anchor == c.anchor)]
        if note is None:
            note = old.note if old is not None else ""
        kept.append(Decision(c.kind, action, c.anchor, tuple(merged.items()), note=note))
        save_review(path, kept)
    return path
