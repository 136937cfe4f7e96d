"""The review API of the preview (`/__sitegen/review`), as plain values: who may call it
and what it answers (docs/review.md, "The security model of the review API").

A request is answered only when every check passes, in this order:

1. the Host / Origin / Sec-Fetch-Site checks every preview API request gets (guard.py):
   no DNS rebinding, no other site's page;
2. the client is this machine (a loopback address), even when the preview is shared with
   `--public`;
3. it carries the preview's token in the `X-Sitegen-Token` header: a random value made
   when the server starts and given only to its own pages (in the script tag it injects);
   another site's page can neither read it nor, without CORS, send the header;
4. a POST has a JSON body (`Content-Type: application/json`) of at most MAX_BODY bytes.

Refusals are JSON, `{"error": ..., "hint": ...}`, with a 4xx status.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from sitegen.serve.guard import Guard, is_loopback
from sitegen.serve.review_desk import ReviewDesk, ReviewError

TOKEN_HEADER = "X-Sitegen-Token"
MAX_BODY = 16 * 1024  # bytes: a decision is a few hundred


def new_token() -> str:
    """A fresh random token for one preview process."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: dict[str, Any]

    def encode(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def _refuse(status: int, message: str, hint: str | None = None) -> Answer:
    return Answer(status, {"error": message, "hint": hint})


def check_caller(guard: Guard, token: str, method: str, path: str,
                 headers: Mapping[str, str], client: str) -> Answer | None:
    """The refusal for a caller that may not use the review API, or None."""
    reason = guard.refusal(method, path, headers)
    if reason is not None:
        return _refuse(403, reason.removeprefix("403 Forbidden: ").strip())
    if not is_loopback(client.removeprefix("::ffff:")):
        return _refuse(403, "review decisions are only taken from this machine "
                            f"(127.0.0.1), not from {client}")
    given = headers.get(TOKEN_HEADER, "")
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return _refuse(403, "missing or wrong preview token",
                       hint="use the review controls of a page the preview served "
                            "(reload it if the preview was restarted)")
    return None


def review_get(desk: ReviewDesk, query: str) -> Answer:
    page = parse_qs(query).get("page", [""])[0]
    if not page.startswith("/"):
        return _refuse(400, "'page' must be the URL path of a page, e.g. /2026/03/wall/")
    try:
        return Answer(200, desk.page(page))
    except ReviewError as exc:
        return Answer(exc.status, exc.as_dict())


def review_post(desk: ReviewDesk, headers: Mapping[str, str],
                read: Callable[[int], bytes]) -> Answer:
    ctype = headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        return _refuse(415, "the body must be JSON (Content-Type: application/json)")
    length_text = headers.get("Content-Length")
    if length_text is None:
        return _refuse(411, "a Content-Length is needed")
    try:
        length = int(length_text)
    except ValueError:
        return _refuse(400, "Content-Length is not a number")
    if length < 0 or length > MAX_BODY:
        return _refuse(413, f"the body is over {MAX_BODY} bytes")
    data = read(length)
    if len(data) != length:
        return _refuse(400, "the body is shorter than its Content-Length")
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return _refuse(400, f"the body is not valid JSON: {exc}")
    try:
        return Answer(200, {"ok": True, **desk.decide(body)})
    except ReviewError as exc:
        return Answer(exc.status, exc.as_dict())
