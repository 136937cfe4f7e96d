"""The annotator registry: built-ins registered in code with the pipeline version and cache
settings sitegen always had; plugins (here a stand-in registered in this process) run after
them, their notes rendered escaped and exported; site.toml mistakes are errors with lines."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import article

from sitegen.annotate import registry
from sitegen.annotate.annotator import Annotator, ParsedArticle
from sitegen.annotate.attribution import annotator as attribution
from sitegen.annotate.cache import annotation_settings, open_sealed, sealed_entry
from sitegen.annotate.codec import InvalidEntry, annotations_from_json, annotations_to_json
from sitegen.annotate.confidence import publish as confidence
from sitegen.annotate.entities import annotator as entities
from sitegen.annotate.glossary import annotator as glossary
from sitegen.annotate.pipeline import AnnotationContext, annotate_views
from sitegen.build.engine import BuildOptions, build
from sitegen.config.site import SiteConfig, load_config
from sitegen.config.thresholds import AnnotateConfig
from sitegen.core.errors import SiteError
from sitegen.core.model import Annotations, Note, Segment, TextView
from sitegen.source.kb import Glossary, KnowledgeBase


class Shout(Annotator):
    """Marks every word in capitals; what it marks says what the page must escape."""

    name = "shout"
    version = "7"
    label = '"><script>alert(1)</script>'
    href: str | None = None

    def notes(self, article: ParsedArticle) -> Iterator[Note]:
        import re

        for m in re.finditer(r"\b[A-Z]{3,}\b", article.text):
            yield Note("caps", m.start(), m.end(), m.group(), label=self.label,
                       title="<b>loud</b>", href=self.href, confidence=0.8)


@pytest.fixture
def shout(monkeypatch: pytest.MonkeyPatch) -> Shout:
    plugin = Shout()
    monkeypatch.setattr(registry, "installed", lambda names=None: (
        registry.Installed("shout", "sitegen-shout", "0.3", plugin),))
    return plugin


def test_builtins_keep_the_version_and_settings_sitegen_always_had(tmp_path: Path) -> None:
    assert (
        f"e{entities.VERSION}-g{glossary.VERSION}-a{attribution.VERSION}"
        f"-c{confidence.VERSION}-s{registry.code_digest()}") == registry.BUILTIN_VERSION


def test_a_change_to_an_annotator_s_code_changes_the_version(tmp_path: Path) -> None:
    code = tmp_path / "annotate"
    (code / "attribution").mkdir(parents=True)
    (code / "run").mkdir()
    rule = code / "attribution" / "direct.py"
    rule.write_text("SAID = {'said'}\n")
    (code / "run" / "pool.py").write_text("JOBS = 2\n")
    before = registry.code_digest(code)
    (code / "run" / "pool.py").write_text("JOBS = 4\n")  # how annotators run: no change
    assert registry.code_digest(code) == before
    rule.write_text("SAID = {'said', 'told'}\n")  # what they find: re-annotate
    assert registry.code_digest(code) != before
    config = SiteConfig(root=tmp_path, title="t")
    assert annotation_settings(config) == {  # what cache.py computed before the registry
        "nlp": dataclasses.asdict(config.nlp),
        "entities": dataclasses.asdict(config.entities),
        "glossary": dataclasses.asdict(config.glossary),
        "attributions": {"enabled": True},
        "annotate": {"publish_threshold": dataclasses.asdict(
            config.annotate.publish_threshold)},
        "language": "en",
    }
    assert [a.name for a in registry.for_site(config)] == [
        "entities", "glossary", "attributions"]
    assert registry.pipeline_version(config) == registry.BUILTIN_VERSION


def test_any_enabled_follows_the_sections(make_site: Callable[..., Path]) -> None:
    site = make_site({"a.md": article("A", "Peskov spoke.")}, config=(
        "\n[entities]\nenabled = false\n[glossary]\nenabled = false\n"
        "[attributions]\nenabled = false\n"))
    config = load_config(site)
    assert not registry.any_enabled(config)
    report = build(BuildOptions(site=site))
    assert (report.annotated, report.from_cache) == (0, 0)
    on = dataclasses.replace(config, entities=dataclasses.replace(config.entities,
                                                                   enabled=True))
    assert [a.name for a in registry.for_site(on)] == ["entities"]


def test_plugin_runs_after_the_builtins_with_its_name_stamped(tmp_path: Path, nlp: Any,
                                                              shout: Shout) -> None:
    config = SiteConfig(root=tmp_path, title="t", annotate=AnnotateConfig(plugins=("shout",)))
    text = "The NATO summit met in Rotterdam."
    view = TextView(text, (Segment(0, len(text), 0, "text", "paragraph"),))
    ctx = AnnotationContext(config, KnowledgeBase(), Glossary())
    [ann] = list(annotate_views([view], ctx))
    assert [(n.annotator, n.text, n.confidence) for n in ann.notes] == [("shout", "NATO", 0.8)]
    assert ann.entities  # the built-ins ran too
    assert registry.pipeline_version(config) == registry.BUILTIN_VERSION + "+shout==7"
    assert annotation_settings(config)["plugin:shout"] == {}

    def outside(_article: ParsedArticle) -> Iterator[Note]:
        yield Note("caps", 0, len(text) + 5, "x")

    shout.notes = outside  # type: ignore[method-assign]
    with pytest.raises(SiteError, match="annotator plugin 'shout' returned"):
        list(annotate_views([view], ctx))


def test_notes_are_escaped_and_links_never_nest(make_site: Callable[..., Path],
                                               shout: Shout) -> None:
    site = make_site({"a.md": article("A", "The NATO and OECD met. See [the UNHCR](https://x.org/)"
                                           " and `CODE`.")},
                     config='\n[annotate]\nplugins = ["shout"]\n')
    shout.href = "javascript:alert(1)"
    build(BuildOptions(site=site))
    page = (site / "output" / "2026" / "03" / "a" / "index.html").read_text("utf-8")
    assert ('<mark class="ann ann-note ann-note-shout ann-note-shout-caps" '
            'data-annotator="shout" data-kind="caps" '
            'data-label="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" '
            'title="&lt;b&gt;loud&lt;/b&gt;" data-confidence="0.80">NATO</mark>') in page
    assert "javascript:" not in page and "<script>alert" not in page
    assert ">UNHCR</mark>" not in page and "<code>CODE</code>" in page  # no link, no code

    shout.href = "https://example.org/caps"
    build(BuildOptions(site=site, no_cache=True))
    page = (site / "output" / "2026" / "03" / "a" / "index.html").read_text("utf-8")
    assert 'href="https://example.org/caps">OECD</a>' in page


def test_notes_in_cache_entries_and_export(tmp_path: Path) -> None:
    note = Note("amount", 4, 8, "€5 m", label="EUR 5,000,000", annotator="money")
    ann = Annotations(notes=(note, dataclasses.replace(note, published=False)))
    value, _seal = sealed_entry("k", ann)
    assert open_sealed("k", value)[0] == ann
    plain, _ = sealed_entry("k", Annotations())
    assert plain.endswith("[[],[],[]]")  # without notes: the layout entries always had
    with pytest.raises(InvalidEntry):
        open_sealed("k", value.replace("EUR", "USD"))
    assert annotations_from_json(annotations_to_json(ann), 10) == ann
    assert "notes" not in json.loads(annotations_to_json(Annotations()))
    with pytest.raises(InvalidEntry):
        annotations_from_json(annotations_to_json(ann), 6)  # spans beyond a shorter text
    assert ann.published().notes == (note,)


@pytest.mark.parametrize(("config", "line", "message"), [
    ('[annotate]\nplugins = "money"\n', 4, "setting 'plugins' must be a list of strings"),
    ('[annotate]\nplugins = ["money", "money"]\n', 4, "[annotate] plugins names 'money' twice"),
    ('[annotate]\nplugin = ["money"]\n', 4, "unknown setting 'plugin' in [annotate]"),
    ("[plugins]\nmoney = 3\n", 4, "[plugins] money must be a table"),
])
def test_config_errors_name_the_line(make_site: Callable[..., Path], config: str, line: int,
                                     message: str) -> None:
    site = make_site({"a.md": article("A", "x")}, config="\n" + config)
    with pytest.raises(SiteError) as err:
        load_config(site)
    assert str(err.value).startswith(f"{site / 'site.toml'}:{line}: {message}")


def test_plugin_settings_reach_the_plugin(make_site: Callable[..., Path]) -> None:
    site = make_site({"a.md": article("A", "x")}, config=(
        '\n[annotate]\nplugins = ["money"]\n\n[plugins.money]\ncurrencies = ["EUR"]\n'
        "limits = { low = 1, high = [2, 3] }\n"))
    config = load_config(site)
    assert config.plugin_options("money") == {"currencies": ["EUR"],
                                              "limits": {"low": 1, "high": [2, 3]}}
    assert config.plugin_options("other") == {}
    hash(config.plugins)  # frozen


def test_a_new_plugin_version_rebuilds_a_site_that_names_it(make_site: Callable[..., Path],
                                                            shout: Shout) -> None:
    """The build manifest asks the registry only for a site that names plugins (a no-change
    rebuild of any other site never imports the annotators: test_cache.py); for one that
    does, a new plugin version is a change, and the new notes reach the page."""
    site = make_site({"a.md": article("A", "The NATO summit met.")},
                     config='\n[annotate]\nplugins = ["shout"]\n')
    first = build(BuildOptions(site=site))
    assert first.annotated == 1
    assert build(BuildOptions(site=site)).nothing_changed
    shout.version = "8"
    shout.label = "CAPS-v8"
    again = build(BuildOptions(site=site))
    assert not again.nothing_changed and again.annotated == 1
    page = (site / "output" / "2026" / "03" / "a" / "index.html").read_text("utf-8")
    assert 'data-label="CAPS-v8"' in page
