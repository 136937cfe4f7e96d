"""The preview's review mode, server side (docs/review.md): what the page of an article
shows the editor (every annotation with its decision, the article's summary, the entities
and sources a correction can pick) and recording a decision in NAME.review.yaml with the
same code as `sitegen review` (build/review_record.py).

Only articles inside the site's content folder are read or written: the path a request
names is relative to the site, without `..`, and must still be inside once symlinks are
resolved. The HTTP checks (token, loopback client, Origin/Host, body size) are in
serve/review_http.py.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from sitegen.annotate.review import ACTIONS, ATTRIBUTION_KINDS, FIELDS, SOURCE_KINDS, Candidate
from sitegen.annotate.review_file import review_path
from sitegen.build.review_record import find_candidate, record_decision
from sitegen.build.review_status import Reviewed, line_of, review_of, summary
from sitegen.config.site import SiteConfig, load_config
from sitegen.core.errors import SiteError, SiteErrors
from sitegen.core.model import AnnotatedDocument, Annotations, Attribution, Document, EntityMention
from sitegen.source.kb import KnowledgeBase

LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART",
          "LAW")
MAX_PATH = 1024


class ReviewError(Exception):
    """A request the review API refuses: HTTP status and a message for the editor."""

    def __init__(self, status: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.message, "hint": self.hint}


def article_path(site: Path, content: Path, raw: object) -> Path:
    """The article a request names (a path relative to the site, e.g. content/a.md),
    resolved; ReviewError 400/403/404 when it is malformed, outside the content folder
    (`..`, absolute, a symlink pointing out) or not an article."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_PATH:
        raise ReviewError(400, "'article' must be the article's path relative to the site "
                               "folder, e.g. content/news/a.md")
    if "\x00" in raw or "\\" in raw:
        raise ReviewError(400, "'article' holds a character a path may not have")
    rel = PurePosixPath(raw)
    if rel.is_absolute() or raw.startswith("~") or ".." in rel.parts:
        raise ReviewError(403, f"'{raw}' is outside the site folder",
                          hint="give the path relative to the site folder, without '..'")
    site = site.resolve()
    content = content.resolve()
    try:
        path = site.joinpath(*rel.parts).resolve(strict=True)
    except (OSError, RuntimeError):
        raise ReviewError(404, f"no article '{raw}' in the site") from None
    if not path.is_relative_to(site) or not path.is_relative_to(content):
        raise ReviewError(403, f"'{raw}' is outside the site's content folder")
    if path.suffix != ".md" or not path.is_file():
        raise ReviewError(404, f"'{raw}' is not an article (a .md file)")
    decisions = review_path(path)
    if decisions.is_symlink() or (decisions.exists() and not decisions.resolve().is_relative_to(
            content)):
        raise ReviewError(403, f"{decisions.name} is a link; the preview writes review "
                               "files in the content folder only")
    return path


def _site_rel(path: Path, site: Path) -> str:
    try:
        return path.relative_to(site).as_posix()
    except ValueError:
        return str(path)


def _item(r: Reviewed, c: Candidate) -> dict[str, Any]:
    item = c.item
    decision = r.decided.get(c.id)
    row: dict[str, Any] = {
        "id": c.id, "kind": c.kind, "text": c.anchor.text, "before": c.anchor.before,
        "after": c.anchor.after, "line": line_of(r.ad, item.start),
        "confidence": round(item.confidence, 2), "published": item.published,
        "origin": getattr(item, "origin", None) or getattr(item, "rule", "") or "",
        "decision": decision.action if decision is not None else None,
        "set": dict(decision.values) if decision is not None else {}}
    if isinstance(item, EntityMention):
        row.update(label=item.label, entity_id=item.entity_id, name=item.name)
    elif isinstance(item, Attribution):
        row.update(attribution_kind=item.kind, source=item.source, source_id=item.source_id,
                   source_name=item.source_name, source_kind=item.source_kind)
    else:
        row.update(term_id=getattr(item, "term_id", ""), term=getattr(item, "term", ""))
    return row


def _entities(kb: KnowledgeBase, ann: Annotations) -> list[dict[str, str]]:
    """The site's entities a correction can pick: the knowledge base's, and those this
    article mentions (model-found ones have no knowledge base entry)."""
    out = {e.id: {"id": e.id, "name": e.name, "label": e.label} for e in kb.entities}
    for m in ann.entities:
        out.setdefault(m.entity_id, {"id": m.entity_id, "name": m.name, "label": m.label})
    return sorted(out.values(), key=lambda e: (e["name"].casefold(), e["id"]))


def _sources(ann: Annotations) -> list[dict[str, str]]:
    """The article's sources (speakers), each once: what an attribution can be given."""
    out: dict[str, dict[str, str]] = {}
    for a in ann.attributions:
        name = a.source_name or a.source or ""
        key = a.source_id or name.casefold()
        if key and key not in out:
            out[key] = {"id": a.source_id or "", "name": name, "kind": a.source_kind}
    return list(out.values())


