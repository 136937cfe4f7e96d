"""The site's knowledge base (`content/entities.yaml`) and glossary (`content/glossary.yaml`).

Both are YAML lists of mappings. Every error names the file and the line of the entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitegen.core.errors import SiteError
from sitegen.core.safety import check_asset, check_inside, check_url
from sitegen.core.yaml_errors import explain
from sitegen.core.yaml_safe import BoundedLoader
from sitegen.source.frontmatter import slugify

# Knowledge-base types and the OntoNotes label each one stands for.
TYPE_LABELS = {
    "person": "PERSON",
    "organisation": "ORG",
    "organization": "ORG",
    "place": "GPE",
    "location": "LOC",
    "facility": "FAC",
    "group": "NORP",
    "event": "EVENT",
    "product": "PRODUCT",
    "work": "WORK_OF_ART",
    "law": "LAW",
}
LABEL_TYPES = {
    "PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "location",
    "FAC": "facility", "NORP": "group", "EVENT": "event", "PRODUCT": "product",
    "WORK_OF_ART": "work", "LAW": "law",
}


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    long: str = ""
    url: str = ""
    image: str = ""
    image_credit: str = ""
    link: bool = True
    line: int = 0


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    term: str
    forms: tuple[str, ...] = ()
    definition: str = ""
    long: str = ""
    related: tuple[str, ...] = ()
    url: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    entities: tuple[Entity, ...] = ()
    fingerprint: str = ""

    def by_id(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}


@dataclass(frozen=True, slots=True)
class Glossary:
    terms: tuple[Term, ...] = ()
    fingerprint: str = ""

    def by_id(self) -> dict[str, Term]:
        return {t.id: t for t in self.terms}


def _entries(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """Each list entry with its 1-based line; empty when the file does not exist."""
    if not path.is_file():
        return [], ""
    check_inside(path, path.parent)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SiteError("the file is not valid UTF-8", path, hint="save it as UTF-8") from None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        node = yaml.compose(text)
        data = yaml.load(text, Loader=BoundedLoader)
    except yaml.MarkedYAMLError as exc:
        found = explain(exc)
        raise SiteError(f"invalid YAML: {found.message}", path, found.line,
                        hint=found.hint) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise SiteError(f"invalid YAML: {exc}", path) from None
    if data is None:
        return [], digest
    if not isinstance(data, list) or node is None or not isinstance(node, yaml.SequenceNode):
        raise SiteError("expected a list of entries (lines starting with '- ')", path, 1)
    out: list[tuple[int, dict[str, Any]]] = []
    for item, child in zip(data, node.value, strict=True):
        line = child.start_mark.line + 1
        if not isinstance(item, dict):
            raise SiteError("each entry must be a mapping of 'key: value' lines", path, line)
        out.append((line, item))
    return out, digest


def _id(slug: str, what: str, path: Path, line: int) -> str:
    """A slug that names a page or an anchor: never empty."""
    if not slug:
        raise SiteError(
            f"the {what} has no usable id: its name has no letters or digits in A-Z, 0-9",
            path, line, hint="add an id made of ASCII letters, digits and hyphens, "
            "e.g. id: my-entry")
    return slug


def _str(item: dict[str, Any], key: str, path: Path, line: int) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    raise SiteError(f"'{key}' must be text", path, line)


def _list(item: dict[str, Any], key: str, path: Path, line: int) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return tuple(str(v) for v in value)
    raise SiteError(f"'{key}' must be a list of text", path, line)


def _unknown_keys(item: dict[str, Any], known: set[str], path: Path, line: int) -> None:
    for key in item:
        if key not in known:
            raise SiteError(
                f"unknown field '{key}'", path, line, hint=f"known: {', '.join(sorted(known))}"
            )


ENTITY_KEYS = {
    "id", "name", "type", "label", "aliases", "description", "long", "url", "image",
    "image_credit", "link",
}


def load_kb(path: Path) -> KnowledgeBase:
    entries, digest = _entries(path)
    entities: list[Entity] = []
    seen: dict[str, int] = {}
    for line, item in entries:
        _unknown_keys(item, ENTITY_KEYS, path, line)
        name = _str(item, "name", path, line)
        if not name:
            raise SiteError("entity without a name", path, line, hint="add: name: ...")
        etype = _str(item, "type", path, line).lower() or "other"
        label = _str(item, "label", path, line).upper()
        if not label:
            if etype not in TYPE_LABELS:
                raise SiteError(
                    f"unknown entity type '{etype}'", path, line,
                    hint=f"use one of: {', '.join(sorted(set(TYPE_LABELS) - {'organization'}))}",
                )
            label = TYPE_LABELS[etype]
        eid = _id(slugify(_str(item, "id", path, line) or name), "entity", path, line)
        if eid in seen:
            raise SiteError(
                f"entity id '{eid}' is defined twice (first at line {seen[eid]})", path, line
            )
        seen[eid] = line
        link = item.get("link", True)
        if not isinstance(link, bool):
            raise SiteError("'link' must be true or false", path, line)
        entities.append(
            Entity(
                id=eid, name=name, type=LABEL_TYPES.get(label, etype), label=label,
                aliases=_list(item, "aliases", path, line),
                description=_str(item, "description", path, line),
                long=_str(item, "long", path, line),
                url=check_url(_str(item, "url", path, line), "'url'", path, line),
                image=check_asset(_str(item, "image", path, line), "'image'", path, line),
                image_credit=_str(item, "image_credit", path, line), link=link, line=line,
            )
        )
    return KnowledgeBase(entities=tuple(entities), fingerprint=digest)


MAX_FORMS = 1000  # forms of one glossary term (each is lemmatised by the model)
TERM_KEYS = {"id", "term", "forms", "definition", "long", "related", "url"}


def load_glossary(path: Path) -> Glossary:
    entries, digest = _entries(path)
    terms: list[Term] = []
    seen: dict[str, int] = {}
    forms_seen: dict[str, tuple[str, int]] = {}
    for line, item in entries:
        _unknown_keys(item, TERM_KEYS, path, line)
        term = _str(item, "term", path, line)
        if not term:
            raise SiteError("glossary entry without a term", path, line, hint="add: term: ...")
        definition = _str(item, "definition", path, line)
        if not definition:
            raise SiteError(
                f"glossary term '{term}' has no definition", path, line,
                hint="add: definition: a short plain-text explanation",
            )
        tid = _id(slugify(_str(item, "id", path, line) or term), "glossary term", path, line)
        if tid in seen:
            raise SiteError(
                f"glossary term '{term}' is defined twice (first at line {seen[tid]})",
                path, line,
            )
        seen[tid] = line
        forms = _list(item, "forms", path, line)
        if len(forms) > MAX_FORMS:
            raise SiteError(
                f"glossary term '{term}' has {len(forms):,} forms, over the limit of "
                f"{MAX_FORMS:,}", path, line,
                hint="list the spellings readers meet; each form is tagged by the model")
        for form in (term, *forms):
            key = form.lower()
            if key in forms_seen and forms_seen[key][0] != tid:
                other, other_line = forms_seen[key]
                raise SiteError(
                    f"the form '{form}' is claimed by two terms: '{other}' (line "
                    f"{other_line}) and '{tid}'", path, line,
                    hint="keep the form under one term only",
                )
            forms_seen[key] = (tid, line)
        terms.append(
            Term(
                id=tid, term=term, forms=forms, definition=definition,
                long=_str(item, "long", path, line),
                related=_list(item, "related", path, line),
                url=check_url(_str(item, "url", path, line), "'url'", path, line),
                line=line,
            )
        )
    return Glossary(terms=tuple(terms), fingerprint=digest)
