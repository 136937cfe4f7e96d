"""The annotation cache, unchanged files left alone, `--no-cache`, `--jobs` and `clean`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE_GLOSSARY, SAMPLE_KB, Result, article, file_tree

from sitegen.annotate import cache as cache_mod
from sitegen.annotate.cache import (
    DB_NAME,
    InvalidEntry,
    annotations_from_json,
    annotations_to_json,
    context_digest,
    document_key,
)
from sitegen.core.model import (
    Annotations,
    Attribution,
    EntityMention,
    GlossaryMatch,
    Note,
    Override,
    Segment,
    TextView,
)

KB = SAMPLE_KB
GLOSSARY = SAMPLE_GLOSSARY
BODY = """\
Dmitry Peskov spoke in Moscow on Monday about new sanctions.

"We will respond," Peskov said.
"""


def summary(res: Result) -> dict[str, int]:
    """The counts of the build's report."""
    assert res.code == 0 and res.report is not None, res.err
    r = res.report
    return {"annotated": r.annotated, "from_cache": r.from_cache,
            "written": r.files_written, "unchanged": r.unchanged}


@pytest.fixture
def news_site(make_site: Callable[..., Path]) -> Path:
    site: Path = make_site(
        {
            "a.md": article("Alpha", BODY),
            "b.md": article("Beta", "Sanctions hit Moscow traders.", date="2026-03-02"),
            "c.md": article("Gamma", "Peskov was silent.", date="2026-03-03"),
        },
        files={"content/entities.yaml": KB, "content/glossary.yaml": GLOSSARY},
    )
    return site


def test_second_build_reads_everything_from_cache_and_writes_nothing(
        news_site: Path, run: Callable[..., Result]) -> None:
    first = summary(run("build", "--site", news_site))
    assert first["annotated"] == 3 and first["from_cache"] == 0
    assert first["written"] > 0 and first["unchanged"] == 0
    assert (news_site / ".sitegen-cache" / DB_NAME).is_file()
    out = news_site / "output"
    before = file_tree(out)
    dir_inode = out.stat().st_ino
    second = summary(run("build", "--site", news_site))
    assert second == {"annotated": 0, "from_cache": 3, "written": 0,
                      "unchanged": first["written"]}
    assert file_tree(out) == before  # same bytes, inodes and mtimes
    assert out.stat().st_ino == dir_inode  # not even swapped


def test_cached_annotations_render_like_fresh_ones(news_site: Path, run: Callable[..., Result],
                                                   tmp_path: Path) -> None:
    assert summary(run("build", "--site", news_site))["annotated"] == 3
    cached = summary(run("build", "--site", news_site, "--output", tmp_path / "o2"))
    assert cached["from_cache"] == 3
    fresh = summary(run("build", "--site", news_site, "--output", tmp_path / "o3",
                        "--no-cache"))
    assert fresh["annotated"] == 3 and fresh["from_cache"] == 0
    page = (tmp_path / "o2/2026/03/a/index.html").read_text()
    assert "dmitry-peskov" in page and "sanctions" in page
    assert {k: v[0] for k, v in file_tree(tmp_path / "o2").items()} == {
        k: v[0] for k, v in file_tree(tmp_path / "o3").items()}


def test_editing_one_article_reannotates_exactly_it(news_site: Path,
                                                    run: Callable[..., Result]) -> None:
    summary(run("build", "--site", news_site))
    out = news_site / "output"
    before = file_tree(out)
    path = news_site / "content/b.md"
    path.write_text(path.read_text() + "\nMoscow answered within hours.\n")
    res = summary(run("build", "--site", news_site))
    assert res["annotated"] == 1 and res["from_cache"] == 2
    after = file_tree(out)
    changed = {k for k in after if k not in before or after[k][0] != before[k][0]}
    assert "2026/03/b/index.html" in changed
    assert "2026/03/a/index.html" not in changed
    assert res["written"] == len(changed) and res["unchanged"] == len(after) - len(changed) - 1
    for rel, (_data, ino, mtime) in after.items():
        if rel in changed or rel == ".sitegen-output":
            continue
        assert (ino, mtime) == before[rel][1:], f"{rel} was rewritten with the same bytes"
    assert "answered within hours." in (out / "2026/03/b/index.html").read_text()


