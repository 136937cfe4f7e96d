"""`NAME.review.yaml` beside `NAME.md`: an article's editorial decisions (docs/review.md).

Read with line numbers (errors name file:line), written atomically, decisions in order.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from sitegen.annotate.review import (
    ACTIONS,
    ATTRIBUTION_KINDS,
    FIELDS,
    KINDS,
    SOURCE_KINDS,
    Anchor,
    Applied,
    Decision,
    apply,
    squash,
)
from sitegen.core.errors import SiteError
from sitegen.core.model import Annotations, Document
from sitegen.core.yaml_errors import explain
from sitegen.source.kb import KnowledgeBase

SUFFIX = ".review.yaml"
KEYS = ("kind", "action", "text", "before", "after", "set", "note")
HEADER = ("# Editorial decisions for {name} (sitegen review; see docs/review.md).\n"
          "# Each decision finds its annotation by `text` and the context around it.\n")


def review_path(article: Path) -> Path:
    """Where the decisions of the article at `article` (NAME.md) are kept."""
    return article.with_name(article.stem + SUFFIX)


def is_review_file(path: Path | str) -> bool:
    return str(path).endswith(SUFFIX)


def _err(path: Path, node: yaml.Node | None, message: str, hint: str | None = None
         ) -> SiteError:
    line = node.start_mark.line + 1 if node is not None else 1
    return SiteError(message, path, line, hint=hint)


def _text(path: Path, node: yaml.Node, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _err(path, node, f"'{key}' must be a text")
    return str(node.value)


def _decision(path: Path, node: yaml.Node) -> Decision:
    if not isinstance(node, yaml.MappingNode):
        raise _err(path, node, "a decision must be a mapping (kind, action, text, ...)")
    raw: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for k, v in node.value:
        key = str(k.value)
        if key not in KEYS:
            raise _err(path, k, f"unknown key '{key}' in a decision",
                       hint="a decision has " + ", ".join(KEYS))
        raw[key] = (k, v)
    for need in ("kind", "action", "text"):
        if need not in raw:
            raise _err(path, node, f"a decision needs '{need}'")
    kind = _text(path, raw["kind"][1], "kind")
    action = _text(path, raw["action"][1], "action")
    if kind not in KINDS:
        raise _err(path, raw["kind"][1], f"unknown kind '{kind}'",
                   hint="kind is one of " + ", ".join(KINDS))
    if action not in ACTIONS:
        raise _err(path, raw["action"][1], f"unknown action '{action}'",
                   hint="action is one of " + ", ".join(ACTIONS))
    values: list[tuple[str, str]] = []
    if "set" in raw:
        knode = raw["set"][0]
        if action != "correct":
            raise _err(path, knode, f"'set' belongs to a 'correct' decision, not '{action}'")
        snode = raw["set"][1]
        if not isinstance(snode, yaml.MappingNode):
            raise _err(path, snode, "'set' must be a mapping of field: value")
        for k, v in snode.value:
            values.append((str(k.value), _text(path, v, str(k.value))))
            check_value(kind, str(k.value), values[-1][1], path, k.start_mark.line + 1)
    if action == "correct" and not values:
        raise _err(path, node, "a 'correct' decision needs 'set' with the new values",
                   hint="e.g. set: {source_id: jane-ortiz}")
    text = squash(_text(path, raw["text"][1], "text")).strip()
    if not text:
        raise _err(path, raw["text"][1], "'text' must not be empty")
    anchor = Anchor(text,
                    squash(_text(path, raw["before"][1], "before")) if "before" in raw else "",
                    squash(_text(path, raw["after"][1], "after")) if "after" in raw else "")
    note = _text(path, raw["note"][1], "note") if "note" in raw else ""
    return Decision(kind, action, anchor, tuple(values), node.start_mark.line + 1, note)


def check_value(kind: str, key: str, value: str, path: Path | str | None = None,
                line: int | None = None) -> None:
    """A `correct` field must exist for the kind and hold an allowed value."""
    allowed = FIELDS[kind]
    if not allowed:
        raise SiteError(f"a {kind} annotation can be accepted or rejected, not corrected",
                        path, line)
    if key not in allowed:
        raise SiteError(f"unknown field '{key}' for a {kind} correction", path, line,
                        hint="fields: " + ", ".join(allowed))
    for name, options in (("kind", ATTRIBUTION_KINDS), ("source_kind", SOURCE_KINDS)):
        if kind == "attribution" and key == name and value not in options:
            raise SiteError(f"unknown {name} '{value}'", path, line,
                            hint=f"{name} is one of " + ", ".join(options))


def parse_review(path: Path, text: str) -> tuple[Decision, ...]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        problem = explain(exc)
        raise SiteError(problem.message, path, problem.line, hint=problem.hint) from None
    if root is None:
        return ()
    if not isinstance(root, yaml.MappingNode):
        raise _err(path, root, "a review file is a mapping with one key, 'decisions'")
    decisions: tuple[Decision, ...] = ()
    for k, v in root.value:
        if k.value != "decisions":
            raise _err(path, k, f"unknown key '{k.value}'", hint="the only key is 'decisions'")
        if isinstance(v, yaml.ScalarNode) and v.value in ("", "~", "null"):
            continue
        if not isinstance(v, yaml.SequenceNode):
            raise _err(path, v, "'decisions' must be a list")
        decisions = tuple(_decision(path, n) for n in v.value)
    return decisions


def load_review(path: Path) -> tuple[Decision, ...]:
    """The decisions in `path`; none when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except UnicodeDecodeError:
        raise SiteError("the review file is not valid UTF-8", path, 1) from None
    return parse_review(path, text)


def _plain(d: Decision) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": d.kind, "action": d.action, "text": d.anchor.text,
                           "before": d.anchor.before, "after": d.anchor.after}
    if d.values:
        out["set"] = dict(d.values)
    if d.note:
        out["note"] = d.note
    return out


def save_review(path: Path, decisions: list[Decision] | tuple[Decision, ...]) -> None:
    """Write the decisions atomically (a temporary file renamed over the old one)."""
    body = yaml.safe_dump({"decisions": [_plain(d) for d in decisions]}, sort_keys=False,
                          allow_unicode=True, width=10_000, default_flow_style=False)
    data = HEADER.format(name=path.name[: -len(SUFFIX)] + ".md") + body
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def reviewed(doc: Document, ann: Annotations, kb: KnowledgeBase | None = None
             ) -> tuple[Applied, str | None]:
    """The article's candidates with its review file's decisions applied, and a digest of
    the decisions that found their annotation (None when none did: the annotations are
    the candidates as they were, and an orphaned decision changes no page)."""
    decisions = load_review(review_path(doc.source.path))
    if not decisions:
        return Applied(ann), None
    names = {e.id: e.name for e in kb.entities} if kb is not None else None
    applied = apply(decisions, doc.view, ann, names)
    if not applied.decided:
        return applied, None
    effect = sorted((cid, d.action, list(d.values)) for cid, d in applied.decided.items())
    blob = json.dumps([effect, sorted((names or {}).items())], ensure_ascii=False)
    return applied, hashlib.sha256(blob.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the folder of `path` for a read-modify-write of its review
    file: two writers (two terminals, later two preview tabs) never lose a decision."""
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
