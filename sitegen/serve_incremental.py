"""The preview's fast path for article edits: the pipeline's values kept in memory, so a
save re-parses and re-annotates only the edited articles and re-renders only the pages
that can show them.

It sits on the stage functions of build.py and is checked against it: after priming, every
page it renders must equal the page build() wrote into the preview folder, otherwise the
fast path stays off and every save goes through build(). Any surprise while updating also
falls back to build(). Pages re-rendered for an edit of articles A:
  - A's own pages (old and new URL);
  - articles mentioning an entity that A mentions (before or after): the page shows how
    many other articles mention it, and whether the entity has a page at all;
  - entity pages of those entities, tag pages and tag feeds of A's tags, listing pages
    (home pagination) that list A, and every one-off page (feeds, sitemap, indexes).
When the order of articles changes (a new date, a new or removed article) every page is
rendered again from memory (no parsing, no annotation).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import build as pipeline
from .cache import AnnotationCache, cache_dir
from .config import SiteConfig, load_config
from .discover import read_source
from .index import SiteIndex, build_index
from .kb import Glossary, KnowledgeBase
from .model import AnnotatedDocument, Document
from .parse import parse
from .render import RenderedFile, Renderer
from .safety import check_inside


class _Selective(Renderer):
    """A Renderer that reuses the previous bytes of pages an edit cannot touch."""

    def __init__(self, config: SiteConfig, kb: KnowledgeBase, glossary: Glossary,
                 previous: dict[str, bytes], articles: set[str], entities: set[str],
                 tags: set[str], env: Any = None) -> None:
        super().__init__(config, kb, glossary)
        if env is not None:
            self.env = env
        self.previous = previous
        self.articles = articles
        self.entities = entities
        self.tags = tags

    def _cached(self, out: str) -> RenderedFile | None:
        data = self.previous.get(out)
        return None if data is None else RenderedFile(out, data)

    def article(self, art: Any, index: SiteIndex) -> RenderedFile:
        if art.url not in self.articles:
            cached = self._cached(art.url + "index.html")
            if cached is not None:
                return cached
        return super().article(art, index)

    def _render(self, template: str, url: str, out: str, root: str | None = None,
                **context: Any) -> RenderedFile:
        reuse = False
        if template == "entity.html":
            reuse = context["entity"].id not in self.entities
        elif url.startswith("tags/") and url != "tags/":
            reuse = url not in self.tags
        elif template == "index.html":
            reuse = not any(a.url in self.articles for a in context["articles"])
        if reuse:
            cached = self._cached(out)
            if cached is not None:
                return cached
        return super()._render(template, url, out, root, **context)


class Session:
    """In-memory pipeline state of the preview, updated per edited article."""

    def __init__(self, site: Path, root: Path, drafts: bool, base_url: str) -> None:
        self.site = site.resolve()
        self.root = root
        self.drafts = drafts
        self.base_url = base_url
        self.enabled = False
        self.config: SiteConfig | None = None
        self.kb: KnowledgeBase | None = None
        self.glossary: Glossary | None = None
        self.docs: dict[str, Document] = {}  # content-relative path -> parsed document
        self.annotated: dict[str, AnnotatedDocument] = {}  # published ones only
        self.index: SiteIndex | None = None
        self.pages: dict[str, bytes] = {}
        self.last: dict[str, Any] = {}
        self._env: Any = None  # the Jinja environment, templates compiled once per priming

    # -- priming ----------------------------------------------------------------------------
    def prime(self) -> bool:
        """Load everything into memory; True when the fast path agrees with build()."""
        self.enabled = False
        config = load_config(self.site).with_base_url(self.base_url)
        kb, glossary = pipeline.load_data(config)
        docs = pipeline.parse_all(config)
        self.config, self.kb, self.glossary = config, kb, glossary
        self._env = None
        self.docs = {d.source.rel: d for d in docs}
        self.annotated = {}
        self._annotate([d.source.rel for d in docs])
        self.index = build_index(self._ordered(), config, kb, glossary)
        pages = self._render(self.index, set(), set(), set(), everything=True)
        for rel, data in pages.items():
            try:
                if (self.root / rel).read_bytes() != data:
                    return False
            except OSError:
                return False
        self.pages = pages
        self.enabled = True
        return True

    def _now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def _ordered(self) -> list[AnnotatedDocument]:
        """Published documents in discover() order (sorted by path), as build() has them."""
        # discover() sorts by path: by the parts of the content-relative path.
        rels = sorted(self.annotated, key=lambda rel: rel.split("/"))
        return [self.annotated[rel] for rel in rels]

    def _annotate(self, rels: Iterable[str]) -> int:
        assert self.config is not None and self.kb is not None and self.glossary is not None
        now = self._now()
        todo: list[Document] = []
        for rel in rels:
            doc = self.docs.get(rel)
            self.annotated.pop(rel, None)
            if doc is not None and pipeline.is_published(doc, self.drafts, now):
                todo.append(doc)
        if not todo:
            return 0
        report = pipeline.BuildReport(output=self.root)
        with AnnotationCache(cache_dir(self.site)) as cache:
            done = pipeline.annotate(todo, self.config, self.kb, self.glossary, cache=cache,
                                     jobs=1, report=report)
        for ad in done:
            self.annotated[ad.document.source.rel] = ad
        return report.annotated

    def _render(self, index: SiteIndex, articles: set[str], entities: set[str], tags: set[str],
                everything: bool = False) -> dict[str, bytes]:
        assert self.config is not None and self.kb is not None and self.glossary is not None
        previous = {} if everything else self.pages
        renderer = _Selective(self.config, self.kb, self.glossary, previous, articles,
                              entities, tags, self._env)
        self._env = renderer.env  # a template change re-primes (after a full build)
        return {f.path: f.data for f in renderer.pages(index)}

    # -- updating ---------------------------------------------------------------------------
    def update(self, paths: list[Path]) -> list[str]:
        """Re-read the edited Markdown files; returns the output paths that changed.

        Raises SiteError for bad content (the caller reports it; the state is unchanged).
        """
        assert self.config is not None and self.index is not None
        assert self.kb is not None and self.glossary is not None
        content = self.config.content_path.resolve()
        parsed: dict[str, Document | None] = {}
        for path in paths:
            rel = path.relative_to(content).as_posix()
            if any(part.startswith((".", "_")) for part in Path(rel).parts):
                continue
            parsed[rel] = parse(read_source(check_inside(path, content), rel),
                                raw_html=self.config.markdown.sanitize) if path.is_file() else None
        old_index = self.index
        old_urls = {a.doc.document.source.rel: a.url for a in old_index.articles}
        for rel, doc in parsed.items():
            if doc is None:
                self.docs.pop(rel, None)
            else:
                self.docs[rel] = doc
        annotated = self._annotate(parsed)
        new_index = build_index(self._ordered(), self.config, self.kb, self.glossary)
        new_urls = {a.doc.document.source.rel: a.url for a in new_index.articles}
        touched = {old_urls[r] for r in parsed if r in old_urls}
        touched |= {new_urls[r] for r in parsed if r in new_urls}
        everything = ([a.url for a in old_index.articles] != [a.url for a in new_index.articles])
        articles: set[str] = set(touched)
        entities: set[str] = set()
        tags: set[str] = set()
        for index in (old_index, new_index):
            for info in index.entities.values():
                if any(a.url in touched for a in info.articles):
                    entities.add(info.id)
            for tag, arts in index.tags.items():
                if any(a.url in touched for a in arts):
                    tags.add(f"tags/{tag}/")
        # Other articles show an entity's name, type, page and how many articles mention it:
        # re-render them only for entities where one of those changed.
        ids: set[str] = set()
        for a in (*old_index.articles, *new_index.articles):
            if a.url in touched:
                ids |= _entity_ids(a.doc)
        moved = {i for i in ids if _signature(old_index, i) != _signature(new_index, i)}
        entities |= moved & set(new_index.entities)
        if moved:
            articles |= {a.url for a in new_index.articles if _entity_ids(a.doc) & moved}
        pages = self._render(new_index, articles, entities, tags, everything=everything)
        changed = [rel for rel, data in pages.items() if self.pages.get(rel) != data]
        removed = [rel for rel in self.pages if rel not in pages]
        for rel in changed:
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.sitegen-tmp")
            tmp.write_bytes(pages[rel])
            os.replace(tmp, target)  # never through a hard link shared with an older build
        for rel in removed:
            (self.root / rel).unlink(missing_ok=True)
        self.pages = pages
        self.index = new_index
        self.last = {"annotated": annotated, "rendered_articles": len(articles),
                     "everything": everything}
        return changed + removed


def _entity_ids(doc: AnnotatedDocument) -> set[str]:
    ann = doc.annotations
    return {m.entity_id for m in ann.entities} | {
        a.source_id for a in ann.attributions if a.source_id}


def _signature(index: SiteIndex, entity_id: str) -> tuple[Any, ...] | None:
    """What an article page shows of an entity; None when it has no page."""
    info = index.entities.get(entity_id)
    if info is None:
        return None
    return (info.name, info.label, info.type, tuple(sorted(a.url for a in info.articles)))
