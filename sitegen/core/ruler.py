"""A named, ordered list of rules (the way markdown-it-py's `Ruler` holds its rules).

Each rule has a name; rules run in list order. A rule can be added at the end, before or
after another by name, replaced, moved, removed, disabled and enabled again by name, so a
site or a plugin changes one rule without copying the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")


@dataclass(slots=True)
class _Entry(Generic[R]):
    name: str
    rule: R
    enabled: bool = True


class UnknownRule(KeyError):
    """A rule name the ruler does not hold."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known

    def __str__(self) -> str:
        return f"no rule named {self.name!r} (rules: {', '.join(self.known) or 'none'})"


class Ruler(Generic[R]):
    """Rules by name, in order."""

    def __init__(self, rules: Iterable[tuple[str, R]] = ()) -> None:
        self._entries: list[_Entry[R]] = []
        for name, rule in rules:
            self.push(name, rule)

    def _find(self, name: str) -> int:
        for i, entry in enumerate(self._entries):
            if entry.name == name:
                return i
        raise UnknownRule(name, self.names(enabled_only=False))

    def _new(self, name: str, rule: R) -> _Entry[R]:
        if any(e.name == name for e in self._entries):
            raise ValueError(f"a rule named {name!r} is already in the list")
        return _Entry(name, rule)

    def names(self, *, enabled_only: bool = True) -> list[str]:
        """The rules' names, in order (only the enabled ones unless told otherwise)."""
        return [e.name for e in self._entries if e.enabled or not enabled_only]

    def rules(self) -> list[tuple[str, R]]:
        """(name, rule) of every enabled rule, in order: what runs."""
        return [(e.name, e.rule) for e in self._entries if e.enabled]

    def __iter__(self) -> Iterator[tuple[str, R]]:
        return iter(self.rules())

    def __contains__(self, name: object) -> bool:
        return any(e.name == name for e in self._entries)

    def push(self, name: str, rule: R) -> None:
        """Add a rule at the end."""
        self._entries.append(self._new(name, rule))

    def before(self, anchor: str, name: str, rule: R) -> None:
        """Add a rule just before the rule named `anchor`."""
        entry = self._new(name, rule)
        self._entries.insert(self._find(anchor), entry)

    def after(self, anchor: str, name: str, rule: R) -> None:
        """Add a rule just after the rule named `anchor`."""
        entry = self._new(name, rule)
        self._entries.insert(self._find(anchor) + 1, entry)

    def at(self, name: str, rule: R) -> None:
        """Replace the rule named `name`, keeping its place."""
        self._entries[self._find(name)].rule = rule

    def remove(self, name: str) -> None:
        del self._entries[self._find(name)]

    def move(self, name: str, *, before: str | None = None, after: str | None = None) -> None:
        """Move a rule just before or just after another one."""
        if (before is None) == (after is None):
            raise ValueError("move a rule either before or after another one")
        anchor = before if before is not None else after or ""
        self._find(anchor)  # an unknown anchor changes nothing
        entry = self._entries.pop(self._find(name))
        at = self._find(anchor) + (0 if before is not None else 1)
        self._entries.insert(at, entry)

    def disable(self, names: str | Iterable[str]) -> None:
        """Stop running these rules (by name); an unknown name raises UnknownRule and
        changes nothing."""
        self._set(names, False)

    def enable(self, names: str | Iterable[str]) -> None:
        self._set(names, True)

    def _set(self, names: str | Iterable[str], enabled: bool) -> None:
        wanted = [names] if isinstance(names, str) else list(names)
        indexes = [self._find(n) for n in wanted]
        for i in indexes:
            self._entries[i].enabled = enabled

    def copy(self) -> Ruler[R]:
        out: Ruler[R] = Ruler()
        out._entries = [_Entry(e.name, e.rule, e.enabled) for e in self._entries]
        return out
