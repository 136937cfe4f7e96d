"""The preview re-annotates only the blocks a save changed: an edited paragraph goes
through the model alone, moved paragraphs not at all, and the page shows the edit with its
annotations."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from conftest import article
from test_serve import (  # noqa: F401  (serve_site is the fixture)
    complete_after,
    fetch,
    serve_site,
    status,
    wait_for,
)

from sitegen.serve.server import PreviewServer

KB = """\
- id: karin-mulder
  name: Karin Mulder
  type: person
  aliases: [Mulder]
"""
PARAS = [
    "Karin Mulder opened the new bridge in Utrecht on Monday.",
    '"It took four years," Mulder told reporters at the ceremony.',
    "The city council of Utrecht will vote on a second bridge in May.",
]


def _paragraphs(page: str) -> list[str]:
    """The text of each paragraph of a page, without markup and hidden source labels."""
    page = re.sub(r'<span class="vh">.*?</span>|<span aria-hidden="true">.*?</span>', "", page)
    return [html.unescape(re.sub(r"<[^>]+>", "", p)).replace("\u201c", '"').replace(
        "\u201d", '"') for p in re.findall(r"<p>(.*?)</p>", page)]


def _save(server: PreviewServer, path: Path, paras: list[str],
          capsys: pytest.CaptureFixture[str]) -> str:
    """What the preview prints when the edited page is ready (its terminal log)."""
    capsys.readouterr()
    generation = status(server)["generation"]
    path.write_text(article("Bridge", "\n\n".join(paras)), "utf-8")
    last = wait_for(partial(complete_after, server, generation), "the update")
    assert last.get("fast") is True, last
    lines = [line for line in capsys.readouterr().out.splitlines()
             if "written first" in line]
    assert len(lines) == 1, lines
    return lines[0]


def test_a_save_runs_the_model_over_the_changed_paragraph_only(
        make_site: Callable[..., Path],
        serve_site: Callable[..., PreviewServer],  # noqa: F811  (the fixture)
        capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"bridge.md": article("Bridge", "\n\n".join(PARAS))},
                     files={"content/entities.yaml": KB})
    server = serve_site(site)
    wait_for(lambda: server.preview.session.enabled, "the fast path to be primed")
    path = site / "content/bridge.md"
    edited = [PARAS[0], PARAS[1], "The city council of Utrecht rejected a second bridge."]
    # the title is no block of the body; the last paragraph is the one edited
    assert "1 annotated (1 of 3 blocks through the model)" in _save(server, path, edited,
                                                                    capsys)
    page = fetch(server.url + "2026/03/bridge/")[1]
    assert _paragraphs(page)[:3] == edited and 'data-entity="karin-mulder"' in page
    moved = [edited[2], edited[0], edited[1]]
    assert "1 annotated (0 of 3 blocks through the model)" in _save(server, path, moved,
                                                                    capsys)
    page = fetch(server.url + "2026/03/bridge/")[1]
    assert _paragraphs(page)[:3] == moved
    assert 'data-source-name="Karin Mulder"' in page  # the quote keeps its speaker
    assert "karin-mulder" in page
