"""Where an article stands in review: its candidates, which have an editor's decision, its
orphaned decisions; and the sign-off check of `sitegen build --require-review`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.annotate.review import Candidate, Decision, Orphan, candidates, match
from sitegen.annotate.review_file import load_review, review_path
from sitegen.core.errors import SiteError, SiteErrors
from sitegen.core.model import AnnotatedDocument


@dataclass(frozen=True, slots=True)
class Reviewed:
    """One article: every candidate (decisions applied), which are decided, the orphans."""

    ad: AnnotatedDocument
    cands: list[Candidate]
    decided: dict[str, Decision]
    orphans: tuple[Orphan, ...]

    @property
    def path(self) -> Path:
        return self.ad.document.source.path


def review_of(ad: AnnotatedDocument) -> Reviewed:
    doc = ad.document
    cands = list(candidates(doc.view, ad.all_annotations))
    decided, orphans = match(load_review(review_path(doc.source.path)), cands)
    return Reviewed(ad, cands, decided, orphans)


def line_of(ad: AnnotatedDocument, pos: int) -> int:
    """The 1-based line of the source file where view offset `pos` lies."""
    doc = ad.document
    off = doc.view.source_offset(pos)
    if off < 0:
        return doc.body_line
    return doc.source.text.count("\n", 0, off) + 1


def require_review(annotated: Sequence[AnnotatedDocument], below: float) -> None:
    """Fail (file:line, every one) when a published annotation below `below` has no
    editor's decision."""
    errors: list[SiteError] = []
    for ad in annotated:
        r = review_of(ad)
        for c in r.cands:
            if c.item.published and c.id not in r.decided and c.item.confidence < below:
                errors.append(SiteError(
                    f"{c.kind} \"{short(c.anchor.text)}\" (confidence "
                    f"{c.item.confidence:.2f}) has no editor's decision", r.path,
                    line_of(ad, c.item.start),
                    hint=f"sitegen review --accept {c.id} (or --reject, --set)"))
    if errors:
        raise errors[0] if len(errors) == 1 else SiteErrors(errors)


def short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


@dataclass(frozen=True, slots=True)
class Summary:
    """Where one article stands: the preview's review mode shows it as
    "14 checked, 3 held back, 1 rejected"."""

    candidates: int  # every annotation the annotators proposed
    checked: int  # with an editor's decision (accept, reject or correct)
    accepted: int
    rejected: int
    corrected: int
    held_back: int  # below the publish threshold and without a decision
    unchecked: int  # published and without a decision
    orphans: int  # decisions that find no annotation

    @property
    def text(self) -> str:
        text = f"{self.checked} checked, {self.held_back} held back, {self.rejected} rejected"
        if self.unchecked:
            text += f"; {self.unchecked} published unchecked"
        if self.orphans:
            text += f"; {self.orphans} orphaned decision" + ("s" if self.orphans > 1 else "")
        return text


def summary(r: Reviewed) -> Summary:
    actions = [d.action for d in r.decided.values()]
    open_ = [c for c in r.cands if c.id not in r.decided]
    return Summary(candidates=len(r.cands), checked=len(r.decided),
                   accepted=actions.count("accept"), rejected=actions.count("reject"),
                   corrected=actions.count("correct"),
                   held_back=sum(1 for c in open_ if not c.item.published),
                   unchecked=sum(1 for c in open_ if c.item.published),
                   orphans=len(r.orphans))