class ReviewDesk:
    """Reads and records decisions for the preview. `lock` is the preview's build lock:
    annotations are read (from the cache) while no build runs, never racing it for the
    model."""

    def __init__(self, site: Path, lock: threading.Lock, drafts: bool,
                 generation: Callable[[], int],
                 on_write: Callable[[Path], None] = lambda path: None) -> None:
        self.site = site.resolve()
        self.lock = lock
        self.drafts = drafts
        self.generation = generation
        self.on_write = on_write  # the article whose review file changed: rebuild it
        self._urls: tuple[int, dict[str, Document]] = (-1, {})

    # -- reading ----------------------------------------------------------------------------
    def _config(self) -> SiteConfig:
        try:
            return load_config(self.site)
        except (SiteError, SiteErrors) as exc:
            raise ReviewError(409, f"the site does not build: {exc}") from None

    def _by_url(self, config: SiteConfig) -> dict[str, Document]:
        """URL path of each published article -> its document (once per build)."""
        from sitegen.annotate.cache import cache_dir
        from sitegen.build.engine import is_published, parse_all
        from sitegen.index.site import permalink

        generation = self.generation()
        if self._urls[0] == generation:
            return self._urls[1]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        urls: dict[str, Document] = {}
        for doc in parse_all(config, config.cache_path or cache_dir(self.site), refused=[]):
            if is_published(doc, self.drafts, now):
                url = "/" + permalink(config.permalink, AnnotatedDocument(doc, Annotations()))
                urls[url.replace("//", "/")] = doc
        self._urls = (generation, urls)
        return urls

    def _reviewed(self, config: SiteConfig, doc: Document) -> tuple[Reviewed, KnowledgeBase]:
        from sitegen.annotate.cache import AnnotationCache, cache_dir
        from sitegen.build.engine import annotate, load_data

        kb, glossary = load_data(config)
        with AnnotationCache(config.cache_path or cache_dir(self.site)) as store:
            [ad] = annotate([doc], config, kb, glossary, cache=store, jobs=1).documents
        return review_of(ad), kb

    def _parse(self, config: SiteConfig, path: Path) -> Document:
        from sitegen.source.discover import read_source
        from sitegen.source.parse import parse

        rel = path.relative_to(config.content_path.resolve()).as_posix()
        return parse(read_source(path, rel), raw_html=config.markdown.sanitize)

    def page(self, url: str) -> dict[str, Any]:
        """What review mode shows on the page at `url`; ReviewError 404 for a page that is
        not an article."""
        try:
            with self.lock:
                config = self._config()
                doc = self._by_url(config).get(url)
                if doc is None:
                    raise ReviewError(404, f"{url} is not an article's page: only articles "
                                           "have annotations to review")
                r, kb = self._reviewed(config, doc)
        except (SiteError, SiteErrors) as exc:
            raise ReviewError(409, f"the article cannot be read: {exc}") from None
        return self.describe(r, kb)

    def describe(self, r: Reviewed, kb: KnowledgeBase) -> dict[str, Any]:
        cands = sorted(r.cands, key=lambda c: (c.item.start, c.item.end))
        counts = summary(r)
        ann = r.ad.all_annotations
        return {
            "article": _site_rel(r.path, self.site),
            "review_file": _site_rel(review_path(r.path), self.site),
            "title": r.ad.document.meta.title,
            "summary": {"text": counts.text, "candidates": counts.candidates,
                        "checked": counts.checked, "held_back": counts.held_back,
                        "accepted": counts.accepted, "rejected": counts.rejected,
                        "corrected": counts.corrected, "unchecked": counts.unchecked,
                        "orphans": counts.orphans},
            "items": [_item(r, c) for c in cands],
            "orphans": [{"line": o.decision.line, "kind": o.decision.kind,
                         "action": o.decision.action, "text": o.decision.anchor.text,
                         "reason": o.reason} for o in r.orphans],
            "entities": _entities(kb, ann),
            "sources": _sources(ann),
            "labels": list(LABELS),
            "attribution_kinds": list(ATTRIBUTION_KINDS),
            "source_kinds": list(SOURCE_KINDS),
        }

    # -- writing ----------------------------------------------------------------------------
    def decide(self, body: object) -> dict[str, Any]:
        """Record the decision a POST body asks for; returns what the page shows now."""
        if not isinstance(body, dict):
            raise ReviewError(400, "the body must be a JSON object: {\"article\": ..., "
                                   "\"id\": ..., \"action\": ...}")
        unknown = sorted(set(body) - {"article", "id", "action", "set", "note"})
        if unknown:
            raise ReviewError(400, f"unknown key '{unknown[0]}'",
                              hint="keys: article, id, action, set, note")
        ident, action, note = body.get("id"), body.get("action"), body.get("note")
        if not isinstance(ident, str) or not ident:
            raise ReviewError(400, "'id' must be an annotation's ID")
        if action not in ACTIONS:
            raise ReviewError(400, f"'action' must be one of {', '.join(ACTIONS)}")
        if note is not None and (not isinstance(note, str) or len(note) > 2000):
            raise ReviewError(400, "'note' must be a text of at most 2000 characters")
        raw_set = body.get("set", {})
        if not isinstance(raw_set, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in raw_set.items()):
            raise ReviewError(400, "'set' must be an object of field: text")
        values = [(k.strip(), v.strip()) for k, v in raw_set.items()]
        try:
            with self.lock:
                config = self._config()
                path = article_path(self.site, config.content_path, body.get("article"))
                r, kb = self._reviewed(config, self._parse(config, path))
                try:
                    _, cand = find_candidate([r], ident)
                except SiteError as exc:
                    raise ReviewError(409, exc.message + "; the article changed since the "
                                      "page was built", hint="reload the page") from None
                if cand.kind in FIELDS and not FIELDS[cand.kind] and action == "correct":
                    raise ReviewError(400, f"a {cand.kind} annotation can be accepted or "
                                           "rejected, not corrected")
                try:
                    record_decision(r, cand, str(action), values, note)
                except SiteError as exc:
                    raise ReviewError(400, exc.message, exc.hint) from None
                after = self.describe(review_of(r.ad), kb)
        except (SiteError, SiteErrors) as exc:
            raise ReviewError(409, f"the article cannot be read: {exc}") from None
        self.on_write(path)
        return after
