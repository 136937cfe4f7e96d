"""Entity links, popovers and pages in built sites (real model)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result, article

KB = """\
- id: dmitry-peskov
  name: Dmitry Peskov
  type: person
  aliases: [Peskov]
  description: "Kremlin <script>alert(1)</script> spokesperson."
  url: https://en.wikipedia.org/wiki/Dmitry_Peskov
- id: kyiv
  name: Kyiv
  type: place
  description: Capital of Ukraine.
"""


def build(make_site: Callable[..., Path], run: Callable[..., Result], config: str = "") -> Path:
    site = make_site({
        "a.md": article("Talks", """
            Dmitry Peskov said on Monday that Kyiv had rejected the plan.

            "We will continue," Peskov told reporters. The file `Peskov.txt` and
            [Peskov's page](https://example.org) are not mentions.
        """),
        "b.md": article("More talks", "Peskov spoke again in Kyiv.", date="2026-03-02"),
    }, config=config, files={"content/entities.yaml": KB})
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    return site / "output"


def test_mentions_link_to_entity_pages_with_escaped_popovers(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    out = build(make_site, run)
    html = (out / "2026/03/a/index.html").read_text()
    assert 'href="../../../entities/dmitry-peskov/"' in html
    # linked at the first mention only (the default since issue 16): Dmitry Peskov, Kyiv
    assert html.count('class="ann ann-entity"') >= 2
    assert '<a class="ann ann-entity" data-type="place" href="../../../entities/kyiv/"' in html
    assert "Kremlin &lt;script&gt;alert(1)&lt;/script&gt; spokesperson." in html
    assert "<script>alert(1)" not in html
    assert "<code>Peskov.txt</code>" in html
    assert '<a href="https://example.org">Peskov\u2019s page</a>' in html  # typographic (issue 16)
    page = (out / "entities/dmitry-peskov/index.html").read_text()
    assert "Talks" in page and "More talks" in page
    assert "Dmitry Peskov said on Monday that Kyiv had rejected the plan." in page
    assert "https://en.wikipedia.org/wiki/Dmitry_Peskov" in page
    index = (out / "entities/index.html").read_text()
    assert index.index("Dmitry Peskov") < index.index("Kyiv")  # most mentioned first


def test_link_first_mention_only(make_site: Callable[..., Path],
                                 run: Callable[..., Result]) -> None:
    out = build(make_site, run, config='[entities]\nlink = "first"\n')
    html = (out / "2026/03/a/index.html").read_text()
    assert html.count('ann-entity" data-type="person" href="../../../entities/dmitry-peskov/"') == 1


def test_missing_entities_lists_stubs(make_site: Callable[..., Path],
                                      run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "Angela Merkel met Emmanuel Macron. Merkel smiled.")})
    res = run("entities", "--missing", "--site", site)
    assert res.code == 0
    assert res.out.index("id: angela-merkel") < res.out.index("id: emmanuel-macron")
    assert "# 2 mentions in 1 article\n" in res.out and "- Merkel" in res.out
