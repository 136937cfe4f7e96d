"""The first hour of a new user, as they hit it: `check` on the wrong folder, the README,
a YAML mistake, a failed first build, stopping `serve` with a signal, wording."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, Result, article

from sitegen.cli import _parser

NO_NLP = ("[entities]\nenabled = false\n[glossary]\nenabled = false\n"
          "[attributions]\nenabled = false\n")


def quick_site(make_site: Callable[..., Path], **files: str) -> Path:
    return make_site({"one.md": article("One", "The council met on Monday."),
                      "two.md": article("Two", "See [the first](2026/03/one/).",
                                        date="2026-03-02")},
                     config=NO_NLP, files=files or None)


# -- sitegen check ------------------------------------------------------------------------

def test_check_takes_site_like_every_other_command(make_site: Callable[..., Path],
                                                   run: Callable[..., Result]) -> None:
    site = quick_site(make_site)
    res = run("check", "--site", site)
    assert res.code == 1 and "has not been built yet" in res.err
    assert f"sitegen build --site {site}" in res.err
    assert run("build", "--site", site).code == 0
    res = run("check", "--site", site)
    assert res.code == 0, res.out
    assert "no broken links" in res.out and res.err == ""
    res = run("check", "--site", site / "content")  # not a site folder
    assert res.code == 1 and "no site.toml" in res.err
    res = run("check", site / "output", "--site", site)
    assert res.code == 2 and "either OUTPUT or --site" in res.err


def test_check_of_a_site_folder_checks_its_output(make_site: Callable[..., Path],
                                                  run: Callable[..., Result]) -> None:
    site = quick_site(make_site)
    res = run("check", site)  # the site folder, not its output/: no false broken links
    assert res.code == 1 and "is a site folder, not a built site" in res.err
    assert "broken" not in res.out + res.err
    assert run("build", "--site", site).code == 0
    res = run("check", site)
    assert res.code == 0, res.out
    assert "no broken links" in res.out
    assert f"note: {site} is a site folder: checking its built site {site / 'output'}" in res.err
    # a broken link is still found that way
    (site / "output/2026/03/one/index.html").unlink()
    res = run("check", site)
    assert res.code == 1 and "2026/03/one/" in res.out


# -- README and --help --------------------------------------------------------------------

def test_readme_and_help_are_self_contained_and_accurate() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert "../shared" not in readme
    helps = [_parser().format_help()]
    helps += [p.format_help() for p in _subparsers().values()]
    assert not [h for h in helps if "shared/" in h]
    # every document in docs/ is linked, and every linked file exists
    for doc in sorted((REPO / "docs").glob("*.md")):
        assert f"(docs/{doc.name})" in readme, doc.name
    for target in re.findall(r"\]\(((?!https?:|#)[^)#]+)", readme):
        assert (REPO / target).exists(), target
    # the preview's button is called what the README calls it
    client = (REPO / "sitegen/serve/assets/client.js").read_text("utf-8")
    button = re.search(r'el\("button", "sg-inspect-toggle", "([^"]+)"\)', client)
    assert button is not None
    assert f"**{button.group(1)}** button" in readme
    assert "Inspect" not in readme
    # every command of `sitegen --help` is in the README's table
    for name in _subparsers():
        assert f"| `sitegen {name}" in readme, name
    assert "sitegen check [OUTPUT] [--site DIR]" in readme


def _subparsers() -> dict[str, object]:
    import argparse

    parser = _parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


# -- front matter YAML --------------------------------------------------------------------

@pytest.mark.parametrize(("front", "line", "says", "hint"), [
    ('title: "Bad"\ndate: 2026-01-01\ntags: [a, b\nsummary: x\n', 4,
     "a list opened with '[' is not closed", "close it with ']'"),
    ('title: "Bad\ndate: 2026-01-01\n', 2, "a quoted text is not closed", "end it with the same"),
    ("title: Floods: what we know\ndate: 2026-01-01\n", 2, "mapping values are not allowed",
     "a value that contains ': ' must be quoted"),
    ("title: x\ncover:\n  image: a.png\n alt: b\n", 5, "expected <block end>",
     "check the indentation"),
])
def test_yaml_errors_point_where_the_problem_starts(
        make_site: Callable[..., Path], run: Callable[..., Result],
        front: str, line: int, says: str, hint: str) -> None:
    site = make_site({"bad.md": f"---\n{front}---\n\nBody.\n"}, config=NO_NLP)
    res = run("build", "--site", site)
    assert res.code == 1
    first = res.err.splitlines()[0]
    assert first.startswith(f"error: {site / 'content/bad.md'}:{line}: invalid YAML"), res.err
    assert says in first
    assert f"hint: {hint}" in res.err
    if "mapping values" not in says:
        assert "': '" not in res.err  # no hint about colons where there is none


def test_yaml_errors_in_the_knowledge_base_get_the_same_help(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, config=NO_NLP, files={
        "content/entities.yaml": "- name: A\n  aliases: [B, C\n  type: person\n"})
    res = run("build", "--site", site)
    assert res.code == 1
    assert "entities.yaml:2: invalid YAML: a list opened with '['" in res.err


# -- what a failed build did to the output ------------------------------------------------

def test_failed_first_build_says_nothing_was_written(make_site: Callable[..., Path],
                                                     run: Callable[..., Result]) -> None:
    site = make_site({"bad.md": "---\ntitle: [x\n---\n"}, config=NO_NLP)
    res = run("build", "--site", site)
    assert res.code == 1
    assert "build failed; nothing was written" in res.err
    assert "previous" not in res.err
    assert not (site / "output").exists()


def test_failed_rebuild_says_the_previous_build_was_kept(make_site: Callable[..., Path],
                                                         run: Callable[..., Result]) -> None:
    site = quick_site(make_site)
    assert run("build", "--site", site).code == 0
    home = (site / "output/index.html").read_bytes()
    (site / "content/bad.md").write_text("---\ntitle: [x\n---\n", "utf-8")
    res = run("build", "--site", site)
    assert res.code == 1
    assert f"build failed; the previous build in {site / 'output'}/ was left as it was" in res.err
    assert (site / "output/index.html").read_bytes() == home


# -- sitegen serve and stop signals -------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_serve_removes_its_preview_folder_on_stop_signals(
        make_site: Callable[..., Path], tmp_path: Path, sig: signal.Signals) -> None:
    site = quick_site(make_site)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "SITEGEN_NO_SEARCH": "1", "PYTHONPATH": str(REPO),
           "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    log: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            log.append(line)
            if "serving the preview" in line:
                break
        assert any("serving the preview" in x for x in log), "".join(log)
        previews = list(tmp.glob("sitegen-preview-*"))
        assert len(previews) == 1
        # the preview serves at once and fills its folder in the background
        while time.monotonic() < deadline and not (previews[0] / "site/index.html").is_file():
            time.sleep(0.1)
        assert (previews[0] / "site/index.html").is_file()
        proc.send_signal(sig)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, "".join(log) + rest
    assert "stopping the preview" in rest
    assert list(tmp.iterdir()) == [], "the preview folder was left behind"


# -- wording ------------------------------------------------------------------------------

def test_entities_missing_counts_in_the_singular(make_site: Callable[..., Path],
                                                 run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "Angela Merkel spoke on Monday.")})
    res = run("entities", "--missing", "--site", site)
    assert res.code == 0, res.err
    assert "# 1 mention in 1 article" in res.out, res.out
    assert not re.search(r"\b1 (mentions|articles|entities)\b", res.out), res.out
