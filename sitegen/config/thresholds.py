"""`[annotate] publish_threshold`: the confidence each kind of annotation needs to be shown
to readers, as one number or a table of kinds."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sitegen.config.keys import key_line, unknown_key
from sitegen.core.errors import SiteError


@dataclass(frozen=True, slots=True)
class PublishThresholds:
    """Per annotation kind, the confidence an annotation needs to be shown to readers.
    Chosen on the shared dev sets (docs/annotation-quality.md): entity precision >= 0.90,
    attributions with the right speaker >= 0.88."""

    entities: float = 0.5
    glossary: float = 0.5
    attributions: float = 0.65


@dataclass(frozen=True, slots=True)
class AnnotateConfig:
    publish_threshold: PublishThresholds = field(default_factory=PublishThresholds)
    # Plugin annotators to run, by the name they are installed under (docs/plugins.md).
    plugins: tuple[str, ...] = ()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_thresholds(value: Any, key: str, path: Path, text: str) -> PublishThresholds:
    """`publish_threshold = 0.6` (every kind) or a table of kinds."""
    known = [f.name for f in fields(PublishThresholds)]
    if _number(value):
        values = dict.fromkeys(known, float(value))
    elif isinstance(value, dict):
        values = {}
        for kind, number in value.items():
            if kind not in known:
                raise unknown_key(kind, known, path, text, f" in [annotate] {key}")
            if not _number(number):
                raise SiteError(f"setting '{kind}' must be a float, not {number!r}", path,
                                key_line(text, kind))
            values[kind] = float(number)
    else:
        raise SiteError(f"setting '{key}' must be a number or a table of kinds, not {value!r}",
                        path, key_line(text, key),
                        hint="publish_threshold = { entities = 0.5, attributions = 0.6 }")
    for kind, number in values.items():
        if not 0.0 <= number <= 1.0:
            raise SiteError(f"publish_threshold for {kind} must be between 0 and 1, "
                            f"not {number}", path, key_line(text, kind))
    return PublishThresholds(**values)
