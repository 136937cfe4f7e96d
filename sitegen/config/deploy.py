"""Deploy targets: the `[deploy.NAME]` sections of site.toml, URLs given on the command line,
and keeping credentials out of the configuration and out of every message.

A target is a git branch (`git+file:///srv/site.git#gh-pages`, `git@host:org/repo.git`,
`git+https://host/repo.git#main`) or anything fsspec opens (a local folder, `s3://`,
`gs://`, `az://`, `sftp://`, `webdav+https://`). Credentials come from the environment or
the protocol's own configuration (AWS profiles, ~/.ssh, ...), never from site.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sitegen.config.keys import key_line as _key_line
from sitegen.config.keys import unknown_key as _unknown
from sitegen.core.errors import SiteError

KINDS = ("html", "feed", "asset", "hashed")
DEFAULT_CACHE_CONTROL: dict[str, str] = {
    "html": "public, max-age=300",  # pages change with every publish
    "feed": "public, max-age=300",  # feeds, sitemap, robots.txt, Pagefind's entry file
    "asset": "public, max-age=86400",  # stylesheets, scripts, images under a stable name
    "hashed": "public, max-age=31536000, immutable",  # names that change with the content
}
HISTORY = ("keep", "squash")
# Option names that carry a secret: rejected in site.toml (the environment supplies them).
_SECRET_WORDS = re.compile(r"key|secret|password|passwd|token|credential|passphrase|sas|"
                           r"connection_string|private", re.IGNORECASE)
_SCP_LIKE = re.compile(r"^[\w.+-]+@[\w.-]+:(?!//)")


@dataclass(frozen=True, slots=True)
class DeployTarget:
    """One place the site is published to (a `[deploy.NAME]` section or a URL)."""

    name: str
    url: str
    delete: bool = True  # remove files sitegen put there that the new output no longer has
    max_delete_share: float = 0.25  # deleting a larger share of sitegen's files needs --yes
    workers: int = 8  # parallel uploads (connections)
    retries: int = 3  # per file, with exponential backoff, on transient errors
    endpoint_url: str = ""  # S3-compatible hosts (MinIO, R2, Ceph...)
    options: tuple[tuple[str, Any], ...] = ()  # fsspec storage options (never secrets)
    cache_control: tuple[tuple[str, str], ...] = tuple(DEFAULT_CACHE_CONTROL.items())
    branch: str = ""  # git: the branch (default: the URL's #fragment, else gh-pages)
    cname: str = ""  # git: a CNAME file with this domain (GitHub Pages custom domain)
    nojekyll: bool = True  # git: a .nojekyll file so GitHub Pages serves the files as they are
    history: str = "keep"  # git: "keep" adds a commit; "squash" keeps one commit only
    message: str = "Deploy the site with sitegen"  # git: the commit message

    @property
    def is_git(self) -> bool:
        return is_git_url(self.url)

    @property
    def shown(self) -> str:
        """The URL as it may be printed (userinfo and query values hidden)."""
        return redact(self.url)

    def cache_control_for(self, kind: str) -> str:
        return dict(self.cache_control).get(kind, "")


def is_git_url(url: str) -> bool:
    if url.startswith("git+") or _SCP_LIKE.match(url):
        return True
    base = url.split("#", 1)[0]
    return "://" in url and base.rstrip("/").endswith(".git")


def git_remote(url: str) -> tuple[str, str]:
    """The URL git understands and the branch named by the #fragment ('' if none)."""
    base, _, branch = url.partition("#")
    if base.startswith("git+"):
        base = base[4:]
    return base, branch


def redact(url: str) -> str:
    """`url` without its password/userinfo and query values, safe to print or log."""
    if _SCP_LIKE.match(url):  # git@host:repo: a user name, never a password
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unprintable URL>"
    if "@" not in parts.netloc and not parts.query:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "&".join(f"{p.split('=', 1)[0]}=***" for p in parts.query.split("&")) \
        if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


