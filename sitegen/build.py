"""The one build entry point, used by the CLI, the preview server and the tests."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .cache import AnnotationCache, cache_dir
from .config import SiteConfig, load_config
from .discover import discover
from .errors import SiteError, SiteErrors
from .index import build_index
from .kb import Glossary, KnowledgeBase, load_glossary, load_kb
from .model import AnnotatedDocument, Annotations, Document
from .parse import parse
from .render import Renderer, copy_tree_files
from .themes import static_dirs, theme_chain
from .write import write_output

# Below this many documents to annotate, one process is faster than starting workers.
PARALLEL_THRESHOLD = 20
_STORE_EVERY = 64  # cache annotations in chunks, so an interrupted cold build keeps its work


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site: Path
    output: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    now: dt.datetime | None = None  # "today" for future-dated articles; defaults to now
    no_cache: bool = False  # annotate everything, neither reading nor writing the cache
    jobs: int | None = None  # model worker processes; None: all cores when there is enough work
    cache_dir: Path | None = None  # default: SITE/.sitegen-cache
    progress: bool = False  # a progress bar on stderr for long annotation runs (TTY only)


@dataclass(slots=True)
class BuildReport:
    output: Path
    articles_read: int = 0
    published: int = 0
    drafts_skipped: int = 0
    future_skipped: int = 0
    annotated: int = 0  # documents run through the model in this build
    from_cache: int = 0  # documents whose annotations came from the cache
    files_written: int = 0  # files whose bytes are new or changed
    unchanged: int = 0  # files left as they were (same bytes as the previous output)
    removed: int = 0  # files of the previous output that are gone
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in self.timings.items())
        return (
            f"{self.articles_read} articles read, {self.published} published "
            f"({self.drafts_skipped} drafts, {self.future_skipped} future skipped), "
            f"{self.annotated} annotated, {self.from_cache} from cache, "
            f"{self.files_written} files written, {self.unchanged} unchanged"
            f"{f', {self.removed} removed' if self.removed else ''} in "
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


def default_jobs(pending: int) -> int:
    """All usable cores when there are enough documents to pay for worker start-up."""
    if pending < PARALLEL_THRESHOLD:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


def annotate(docs: list[Document], config: SiteConfig, kb: KnowledgeBase,
             glossary: Glossary, *, cache: AnnotationCache | None = None,
             jobs: int | None = None, report: BuildReport | None = None,
             progress: bool = False) -> list[AnnotatedDocument]:
    """Annotations for every document: from `cache` where it has them, the rest in one
    batched model pass (stored back into the cache as they come)."""
    if not (config.entities.enabled or config.glossary.enabled or config.attributions.enabled):
        return [AnnotatedDocument(d, Annotations()) for d in docs]
    texts = [d.view.text for d in docs]
    keys: list[str] = []
    found: list[Annotations | None] = [None] * len(docs)
    if cache is not None:
        from .annotate.pipeline import ANNOTATORS_VERSION
        from .cache import annotation_settings, context_digest, document_key, model_identity

        context = context_digest(
            model=model_identity(config.nlp.model), annotators=ANNOTATORS_VERSION,
            kb=kb.fingerprint, glossary=glossary.fingerprint,
            settings=annotation_settings(config))
        keys = [document_key(context, d.view) for d in docs]
        found = cache.get_many(keys, texts)
    missing = [i for i, a in enumerate(found) if a is None]
    # Identical views (syndicated or duplicated articles) are annotated once.
    first: dict[object, int] = {}
    copies: list[tuple[int, int]] = []
    todo: list[int] = []
    for i in missing:
        ident: object = keys[i] if keys else docs[i].view
        if ident in first:
            copies.append((i, first[ident]))
        else:
            first[ident] = i
            todo.append(i)
    if report is not None:
        report.from_cache = len(docs) - len(missing)
        report.annotated = len(todo)
    if todo:
        from .annotate.pipeline import AnnotationContext, annotate_views

        n_process = jobs if jobs is not None and jobs > 0 else default_jobs(len(todo))
        n_process = min(n_process, len(todo))
        batch_size = max(1, min(16, -(-len(todo) // n_process)))
        ctx = AnnotationContext(config=config, kb=kb, glossary=glossary)
        results = annotate_views([docs[i].view for i in todo], ctx, batch_size=batch_size,
                                 n_process=n_process)
        if progress:
            from tqdm import tqdm

            results = iter(tqdm(results, total=len(todo), desc="annotating", unit="article",
                                disable=None, leave=False, mininterval=0.5))
        fresh: list[tuple[str, Annotations]] = []
        for i, ann in zip(todo, results, strict=True):
            found[i] = ann
            if cache is not None:
                fresh.append((keys[i], ann))
                if len(fresh) >= _STORE_EVERY:
                    cache.put_many(fresh)
                    fresh = []
        if cache is not None and fresh:
            cache.put_many(fresh)
    for i, j in copies:
        found[i] = found[j]
    out: list[AnnotatedDocument] = []
    for d, a in zip(docs, found, strict=True):
        assert a is not None
        out.append(AnnotatedDocument(d, a))
    return out


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

    if options.no_cache:
        annotated = annotate(published, config, kb, glossary, jobs=options.jobs, report=report,
                             progress=options.progress)
    else:
        with AnnotationCache(options.cache_dir or cache_dir(site)) as cache:
            annotated = annotate(published, config, kb, glossary, cache=cache,
                                 jobs=options.jobs, report=report, progress=options.progress)
    t2 = time.perf_counter()
    report.timings["annotate"] = t2 - t1

    index = build_index(annotated, config, kb, glossary)
    renderer = Renderer(config, kb, glossary)
    rendered = [(f.path, f.data) for f in renderer.pages(index)]
    t3 = time.perf_counter()
    report.timings["render"] = t3 - t2

    from .search import search_index  # Pagefind bundle, if installed; [] otherwise

    rendered += search_index(rendered)
    stats = write_output([*rendered, *static_files(config)], output)
    report.files_written, report.unchanged, report.removed = (
        stats.written, stats.unchanged, stats.removed)
    report.timings["write"] = time.perf_counter() - t3
    return report


def clean(site: Path) -> list[Path]:
    """Delete the site's output folder and annotation cache; returns what was removed.

    Refuses to delete an output folder that sitegen did not write (it has no marker file).
    """
    import shutil

    from .write import MARKER

    config = load_config(site.resolve())
    output = config.root / "output"
    removed: list[Path] = []
    if output.is_dir() and not output.is_symlink():
        if not (output / MARKER).is_file():
            raise SiteError(
                f"refusing to delete {output}: it was not written by sitegen (no {MARKER})",
                hint="delete it yourself if it is really not needed",
            )
        shutil.rmtree(output)
        removed.append(output)
    cache = cache_dir(config.root)
    if cache.is_dir() and not cache.is_symlink():
        shutil.rmtree(cache)
        removed.append(cache)
    return removed
