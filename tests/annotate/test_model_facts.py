"""Annotating without loading the model when every block is cached (annotate/model_facts.py):
the Docs assembled on a blank Language with the model's vocabulary and lemmatizer data give
exactly the annotations of the loaded model, over the demo site and hand-written articles;
`sitegen build` after moving a paragraph never loads the model and writes the same bytes
as a build without any cache."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE_GLOSSARY, SAMPLE_KB, Result, article

from sitegen.annotate import nlp as nlp_mod
from sitegen.annotate.blocks import NlpSplit
from sitegen.annotate.export import export
from sitegen.annotate.pipeline import AnnotationContext
from sitegen.annotate.run import batch
from sitegen.build import engine
from sitegen.config.site import SiteConfig, load_config
from sitegen.core.model import Document, Source
from sitegen.source.kb import Glossary, KnowledgeBase, load_glossary, load_kb
from sitegen.source.parse import parse

GLOSSARY = SAMPLE_GLOSSARY + """\
- term: strike
  definition: A refusal to work.
  forms: [strikes]
- term: storm surge
  definition: Water pushed ashore by a storm.
- term: NGO
  definition: A non-governmental organisation.
"""

ARTICLES = [
    """\
    ## Talks in Moscow

    Dmitry Peskov spoke in Moscow on Monday about new sanctions. He said the Kremlin
    would study the proposal before the summit in Geneva.

    "We will respond in due course," Peskov told reporters. "There is no hurry."
    """,
    """\
    Strikes continued in Rotterdam on Tuesday. Several NGOs said the storm surges of
    1953 and 2026 were the worst on record.

    - Mayor Ahmed Aboutaleb called the decision "painful but necessary".
    - The port authority said repairs would cost 40 million euros.

    > "Nobody wants this," said Karin Mulder, who runs a cafe near the bridge.
    """,
    """\
    Apple reported record sales in China, Chief Executive Tim Cook said on Thursday.

    ### What comes next

    1. The company will report again in April, according to Reuters.
    2. Its shares rose 3 percent in Frankfurt, the exchange said.
    """,
]


def _exports(docs: list[Document], ctx: AnnotationContext, blocks: Path) -> list[str]:
    """Every article's full export (all candidates, confidences, publication) as JSON."""
    split = NlpSplit()
    anns = batch.annotate_batch([d.view for d in docs], ctx, blocks=blocks, split=split)
    return [json.dumps(export(d, a, all_candidates=True), sort_keys=True)
            for d, a in zip(docs, anns, strict=True)]


