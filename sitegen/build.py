"""The one build entry point, used by the CLI, the preview server and the tests."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .config import SiteConfig, load_config
from .discover import discover
from .errors import SiteError, SiteErrors
from .index import build_index
from .kb import Glossary, KnowledgeBase, load_glossary, load_kb
from .model import AnnotatedDocument, Annotations, Document
from .parse import parse
from .render import Renderer, copy_tree_files
from .themes import static_dirs, theme_chain
from .write import write_site


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site: Path
    output: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    now: dt.datetime | None = None  # "today" for future-dated articles; defaults to now


@dataclass(slots=True)
class BuildReport:
    output: Path
    articles_read: int = 0
    published: int = 0
    drafts_skipped: int = 0
    future_skipped: int = 0
    annotated: int = 0
    files_written: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in self.timings.items())
        return (
            f"{self.articles_read} articles read, {self.published} published "
            f"({self.drafts_skipped} drafts, {self.future_skipped} future skipped), "
            f"{self.annotated} annotated, {self.files_written} files written to "
            f"{self.output} [{stages}]"
        )


def load_data(config: SiteConfig) -> tuple[KnowledgeBase, Glossary]:
    content = config.content_path
    return load_kb(content / config.entities.file), load_glossary(content / config.glossary.file)


def parse_all(config: SiteConfig) -> list[Document]:
    docs: list[Document] = []
    errors: list[SiteError] = []
    for source in discover(config.content_path):
        try:
            docs.append(parse(source))
        except SiteError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else SiteErrors(errors)
    return docs


def is_published(doc: Document, drafts: bool, now: dt.datetime) -> bool:
    meta = doc.meta
    if meta.draft and not drafts:
        return False
    date = meta.date
    if date is None:
        return True
    naive = date.replace(tzinfo=None) if date.tzinfo is None else date.astimezone(
        dt.UTC).replace(tzinfo=None)
    return naive <= now


def annotate(docs: list[Document], config: SiteConfig, kb: KnowledgeBase,
             glossary: Glossary) -> list[AnnotatedDocument]:
    if not (config.entities.enabled or config.glossary.enabled or config.attributions.enabled):
        return [AnnotatedDocument(d, Annotations()) for d in docs]
    from .annotate.pipeline import AnnotationContext, annotate_views

    ctx = AnnotationContext(config=config, kb=kb, glossary=glossary)
    results = annotate_views([d.view for d in docs], ctx)
    return [AnnotatedDocument(d, a) for d, a in zip(docs, results, strict=True)]


def static_files(config: SiteConfig) -> Iterator[tuple[str, bytes]]:
    """Theme assets under static/, then the site's static/ and content assets at the root."""
    files: dict[str, Path] = {}
    for folder in static_dirs(theme_chain(config.theme, config.root)):
        for rel, path in copy_tree_files(folder):
            files["static/" + rel] = path
    for rel, path in copy_tree_files(config.root / "static"):
        files[rel] = path
    data_files = {config.entities.file, config.glossary.file}
    for rel, path in copy_tree_files(config.content_path, skip={".md", *data_files}):
        files[rel] = path
    for rel in sorted(files):
        yield rel, files[rel].read_bytes()


def build(options: BuildOptions) -> BuildReport:
    """Read, annotate, index, render and atomically write the site."""
    site = options.site.resolve()
    config = load_config(site)
    if options.base_url is not None:
        config = config.with_base_url(options.base_url)
    output = (options.output or site / "output").resolve()
    report = BuildReport(output=output)
    now = options.now or dt.datetime.now(dt.UTC).replace(tzinfo=None)

    t0 = time.perf_counter()
    kb, glossary = load_data(config)
    docs = parse_all(config)
    report.articles_read = len(docs)
    published = [d for d in docs if is_published(d, options.drafts, now)]
    report.drafts_skipped = sum(1 for d in docs if d.meta.draft and not options.drafts)
    report.future_skipped = len(docs) - len(published) - report.drafts_skipped
    report.published = len(published)
    t1 = time.perf_counter()
    report.timings["parse"] = t1 - t0

    annotated = annotate(published, config, kb, glossary)
    report.annotated = len(annotated)
    t2 = time.perf_counter()
    report.timings["annotate"] = t2 - t1

    index = build_index(annotated, config, kb, glossary)
    renderer = Renderer(config, kb, glossary)
    rendered = [(f.path, f.data) for f in renderer.pages(index)]
    t3 = time.perf_counter()
    report.timings["render"] = t3 - t2

    report.files_written = write_site([*rendered, *static_files(config)], output)
    report.timings["write"] = time.perf_counter() - t3
    return report