@pytest.mark.parametrize("change", ["kb", "glossary", "config", "model", "annotators"])
def test_each_key_part_reannotates_everything(news_site: Path, run: Callable[..., Result],
                                              monkeypatch: pytest.MonkeyPatch,
                                              change: str) -> None:
    summary(run("build", "--site", news_site))
    if change == "kb":
        (news_site / "content/entities.yaml").write_text(
            KB + "- name: Kremlin\n  type: organisation\n")
    elif change == "glossary":
        (news_site / "content/glossary.yaml").write_text(
            GLOSSARY + "- term: trader\n  definition: One who trades.\n")
    elif change == "config":
        (news_site / "site.toml").write_text(
            'title = "Test Site"\n[entities]\ntypes = ["PERSON"]\n')
    elif change == "model":
        real = cache_mod._dist_version
        monkeypatch.setattr(cache_mod, "_dist_version",
                            lambda name: "9.9.9" if name != "spacy" else real(name))
    else:
        monkeypatch.setattr("sitegen.annotate.pipeline.ANNOTATORS_VERSION", "e99-g99-a99")
        # A new version comes with changed sitegen code, which the build manifest hashes
        # (it no longer imports the annotators to ask): only the version changes here, so
        # the manifest is set aside for the annotation keys to decide.
        for manifest in (news_site / ".sitegen-cache").glob("manifest-*.json"):
            manifest.unlink()
    res = summary(run("build", "--site", news_site))
    assert res["annotated"] == 3 and res["from_cache"] == 0
    again = summary(run("build", "--site", news_site))
    assert again["annotated"] == 0 and again["from_cache"] == 3


def test_key_covers_every_part() -> None:
    def view(text: str, kind: str = "text", src: int = 0,
             overrides: tuple[Override, ...] = ()) -> TextView:
        return TextView(text, (Segment(0, len(text), src, kind, "paragraph"),), overrides)

    base: dict[str, Any] = {"model": "m==1", "annotators": "e1", "kb": "k", "glossary": "g",
                            "settings": {"entities": {"enabled": True}}}
    ctx = context_digest(**base)
    ref = document_key(ctx, view("Peskov"))
    assert document_key(ctx, view("Peskov!")) != ref
    assert document_key(ctx, view("Peskov", kind="code")) != ref
    assert document_key(ctx, view("Peskov", overrides=(Override(0, 6, None, True),))) != ref
    assert document_key(ctx, view("Peskov", src=40)) == ref  # front matter grew: same body
    for part, other in [("model", "m==2"), ("annotators", "e2"), ("kb", "k2"),
                        ("glossary", "g2"), ("settings", {"entities": {"enabled": False}})]:
        assert document_key(context_digest(**{**base, part: other}), view("Peskov")) != ref


@pytest.mark.parametrize("garbage", [
    "not json {",
    '{"schema": 1, "entities": [], "glossary": []}',
    '{"schema": 99, "entities": [], "glossary": [], "attributions": []}',
    '{"schema": 1, "entities": [{"start": 0, "end": 99999, "text": "x", "label": "PERSON",'
    ' "entity_id": "x", "name": "x"}], "glossary": [], "attributions": []}',
    '{"schema": 1, "entities": [{"start": "0", "end": 1, "text": "x", "label": "PERSON",'
    ' "entity_id": "x", "name": "x"}], "glossary": [], "attributions": []}',
    '{"schema": 1, "entities": [{"start": 0, "end": 1, "__class__": "os.system"}],'
    ' "glossary": [], "attributions": []}',
])
def test_corrupt_entries_are_rebuilt_not_trusted(news_site: Path, run: Callable[..., Result],
                                                 tmp_path: Path, garbage: str) -> None:
    summary(run("build", "--site", news_site, "--output", tmp_path / "ref"))
    db = sqlite3.connect(news_site / ".sitegen-cache" / DB_NAME)
    with db:
        db.execute("UPDATE annotations SET value = ?", (garbage,))
    db.close()
    res = summary(run("build", "--site", news_site, "--output", tmp_path / "o"))
    assert res["annotated"] == 3 and res["from_cache"] == 0
    assert {k: v[0] for k, v in file_tree(tmp_path / "o").items()} == {
        k: v[0] for k, v in file_tree(tmp_path / "ref").items()}
    # ... and the rebuilt entries are good again.
    assert summary(run("build", "--site", news_site, "--output", tmp_path / "o"))[
        "from_cache"] == 3


