"""Photo and media credits, and statements that a claim could not be verified."""

from __future__ import annotations

import re

from sitegen.annotate.attribution.cues import MEDIA_NAMES
from sitegen.annotate.attribution.draft import Context
from sitegen.core.model import Attribution
from sitegen.source.frontmatter import slugify

_CREDIT_LABEL = (
    r"(?:(?:cover|header|main|top|lead|featured|feature)\s+)?"
    r"(?:photo(?:graph)?s?|images?|pictures?|video|footage|illustration|graphic|"
    r"infographic|map|drawing|artwork|credits?)(?:\s+credits?)?"
)
# "Cover photo: NAME / AGENCY" as its own paragraph or line
_CREDIT_LINE = re.compile(
    rf"(?im)^[ \t(\[]*(?P<cue>{_CREDIT_LABEL})\s*(?::|\||\u2014|\u2013|-)\s*"
    rf"(?P<credit>[^\n]+?)[ \t)\].]*$"
)
# "(Photo: NAME / AGENCY)" inside a paragraph, "Photo by NAME"
_CREDIT_INLINE = re.compile(
    rf"(?i)[(\[](?P<cue>{_CREDIT_LABEL})\s*(?::|by)\s*(?P<credit>[^)\]\n]+)[)\]]"
)
_CREDIT_BY = re.compile(
    rf"(?im)^[ \t]*(?P<cue>{_CREDIT_LABEL}\s+by)\s+(?P<credit>[^\n]+?)[ \t.]*$"
)

# "cannot be independently verified", "could not confirm", "not immediately available to verify"
_UNVERIFIED = re.compile(
    r"(?i)\b(?:(?:can|could|would|did|does|do|has|have|had|was|were|is|are)\s*(?:not|n't)"
    r"|cannot|unable|impossible|no\s+way|not\s+possible|not\s+been|not\s+immediately"
    r"|not\s+independently)"
    r"[^.;!?]{0,60}?\b(?P<verb>(?:independently\s+)?(?:verif(?:y|ied|ication)|confirm(?:ed)?"
    r"|corroborat(?:e|ed)|authenticat(?:e|ed)|substantiat(?:e|ed)))\b"
    r"|\b(?P<adj>unverified|unconfirmed|uncorroborated)\b(?=[^.;!?]{0,40}"
    r"\b(?:claims?|reports?|information|footage|video|images?|accounts?)\b)"
)


def _credit_kind(credit: str) -> str:
    words = {w.lower() for w in re.findall(r"[\w-]+", credit)}
    if "/" in credit or "via" in words:
        return "person"
    if words and words <= MEDIA_NAMES | {"images", "via", "news", "agency", "photo", "the"}:
        return "media"
    return "person"


def find_credits(text: str) -> list[Attribution]:
    out: list[Attribution] = []
    seen: set[int] = set()
    for pattern in (_CREDIT_LINE, _CREDIT_BY, _CREDIT_INLINE):
        for m in pattern.finditer(text):
            start, end = m.span("credit")
            credit = text[start:end].strip()
            if not credit or start in seen or len(credit) > 120:
                continue
            seen.add(start)
            cue_start, cue_end = m.span("cue")
            out.append(Attribution(
                kind="credit", start=start, end=end, quote=credit, source=credit,
                source_start=start, source_end=end, source_id=slugify(credit) or None,
                source_name=credit, source_kind=_credit_kind(credit),
                cue=text[cue_start:cue_end], cue_start=cue_start, cue_end=cue_end,
                rule="credit",
            ))
    return out


def find_unverified(ctx: Context) -> list[Attribution]:
    out: list[Attribution] = []
    text = ctx.text
    for sent in ctx.doc.sents:
        s, e = sent.start_char, sent.end_char
        m = _UNVERIFIED.search(text, s, e)
        if m is None:
            continue
        while e > s and text[e - 1].isspace():
            e -= 1
        cue_start, cue_end = m.span()
        out.append(Attribution(
            kind="unverified", start=s, end=e, quote=text[s:e],
            cue=text[cue_start:cue_end], cue_start=cue_start, cue_end=cue_end,
            rule="unverified",
        ))
    return out
