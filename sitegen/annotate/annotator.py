"""The annotator interface: what the pipeline, the cache, the export and `sitegen plugins`
know of an annotator (docs/plugins.md).

An annotator has a name and a version, says whether a site enables it and which of the
site's settings change what it finds (both go into the annotation cache key), and runs on a
parsed article: the one spaCy Doc of the article's text, its `TextView`, the site's
knowledge base, glossary and configuration, and what the annotators before it found.
It returns the fields of `Annotations` it fills (`fields`); the renderer and the export
show each field. The built-in annotators (annotate/builtins.py) fill `entities`,
`glossary` and `attributions`; a plugin fills `notes`, rendered as marks in the article
and exported under "notes".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sitegen.config.site import SiteConfig
from sitegen.core.model import Annotations, Note, TextView
from sitegen.source.kb import Glossary, KnowledgeBase

FIELDS = ("entities", "glossary", "attributions", "notes")


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """What an annotator runs on: one article, parsed once for every annotator."""

    doc: Any  # the spaCy Doc of view.text (never changed by an annotator)
    view: TextView  # the text; `view.annotatable(start, end)` keeps spans out of code/links
    config: SiteConfig
    kb: KnowledgeBase
    glossary: Glossary
    nlp: Any  # the spaCy Language that made `doc`
    found: Annotations  # what the annotators that ran before this one found

    @property
    def text(self) -> str:
        return self.view.text


class Annotator:
    """Base class of every annotator. A plugin sets `name` and `version` and implements
    `notes()`; the defaults do the rest: it runs when the site lists it in
    `[annotate] plugins`, and its `[plugins.NAME]` table is its settings."""

    name: str = ""
    version: str = ""
    fields: tuple[str, ...] = ("notes",)  # the Annotations fields `run` fills
    builtin: bool = False

    def enabled(self, config: SiteConfig) -> bool:
        """Whether `config`'s site runs this annotator."""
        return self.name in config.annotate.plugins

    def settings(self, config: SiteConfig) -> Mapping[str, Any]:
        """The settings that change what it finds (JSON-able): part of the cache key, so
        changing one re-annotates the site. Raise ValueError for a bad setting."""
        return config.plugin_options(self.name)

    def run(self, article: ParsedArticle) -> Annotations:
        """The annotations of one article: the `fields` it fills (the pipeline keeps the
        rest from `article.found`)."""
        return Annotations(notes=tuple(self.notes(article)))

    def notes(self, article: ParsedArticle) -> Iterable[Note]:
        """A plugin's notes for one article (spans of `article.text`)."""
        raise NotImplementedError(f"annotator {self.name!r} finds nothing: implement notes()")
