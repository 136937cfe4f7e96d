"""Rendering a site, composed: a Renderer draws pages, PageKeys (optional) gives each page
its dependency key, and a page store (optional: the previous output on disk for a build,
memory for the preview) gives back the bytes of a page whose key did not change. Which
pages there are is the list of page kinds (render/pages.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sitegen.index.site import SiteIndex
from sitegen.render.keys import PageKeys
from sitegen.render.pages import PAGE_KINDS, Page, PageKind, page_templates
from sitegen.render.renderer import RenderedFile, Renderer
from sitegen.render.store import PageStore


@dataclass(frozen=True, slots=True)
class Rendered:
    """What rendering a whole site returns."""

    files: list[RenderedFile]
    rendered: int = 0  # pages drawn
    reused: int = 0  # pages whose previous bytes were kept (same key)
    keys: dict[str, str] = field(default_factory=dict)  # output path -> key (with keys)


class SiteRenderer:
    def __init__(self, renderer: Renderer, keys: PageKeys | None = None,
                 store: PageStore | None = None,
                 kinds: Sequence[PageKind] = PAGE_KINDS) -> None:
        self.renderer = renderer
        self.keys = keys
        self.store = store
        self.kinds = tuple(kinds)
        self._by_name = {k.name: k for k in self.kinds}
        self.page_keys: dict[str, str] = {}  # output path -> key, this pass
        self.rendered = 0
        self.reused = 0

    def prepare(self) -> None:
        """Load the templates (and find which read the whole index) ahead of rendering."""
        templates = page_templates(self.kinds)
        self.renderer.prepare(templates)
        if self.keys is not None:
            self.keys.prepare(templates)

    def start_pass(self) -> None:
        """Before another pass over the same site after an edit (the preview)."""
        self.page_keys = {}
        self.rendered = self.reused = 0
        self.renderer.forget_feeds()  # an edited article's feed entry must be made again
        if self.keys is not None:
            self.keys.start_pass()

    def render(self, page: Page, index: SiteIndex) -> RenderedFile:
        """The page: its previous bytes when the store has them for its key, else drawn."""
        kind = self._by_name[page.kind]
        if self.keys is not None:
            key = self.page_keys[page.out] = self.keys.key(kind, page, index)
            if self.store is not None:
                data = self.store.get(page.out, key)
                if data is not None:
                    self.reused += 1
                    return RenderedFile(page.out, data)
        self.rendered += 1
        if kind.draw is not None:
            return kind.draw(self.renderer, page, index)
        assert kind.template is not None, f"page kind {kind.name} draws nothing"
        return self.renderer.render(kind.template, page.url, page.out, page.root,
                                    **page.context)

    def pages(self, index: SiteIndex) -> Iterator[RenderedFile]:
        """Every page of the site, kind by kind."""
        for kind in self.kinds:
            for page in kind.pages(self.renderer, index):
                yield self.render(page, index)

    def site(self, index: SiteIndex) -> Rendered:
        files = list(self.pages(index))
        return Rendered(files, self.rendered, self.reused, dict(self.page_keys))
