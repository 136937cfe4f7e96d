"""Incremental rendering: each page's dependency key, and a Renderer that reuses the
previous bytes of a page whose key did not change.

A page's key is a hash of everything it renders: the render salt (config, templates,
sitegen's code, library versions), its template and URL, and the data in its context.
Data is hashed by what it is: an article by its source digest, URL and annotations; an
entity by its names, knowledge-base entry and mentions; the whole site index only for
templates that use `index` (found by reading the templates, including what they include
or extend). An article page's key holds, of the index, exactly what its popovers and
sources panel show: for each entity and term it annotates, whether it has a page, its
name, type, entry and number of articles.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sitegen.annotate.cache import annotations_to_json
from sitegen.config.site import SiteConfig
from sitegen.index.site import Article, EntityInfo, SiteIndex, TermInfo
from sitegen.render.renderer import PAGE_TEMPLATES, RenderedFile, Renderer
from sitegen.render.social import CARD_VERSION, card_path
from sitegen.source.kb import Glossary, KnowledgeBase

TEMPLATES_DIR = "templates"  # compiled templates (render.SealedBytecodeCache)
TEMPLATE_FACTS = "templates.json"  # which templates read the whole index, per render salt


def render_salt(config: SiteConfig, stats: Mapping[str, list[Any]], extra: str) -> str:
    """What every page depends on: the config, every template, theme and code file."""
    from sitegen.render.themes import PACKAGE_DIR, template_dirs, theme_chain

    chain = theme_chain(config.theme, config.root)
    roots = [str(p) for p in template_dirs(config.root, chain)]
    roots += [str(t.path) for t in chain] + [str(PACKAGE_DIR)]
    h = hashlib.sha256(repr(config).encode("utf-8", "surrogateescape"))
    h.update(extra.encode("utf-8"))
    for path in sorted(stats):
        if any(path.startswith(r + os.sep) for r in roots):
            h.update(f"{path}\0{stats[path][2]}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


class KeyedRenderer(Renderer):
    """Renders a page only when its key differs from the previous build's (or when the
    previous bytes cannot be read back intact)."""

    def __init__(self, config: SiteConfig, kb: KnowledgeBase, glossary: Glossary,
                 salt: str, previous: Mapping[str, list[Any]], output: Path,
                 annotation_digests: Mapping[int, str] | None = None,
                 cache_dir: Path | None = None) -> None:
        super().__init__(config, kb, glossary,
                         cache_dir / TEMPLATES_DIR if cache_dir is not None else None)
        # The caller's mapping itself (it may be filled after this renderer is made).
        self.annotation_digests = annotation_digests if annotation_digests is not None else {}
        self.salt = salt
        self.previous = previous
        self.output = output
        self.keys: dict[str, str] = {}
        self.reused = 0
        self.reused_paths: set[str] = set()  # pages whose bytes were read back from output/
        self.rendered = 0
        self._memo: dict[int, tuple[object, str]] = {}
        self._facts: dict[str, tuple[EntityInfo, str]] = {}
        self._uses_index: dict[str, bool] = {}
        self._in_article = False
        # Which templates read the index, kept in the cache folder for this salt.
        self._facts_path = cache_dir / TEMPLATE_FACTS if cache_dir is not None else None
        self._saved_facts: dict[str, bool] = {}
        if self._facts_path is not None:
            self._saved_facts = self._load_facts(self._facts_path)
            self._uses_index = dict(self._saved_facts)

    def _load_facts(self, path: Path) -> dict[str, bool]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("salt") != self.salt:
            return {}
        facts = data.get("uses_index")
        if not isinstance(facts, dict) or not all(
                isinstance(k, str) and isinstance(v, bool) for k, v in facts.items()):
            return {}
        return facts

    def save_template_facts(self) -> None:
        """Keep which templates read the index (for the next build with the same salt)."""
        if self._facts_path is None or self._uses_index == self._saved_facts:
            return
        path = self._facts_path
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps({"salt": self.salt, "uses_index": self._uses_index},
                                      sort_keys=True), encoding="utf-8")
            os.replace(tmp, path)
            self._saved_facts = dict(self._uses_index)
        except OSError:
            tmp.unlink(missing_ok=True)

    def prepare(self) -> None:
        super().prepare()
        for name in PAGE_TEMPLATES:
            self.uses_index(name)

    # -- reuse ----------------------------------------------------------------------------
    def _reuse(self, out: str, key: str) -> RenderedFile | None:
        self.keys[out] = key
        row = self.previous.get(out)
        if row is None or len(row) < 4 or row[3] != key:
            return None
        path = self.output / out
        try:
            st = os.lstat(path)
            data = path.read_bytes()
        except OSError:
            return None
        if st.st_size != row[0] or (st.st_mtime_ns != row[1]
                                    and hashlib.sha256(data).hexdigest() != row[2]):
            return None
        self.reused += 1
        self.reused_paths.add(out)
        return RenderedFile(out, data)

    def article(self, art: Article, index: SiteIndex) -> RenderedFile:
        out = art.url + "index.html"
        parts = [self.salt, "article", out, self.digest(art)]
        ann = art.doc.annotations
        ids = [m.entity_id for m in ann.entities]
        ids += [a.source_id for a in ann.attributions if a.source_id]
        for eid in sorted(set(ids)):
            info = index.entities.get(eid)
            parts.append(eid if info is None else self._entity_fact(info))
        for tid in sorted({g.term_id for g in ann.glossary}):
            term = index.terms.get(tid)
            parts.append(tid if term is None else repr(term.term))
        parts.append(repr(self.author_urls(art, index)))  # JSON-LD: their entity pages
        if self.uses_index("article.html"):
            parts.append(self.digest(index))
        key = _hash(parts)
        found = self._reuse(out, key)
        if found is not None:
            return found
        self._in_article = True
        try:
            self.rendered += 1
            return super().article(art, index)
        finally:
            self._in_article = False

    def card(self, page_url: str, title: str) -> RenderedFile:
        """A social card is drawn again only when its text (or the drawing) changed."""
        from PIL import __version__ as pillow

        out = card_path(page_url)
        key = _hash(["card", CARD_VERSION, pillow, out, title, self.config.title])
        found = self._reuse(out, key)
        if found is not None:
            return found
        self.rendered += 1
        return super().card(page_url, title)

    def _render(self, template: str, url: str, out: str, root: str | None = None,
                **context: Any) -> RenderedFile:
        if self._in_article:
            return super()._render(template, url, out, root, **context)
        parts = [self.salt, template, url, out, repr(root)]
        for name in sorted(context):
            if name == "index" and not self.uses_index(template):
                continue
            parts.append(name)
            parts.append(self.digest(context[name]))
        key = _hash(parts)
        found = self._reuse(out, key)
        if found is not None:
            return found
        self.rendered += 1
        return super()._render(template, url, out, root, **context)

    # -- what a template reads ------------------------------------------------------------
    def uses_index(self, template: str) -> bool:
        """Whether `template` (or anything it extends, includes or imports) reads `index`.
        True when unsure (a template name computed at render time)."""
        if template not in self._uses_index:
            from jinja2 import meta

            self._uses_index[template] = True  # while recursing: assume yes
            try:
                src, _name, _up = self.env.loader.get_source(self.env, template)  # type: ignore[union-attr]
                ast = self.env.parse(src)
                uses = "index" in meta.find_undeclared_variables(ast)
                for ref in meta.find_referenced_templates(ast):
                    uses = uses or ref is None or self.uses_index(ref)
            except Exception:  # unreadable: render it (the render reports)
                uses = True
            self._uses_index[template] = uses
        return self._uses_index[template]

    # -- hashing data -----------------------------------------------------------------------
    def _entity_fact(self, info: EntityInfo) -> str:
        """What an article page shows of an entity it mentions."""
        memo = self._facts.get(info.id)
        if memo is None or memo[0] is not info:
            memo = self._facts[info.id] = (info, repr((
                info.id, info.name, info.label, info.type, info.url, info.kb,
                len(info.articles))))
        return memo[1]

    def digest(self, value: Any) -> str:
        if isinstance(value, (str, int, float, bool)) or value is None:
            return f"{type(value).__name__}:{value!r}"
        memo = self._memo.get(id(value))
        if memo is not None and memo[0] is value:
            return memo[1]
        result = self._digest(value)
        if isinstance(value, (Article, EntityInfo, TermInfo, SiteIndex, tuple)):
            self._memo[id(value)] = (value, result)
        return result

    def _digest(self, value: Any) -> str:
        d = self.digest
        if isinstance(value, Article):
            doc = value.doc.document
            ann = value.doc.annotations
            known = self.annotation_digests.get(id(ann))
            return _hash(["article", value.url, doc.source.rel, doc.source.digest,
                          known if known is not None else annotations_to_json(ann)])
        if isinstance(value, EntityInfo):
            # Its mentions and quotes are those of its id in each article listed (in site
            # order): the digests of those articles (text, annotations) determine them.
            return _hash(["entity", value.id, value.name, value.label, value.type,
                          repr(value.kb), f"{len(value.mentions)}:{len(value.quotes)}"]
                         + [d(a) for a in value.articles] + ["quotes"]
                         + [d(a) for a, _q in value.quotes])
        if isinstance(value, TermInfo):
            return _hash(["term", repr(value.term)] + [d(a) for a in value.articles])
        if isinstance(value, SiteIndex):
            return _hash(["index", d(value.articles), d(value.tags),
                          d(value.entities), d(value.terms)])
        if isinstance(value, (list, tuple)):
            return _hash([type(value).__name__] + [d(v) for v in value])
        if isinstance(value, dict):
            return _hash(["dict"] + [f"{d(k)}={d(v)}" for k, v in value.items()])
        if isinstance(value, Callable):  # type: ignore[arg-type]
            # The renderer's helpers (feed_content) derive from the articles in the context.
            name = getattr(value, "__qualname__", None)
            if name is not None and getattr(value, "__self__", None) is self:
                return f"method:{name}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return _hash([type(value).__qualname__, repr(value)])
        return f"unhashable:{id(value)}"  # never equal across builds: the page is rendered


def _hash(parts: list[str]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


