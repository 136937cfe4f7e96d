"""What a page is and what a page kind declares (the list is render/pages.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sitegen.index.site import EntityInfo, SiteIndex
from sitegen.render.renderer import RenderedFile, Renderer


@dataclass(frozen=True, slots=True)
class Page:
    """One page to render: its kind (a PageKind's name), URL, output path (relative to the
    output folder) and template context; `root` is the prefix back to the site root (None:
    from the URL)."""

    kind: str
    url: str
    out: str
    context: dict[str, Any] = field(default_factory=dict)
    root: str | None = None


class KeyParts(Protocol):
    """What a page kind's key function may use (keys.PageKeys)."""

    salt: str

    def digest(self, value: Any) -> str: ...

    def uses_index(self, template: str) -> bool: ...

    def entity_fact(self, info: EntityInfo) -> str: ...


PagesFn = Callable[[Renderer, SiteIndex], Iterable[Page]]
KeyFn = Callable[[KeyParts, Renderer, Page, SiteIndex], list[str]]
DrawFn = Callable[[Renderer, Page, SiteIndex], RenderedFile]


@dataclass(frozen=True, slots=True)
class PageKind:
    name: str
    template: str | None  # None: not drawn from a template (the social cards)
    pages: PagesFn
    key: KeyFn | None = None  # None: the template, URL, root and context (keys.PageKeys)
    draw: DrawFn | None = None  # None: Renderer.render(template, url, out, root, **context)
