"""The files of a build as one stream: rendered pages as they come (handed to the search
spool too, when Pagefind is installed), then the search bundle and the static files; and
the manifest rows of what was written, without keeping any file's bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path

from sitegen.core.errors import SiteError
from sitegen.render.renderer import RenderedFile
from sitegen.render.search import SearchSpool
from sitegen.render.social import CARD_NAME


def site_files(pages: Iterable[RenderedFile], statics: dict[str, Path]
               ) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of every file of the site, pages first. A static file may replace
    the generated social card, never another page."""
    spool = SearchSpool.start()
    try:
        for f in pages:
            if own(f.path, statics):
                continue
            if spool is not None:
                spool.add(f.path, f.data)
            yield f.path, f.data
    except BaseException:
        if spool is not None:
            spool.tmp.cleanup()
        raise
    yield from after_pages(spool, statics)


def after_pages(spool: SearchSpool | None, statics: dict[str, Path]
                ) -> Generator[tuple[str, bytes], None, None]:
    """The files that follow the pages: the search bundle made from the pages handed to
    `spool` (which is finished), then the static files."""
    try:
        bundle = spool.finish() if spool is not None else []
        spool = None
        for rel, data in bundle:
            if not own(rel, statics):
                yield rel, data
    finally:
        if spool is not None:
            spool.tmp.cleanup()
    for rel in sorted(statics):
        yield rel, statics[rel].read_bytes()


def own(rel: str, statics: dict[str, Path]) -> bool:
    """True when the site's own static file takes the place of generated `rel`."""
    if rel not in statics:
        return False
    if rel.endswith(CARD_NAME):
        return True
    raise SiteError(f"{rel} would replace a page of the site in the output",
                    statics[rel], hint="rename or move the file")


class Written:
    """What the manifest needs of each file written: its size, and its digest unless its
    bytes are the previous output's (then the previous row's digest is used)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, str | None]] = {}

    def __call__(self, rel: str, data: bytes, same: bool) -> None:
        self.rows[rel] = row(data, same)


def row(data: bytes, same: bool) -> tuple[int, str | None]:
    """A file's size and digest for the manifest (None when it is the previous output's:
    the manifest keeps the previous digest or hashes the file)."""
    return len(data), None if same else hashlib.sha256(data).hexdigest()
