"""The shorter forms by which a full name is referred to later in an article.

- a person: the surname ("Peskov" for "Dmitry Peskov", "de Gaulle"), and the first word,
  which is the family name in Chinese, Korean and Vietnamese names ("Wang" for
  "Wang Donghai") and the given name otherwise;
- an organisation: the name without its legal form ("Magna International" and "Magna" for
  "Magna International Inc");
- any name followed by an abbreviation in brackets: the abbreviation ("KDP").
"""

from __future__ import annotations

import re

from sitegen.annotate.entities.gazetteer import is_title, name_particles

# Legal forms of companies (a closed class), written as in company names.
LEGAL_FORMS = frozenset({
    "inc", "inc.", "corp", "corp.", "co", "co.", "ltd", "ltd.", "llc", "plc", "sa", "s.a.",
    "ag", "nv", "n.v.", "bv", "b.v.", "gmbh", "spa", "s.p.a.", "ab", "asa", "oyj", "as",
    "a/s", "kk", "bhd", "pty", "lp", "l.p.", "sarl", "srl", "corporation", "incorporated",
    "limited", "company",
})
# Head nouns that make a name an event (OntoNotes EVENT), not an organisation or a place.
EVENT_HEADS = frozenset({
    "cup", "open", "tour", "games", "olympics", "championship", "championships",
    "grand prix", "trophy", "series", "classic", "masters", "tournament", "rally",
    "marathon", "war", "festival", "summit", "derby", "world cup", "final", "finals",
})
ABBREVIATION = re.compile(r"\s*\(([A-Z][A-Za-z.&-]{1,9})\)")


def person_short_forms(full: str) -> list[str]:
    """Surname forms first, then the first word."""
    words = full.replace('"', " ").split()
    words = [w for w in words if not is_title(w)]
    if len(words) < 2:
        return []
    out = [words[-1]]
    particles = name_particles()
    for k in range(1, len(words) - 1):
        if words[k].lower() in particles:
            out.append(" ".join(words[k:]))
            break
    out.append(words[0])
    return [w for w in out if len(w) > 1 and w.split()[-1][:1].isupper()]


def org_short_forms(full: str) -> list[str]:
    words = full.split()
    if len(words) < 2 or words[-1].lower().rstrip(",") not in LEGAL_FORMS:
        return []
    core = words[:-1]
    if core and core[-1].endswith(","):
        core[-1] = core[-1][:-1]
    out = [" ".join(core)]
    if len(core) > 1 and core[0][:1].isupper() and core[0].isalpha():
        out.append(core[0])
    return out


def abbreviation_after(text: str, end: int, full: str) -> str | None:
    """"ACR" when the name at text[..end] is followed by "(ACR)" matching its initials."""
    m = ABBREVIATION.match(text, end)
    if m is None:
        return None
    abbr = m.group(1)
    initials = [w[0] for w in full.split() if w[:1].isupper()]
    letters = [c for c in abbr if c.isupper()]
    if len(letters) < 2 or not initials or letters[0] != initials[0]:
        return None
    rest = iter(initials)
    return abbr if all(letter in rest for letter in letters) else None  # in order


def is_event(name: str) -> bool:
    words = name.lower().split()
    if len(words) < 2:
        return False
    return words[-1] in EVENT_HEADS or " ".join(words[-2:]) in EVENT_HEADS
