"""The preview's fast path for article edits: the pipeline's values kept in memory, so a
save re-parses and re-annotates only the edited articles, updates the site index per
article (index.builder: the old contribution removed, the new one added) and re-renders
only the pages whose dependency key changed: the build's Renderer and page keys
(render/keys.py) with a page store of keys and digests (folder_store.py: the bytes are in the
preview folder) instead of the
previous output folder.

An update has two phases: `begin()` re-reads and re-annotates the edited articles, updates
the index and writes the edited articles' own pages (the browser showing one can reload at
once); `finish()` then goes over every page of the site by key, rendering and writing those
whose key changed (home, tags, entity pages, other articles showing an entity whose name
or count changed, feeds, sitemap) and removing pages that are gone. `finish()` may stop
early when a newer save is waiting: the pages it did not reach keep their old keys, so the
next `finish()` renders them.

It is checked against build(): after priming, every page it renders must equal the page
build() wrote into the preview folder, otherwise the fast path stays off and every save goes
through build(). Any surprise while updating also falls back to build().

On start the preview does not build first (issue 17): `load()` reads, annotates (from the
cache) and indexes every article without rendering; a request renders its page at once
(`page_for`) while `finish()` fills the preview folder in the background. `lock` keeps a
request's render and the fill or an update from using the renderer or index at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sitegen.annotate import block_memo
from sitegen.annotate.cache import AnnotationCache, cache_dir
from sitegen.build import engine as pipeline
from sitegen.config.site import SiteConfig, load_config
from sitegen.core.errors import SiteError
from sitegen.core.model import AnnotatedDocument, Document
from sitegen.core.safety import check_inside
from sitegen.index.builder import SiteIndexBuilder
from sitegen.render.keys import PageKeys
from sitegen.render.pages import Page, article_page
from sitegen.render.renderer import Renderer
from sitegen.render.site import SiteRenderer
from sitegen.render.social import CARD_NAME
from sitegen.serve.folder_store import FolderStore
from sitegen.source.discover import read_source
from sitegen.source.kb import Glossary, KnowledgeBase
from sitegen.source.limits import oversized, too_many_tags
from sitegen.source.parse import parse

SALT = "sitegen-preview"  # templates and config changes re-prime: keys only compare in-session


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
        self.index_builder: SiteIndexBuilder | None = None
        # One renderer for the primed session: the Jinja templates are compiled once and the
        # digests of unchanged articles and entities computed once.
        self.renderer: SiteRenderer | None = None
        self.store = FolderStore(root)  # the pages of the preview folder as last written
        self.last: dict[str, Any] = {}
        self.pending = False  # begin() ran; finish() has not completed since
        self.filled = False  # every page is in the preview folder (a finish() completed)
        self.statics: frozenset[str] = frozenset()  # output paths of the site's static files
        self.drawn: list[str] = []  # pages page_for() wrote during this finish()
        self.lock = threading.RLock()
        self._plan: dict[str, Page] = {}  # output path -> page, as far as page_for() looked
        self._unplanned: Iterator[Page] | None = None  # the pages it has not looked at yet
        self._warming: threading.Thread | None = None
        self._split: dict[str, float] = {}

    def page(self, rel: str) -> bytes | None:
        """The bytes of a page of the preview folder as last written, None when gone."""
        return self.store.data(rel)

    # -- priming ----------------------------------------------------------------------------
    def _cache(self) -> Path:
        assert self.config is not None
        return self.config.cache_path or cache_dir(self.site)  # the build's cache folder

    def load(self, refused: list[SiteError] | None = None) -> None:
        """Read (from the cache's document store), annotate (from its annotation cache) and
        index every article, render nothing; then `page_for()` and `finish()` work.
        Articles over a [limits] setting are added to `refused` (without it, raised)."""
        with self.lock:
            self.enabled = self.filled = False
            config = load_config(self.site).with_base_url(self.base_url)
            self.config = config
            docs = pipeline.parse_all(config, self._cache(), refused)
            self._load(config, docs)
            self.pending = True  # nothing written yet: finish() writes every page
            self.enabled = True

    def _load(self, config: SiteConfig, docs: list[Document]) -> SiteRenderer:
        kb, glossary = pipeline.load_data(config)
        self.config, self.kb, self.glossary = config, kb, glossary
        self.docs = {d.source.rel: d for d in docs}
        self.annotated = {}
        self.store = FolderStore(self.root)
        self._forget_plan()
        self._annotate([d.source.rel for d in docs])
        builder = SiteIndexBuilder(config, kb, glossary)
        builder.add(self.annotated.values())
        drawer = Renderer(config, kb, glossary)
        drawer.show_held = True
        renderer = SiteRenderer(drawer, PageKeys(drawer, SALT), self.store)
        renderer.start_pass()
        self.index_builder, self.renderer = builder, renderer
        self._start_warming(docs)
        return renderer

    def prime(self) -> bool:
        """Load everything into memory; True when the fast path agrees with build()."""
        self.enabled = self.filled = self.pending = False
        config = load_config(self.site).with_base_url(self.base_url)
        self.config = config
        renderer = self._load(config, pipeline.parse_all(config, self._cache()))
        assert self.index_builder is not None
        pages = {f.path: f.data for f in renderer.pages(self.index_builder.index)}
        for rel, data in pages.items():
            try:
                if (self.root / rel).read_bytes() != data:
                    return False
            except OSError:
                return False
        for rel, data in pages.items():
            self.store.put(rel, renderer.page_keys[rel], data)
        self.enabled = self.filled = True
        return True

    def _forget_plan(self) -> None:
        self._plan, self._unplanned = {}, None

    def _find(self, rel: str) -> Page | None:
        """The page at output path `rel`, looking through the site's pages in order only as
        far as needed (some kinds compute their pages' context when listed)."""
        assert self.renderer is not None and self.index_builder is not None
        if not self._plan and self._unplanned is None:
            renderer, index = self.renderer, self.index_builder.index
            self._unplanned = (page for kind in renderer.kinds
                               for page in kind.pages(renderer.renderer, index))
        page = self._plan.get(rel)
        while page is None and self._unplanned is not None:
            found = next(self._unplanned, None)
            if found is None:
                self._unplanned = None
                break
            self._plan[found.out] = found
            page = found if found.out == rel else None
        return page

    def page_for(self, rel: str) -> bytes | None:
        """While pages are being written (the first fill, or the second step of an update):
        the page at output path `rel` as it is now, rendered (and written) at once when
        this pass has not reached it; None when there is no such page or nothing is being
        written (the preview folder is up to date)."""
        with self.lock:
            renderer, builder = self.renderer, self.index_builder
            if renderer is None or builder is None or not self.enabled or not self.pending:
                return None
            if rel in renderer.page_keys:  # this pass has made it already
                return self.store.data(rel)
            page = None if rel in self.statics else self._find(rel)
            if page is None:
                return None
            made = renderer.render(page, builder.index)
            if not self.store.same(made.path, made.data):
                self._write(made.path, made.data)
                self.drawn.append(made.path)  # finish() reports it with the pages it wrote
            self.store.put(made.path, renderer.page_keys[made.path], made.data)
            return made.data

    def _start_warming(self, docs: list[Document]) -> None:
        """Load the model and run the annotators once, in the background, so the first save
        does not pay for it (_annotate waits for it; nothing else uses the model)."""
        config, kb, glossary = self.config, self.kb, self.glossary
        assert config is not None and kb is not None and glossary is not None
        from sitegen.annotate.registry import any_enabled

        if not docs or not any_enabled(config):
            return
        view = min(docs, key=lambda d: len(d.view.text)).view

        def warm() -> None:
            from sitegen.annotate.pipeline import AnnotationContext
            from sitegen.annotate.run.batch import annotate_batch

            with contextlib.suppress(Exception):  # a real save reports any problem
                annotate_batch([view], AnnotationContext(config=config, kb=kb,
                                                         glossary=glossary))

        self._warming = threading.Thread(target=warm, name="sitegen-warm", daemon=True)
        self._warming.start()

    def _annotate(self, rels: Iterable[str]) -> int:
        assert self.config is not None and self.kb is not None and self.glossary is not None
        if self._warming is not None:
            self._warming.join()
            self._warming = None
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        todo: list[Document] = []
        for rel in rels:
            doc = self.docs.get(rel)
            self.annotated.pop(rel, None)
            if doc is not None and pipeline.is_published(doc, self.drafts, now):
                todo.append(doc)
        if not todo:
            return 0
        # a save reads the edited article's unchanged blocks again: kept decoded
        with AnnotationCache(self._cache()) as cache, block_memo.kept():
            result = pipeline.annotate(todo, self.config, self.kb, self.glossary, cache=cache,
                                       jobs=1)
        for ad in result.documents:
            self.annotated[ad.document.source.rel] = ad
        self._split = result.split  # where the annotate time went (annotate/blocks.NlpSplit)
        return result.annotated

    def _write(self, rel: str, data: bytes) -> None:
        if rel in self.statics:  # the site's static file is there instead (site_files.py)
            if not rel.endswith(CARD_NAME):  # only the social card may be replaced
                raise SiteError(f"{rel} would replace a page of the site in the output",
                                hint="rename or move the static file")
            return
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.sitegen-tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)  # never through a hard link shared with an older build

    def _parse(self, path: Path, rel: str, content: Path) -> Document:
        """One edited article, within the site's [limits] (else a SiteError, as build())."""
        assert self.config is not None
        limits = self.config.limits
        error = oversized(check_inside(path, content), limits.max_article_bytes)
        if error is None:
            doc = parse(read_source(path, rel), raw_html=self.config.markdown.sanitize)
            error = too_many_tags(doc, limits.max_tags)
            if error is None:
                return doc
        raise error

    # -- updating ---------------------------------------------------------------------------
    def begin(self, paths: list[Path]) -> list[str]:
        """Re-read the edited Markdown files, re-annotate them, update the index and write
        their own pages; returns the output paths that changed. `finish()` does the rest.

        Raises SiteError for bad content (the caller reports it; the state is unchanged).
        """
        with self.lock:
            self._forget_plan()
            return self._begin(paths)

    def _begin(self, paths: list[Path]) -> list[str]:
        assert self.config is not None and self.renderer is not None
        assert self.index_builder is not None
        t0 = time.perf_counter()
        content = self.config.content_path.resolve()
        parsed: dict[str, Document | None] = {}
        for path in paths:
            rel = path.relative_to(content).as_posix()
            if any(part.startswith((".", "_")) for part in Path(rel).parts):
                continue
            parsed[rel] = self._parse(path, rel, content) if path.is_file() else None
        t1 = time.perf_counter()
        for rel, doc in parsed.items():
            if doc is None:
                self.docs.pop(rel, None)
            else:
                self.docs[rel] = doc
        self.pending = True  # from here on, the rest of the site may be out of date
        self._split = {}
        annotated = self._annotate(parsed)
        t2 = time.perf_counter()
        builder = self.index_builder
        index = builder.update({rel: self.annotated.get(rel) for rel in parsed})
        t3 = time.perf_counter()
        renderer = self.renderer
        renderer.start_pass()
        changed: list[str] = []
        for rel in parsed:
            art = builder.article(rel)
            if art is None:
                continue
            page = renderer.render(article_page(art), index)
            if not self.store.same(page.path, page.data):
                self._write(page.path, page.data)
                changed.append(page.path)
            self.store.put(page.path, renderer.page_keys[page.path], page.data)
        t4 = time.perf_counter()
        self.last = {"annotated": annotated, "articles": len(parsed),
                     "blocks": [int(self._split.get("blocks_new", 0)),
                                int(self._split.get("blocks", 0))],
                     "timings": {"parse": t1 - t0, "annotate": t2 - t1, "index": t3 - t2,
                                 "render": t4 - t3,
                                 **{f"annotate.{k}": self._split[k] for k in
                                    ("nlp", "assemble", "doc_steps") if k in self._split}}}
        return changed

    def _with_drawn(self, changed: list[str]) -> list[str]:
        drawn, self.drawn = self.drawn, []
        return list(dict.fromkeys([*changed, *drawn]))

    def finish(self, interrupted: Callable[[], bool] = lambda: False
               ) -> tuple[list[str], bool]:
        """Render and write every other page whose key changed, remove pages that are
        gone; returns the output paths that changed and whether it went through every page
        (False: stopped early because `interrupted()` said a newer save is waiting)."""
        assert self.index_builder is not None and self.renderer is not None
        renderer = self.renderer
        with self.lock:
            renderer.start_pass()
            pages = renderer.pages(self.index_builder.index)
        changed: list[str] = []
        seen: set[str] = set()
        stored = self.store.pages
        while True:
            with self.lock:  # one page at a time: a request may render its page between
                page = next(pages, None)
                if page is None:
                    break
                seen.add(page.path)
                if not self.store.same(page.path, page.data):
                    self._write(page.path, page.data)
                    changed.append(page.path)
                self.store.put(page.path, renderer.page_keys[page.path], page.data)
            if interrupted():
                with self.lock:
                    return self._with_drawn(changed), False
        with self.lock:
            for rel in [r for r in stored if r not in seen]:
                (self.root / rel).unlink(missing_ok=True)
                del stored[rel]
                changed.append(rel)
            self.pending = False
            self.filled = True
            changed = self._with_drawn(changed)
        self.last = {**self.last, "rendered": renderer.rendered, "reused": renderer.reused}
        return changed, True
