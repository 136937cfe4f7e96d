"""The attribution rules: a named, ordered rule list (`sitegen.core.ruler.Ruler`).

Each rule looks at one attribution pass (`AttributionState`): the finders of speech add
`Draft`s to `state.ctx.drafts` (their source is resolved afterwards), the pattern rules add
finished `Attribution`s to `state.found`. A draft remembers the rule that made it
(`Attribution.rule`). The default order matters: later finders skip the cues and quotes
earlier ones used.

A site leaves rules out with `[attributions] disabled_rules = ["labelled"]`; code (a test,
a plugin, a newsroom's fork) changes `AttributionsAnnotator.ruler` by name:
`ruler.disable("credit")`, `ruler.move("reported", before="quote")`,
`ruler.after("according", "mine", my_rule)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sitegen.annotate.attribution.credits import find_credits, find_unverified
from sitegen.annotate.attribution.direct import find_direct
from sitegen.annotate.attribution.draft import Context
from sitegen.annotate.attribution.labels import find_labelled
from sitegen.annotate.attribution.reported import find_according_to, find_reported
from sitegen.core.model import Attribution
from sitegen.core.ruler import Ruler


@dataclass(slots=True)
class AttributionState:
    """One attribution pass: the parse and drafts (`ctx`) and finished attributions."""

    ctx: Context
    found: list[Attribution] = field(default_factory=list)


Rule = Callable[[AttributionState], None]


def quote(state: AttributionState) -> None:
    """Quoted words and their speaker ('"...," Mulder said')."""
    find_direct(state.ctx)


def reported(state: AttributionState) -> None:
    """Reported speech ('the minister said that ...')."""
    find_reported(state.ctx)


def according(state: AttributionState) -> None:
    """'According to X, ...'."""
    find_according_to(state.ctx)


def labelled(state: AttributionState) -> None:
    """Interview transcripts: 'Mulder: ...'."""
    find_labelled(state.ctx)


def credit(state: AttributionState) -> None:
    """Photo and media credits ('Photo: NAME / AGENCY')."""
    state.found.extend(find_credits(state.ctx.text))


def unverified(state: AttributionState) -> None:
    """Claims that could not be verified."""
    state.found.extend(find_unverified(state.ctx))


DEFAULT_RULES: tuple[tuple[str, Rule], ...] = (
    ("quote", quote), ("reported", reported), ("according", according),
    ("labelled", labelled), ("credit", credit), ("unverified", unverified),
)
DEFAULT_NAMES = tuple(name for name, _ in DEFAULT_RULES)


def default_ruler() -> Ruler[Rule]:
    """A fresh rule list in the default order, every rule enabled."""
    return Ruler(DEFAULT_RULES)