def test_a_cache_file_that_is_not_a_database_is_replaced(
        news_site: Path, run: Callable[..., Result]) -> None:
    folder = news_site / ".sitegen-cache"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    assert summary(run("build", "--site", news_site))["annotated"] == 3
    assert summary(run("build", "--site", news_site))["from_cache"] == 3


def test_annotations_round_trip_through_json() -> None:
    text = "Peskov said: \"No.\" Sanctions followed."
    ann = Annotations(
        entities=(EntityMention(0, 6, "Peskov", "PERSON", "dmitry-peskov", "Dmitry Peskov",
                                origin="kb"),),
        glossary=(GlossaryMatch(19, 28, "Sanctions", "sanctions", "sanctions"),),
        attributions=(Attribution("direct", 13, 17, "No.", source="Peskov", source_start=0,
                                  source_end=6, source_id="dmitry-peskov", cue="said",
                                  cue_start=7, cue_end=11),
                      Attribution("unverified", 0, 5, "x")),
    )
    assert annotations_from_json(annotations_to_json(ann), len(text)) == ann
    with pytest.raises(InvalidEntry):
        annotations_from_json(annotations_to_json(ann), 10)  # spans beyond a shorter text


def test_no_cache_neither_reads_nor_writes_the_cache(news_site: Path,
                                                    run: Callable[..., Result]) -> None:
    res = summary(run("build", "--site", news_site, "--no-cache"))
    assert res["annotated"] == 3 and res["from_cache"] == 0
    assert not (news_site / ".sitegen-cache").exists()
    summary(run("build", "--site", news_site))
    res = summary(run("build", "--site", news_site, "--no-cache"))
    assert res["annotated"] == 3 and res["from_cache"] == 0
    assert res["written"] == 0  # same annotations, same bytes


def test_jobs_gives_the_same_site(news_site: Path, run: Callable[..., Result],
                                  tmp_path: Path) -> None:
    summary(run("build", "--site", news_site, "--no-cache", "--jobs", "1",
                "--output", tmp_path / "one"))
    res = summary(run("build", "--site", news_site, "--no-cache", "--jobs", "2",
                      "--output", tmp_path / "two"))
    assert res["annotated"] == 3
    assert {k: v[0] for k, v in file_tree(tmp_path / "one").items()} == {
        k: v[0] for k, v in file_tree(tmp_path / "two").items()}
    with pytest.raises(SystemExit) as exc:
        run("build", "--site", news_site, "--jobs", "0")
    assert exc.value.code == 2


def test_clean_removes_output_and_cache(news_site: Path, run: Callable[..., Result]) -> None:
    summary(run("build", "--site", news_site))
    res = run("clean", "--site", news_site)
    assert res.code == 0 and "removed" in res.out
    assert not (news_site / "output").exists() and not (news_site / ".sitegen-cache").exists()
    assert run("clean", "--site", news_site).out.strip() == "nothing to clean"
    assert (news_site / "content/a.md").is_file()


def test_clean_refuses_an_output_folder_sitegen_did_not_write(
        news_site: Path, run: Callable[..., Result]) -> None:
    out = news_site / "output"
    out.mkdir()
    (out / "thesis.txt").write_text("do not lose me")
    res = run("clean", "--site", news_site)
    assert res.code == 1 and "refusing" in res.err
    assert (out / "thesis.txt").read_text() == "do not lose me"


def test_a_no_change_rebuild_imports_neither_spacy_nor_the_annotators(
        news_site: Path, run: Callable[..., Result]) -> None:
    summary(run("build", "--site", news_site))
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from sitegen.build.engine import BuildOptions, build
        report = build(BuildOptions(site=Path({str(news_site)!r})))
        print(report.from_cache, report.annotated, report.files_written,
              "spacy" in sys.modules, "sitegen.annotate.registry" in sys.modules,
              "sitegen.annotate.review_file" in sys.modules)
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    # Nor the annotators (their versions are in the sitegen files the manifest hashes), nor
    # the editors' review files (read when articles are annotated or loaded).
    assert proc.stdout.split() == ["3", "0", "0", "False", "False", "False"]


