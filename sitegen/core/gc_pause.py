"""The cyclic garbage collector paused during a build (see `gc_paused`)."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator

_gc_pausing = False  # a build paused the cyclic garbage collector in this process


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the body. A build allocates hundreds of
    thousands of small, acyclic objects (documents, annotations, index entries) that the
    collector would otherwise traverse again and again; they are freed by reference
    counting. Processes forked meanwhile (model workers) collect as usual."""
    global _gc_pausing
    if not gc.isenabled():
        yield
        return
    gc.disable()
    _gc_pausing = True
    try:
        yield
    finally:
        _gc_pausing = False
        gc.enable()


def _gc_after_fork() -> None:
    global _gc_pausing
    if _gc_pausing:
        _gc_pausing = False
        gc.enable()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_gc_after_fork)
