"""Who may talk to the preview: a Host allow-list against DNS rebinding and Origin /
Sec-Fetch-Site checks against cross-site requests.

A web page the author visits can point one of its own host names at 127.0.0.1 (DNS
rebinding); the browser then sends that name in `Host`. Only names the author uses for the
preview are answered: loopback names and IP literals (a rebound name is never an IP
literal), with the server's port, plus names given with `--allow-host`. The preview's API
(`/__sitegen/...`, the event stream included) and any method but GET/HEAD also refuse
requests another site's page makes (`Origin` or `Sec-Fetch-Site`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback IP addresses (the default, private binding)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def split_host(value: str) -> tuple[str, int | None] | None:
    """(lower-case name, port or None) of a Host header; None when malformed."""
    value = value.strip().lower()
    if not value or any(c in value for c in " /\\@?#\x00"):
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[: end + 1], value[end + 1 :]
    else:
        name, sep, port_text = value.partition(":")
        rest = sep + port_text
        if ":" in port_text:
            return None  # an IPv6 address must be in brackets
    if not rest:
        return name, None
    if not rest.startswith(":") or not rest[1:].isdigit() or len(rest) > 6:
        return None
    return name, int(rest[1:])


@dataclass(frozen=True, slots=True)
class Guard:
    """The names and port the preview answers to."""

    port: int
    allowed: frozenset[str] = frozenset()  # extra host names (lower case, no port)

    @classmethod
    def create(cls, port: int, allow_hosts: Iterable[str] = ()) -> Guard:
        names = {h.strip().lower() for h in allow_hosts if h.strip()}
        return cls(port=port, allowed=frozenset(names))

    def host_ok(self, header: str | None) -> bool:
        if header is None:
            return False
        parsed = split_host(header)
        if parsed is None:
            return False
        name, port = parsed
        if port is None:
            port = 80
        if port != self.port:
            return False
        return name in LOOPBACK_NAMES or _is_ip_literal(name) or name in self.allowed

    def origin_ok(self, origin: str | None) -> bool:
        if origin is None:
            return True
        if not origin.startswith("http://"):
            return False  # "null", https:, file:, another scheme: not the preview's pages
        return self.host_ok(origin[len("http://"):])

    def refusal(self, method: str, path: str, headers: Mapping[str, str]) -> str | None:
        """Why the request is refused (the 403 body), or None when it may be answered."""
        host = headers.get("Host")
        if not self.host_ok(host):
            return (f"403 Forbidden: this sitegen preview does not answer to the host name "
                    f"{host!r}. Open it at http://127.0.0.1:{self.port}/ or "
                    f"http://localhost:{self.port}/, or restart it with --allow-host NAME "
                    "to allow another name.\n")
        api = path.startswith("/__sitegen/")
        if api or method not in ("GET", "HEAD"):
            if not self.origin_ok(headers.get("Origin")):
                return ("403 Forbidden: the preview's API only answers its own pages; this "
                        f"request came from {headers.get('Origin')!r}.\n")
            site = headers.get("Sec-Fetch-Site")
            if site is not None and site not in ("same-origin", "none"):
                return ("403 Forbidden: the preview's API only answers its own pages; this "
                        f"request was made by another site (Sec-Fetch-Site: {site}).\n")
        return None