def _both_paths(docs: list[Document], ctx: AnnotationContext, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """(with the loaded model, without it) over the same block cache."""
    loaded = _exports(docs, ctx, tmp_path)  # the model is loaded here: the usual path
    monkeypatch.setattr(batch, "loaded_model", lambda _name: None)

    def no_model(name: str) -> Any:
        raise AssertionError(f"the model {name} was loaded")

    monkeypatch.setattr(batch, "load_model", no_model)
    return loaded, _exports(docs, ctx, tmp_path)


def test_demo_site_annotations_equal_without_the_model(
        nlp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(REPO)
    kb, glossary = engine.load_data(config)
    docs = engine.parse_all(config)
    assert len(docs) >= 10 and glossary.terms and kb.entities
    loaded, lean = _both_paths(docs, AnnotationContext(config, kb, glossary), tmp_path,
                               monkeypatch)
    assert sum(s.count('"label"') for s in loaded) > 100
    for doc, a, b in zip(docs, loaded, lean, strict=True):
        assert a == b, doc.source.rel


def test_hand_written_annotations_equal_without_the_model(
        nlp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kb.yaml").write_text(SAMPLE_KB, "utf-8")
    (tmp_path / "glossary.yaml").write_text(GLOSSARY, "utf-8")
    ctx = AnnotationContext(SiteConfig(root=tmp_path, title="t"), load_kb(tmp_path / "kb.yaml"),
                            load_glossary(tmp_path / "glossary.yaml"))
    docs = [parse(Source(path=Path(f"{i}.md"), rel=f"{i}.md", text=article("T", body),
                         digest=str(i))) for i, body in enumerate(ARTICLES)]
    loaded, lean = _both_paths(docs, ctx, tmp_path / "cache", monkeypatch)
    assert loaded == lean
    found = json.loads(loaded[1])
    # what needs the model's lemmas: "Strikes" (tagged a proper noun) finds "strike" through
    # the lemmatizer, "surges" the entry "storm surge", "NGOs" the entry "NGO"
    assert {g["term"] for g in found["glossary"]} >= {"strike", "storm surge", "NGO"}
    assert any(e["id"] == "dmitry-peskov" for e in json.loads(loaded[0])["entities"])


def test_missing_block_or_facts_loads_the_model(
        nlp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = AnnotationContext(SiteConfig(root=tmp_path, title="t"), KnowledgeBase(),
                            Glossary())
    docs = [parse(Source(path=Path("a.md"), rel="a.md", text=article("T", ARTICLES[0]),
                         digest="a"))]
    monkeypatch.setattr(batch, "loaded_model", lambda _name: None)
    loads: list[str] = []
    real = batch.load_model

    def counting(name: str) -> Any:
        loads.append(name)
        return real(name)

    monkeypatch.setattr(batch, "load_model", counting)
    view = docs[0].view
    batch.annotate_batch([view], ctx, blocks=tmp_path)  # nothing cached: the model
    assert len(loads) == 1
    batch.annotate_batch([view], ctx, blocks=tmp_path, split=(split := NlpSplit()))
    assert len(loads) == 1 and split.blocks_new == 0 and split.lean_load > 0
    edited = parse(Source(path=Path("a.md"), rel="a.md", digest="b", text=article(
        "T", ARTICLES[0].replace("no hurry", "no hurry at all"))))
    batch.annotate_batch([edited.view], ctx, blocks=tmp_path, split=(split := NlpSplit()))
    assert len(loads) == 2 and split.blocks_new == 1


# --- through the command line --------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_after_moving_a_paragraph_loads_no_model(
        make_site: Callable[..., Path], run: Callable[..., Result], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"articles/talks.md": article("Talks", ARTICLES[0]),
                      "articles/strikes.md": article("Strikes", ARTICLES[1]),
                      "entities.yaml": SAMPLE_KB, "glossary.yaml": GLOSSARY})
    # Every load, in this process or a forked one (the warm model process), is written down.
    log = tmp_path / "loads.log"
    real = nlp_mod.load_model

    def counting(name: str) -> Any:
        with log.open("a") as f:
            f.write(name + "\n")
        return real(name)

    monkeypatch.setattr(nlp_mod, "load_model", counting)
    monkeypatch.setattr(batch, "load_model", counting)
    monkeypatch.setattr(batch, "loaded_model", lambda _name: None)  # a fresh process
    res = run("build", "--site", site, "--verbose")
    assert res.code == 0, res.err
    assert log.read_text().count("\n") >= 1
    log.unlink()
    path = site / "content/articles/talks.md"
    head, _, body = path.read_text("utf-8").partition("\n---\n")
    paras = body.strip().split("\n\n")
    path.write_text(head + "\n---\n\n" + "\n\n".join([paras[0], paras[2], paras[1]]) + "\n",
                    "utf-8")
    res = run("build", "--site", site, "--verbose")
    assert res.code == 0, res.err
    assert "1 annotated" in res.out and "(0 of 3 blocks new)" in res.out, res.out
    assert "model load 0.00s (no model:" in res.out
    assert not log.exists(), log.read_text()
    page = next((site / "output").rglob("talks/index.html")).read_text("utf-8")
    assert page.index("We will respond") < page.index("would study the proposal")
    fresh = tmp_path / "fresh"
    assert run("build", "--site", site, "--no-cache", "--output", fresh).code == 0
    assert _files(site / "output") == _files(fresh)
