"""The preview's HTTP side: static files from the preview folder only, the reload script
injected into HTML responses, server-sent events, and a small JSON status API.

Only files that resolve inside the preview folder are served (no `..`, no hidden files, no
symlinks pointing out); a missing file gets the site's 404.html with status 404.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import queue
from collections.abc import Callable
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sitegen.serve.guard import Guard, is_loopback
from sitegen.serve.review_desk import ReviewDesk
from sitegen.serve.review_http import check_caller, review_get, review_post
from sitegen.serve.state import NotReady, PreviewState, page_url

PREFIX = "/__sitegen/"
ASSETS = Path(__file__).resolve().parent / "assets"
PING_SECONDS = 10.0

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}

FALLBACK_404 = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Not found</title></head><body><h1>Not found</h1>
<p>This page is not part of the preview.</p></body></html>"""

NOT_BUILT = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>sitegen preview</title></head><body><h1>The site has not been built yet</h1>
<p>Fix the problem shown in the overlay (and in the terminal); the page reloads by itself.</p>
</body></html>"""

LOADING = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="1"><title>sitegen preview</title></head><body>
<h1>Preparing the preview</h1><p>The site is being read; this page reloads by itself.</p>
</body></html>"""


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in TYPES:
        return TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def resolve_request(root: Path, raw: str) -> tuple[Path | None, bool]:
    """The file a request path names inside `root`, or None; second value: forbidden.

    Rejects `..`, `.` and hidden segments (also percent-encoded), backslashes, NUL bytes and
    any path whose resolved target (after following symlinks) leaves `root`.
    """
    path = unquote(urlsplit(raw).path, errors="strict") if "%" in raw else urlsplit(raw).path
    if "\x00" in path or "\\" in path:
        return None, True
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None, True
    if any(p.startswith(".") for p in parts):
        return None, False
    base = root.resolve()
    candidate = base.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None, False
    if not resolved.is_relative_to(base):
        return None, True
    if resolved.is_dir():
        index = resolved / "index.html"
        return (index if index.is_file() else None), False
    return (resolved if resolved.is_file() else None), False


def inject(html: bytes, page_hash: str, generation: int, page: str, token: str = "") -> bytes:
    """Add the preview client before </body> (or at the end when there is none); `token`
    is the review API's (review_http.py), given to the preview's own pages only."""
    tag = (f'<link rel="stylesheet" href="{PREFIX}inspector.css" data-sitegen-preview>'
           f'<script src="{PREFIX}client.js" data-sitegen-preview data-hash="{escape(page_hash)}"'
           f' data-generation="{generation}" data-page="{escape(page)}"'
           + (f' data-token="{escape(token)}"' if token else "") + ' defer></script>'
           + (f'<script src="{PREFIX}review.js" data-sitegen-preview defer></script>'
              if token else "") + "\n")
    data = tag.encode()
    at = html.lower().rfind(b"</body>")
    return html + data if at < 0 else html[:at] + data + html[at:]


def might_be_page(raw: str) -> bool:
    """Whether a URL path may name a generated page (not a static asset)."""
    return raw.endswith(("/", ".html", ".xml")) or "." not in raw.rsplit("/", 1)[-1]


class PreviewHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops connections when a page with many assets
    # (or many tabs) connects at once; the clients then wait seconds for a SYN retry.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: PreviewState,
                 allow_hosts: tuple[str, ...] = (), review: ReviewDesk | None = None,
                 token: str = "") -> None:
        self.state = state
        self.review = review  # review mode (docs/review.md); None: off
        self.token = token  # the review API's token, given to the preview's own pages
        # While the preview folder is being filled: output path -> the page rendered on
        # request (None: no such page, or the folder has it); raises NotReady while loading.
        self.pages: Callable[[str], bytes | None] | None = None
        super().__init__(address, PreviewHandler)
        self.guard = Guard.create(int(self.server_address[1]), allow_hosts)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
    server_version = "sitegen-preview"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build messages; requests stay quiet

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def do_GET(self) -> None:
        self._handle(head=False)

    def _not_allowed(self) -> None:
        """Any other method: refused (403 from a foreign host or origin, else 405)."""
        if self._refused(head=False):
            return
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = True

    do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _not_allowed

    def do_POST(self) -> None:
        if urlsplit(self.path).path != PREFIX + "review" or self.server.review is None:
            self._not_allowed()
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._review("POST")

    def _review(self, method: str) -> None:
        """The review API (review_http.py): JSON in, JSON out, every refusal a 4xx."""
        desk = self.server.review
        assert desk is not None
        headers = {name: str(value) for name in (
            "Host", "Origin", "Sec-Fetch-Site", "X-Sitegen-Token", "Content-Type",
            "Content-Length") if (value := self.headers.get(name)) is not None}
        url = urlsplit(self.path)
        answer = check_caller(self.server.guard, self.server.token, method, url.path,
                              headers, str(self.client_address[0]))
        if answer is None and method == "POST":
            self.connection.settimeout(10.0)  # a body that never comes does not hold a thread
            answer = review_post(desk, headers, self.rfile.read)
        elif answer is None:
            answer = review_get(desk, url.query)
        data = answer.encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)
        if answer.status >= 400:
            self.close_connection = True

    def _loopback_client(self) -> bool:
        return is_loopback(str(self.client_address[0]).removeprefix("::ffff:"))

    def _refused(self, head: bool) -> bool:
        """Answer 403 to a request from a foreign host name or origin (serve_guard)."""
        headers = {name: str(value) for name in ("Host", "Origin", "Sec-Fetch-Site")
                   if (value := self.headers.get(name)) is not None}
        reason = self.server.guard.refusal(self.command, urlsplit(self.path).path, headers)
        if reason is None:
            return False
        self._send(HTTPStatus.FORBIDDEN, reason.encode("utf-8", "replace"),
                   "text/plain; charset=utf-8", head)
        self.close_connection = True
        return True

    # -- dispatch -------------------------------------------------------------------------
    def _handle(self, head: bool) -> None:
        try:
            path = urlsplit(self.path).path
            if path == PREFIX + "review" and self.server.review is not None:
                self._review("HEAD" if head else "GET")  # its own checks, JSON refusals
                return
            if self._refused(head):
                return
            if path.startswith(PREFIX):
                self._internal(path[len(PREFIX):], head)
            else:
                self._file(head)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _internal(self, name: str, head: bool) -> None:
        state = self.server.state
        if name == "events" and not head:
            self._events()
        elif name in ("client.js", "inspector.css", "review.js"):
            asset = ASSETS / name
            self._send(HTTPStatus.OK, asset.read_bytes(), content_type(asset), head)
        elif name == "status":
            self._json(state.snapshot(), head)
        elif name == "hash":
            query = parse_qs(urlsplit(self.path).query)
            page = query.get("path", ["/"])[0]
            self._json({"path": page, "hash": state.page_hash(page),
                        "generation": state.snapshot()["generation"]}, head)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head)

    def _file(self, head: bool) -> None:
        state = self.server.state
        raw = urlsplit(self.path).path
        try:
            target, forbidden = resolve_request(state.root, self.path)
        except UnicodeDecodeError:
            target, forbidden = None, True
        if forbidden:
            self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain; charset=utf-8", head)
            return
        if target is not None and target.name == "index.html" and not raw.endswith(
                ("/", "index.html")):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", raw + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if self.server.pages is not None and (target is None or might_be_page(raw)):
            try:
                if self._on_demand(raw, head):
                    return
                made = self.server.pages("404.html")
            except NotReady:
                self._loading(head)
                return
            if made is not None and target is None:
                self._page(HTTPStatus.NOT_FOUND, made, TYPES[".html"], "", raw, head)
                return
        if target is None:
            status = HTTPStatus.NOT_FOUND
            not_found = state.root / "404.html"
            data = not_found.read_bytes() if not_found.is_file() else (
                FALLBACK_404 if state.root.is_dir() else NOT_BUILT)
            ctype = TYPES[".html"]
            page = ""
        else:
            try:
                data = target.read_bytes()
            except OSError:  # swapped away by a build between resolve and read
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"rebuilding, retry\n",
                           "text/plain; charset=utf-8", head)
                return
            ctype = content_type(target)
            page = page_url(target.relative_to(state.root.resolve()).as_posix())
        self._page(status, data, ctype, page, raw, head)

    def _page(self, status: HTTPStatus, data: bytes, ctype: str, page: str, raw: str,
              head: bool, fresh: bool = False) -> None:
        """Send a file; an HTML page with the preview client and its hash (of these very
        bytes when `fresh` or not recorded yet: no reload when the update records it)."""
        if ctype.startswith("text/html"):
            state = self.server.state
            snap = state.snapshot()
            token = self.server.token if self._loopback_client() else ""
            digest = ""
            if page:
                digest = ("" if fresh else state.page_hash(page)) or hashlib.blake2b(
                    data, digest_size=8).hexdigest()
            data = inject(data, digest, snap["generation"], page or raw, token)
        self._send(status, data, ctype, head)

    def _on_demand(self, raw: str, head: bool) -> bool:
        """Answer with a page the preview folder does not have yet (rendered now); False
        when the site has no page there."""
        assert self.server.pages is not None
        path = unquote(raw, errors="strict").lstrip("/")
        if path == "" or path.endswith("/"):
            names = [path + "index.html"]
        else:
            names = [path, path + "/index.html"]
        for rel in names:
            data = self.server.pages(rel)
            if data is None:
                continue
            if rel != names[0]:  # a folder asked for without its slash
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", raw + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._page(HTTPStatus.OK, data, content_type(Path(rel)), page_url(rel), raw,
                           head, fresh=True)
            return True
        return False

    def _loading(self, head: bool) -> None:
        """The site is still being read: a page that asks again by itself."""
        self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
        self.send_header("Content-Type", TYPES[".html"])
        self.send_header("Content-Length", str(len(LOADING)))
        self.send_header("Retry-After", "1")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(LOADING)

    # -- responses ------------------------------------------------------------------------
    def _send(self, status: HTTPStatus, data: bytes, ctype: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        # Another site's page may not read the preview's responses (no CORS headers are
        # ever sent), nor frame it.
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _json(self, value: dict[str, Any], head: bool) -> None:
        self._send(HTTPStatus.OK, json.dumps(value).encode(), "application/json", head)

    def _events(self) -> None:
        state = self.server.state
        q = state.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            snap = state.snapshot()
            hello = {"generation": snap["generation"], "errors": snap["errors"]}
            self.wfile.write(f"retry: 500\nevent: hello\ndata: {json.dumps(hello)}\n\n".encode())
            self.wfile.flush()
            while True:
                try:
                    event = q.get(timeout=PING_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
                    continue
                if event is None:
                    break
                self.wfile.write(event.encode())
                self.wfile.flush()
        except OSError:
            pass  # the browser went away
        finally:
            state.unsubscribe(q)
            self.close_connection = True
