"""The one build entry point, used by the CLI, the preview server and the tests."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.annotate.cache import cache_dir
from sitegen.build.annotate_stage import PARALLEL_THRESHOLD, annotate, default_jobs
from sitegen.build.statics import check_source_folders, static_files, static_sources
from sitegen.config.site import NO_BASE_URL, SiteConfig, load_config
from sitegen.core.dates import utc_naive
from sitegen.core.errors import SiteError, SiteErrors
from sitegen.core.gc_pause import gc_paused as _gc_paused
from sitegen.core.model import Document
from sitegen.source.limits import too_many_tags

if TYPE_CHECKING:
    from sitegen.annotate.run.warm import WarmModel
    from sitegen.source.kb import Glossary, KnowledgeBase

# Heavy modules (spaCy, markdown-it, Jinja2) are imported where needed: a rebuild with
# nothing changed only stats and hashes its inputs.
__all__ = ["PARALLEL_THRESHOLD", "BuildOptions", "BuildReport", "annotate", "build",
           "default_jobs", "is_published", "load_data", "parse_all", "static_files",
           "static_sources"]


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
    executor: str | None = None  # "local" or "dask"; None: [build] executor in site.toml
    scheduler: str | None = None  # the Dask scheduler's address; None: [build] scheduler
    preview: bool = False  # `sitegen serve`: pages also show held-back candidates, greyed
    review_below: float | None = None  # --require-review: fail on undecided ones below this


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
    rendered: int = 0  # pages rendered in this build (the others reused: same dependencies)
    reused: int = 0
    nothing_changed: bool = False  # no input changed and output/ is intact: nothing was done
    refused: list[SiteError] = field(default_factory=list)  # articles over a [limits] setting
    timings: dict[str, float] = field(default_factory=dict)
    # the annotate stage's split (annotate/blocks.NlpSplit): model load, NLP, document steps
    split: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # printed once by the command line
    render_processes: int = 1  # processes that rendered the pages (build/render_pool.py)

    def summary(self) -> str:
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in self.timings.items())
        return (
            f"{self.articles_read} articles read, {self.published} published "
            f"({self.drafts_skipped} drafts, {self.future_skipped} future skipped), "
            f"{self.annotated} annotated, {self.from_cache} from cache, "
            f"{self.files_written} files written, {self.unchanged} unchanged"
            f"{f', {self.removed} removed' if self.removed else ''} in "
            f"{self.output} [{stages}]"
            + (f"; {len(self.refused)} refused: " + ", ".join(
                sorted(str(e.file) for e in self.refused)) if self.refused else "")
            + ("; nothing changed" if self.nothing_changed else
               f"; {self.rendered} pages rendered, {self.reused} reused"
               if self.rendered or self.reused else "")
        )

    def split_summary(self) -> str:
        """Where the time went (`sitegen build --verbose`): model load, NLP over the new
        blocks, assembling Docs from cached blocks, the document-level steps (annotators,
        confidence), render and write. Times inside worker processes are summed."""
        sp, t = self.split, self.timings
        on = f" ({self.render_processes} processes)" if self.render_processes > 1 else ""
        blocks = (f" ({sp.get('blocks_new', 0):.0f} of {sp.get('blocks', 0):.0f} blocks new"
                  + (f", {sp['whole']:.0f} articles whole" if sp.get("whole") else "") + ")"
                  if sp.get("blocks") or sp.get("whole") else "")
        lean = (f" (no model: spaCy and the model's vocabulary {sp['lean_load']:.2f}s)"
                if sp.get("lean_load") else "")
        return (f"split: model load {sp.get('model_load', 0.0):.2f}s{lean}, NLP "
                f"{sp.get('nlp', 0.0):.2f}s{blocks}, blocks assembled "
                f"{sp.get('assemble', 0.0):.2f}s, document steps "
                f"{sp.get('doc_steps', 0.0):.2f}s, render {t.get('render', 0.0):.2f}s"
                f"{on}, "
                f"write {t.get('write', 0.0):.2f}s")


def load_data(config: SiteConfig) -> tuple[KnowledgeBase, Glossary]:
    from sitegen.source.kb import load_glossary, load_kb

    content = config.content_path
    return load_kb(content / config.entities.file), load_glossary(content / config.glossary.file)


def parse_all(config: SiteConfig, cache: Path | None = None,
              refused: list[SiteError] | None = None) -> list[Document]:
    """Every article of the site, parsed; with a cache folder, unchanged articles come from
    its document store (without markdown tokens: see doc_cache.tokens_of).

    Articles over a `[limits]` setting are left out, their errors added to `refused`
    (without that list, raised)."""
    import dataclasses

    from sitegen.source.discover import discover
    from sitegen.source.parse import parse

    limits = config.limits
    sources = discover(config.content_path, limits.max_article_bytes, refused)
    docs: list[Document | None] = [None] * len(sources)
    rows: list[tuple[str, str]] = []
    keys: list[str] = []
    if cache is not None:
        from sitegen.source.store import (
            DocumentStore,
            decode,
            document_key,
            encode,
            parser_fingerprint,
        )

        fingerprint = parser_fingerprint(dataclasses.asdict(config.markdown))
        keys = [document_key(fingerprint, s) for s in sources]
        with DocumentStore(cache) as store:
            found = store.get_many(keys)
            for i, (source, key) in enumerate(zip(sources, keys, strict=True)):
                blob = found.get(key)
                docs[i] = decode(blob, source) if blob is not None else None
            errors = _parse_missing(sources, docs, parse, config.markdown.sanitize)
            for i, doc in enumerate(docs):
                if doc is not None and keys[i] not in found:
                    encoded = encode(doc)
                    if encoded is not None:
                        rows.append((keys[i], encoded))
            store.put_many(rows)
    else:
        errors = _parse_missing(sources, docs, parse, config.markdown.sanitize)
    if errors:
        raise errors[0] if len(errors) == 1 else SiteErrors(errors)
    kept: list[Document] = []
    for doc in docs:
        if doc is None:
            continue
        error = too_many_tags(doc, limits.max_tags)
        if error is None:
            kept.append(doc)
        elif refused is None:
            raise error
        else:
            refused.append(error)
    return kept


def _parse_missing(sources: list[Any], docs: list[Document | None], parse: Any,
                   raw_html: bool) -> list[SiteError]:
    errors: list[SiteError] = []
    for i, source in enumerate(sources):
        if docs[i] is None:
            try:
                docs[i] = parse(source, raw_html=raw_html)
            except SiteError as exc:
                errors.append(exc)
    return errors


def is_published(doc: Document, drafts: bool, now: dt.datetime) -> bool:
    meta = doc.meta
    if meta.draft and not drafts:
        return False
    date = meta.date
    if date is None:
        return True
    return _naive(date) <= now


def build(options: BuildOptions) -> BuildReport:
    """Read, annotate, index, render and atomically write the site.

    Unless `no_cache`, a manifest in the cache folder records every input and output: when
    nothing changed and the output is intact, the build stops after checking that; else
    pages whose dependencies did not change are reused instead of rendered again.
    """
    from sitegen.build.manifest import (
        Manifest,
        input_digest,
        load_manifest,
        manifest_path,
        output_intact,
        save_manifest,
    )
    from sitegen.build.write import MARKER

    site = options.site.resolve()
    config = load_config(site)
    check_source_folders(config)  # no symlinked folder reads files from outside the site
    if options.base_url is not None:
        config = config.with_base_url(options.base_url)
    output = (options.output or site / "output").resolve()
    report = BuildReport(output=output)
    if not config.absolute:
        report.warnings.append(NO_BASE_URL.format(base_url=config.base_url))
    now = options.now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cache = None if options.no_cache else (
        options.cache_dir or config.cache_path or cache_dir(site))
    jobs, executor, scheduler = _how(options, config)

    t0 = time.perf_counter()
    previous = Manifest()
    inputs, stats, scalars = "", dict[str, list[Any]](), ""
    if cache is not None:
        mpath = manifest_path(cache, output)
        previous = load_manifest(mpath)
        inputs, stats, scalars = input_digest(config, {"drafts": options.drafts,
                                              "base_url": config.base_url,
                                              "output": str(output)}, previous)
        due = previous.valid_until
        if (previous.inputs == inputs and (due is None or now < dt.datetime.fromisoformat(due))
                and output_intact(output, previous.output, MARKER)):
            counts = previous.counts
            report.articles_read = counts.get("articles_read", 0)
            report.published = report.from_cache = counts.get("published", 0)
            report.drafts_skipped = counts.get("drafts_skipped", 0)
            report.future_skipped = counts.get("future_skipped", 0)
            report.unchanged = len(previous.output)
            report.nothing_changed = True
            if stats != previous.stats:  # e.g. a file touched without a change
                previous.stats = stats
                save_manifest(mpath, previous)
            report.timings["check"] = time.perf_counter() - t0
            return report
    from sitegen.annotate.entities.gazetteer import use_cache_dir

    use_cache_dir(cache)  # the derived place table is kept there (annotate/entity_gazetteer)
    # An edited article will likely need the model: load it in a child meanwhile.
    warm = _warm_model(config, stats, previous.stats) if (
        cache is not None and executor == "local") else None
    with _gc_paused():
        return _build(options, config, output, report, now, cache, jobs, executor, scheduler,
                      t0, previous, inputs, stats, scalars, warm)


def _build(options: BuildOptions, config: SiteConfig, output: Path, report: BuildReport,
           now: dt.datetime, cache: Path | None, jobs: int | None, executor: str,
           scheduler: str | None, t0: float, previous: Any, inputs: str,
           stats: dict[str, list[Any]], scalars: str, warm: WarmModel | None
           ) -> BuildReport:
    """The build after the check that something changed (see `build`)."""
    from sitegen.build.manifest import (
        Manifest,
        manifest_path,
        record_written,
        save_manifest,
        spare_path,
    )

    kb, glossary = load_data(config)
    docs = parse_all(config, cache, report.refused)
    report.articles_read = len(docs)
    published = [d for d in docs if is_published(d, options.drafts, now)]
    report.drafts_skipped = sum(1 for d in docs if d.meta.draft and not options.drafts)
    report.future_skipped = len(docs) - len(published) - report.drafts_skipped
    report.published = len(published)
    t1 = time.perf_counter()
    report.timings["parse"] = t1 - t0

    # Rendering needs no annotations to start: the templates, and which of them read the
    # whole index, are prepared here (while a warm model process annotates, this is free).
    from sitegen.render.keys import TEMPLATES_DIR, PageKeys, render_salt
    from sitegen.render.renderer import Renderer
    from sitegen.render.site import SiteRenderer
    from sitegen.render.store import OutputStore

    renderer = Renderer(config, kb, glossary,
                        cache / TEMPLATES_DIR if cache is not None else None)
    renderer.show_held = options.preview
    keys, previous_pages = None, None
    if cache is not None:  # pages whose key did not change keep their previous bytes
        keys = PageKeys(renderer, render_salt(config, stats, scalars), facts_dir=cache)
        previous_pages = OutputStore(previous.output, output)
    site_renderer = SiteRenderer(renderer, keys, previous_pages)
    site_renderer.prepare()
    prepared = time.perf_counter() - t1

    if cache is None:
        stage = annotate(published, config, kb, glossary, jobs=jobs,
                         progress=options.progress, executor=executor, scheduler=scheduler)
    else:
        from sitegen.annotate.cache import AnnotationCache

        with AnnotationCache(cache) as store:
            stage = annotate(published, config, kb, glossary, cache=store,
                             jobs=jobs, progress=options.progress, executor=executor,
                             scheduler=scheduler, warm=warm)
    annotated = stage.documents
    report.annotated, report.from_cache = stage.annotated, stage.from_cache
    report.split = stage.split
    if warm is not None:
        warm.close()
    if options.review_below is not None:  # sign-off before deploy (docs/review.md)
        from sitegen.build.review_status import require_review

        require_review(annotated, options.review_below)
    t2 = time.perf_counter()
    report.timings["annotate"] = t2 - t1 - prepared

    from sitegen.build.render_pool import write_pages
    from sitegen.build.site_files import Written
    from sitegen.index.builder import build_index

    index = build_index(annotated, config, kb, glossary)
    # Pages are written as they are rendered (issue 17): no build holds the whole site;
    # on every core (build/render_pool.py), but in the preview (a threaded server).
    written = Written()
    result, report.render_processes = write_pages(
        site_renderer, index, static_sources(config), output, store=previous_pages,
        spare=spare_path(cache, output) if cache is not None else None, written=written,
        jobs=1 if options.preview else jobs)
    if keys is not None:
        report.rendered, report.reused = site_renderer.rendered, site_renderer.reused
        keys.save_template_facts()
    t3 = time.perf_counter()
    report.timings["render"] = t3 - t2 + prepared
    report.files_written, report.unchanged, report.removed = (
        result.written, result.unchanged, result.removed)
    if cache is not None:
        shown = {id(d) for d in published}
        held = [d.meta.date for d in docs if id(d) not in shown and d.meta.date is not None
                and not (d.meta.draft and not options.drafts)]
        due_dates = [_naive(d) for d in held]
        save_manifest(manifest_path(cache, output), Manifest(
            # With refused articles, the next build runs again (and reports them again).
            inputs="" if report.refused else inputs, stats=stats,
            valid_until=min(due_dates).isoformat() if due_dates else None,
            counts={"articles_read": report.articles_read, "published": report.published,
                    "drafts_skipped": report.drafts_skipped,
                    "future_skipped": report.future_skipped},
            output=record_written(output, written.rows, dict(site_renderer.page_keys),
                                  previous.output)))
    report.timings["write"] = time.perf_counter() - t3
    return report


def _how(options: BuildOptions, config: SiteConfig) -> tuple[int | None, str, str | None]:
    """Jobs, executor and scheduler address: the options', else the [build] section's."""
    jobs = options.jobs if options.jobs is not None else (config.build.jobs or None)
    executor = options.executor or config.build.executor
    scheduler = options.scheduler or config.build.scheduler or None
    if executor == "dask" and scheduler is None:
        raise SiteError("the Dask executor needs the scheduler's address",
                        hint="pass --scheduler tcp://HOST:8786 or set [build] scheduler "
                        "in site.toml")
    return jobs, executor, scheduler


def _warm_model(config: SiteConfig, stats: dict[str, list[Any]],
                previous: dict[str, list[Any]]) -> WarmModel | None:
    """A model process started ahead of need (annotate/warm.py) when an article changed."""
    from sitegen.annotate.registry import any_enabled

    if not any_enabled(config):
        return None
    content = str(config.content_path) + os.sep
    if not any(path.endswith(".md") and path.startswith(content)
               and previous.get(path, [None, None, None])[2] != row[2]
               for path, row in stats.items()):
        return None
    from sitegen.annotate.run.warm import WarmModel

    return WarmModel.start(config.nlp.model)


def _naive(date: dt.datetime) -> dt.datetime:
    return utc_naive(date)
