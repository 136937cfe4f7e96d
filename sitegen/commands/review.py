"""`sitegen review`: what awaits an editor's decision, recording decisions, orphans
(docs/review.md)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitegen.annotate.review import Candidate
from sitegen.annotate.review_file import load_review, review_path
from sitegen.build.review_record import find_candidate, record_decision
from sitegen.build.review_status import Reviewed, line_of, review_of, short
from sitegen.core.errors import SiteError
from sitegen.core.model import Attribution, EntityMention, GlossaryMatch


def _details(item: Any) -> dict[str, Any]:
    if isinstance(item, EntityMention):
        return {"label": item.label, "entity_id": item.entity_id, "name": item.name}
    if isinstance(item, GlossaryMatch):
        return {"term_id": item.term_id, "term": item.term}
    assert isinstance(item, Attribution)
    return {"attribution_kind": item.kind, "source": item.source,
            "source_id": item.source_id, "source_name": item.source_name}


def _row(r: Reviewed, c: Candidate, site: Path) -> dict[str, Any]:
    return {"id": c.id, "file": _rel(r.path, site), "line": line_of(r.ad, c.item.start),
            "kind": c.kind, "text": c.anchor.text, "before": c.anchor.before,
            "after": c.anchor.after, "confidence": round(c.item.confidence, 4),
            "published": c.item.published, **_details(c.item)}


def _rel(path: Path, site: Path) -> str:
    try:
        return path.relative_to(site).as_posix()
    except ValueError:
        return str(path)


def _load(site: Path, paths: Sequence[Path]) -> list[Reviewed]:
    """Every article of the site (drafts too) under `paths`, annotated (from the cache)."""
    from sitegen.annotate.cache import AnnotationCache, cache_dir
    from sitegen.build.annotate_stage import annotate
    from sitegen.build.engine import load_data, parse_all
    from sitegen.config.site import load_config

    config = load_config(site)
    kb, glossary = load_data(config)
    cache = config.cache_path or cache_dir(site)
    docs = parse_all(config, cache)
    wanted = [p.resolve() for p in paths]
    for p in wanted:
        if not p.exists():
            raise SiteError(f"no such file or folder: {p}")
    docs = [d for d in docs if not wanted or any(
        d.source.path == p or p in d.source.path.parents for p in wanted)]
    with AnnotationCache(cache) as store:
        annotated = annotate(docs, config, kb, glossary, cache=store).documents
    return [review_of(ad) for ad in annotated]


def _record(reviews: list[Reviewed], ident: str, action: str,
            values: Sequence[tuple[str, str]] = ()) -> str:
    r, c = find_candidate(reviews, ident)
    path = record_decision(r, c, action, values)
    return f"{action} {c.kind} \"{short(c.anchor.text)}\" -> {path}"


def _orphan_rows(reviews: list[Reviewed], site: Path, content: Path) -> list[dict[str, Any]]:
    rows = [{"file": _rel(review_path(r.path), site), "line": o.decision.line,
             "kind": o.decision.kind, "action": o.decision.action,
             "text": o.decision.anchor.text, "reason": o.reason}
            for r in reviews for o in r.orphans]
    articles = {review_path(r.path) for r in reviews}
    for path in sorted(content.rglob("*.review.yaml")):
        if path not in articles and not path.with_name(
                path.name[: -len(".review.yaml")] + ".md").exists():
            rows += [{"file": _rel(path, site), "line": d.line, "kind": d.kind,
                      "action": d.action, "text": d.anchor.text, "reason": "article gone"}
                     for d in load_review(path)]
    return rows


def review_command(site: Path, paths: Sequence[Path], *, as_json: bool = False,
                   accept: Sequence[str] = (), reject: Sequence[str] = (),
                   set_values: Sequence[Sequence[str]] = (), orphans: bool = False) -> int:
    from sitegen.config.site import load_config

    site = site.resolve()
    reviews = _load(site, paths)
    if accept or reject or set_values:
        changes: dict[str, list[tuple[str, str]]] = {}
        for ident, assignment in set_values:
            key, eq, value = assignment.partition("=")
            if not eq or not key.strip():
                raise SiteError(f"--set {ident} {assignment}: expected FIELD=VALUE",
                                hint="e.g. --set 3f2a9c1b0d source_id=jane-ortiz")
            changes.setdefault(ident, []).append((key.strip(), value.strip()))
        ops: list[tuple[str, str, list[tuple[str, str]]]] = [
            *((i, "accept", []) for i in accept), *((i, "reject", []) for i in reject),
            *((i, "correct", v) for i, v in changes.items())]
        done = []
        for ident, action, values in ops:
            reviews = [review_of(r.ad) for r in reviews]  # earlier writes count
            done.append(_record(reviews, ident, action, values))
        for line in done:
            print(line)
        return 0
    if orphans:
        rows = _orphan_rows(reviews, site, load_config(site).content_path)
        if as_json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        else:
            for o in rows:
                print(f"{o['file']}:{o['line']}: {o['action']} {o['kind']} "
                      f"\"{short(o['text'])}\": {o['reason']}")
            print(f"{len(rows)} orphaned decisions", file=sys.stderr)
        return 0
    items = sorted(((r, c) for r in reviews for c in r.cands if c.id not in r.decided),
                   key=lambda rc: (rc[1].item.confidence, str(rc[0].path), rc[1].item.start))
    rows = [_row(r, c, site) for r, c in items]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    for row in rows:
        state = "published" if row["published"] else "held back"
        print(f"{row['id']}  {row['confidence']:.2f}  {state:9}  {row['kind']:11}  "
              f"\"{short(row['text'])}\"  {row['file']}:{row['line']}")
    decided = sum(len(r.decided) for r in reviews)
    orphaned = sum(len(r.orphans) for r in reviews)
    held = sum(1 for row in rows if not row["published"])
    print(f"{len(rows)} annotations await a decision ({held} held back); {decided} decided, "
          f"{orphaned} orphaned decisions", file=sys.stderr)
    return 0
