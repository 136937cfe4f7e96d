"""A target that fsspec speaks: a local folder, s3://, gs://, az://, sftp://, webdav...

Credentials are the protocol's business: s3fs reads AWS_* variables and ~/.aws, sshfs reads
~/.ssh, gcsfs GOOGLE_APPLICATION_CREDENTIALS. Every error message passes through `scrub`
so no URL userinfo or token is printed.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sitegen.config.deploy import DeployTarget, scrub, url_secrets
from sitegen.core.errors import SiteError
from sitegen.deploy.files import MANIFEST_NAME, LocalFile, content_type, kind, md5_file
from sitegen.deploy.plan import RemoteFile, RemoteManifest, parse_manifest

T = TypeVar("T")
# Protocols where a file is written under a temporary name and renamed into place, so a
# reader never gets half a file (object stores replace an object in one step by themselves).
_RENAME_PROTOCOLS = {"file", "local", "sftp", "ssh"}
_CHEAP_READ = {"file", "local", "memory"}  # read back to compare when there is no manifest
_EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "az": "azure", "abfs": "azure",
           "sftp": "sftp", "ssh": "sftp", "webdav": "webdav", "dav": "webdav"}
_ENV_SECRETS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
                "AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_SAS_TOKEN",
                "AZURE_STORAGE_CONNECTION_STRING", "AZURE_CLIENT_SECRET", "WEBDAV_PASSWORD",
                "SSHPASS", "GITHUB_TOKEN", "GH_TOKEN")


def env_secrets() -> tuple[str, ...]:
    return tuple(v for k in _ENV_SECRETS if (v := os.environ.get(k)))


class FsTarget:
    """One fsspec filesystem and the folder (or bucket prefix) the site goes to."""

    def __init__(self, target: DeployTarget) -> None:
        self.target = target
        self.secrets = url_secrets(target.url) + env_secrets()
        options: dict[str, Any] = dict(target.options)
        if target.endpoint_url:
            options["endpoint_url"] = target.endpoint_url
        try:
            from fsspec.core import url_to_fs

            self.fs, root = url_to_fs(target.url, **options)
        except ImportError as exc:
            raise self._missing(exc) from None
        except (ValueError, TypeError, OSError) as exc:
            raise self.error(f"cannot open the target: {exc}",
                             "check the URL and the [deploy] options") from None
        self.fs.invalidate_cache()  # a listing cached by an earlier deploy in this process
        protocol = self.fs.protocol
        self.protocol = protocol if isinstance(protocol, str) else protocol[0]
        self.root = root.rstrip("/")
        self._made: set[str] = set()

    def _missing(self, exc: ImportError) -> SiteError:
        scheme = self.target.url.split("://", 1)[0] if "://" in self.target.url else "file"
        extra = _EXTRAS.get(scheme.split("+", 1)[0])
        hint = f"pip install 'sitegen[deploy-{extra}]'" if extra else \
            "install the fsspec package for this protocol"
        return self.error(f"no package for {scheme}:// is installed ({exc})", hint)

    def error(self, message: str, hint: str, rel: str | None = None) -> SiteError:
        where = f"{rel} -> " if rel else ""
        return SiteError(scrub(f"{where}{self.target.name} ({self.target.shown}): {message}",
                               self.secrets), hint=hint)

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}" if self.root else rel

    # --- reading ----------------------------------------------------------------------------

    def read_manifest(self) -> RemoteManifest | None:
        try:
            data = self.retry(lambda: self.fs.cat_file(self.path(MANIFEST_NAME)), MANIFEST_NAME)
        except FileNotFoundError:
            return None
        return parse_manifest(data) if isinstance(data, bytes) else None

    def listing(self) -> dict[str, RemoteFile]:
        """Every file below the root with its size and, where known, MD5."""
        try:
            found: Mapping[str, Any] = self.retry(
                lambda: self.fs.find(self.root or "", detail=True), None)
        except FileNotFoundError:
            return {}
        out: dict[str, RemoteFile] = {}
        base = len(self.root) + 1 if self.root else 0
        strip = self.fs._strip_protocol
        for name, info in found.items():
            if info.get("type", "file") != "file":
                continue
            path = str(strip(name))
            if self.root and not path.startswith(self.root + "/"):
                continue  # a sibling that only shares the prefix ("news" vs "newsletter")
            out[path[base:]] = RemoteFile(int(info.get("size") or 0), _md5(info))
        return out

    def remote_md5(self, rel: str) -> str | None:
        if self.protocol not in _CHEAP_READ:
            return None
        import hashlib

        try:
            return hashlib.md5(self.fs.cat_file(self.path(rel))).hexdigest()
        except OSError:
            return None

    def listing_with_md5(self) -> dict[str, RemoteFile]:
        listed = self.listing()
        if self.protocol in _CHEAP_READ:
            listed = {rel: RemoteFile(f.size, f.md5 or self.remote_md5(rel))
                      for rel, f in listed.items()}
        return listed

    # --- writing ----------------------------------------------------------------------------

    def put(self, f: LocalFile, siblings: Mapping[str, object]) -> None:
        data = f.path.read_bytes()
        headers = self.headers(f.rel, siblings)
        self.retry(lambda: self._write(f.rel, data, headers), f.rel)

    def put_manifest(self, manifest: RemoteManifest) -> None:
        data = manifest.to_json().encode("utf-8")
        headers = self._header_args("application/json", "", "no-cache")
        self.retry(lambda: self._write(MANIFEST_NAME, data, headers), MANIFEST_NAME)

    def remove(self, rel: str) -> None:
        def gone() -> None:
            # Already deleted is fine (an interrupted deploy's re-run).
            with contextlib.suppress(FileNotFoundError):
                self.fs.rm_file(self.path(rel))

        self.retry(gone, rel)
        if self.protocol in _RENAME_PROTOCOLS:
            self._prune(rel)

    def _prune(self, rel: str) -> None:
        """Remove the folders a delete left empty (a web server would list or refuse an
        empty folder instead of answering 404); a folder with anything in it stays."""
        parts = rel.split("/")[:-1]
        while parts:
            try:
                self.fs.rmdir(self.path("/".join(parts)))
            except OSError:
                return
            self._made.discard(self.path("/".join(parts)))
            parts.pop()

    def headers(self, rel: str, siblings: Mapping[str, object]) -> dict[str, Any]:
        ctype, encoding = content_type(rel, siblings)
        return self._header_args(ctype, encoding, self.target.cache_control_for(kind(rel)))

    def _header_args(self, ctype: str, encoding: str, cache: str) -> dict[str, Any]:
        """HTTP metadata in the form the protocol's pipe_file takes (none for folders)."""
        if self.protocol in ("s3", "s3a"):
            args: dict[str, Any] = {"ContentType": ctype}
            if cache:
                args["CacheControl"] = cache
            if encoding:
                args["ContentEncoding"] = encoding
            return args
        if self.protocol in ("gs", "gcs"):
            fixed = {k: v for k, v in (("cache_control", cache),
                                       ("content_encoding", encoding)) if v}
            return {"content_type": ctype, "fixed_key_metadata": fixed}
        return {}

    def _write(self, rel: str, data: bytes, headers: dict[str, Any]) -> None:
        final = self.path(rel)
        if self.protocol in _RENAME_PROTOCOLS:
            parent = final.rsplit("/", 1)[0] if "/" in final else ""
            if parent and parent not in self._made:
                self.fs.makedirs(parent, exist_ok=True)
                self._made.add(parent)
            name = final.rsplit("/", 1)[-1]
            # A fixed name: the re-run of an interrupted deploy overwrites and renames it.
            tmp = f"{parent}/.{name}.sitegen-tmp" if parent else f".{name}.sitegen-tmp"
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, final)
        else:
            self.fs.pipe_file(final, data, **headers)

    # --- errors -----------------------------------------------------------------------------

    def retry(self, action: Callable[[], T], rel: str | None) -> T:
        """`action`, retried with backoff on transient errors; a lasting error names the file,
        the target and what to do."""
        delay = 0.2
        for attempt in range(self.target.retries + 1):
            try:
                return action()
            except (FileNotFoundError, KeyError):
                if rel == MANIFEST_NAME or rel is None:
                    raise FileNotFoundError(rel) from None
                raise self.error("not found", "the target changed during the deploy: "
                                 "run it again", rel) from None
            except PermissionError as exc:
                raise self.error(f"permission denied ({exc})",
                                 "check the credentials in the environment and that they "
                                 "may write here", rel) from None
            except (OSError, TimeoutError, ConnectionError) as exc:
                if attempt == self.target.retries:
                    raise self.error(f"failed after {attempt + 1} tries: {exc}",
                                     "check the network and the target, then run the deploy "
                                     "again: it resumes where it stopped", rel) from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


def _md5(info: Mapping[str, Any]) -> str | None:
    """The MD5 of a listed object when its ETag is one (single-part uploads)."""
    etag = str(info.get("ETag") or info.get("etag") or info.get("md5Hash") or "").strip('"')
    if len(etag) == 32 and all(c in "0123456789abcdef" for c in etag.lower()):
        return etag.lower()
    return None


__all__ = ["FsTarget", "env_secrets", "md5_file"]
