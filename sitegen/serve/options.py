"""The preview's options and what one rebuild did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ServeOptions:
    site: Path
    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    drafts: bool = False
    debounce: float = 0.15
    quick_debounce: float = 0.04  # quiet time when the burst is one saved article
    preview: Path | None = None  # default: a fresh temporary folder, removed on exit
    allow_hosts: tuple[str, ...] = ()  # host names answered besides loopback and IPs
    public: bool = False  # binding to a non-loopback address must be asked for
    log: Callable[[str], None] = field(default=lambda text: print(text, flush=True))


@dataclass(frozen=True, slots=True)
class RebuildResult:
    kinds: tuple[str, ...]
    ok: bool
    seconds: float
    changed: tuple[str, ...] = ()
    summary: str = ""
