"""`sitegen annotate`: the annotation export (docs/annotation-format.md) for Markdown files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sitegen.annotate.review_file import reviewed
from sitegen.config.site import SiteConfig, load_config
from sitegen.core.errors import SiteError
from sitegen.source.discover import read_source
from sitegen.source.kb import Glossary, KnowledgeBase, load_glossary, load_kb
from sitegen.source.parse import parse


def _collect(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise SiteError(f"no such file or folder: {path}")
    return files


def annotate_command(paths: list[Path], to_stdout: bool, out: Path | None,
                     site: Path | None, *, all_candidates: bool = False) -> int:
    from sitegen.annotate.export import export
    from sitegen.annotate.pipeline import AnnotationContext, annotate_views
    from sitegen.annotate.registry import check, plugins_for_site

    files = _collect(paths)
    if to_stdout and len(files) != 1:
        raise SiteError(
            f"--json prints one file, but {len(files)} were given", hint="use --out DIR"
        )
    if site is not None:
        config = load_config(site.resolve())
        kb = load_kb(config.content_path / config.entities.file)
        glossary = load_glossary(config.content_path / config.glossary.file)
    else:
        config, kb, glossary = SiteConfig(root=Path.cwd(), title="annotate"), KnowledgeBase(), \
            Glossary()
    check(config)  # an unknown plugin or a bad setting is an error before any work
    notes = bool(plugins_for_site(config))
    docs = [parse(read_source(f.resolve(), f.name), require_title=False) for f in files]
    ctx = AnnotationContext(config=config, kb=kb, glossary=glossary)
    results = annotate_views([d.view for d in docs], ctx)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    for doc, ann, file in zip(docs, results, files, strict=True):
        ann = reviewed(doc, ann, kb)[0].annotations  # editors' decisions (docs/review.md)
        exported = export(doc, ann, all_candidates=all_candidates, notes=notes)
        data = json.dumps(exported, ensure_ascii=False, indent=2) + "\n"
        if out is None:
            sys.stdout.write(data)
        else:
            (out / f"{file.stem}.json").write_text(data, encoding="utf-8")
    if out is not None:
        print(f"wrote {len(docs)} annotation files to {out}", file=sys.stderr)
    return 0
