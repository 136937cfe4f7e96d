"""Each page's dependency key: a page whose key did not change keeps its previous bytes
(render/site.py asks its page store for them).

A page's key is a hash of everything it renders: the render salt (config, templates,
sitegen's code, library versions), its template and URL, and the data in its context.
Data is hashed by what it is: an article by its source digest, URL and annotations (the
digest the annotated document carries); an entity by its names, knowledge-base entry and
mentions; the whole site index only for templates that use `index` (found by reading the
templates, including what they include or extend). A page kind may say otherwise
(render/pages.py: the article page holds, of the index, what its popovers show).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sitegen.annotate.cache import annotations_to_json
from sitegen.config.site import SiteConfig
from sitegen.index.site import Article, EntityInfo, SiteIndex, TermInfo
from sitegen.render.pages import Page, PageKind
from sitegen.render.renderer import Renderer

TEMPLATES_DIR = "templates"  # compiled templates (render.SealedBytecodeCache)
TEMPLATE_FACTS = "templates.json"  # which templates read the whole index, per render salt
_SCALARS = (str, int, float, bool)
_MEMOISED = (Article, EntityInfo, TermInfo, SiteIndex, tuple)
MEMO_LIMIT = 50_000  # digests memoised across passes (the preview) before starting afresh


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


class PageKeys:
    """Dependency keys of pages rendered by `renderer`. With `facts_dir` (the build's cache
    folder), which templates read the index is kept there between builds with this salt."""

    def __init__(self, renderer: Renderer, salt: str, facts_dir: Path | None = None) -> None:
        self.renderer = renderer
        self.salt = salt
        self._memo: dict[int, tuple[object, str]] = {}
        self._facts: dict[str, tuple[EntityInfo, str]] = {}
        self._uses_index: dict[str, bool] = {}
        self._facts_path = facts_dir / TEMPLATE_FACTS if facts_dir is not None else None
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

    def prepare(self, templates: Iterable[str]) -> None:
        for name in templates:
            self.uses_index(name)

    def start_pass(self) -> None:
        """Before another pass over the site (the preview): the memo is bounded."""
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()

    def key(self, kind: PageKind, page: Page, index: SiteIndex) -> str:
        if kind.key is not None:
            return _hash(kind.key(self, self.renderer, page, index))
        template = kind.template or kind.name
        parts = [self.salt, template, page.url, page.out, repr(page.root)]
        context = page.context
        for name in sorted(context):
            if name == "index" and not self.uses_index(template):
                continue
            parts.append(name)
            parts.append(self.digest(context[name]))
        return _hash(parts)

    # -- what a template reads ------------------------------------------------------------
    def uses_index(self, template: str) -> bool:
        """Whether `template` (or anything it extends, includes or imports) reads `index`.
        True when unsure (a template name computed at render time)."""
        if template not in self._uses_index:
            from jinja2 import meta

            env = self.renderer.env
            self._uses_index[template] = True  # while recursing: assume yes
            try:
                src, _name, _up = env.loader.get_source(env, template)  # type: ignore[union-attr]
                ast = env.parse(src)
                uses = "index" in meta.find_undeclared_variables(ast)
                for ref in meta.find_referenced_templates(ast):
                    uses = uses or ref is None or self.uses_index(ref)
            except Exception:  # unreadable: render it (the render reports)
                uses = True
            self._uses_index[template] = uses
        return self._uses_index[template]

    # -- hashing data -----------------------------------------------------------------------
    def entity_fact(self, info: EntityInfo) -> str:
        """What an article page shows of an entity it mentions."""
        memo = self._facts.get(info.id)
        if memo is None or memo[0] is not info:
            memo = self._facts[info.id] = (info, repr((
                info.id, info.name, info.label, info.type, info.url, info.kb,
                len(info.articles))))
        return memo[1]

    def digest(self, value: Any) -> str:
        if isinstance(value, _SCALARS) or value is None:
            return f"{type(value).__name__}:{value!r}"
        memo = self._memo.get(id(value))
        if memo is not None and memo[0] is value:
            return memo[1]
        if type(value) is tuple:  # the commonest (pairs of article and quote): no dispatch
            d = self.digest
            result = _hash(["tuple", *[d(v) for v in value]])
        else:
            result = self._digest(value)
        if isinstance(value, _MEMOISED):
            self._memo[id(value)] = (value, result)
        return result

    def _digest(self, value: Any) -> str:
        d = self.digest
        if isinstance(value, Article):
            doc = value.doc.document
            known = value.doc.digest
            return _hash(["article", value.url, doc.source.rel, doc.source.digest,
                          known if known is not None
                          else annotations_to_json(value.doc.annotations)])
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
        if hasattr(type(value), "__dataclass_fields__") and not isinstance(value, type):
            return _hash([type(value).__qualname__, repr(value)])  # (is_dataclass, faster)
        if isinstance(value, Callable):  # type: ignore[arg-type]
            # The renderer's helpers (feed_content) derive from the articles in the context.
            name = getattr(value, "__qualname__", None)
            if name is not None and getattr(value, "__self__", None) is self.renderer:
                return f"method:{name}"
        return f"unhashable:{id(value)}"  # never equal across builds: the page is rendered


def _hash(parts: list[str]) -> str:
    """sha256 over each part followed by a NUL: one update of the joined parts (the same
    digest as one update per part, for a fraction of the calls)."""
    joined = "\0".join(parts) + "\0" if parts else ""
    return hashlib.sha256(joined.encode("utf-8", "surrogateescape")).hexdigest()