def test_identical_bodies_are_annotated_once(make_site: Callable[..., Path],
                                             run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("One", BODY), "b.md": article("Two", BODY),
                      "c.md": article("Three", "Something else.")},
                     files={"content/entities.yaml": KB})
    res = summary(run("build", "--site", site))
    assert res["annotated"] == 2 and res["from_cache"] == 0
    a = (site / "output/2026/03/a/index.html").read_text()
    b = (site / "output/2026/03/b/index.html").read_text()
    assert a.count("dmitry-peskov") == b.count("dmitry-peskov") > 0


def test_sealed_entries_are_checked_by_their_seal(news_site: Path,
                                                  run: Callable[..., Result]) -> None:
    assert summary(run("build", "--site", news_site))["annotated"] == 3
    db = sqlite3.connect(news_site / ".sitegen-cache" / DB_NAME)
    rows = db.execute("SELECT key, schema, value FROM annotations").fetchall()
    assert rows and all(schema == cache_mod.SEALED for _k, schema, _v in rows)
    key, _schema, value = rows[0]
    ann, seal = cache_mod.open_sealed(key, value)
    assert cache_mod.sealed_entry(key, ann) == (value, seal)
    # A changed body, or a good entry moved to another key, breaks the seal.
    for bad_key, bad_value in [(key, value.replace("[", "[ ", 1)),
                               (rows[1][0], value)]:
        with pytest.raises(InvalidEntry):
            cache_mod.open_sealed(bad_key, bad_value)
    with db:
        db.execute("UPDATE annotations SET value = ? WHERE key = ?",
                   (value[:64] + value[65:], key))
    db.close()
    res = summary(run("build", "--site", news_site, "--output", news_site / "o2"))
    assert res["annotated"] == 1 and res["from_cache"] == 2


def test_entries_of_the_older_layout_are_read_and_sealed(news_site: Path,
                                                         run: Callable[..., Result]) -> None:
    run("build", "--site", news_site)
    db = sqlite3.connect(news_site / ".sitegen-cache" / DB_NAME)
    with db:
        for key, value in db.execute("SELECT key, value FROM annotations").fetchall():
            ann, _seal = cache_mod.open_sealed(key, value)
            db.execute("UPDATE annotations SET schema = ?, value = ? WHERE key = ?",
                       (cache_mod.SCHEMA, annotations_to_json(ann), key))
    res = summary(run("build", "--site", news_site, "--output", news_site / "o2"))
    assert res["annotated"] == 0 and res["from_cache"] == 3
    assert {s for (s,) in db.execute("SELECT schema FROM annotations")} == {cache_mod.SEALED}
    db.close()


def test_sealed_entries_decode_to_what_was_stored_and_repeats_share_it(
        tmp_path: Path) -> None:
    text = "Peskov said: \"No.\" Sanctions followed. NATO met."
    long_name = "A" * 80  # longer than codec.SHARED_LEN: kept as it is
    ann = Annotations(
        entities=(EntityMention(0, 6, "Peskov", "PERSON", "dmitry-peskov", "Dmitry Peskov",
                                origin="kb", confidence=0.75, published=False),
                  EntityMention(39, 43, "NATO", "ORG", "nato", long_name)),
        glossary=(GlossaryMatch(19, 28, "Sanctions", "sanctions", "sanctions"),),
        attributions=(Attribution("direct", 13, 17, "No.", source="Peskov", source_start=0,
                                  source_end=6, source_id="dmitry-peskov", cue="said",
                                  cue_start=7, cue_end=11),
                      Attribution("unverified", 0, 5, "x")),
        notes=(Note("caps", 39, 43, "NATO", label="<b>", href=None, annotator="shout"),),
    )
    plain = Annotations(entities=ann.entities[:1])
    with cache_mod.AnnotationCache(tmp_path) as store:
        store.put_many([("k1", ann), ("k2", plain)])
        got = store.get_many(["k1", "k2", "k1", "k3"], [text, text, text, ""])
        assert got[0] == ann and got[1] == plain and got[3] is None
        assert got[2] is got[0]  # one decode for an entry read twice (same text)
        assert (store.stats.hits, store.stats.misses) == (3, 1)
        first = got[0]
        assert first is not None and first.entities[1].name == long_name
        assert [type(x) for x in first.notes] == [Note]

