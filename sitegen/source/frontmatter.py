"""Front matter: split it off with python-frontmatter's YAML handler, validate the fields."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from sitegen.core.errors import SiteError
from sitegen.core.model import ArticleMeta, Cover, Source
from sitegen.core.safety import check_asset
from sitegen.core.yaml_errors import explain
from sitegen.core.yaml_safe import BoundedLoader, YamlLimitError

_HANDLER = YAMLHandler()


class _Loader(BoundedLoader):
    """Safe YAML that leaves dates as text, so a bad date is our error, not a crash."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
KNOWN = {
    "title", "date", "updated", "authors", "author", "tags", "summary", "slug", "draft",
    "cover", "location",
}


def slugify(text: str) -> str:
    """ASCII, lower case, words joined by hyphens (like Hugo's and Pelican's slugs)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split(source: Source) -> tuple[str | None, str, int]:
    """(front matter text or None, body, body offset in the source text)."""
    text = source.text
    if not _HANDLER.detect(text):
        return None, text, 0
    bounds = list(_HANDLER.FM_BOUNDARY.finditer(text))
    if len(bounds) < 2 or bounds[0].start() != 0:
        raise SiteError(
            "front matter is not closed", source.path, 1,
            hint="end the front matter with a line of three dashes: ---",
        )
    fm = text[bounds[0].end() : bounds[1].start()].removeprefix("\n")  # starts on line 2
    offset = bounds[1].end()
    if text[offset : offset + 1] == "\n":
        offset += 1
    return fm, text[offset:], offset


def _line_of(fm: str, key: str) -> int:
    for number, line in enumerate(fm.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number + 1  # +1 for the opening --- line
    return 1


def load_yaml(fm: str, path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(fm, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        if isinstance(exc, YamlLimitError):  # aliases past the limit: no syntax hint
            mark = exc.problem_mark or exc.context_mark
            raise SiteError(f"invalid YAML front matter: {exc.problem or 'invalid YAML'}",
                            path, mark.line + 2 if mark is not None else 1) from None
        found = explain(exc, offset=1)  # where the problem starts (after the opening ---)
        raise SiteError(f"invalid YAML front matter: {found.message}", path, found.line or 1,
                        hint=found.hint) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise SiteError(f"invalid YAML front matter: {exc}", path, 2) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SiteError("front matter must be a mapping of 'key: value' lines", path, 2)
    return {str(k): v for k, v in data.items()}


def _date(value: Any, key: str, fm: str, path: Path) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SiteError(
        f"'{key}' is not a date: {value!r}", path, _line_of(fm, key),
        hint="write dates as YYYY-MM-DD or YYYY-MM-DDTHH:MM",
    )


def _strings(value: Any, key: str, fm: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v) for v in value)
    raise SiteError(f"'{key}' must be a list of names", path, _line_of(fm, key))


def _tags(value: Any, fm: str, path: Path) -> tuple[str, ...]:
    tags = []
    for raw in _strings(value, "tags", fm, path):
        tag = slugify(raw)
        if not tag:
            raise SiteError(
                f"the tag {raw!r} has no letters or digits in A-Z, 0-9, so it has no page "
                "name", path, _line_of(fm, "tags"),
                hint="remove the tag or spell it with letters or digits")
        tags.append(tag)
    return tuple(dict.fromkeys(tags))


def _text(value: Any, key: str, fm: str, path: Path) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise SiteError(f"'{key}' must be text", path, _line_of(fm, key))


def _cover(value: Any, fm: str, path: Path) -> Cover | None:
    if value is None:
        return None
    line = _line_of(fm, "cover")
    if isinstance(value, str):
        return Cover(image=check_asset(value, "the cover image", path, line))
    if isinstance(value, dict) and isinstance(value.get("image"), str):
        return Cover(
            image=check_asset(value["image"], "the cover image", path, line),
            alt=_text(value.get("alt"), "cover", fm, path),
            credit=_text(value.get("credit"), "cover", fm, path),
            caption=_text(value.get("caption"), "cover", fm, path),
        )
    raise SiteError(
        "'cover' must be an image path or a mapping with image, alt, credit, caption",
        path, _line_of(fm, "cover"),
    )


def parse_meta(source: Source, fm: str | None, require_title: bool = True) -> ArticleMeta:
    """Validate the front matter; an article without front matter gets its file name."""
    path = source.path
    data = load_yaml(fm, path) if fm is not None else {}
    fm = fm or ""
    stem = Path(source.rel).stem
    title = _text(data.get("title"), "title", fm, path).strip()
    if not title:
        if require_title:
            raise SiteError(
                "the article has no title", path, 1,
                hint='add a front matter line: title: "..."',
            )
        title = stem.replace("-", " ").capitalize()
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        raise SiteError("'draft' must be true or false", path, _line_of(fm, "draft"))
    authors = _strings(data.get("authors", data.get("author")), "authors", fm, path)
    raw_slug = _text(data.get("slug"), "slug", fm, path)
    if any(c in raw_slug for c in "/\\") or ".." in raw_slug:
        raise SiteError(
            f"the slug must be one path segment, not {raw_slug!r}", path, _line_of(fm, "slug"),
            hint="use letters, digits and hyphens; the permalink decides the folders",
        )
    slug = slugify(raw_slug or stem)
    if not slug:
        raise SiteError(
            "the slug is empty", path, _line_of(fm, "slug"),
            hint="give the article a slug made of letters or digits",
        )
    extra = tuple(sorted((k, v) for k, v in data.items() if k not in KNOWN))
    return ArticleMeta(
        title=title,
        date=_date(data.get("date"), "date", fm, path),
        updated=_date(data.get("updated"), "updated", fm, path),
        authors=authors,
        tags=_tags(data.get("tags"), fm, path),
        summary=_text(data.get("summary"), "summary", fm, path),
        slug=slug,
        draft=draft,
        cover=_cover(data.get("cover"), fm, path),
        location=_text(data.get("location"), "location", fm, path),
        extra=extra,
    )