_URL_IN_TEXT = re.compile(r"([a-zA-Z][\w+.-]*://)([^/\s@]+)@")


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` (an error message from a library, a git command's output) with userinfo in
    URLs and every known secret value replaced by ***."""
    text = _URL_IN_TEXT.sub(r"\1***@", text)
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def url_secrets(url: str) -> tuple[str, ...]:
    """The password (and whole userinfo) in `url`, to scrub from messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    found = [p for p in (parts.password, parts.netloc.rpartition("@")[0]) if p]
    found += [v for _, _, v in (q.partition("=") for q in parts.query.split("&")) if v]
    return tuple(found)


# --- site.toml -----------------------------------------------------------------------------


def parse_deploy_section(raw: Any, path: Path, text: str) -> tuple[DeployTarget, ...]:
    """The `[deploy.NAME]` tables of site.toml, validated (unknown keys name the nearest)."""

    if not isinstance(raw, dict):
        raise SiteError("[deploy] must hold tables like [deploy.production]", path,
                        _key_line(text, "deploy"), hint='[deploy.production]\nurl = "s3://bucket/"')
    targets: list[DeployTarget] = []
    known = [f.name for f in fields(DeployTarget) if f.name != "name"]
    for name, table in raw.items():
        where = f"[deploy.{name}]"
        if not isinstance(table, dict):
            raise SiteError(f"{where} must be a table with a url", path, _key_line(text, name),
                            hint=f'[deploy.{name}]\nurl = "s3://bucket/"')
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise SiteError(f"deploy target name {name!r}: use letters, digits, - and _", path)
        values: dict[str, Any] = {"name": name}
        for key, value in table.items():
            if key not in known:
                if _SECRET_WORDS.search(key):
                    raise _secret_error(key, where, path, text)
                raise _unknown(key, known, path, text, f" in {where}")
            values[key] = _value(key, value, where, path, text)
        if "url" not in values:
            raise SiteError(f"{where} needs a url", path, _key_line(text, name),
                            hint='e.g. url = "s3://bucket/news/" or url = '
                            '"git@github.com:org/site.git#gh-pages"')
        target = DeployTarget(**values)
        check_target(target, path, _key_line(text, "url"))
        targets.append(target)
    return tuple(targets)


def _secret_error(key: str, where: str, path: Path, text: str) -> SiteError:

    return SiteError(
        f"'{key}' in {where} looks like a credential: sitegen never reads secrets from "
        "site.toml", path, _key_line(text, key),
        hint="set it in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
        "GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_*...) or the protocol's own config "
        "(~/.aws, ~/.ssh), and remove it from site.toml")


def _value(key: str, value: Any, where: str, path: Path, text: str) -> Any:

    line = _key_line(text, key)
    default = next(f for f in fields(DeployTarget) if f.name == key).default
    if key == "max_delete_share":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise SiteError(f"{where} max_delete_share must be a number from 0 to 1, not "
                            f"{value!r}", path, line, hint="0.25 means a quarter of the files")
        return float(value)
    if key == "options":
        if not isinstance(value, dict):
            raise SiteError(f"{where} options must be a table of fsspec storage options",
                            path, line)
        for name, item in value.items():
            if _SECRET_WORDS.search(name):
                raise _secret_error(name, where, path, text)
            if isinstance(item, str) and "://" in item and "@" in item:
                raise _secret_error(name, where, path, text)
        return tuple(sorted(value.items()))
    if key == "cache_control":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise SiteError(f"{where} cache_control must be a table of strings", path, line,
                            hint='cache_control = { html = "public, max-age=60" }')
        for kind in value:
            if kind not in KINDS:
                raise SiteError(f"unknown file kind '{kind}' in {where} cache_control", path,
                                line, hint=f"known kinds: {', '.join(KINDS)}")
        return tuple({**DEFAULT_CACHE_CONTROL, **value}.items())
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    else:
        ok = isinstance(value, str)
    if not ok:
        kind = "true or false" if isinstance(default, bool) else (
            "a whole number, 0 or more" if isinstance(default, int) else "a string")
        raise SiteError(f"{where} {key} must be {kind}, not {value!r}", path, line)
    if key == "history" and value not in HISTORY:
        raise SiteError(f"{where} history must be \"keep\" or \"squash\", not {value!r}",
                        path, line)
    if key == "workers" and value < 1:
        raise SiteError(f"{where} workers must be 1 or more", path, line)
    return value


def check_target(target: DeployTarget, file: Path | None = None, line: int | None = None
                 ) -> None:
    """Refuse credentials in a configured URL and options that do not fit its kind."""
    if file is not None and url_secrets(target.url) and not _SCP_LIKE.match(target.url):
        parts = urlsplit(target.url)
        if parts.password or parts.query:
            raise SiteError(
                f"the url of [deploy.{target.name}] holds a credential: {target.shown}", file,
                line, hint="remove the password/token from the URL and give it through the "
                "environment or the protocol's config (~/.ssh, ~/.aws, ~/.netrc)")
    git_only = {"branch": "", "cname": "", "history": "keep"}
    if target.is_git:
        if target.endpoint_url or target.options:
            raise SiteError(f"[deploy.{target.name}] endpoint_url and options are for "
                            "filesystem targets, not git", file, line)
    else:
        for key, default in git_only.items():
            if getattr(target, key) != default:
                raise SiteError(f"[deploy.{target.name}] {key} is for git targets only "
                                f"({target.shown} is not one)", file, line,
                                hint="a git URL starts with git+ or ends with .git")
        if target.endpoint_url and not target.url.startswith(("s3://", "s3a://")):
            raise SiteError(f"[deploy.{target.name}] endpoint_url is for s3:// targets",
                            file, line)


def resolve_target(spec: str | None, configured: tuple[DeployTarget, ...], site: Path
                   ) -> DeployTarget:
    """The target named `spec` in site.toml, or `spec` itself as a URL or folder; with no
    `spec`, the only configured target (a usage error when there are none or several)."""
    names = [t.name for t in configured]
    if spec is None:
        if len(configured) == 1:
            return _anchored(configured[0], site)
        raise UsageError(
            "name a target: " + ", ".join(names) if names else
            "no deploy target: give a URL or folder, or add [deploy.NAME] to site.toml",
            hint='sitegen deploy production, or in site.toml: [deploy.production] '
            'url = "s3://bucket/"')
    for target in configured:
        if target.name == spec:
            return _anchored(target, site)
    if "://" in spec or is_git_url(spec) or "/" in spec or spec.startswith(".") \
            or "\\" in spec:
        target = DeployTarget(name="command line", url=_local_url(spec, Path.cwd()))
        check_target(target)
        return target
    raise UsageError(f"unknown deploy target '{spec}'",
                     hint=("configured targets: " + ", ".join(names)) if names else
                     "add [deploy.NAME] with a url to site.toml, or give a URL or ./folder")


def _anchored(target: DeployTarget, site: Path) -> DeployTarget:
    """A configured folder is relative to the site, not to where the command runs."""
    import dataclasses

    return dataclasses.replace(target, url=_local_url(target.url, site))


def _local_url(url: str, base: Path) -> str:
    if "://" in url or is_git_url(url):
        return url
    return str((base / Path(url).expanduser()).resolve())


class UsageError(SiteError):
    """A command-line mistake (exit 2), like argparse's own."""
