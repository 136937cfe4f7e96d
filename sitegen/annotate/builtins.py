"""The built-in annotators, registered in code (annotate/registry.py): entities, glossary
terms and source attributions, in that order (glossary terms win over names; attributions
resolve their speakers against the entities)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sitegen.annotate.annotator import Annotator, ParsedArticle
from sitegen.annotate.attribution import annotator as attribution
from sitegen.annotate.attribution.rules import DEFAULT_NAMES, Rule, default_ruler
from sitegen.annotate.entities import annotator as entities
from sitegen.annotate.glossary import annotator as glossary
from sitegen.config.keys import key_line
from sitegen.config.site import SiteConfig
from sitegen.core.errors import SiteError
from sitegen.core.model import Annotations
from sitegen.core.ruler import Ruler, UnknownRule


class EntitiesAnnotator(Annotator):
    """People, organisations and places (`[entities]`), linked to the knowledge base."""

    name = "entities"
    version = entities.VERSION
    fields = ("entities",)
    builtin = True

    def enabled(self, config: SiteConfig) -> bool:
        return config.entities.enabled

    def settings(self, config: SiteConfig) -> Mapping[str, Any]:
        return {"entities": dataclasses.asdict(config.entities)}

    def run(self, article: ParsedArticle) -> Annotations:
        return Annotations(entities=entities.find_entities(
            article.doc, article.view, article.kb, article.nlp))


class GlossaryAnnotator(Annotator):
    """The site's glossary terms (`[glossary]`). A name inside a glossary term ("NAP",
    "Natura" of "Natura 2000") is a term, so it also drops such entities."""

    name = "glossary"
    version = glossary.VERSION
    fields = ("entities", "glossary")
    builtin = True

    def enabled(self, config: SiteConfig) -> bool:
        return config.glossary.enabled

    def settings(self, config: SiteConfig) -> Mapping[str, Any]:
        return {"glossary": dataclasses.asdict(config.glossary)}

    def run(self, article: ParsedArticle) -> Annotations:
        doc, view, terms, nlp = article.doc, article.view, article.glossary, article.nlp
        ents = article.found.entities
        if ents and terms.terms:
            ents = entities.drop_glossary_terms(
                ents, glossary.find_terms(doc, view, terms, (), nlp=nlp))
        return Annotations(entities=ents,
                           glossary=glossary.find_terms(doc, view, terms, ents, nlp=nlp))


class AttributionsAnnotator(Annotator):
    """Who said what (`[attributions]`): the rules of attribution/rules.py, in order."""

    name = "attributions"
    version = attribution.VERSION
    fields = ("attributions",)
    builtin = True

    def __init__(self) -> None:
        self.ruler: Ruler[Rule] = default_ruler()

    def enabled(self, config: SiteConfig) -> bool:
        return config.attributions.enabled

    def rules(self, config: SiteConfig) -> list[tuple[str, Rule]]:
        """The rules that run for `config`: the ruler's, less `disabled_rules`."""
        ruler = self.ruler
        if config.attributions.disabled_rules:
            ruler = ruler.copy()
            try:
                ruler.disable(config.attributions.disabled_rules)
            except UnknownRule as exc:
                text = config.config_path.read_text("utf-8") if config.config_path.is_file() \
                    else ""
                raise SiteError(f"[attributions] disabled_rules: {exc}", config.config_path,
                                key_line(text, "disabled_rules")) from None
        return ruler.rules()

    def settings(self, config: SiteConfig) -> Mapping[str, Any]:
        # The rules are in the key only when they are not the default ones, so a default
        # site keeps the key (and its cache) it had before rules could change.
        out: dict[str, Any] = {"enabled": config.attributions.enabled}
        names = [name for name, _ in self.rules(config)]
        if tuple(names) != DEFAULT_NAMES:
            out["rules"] = names
        return {"attributions": out}

    def run(self, article: ParsedArticle) -> Annotations:
        return Annotations(attributions=attribution.find_attributions(
            article.doc, article.view, article.found.entities, self.rules(article.config)))


BUILTINS: tuple[Annotator, ...] = (EntitiesAnnotator(), GlossaryAnnotator(),
                                   AttributionsAnnotator())
