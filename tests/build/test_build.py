"""Building small sites end to end: pages, feed, sitemap, drafts, permalinks, errors."""

from __future__ import annotations

import filecmp
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

from conftest import Result, article

ATOM = "{http://www.w3.org/2005/Atom}"


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_minimal_site_builds_every_page(make_site: Callable[..., Path],
                                        run: Callable[..., Result]) -> None:
    site = make_site({
        "one.md": article("First story", "The council met on Monday.", tags="[city, council]"),
        "news/two.md": article("Second story", "More news.", date="2026-04-02"),
    })
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    out = site / "output"
    assert "2 articles read, 2 published" in res.out
    for rel in ("index.html", "2026/03/one/index.html", "2026/04/two/index.html",
                "tags/index.html", "tags/city/index.html", "robots.txt", "404.html",
                "static/style.css", "static/sitegen.js", "favicon.ico", "entities/index.html",
                "glossary/index.html"):
        assert (out / rel).is_file(), rel
    # base_url "/" (the default): what needs absolute URLs is left out, with one warning
    for rel in ("feed.xml", "tags/city/feed.xml", "sitemap.xml", "social-card.png"):
        assert not (out / rel).exists(), rel
    assert res.err.count("warning:") == 1 and "set base_url to publish sitemap" in res.err
    home = (out / "index.html").read_text()
    # newest first, relative links that work from disk and under any subpath
    assert home.index("Second story") < home.index("First story")
    assert 'href="2026/04/two/"' in home and 'href="static/style.css"' in home
    page = (out / "2026/03/one/index.html").read_text()
    assert 'href="../../../static/style.css"' in page
    assert "<p>The council met on Monday.</p>" in page


def test_feed_and_sitemap_are_valid_xml_with_absolute_urls(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("Alpha & <Omega>", "Body.", summary='"Short one"')},
                     config='base_url = "https://example.org/news"\n')
    assert run("build", "--site", site).code == 0
    feed = ElementTree.parse(site / "output/feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Alpha & <Omega>"]
    assert entries[0].findtext(f"{ATOM}id") == "https://example.org/news/2026/03/a/"
    assert entries[0].findtext(f"{ATOM}summary") == "Short one"
    sitemap = ElementTree.parse(site / "output/sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/news/2026/03/a/" in locs
    assert all(loc and loc.startswith("https://example.org/news/") for loc in locs)
    robots = (site / "output/robots.txt").read_text()
    assert "Sitemap: https://example.org/news/sitemap.xml" in robots


def test_base_url_flag_overrides_config(make_site: Callable[..., Path],
                                        run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "Body.")})
    assert run("build", "--site", site, "--base-url", "https://cdn.example.com/x/").code == 0
    assert "https://cdn.example.com/x/2026/03/a/" in (site / "output/feed.xml").read_text()


def test_drafts_and_future_articles(make_site: Callable[..., Path],
                                    run: Callable[..., Result]) -> None:
    site = make_site({
        "pub.md": article("Published", "Body."),
        "draft.md": article("Drafty", "Body.", draft="true"),
        "future.md": article("Tomorrow", "Body.", date="2999-01-01"),
    })
    res = run("build", "--site", site)
    assert res.code == 0
    assert "1 published (1 drafts, 1 future skipped)" in res.out
    home = (site / "output/index.html").read_text()
    assert "Published" in home and "Drafty" not in home and "Tomorrow" not in home
    assert not (site / "output/2026/03/draft").exists()
    assert run("build", "--site", site, "--drafts").code == 0
    assert (site / "output/2026/03/draft/index.html").is_file()
    assert "Tomorrow" not in (site / "output/index.html").read_text()


def test_permalink_slug_and_pagination(make_site: Callable[..., Path],
                                       run: Callable[..., Result]) -> None:
    arts = {f"a{i}.md": article(f"Story {i}", "Body.", date=f"2026-01-{i + 10}")
            for i in range(5)}
    arts["custom.md"] = article("Custom", "Body.", slug="my-Own slug", date="2025-12-01")
    site = make_site(arts, config='permalink = "news/{year}/{month}/{day}/{slug}/"\n'
                                  "paginate = 2\n")
    assert run("build", "--site", site).code == 0
    out = site / "output"
    assert (out / "news/2026/01/14/a4/index.html").is_file()
    assert (out / "news/2025/12/01/my-own-slug/index.html").is_file()
    assert (out / "page/2/index.html").is_file() and (out / "page/3/index.html").is_file()
    assert not (out / "page/4").exists()
    page2 = (out / "page/2/index.html").read_text()
    assert 'rel="prev" href="../../"' in page2 and 'rel="next" href="../../page/3/"' in page2


def test_builds_are_deterministic(make_site: Callable[..., Path], run: Callable[..., Result],
                                  tmp_path: Path) -> None:
    site = make_site({"a.md": article("A", "Dmitry Peskov spoke in Moscow.", tags="[x]"),
                      "b.md": article("B", "Peskov again.", date="2026-03-02")})
    assert run("build", "--site", site, "--output", tmp_path / "o1").code == 0
    assert run("build", "--site", site, "--output", tmp_path / "o2").code == 0
    assert tree_bytes(tmp_path / "o1") == tree_bytes(tmp_path / "o2")


def test_broken_yaml_names_file_and_line_and_keeps_output(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = make_site({"good.md": article("Good", "Body.")})
    assert run("build", "--site", site).code == 0
    before = tree_bytes(site / "output")
    (site / "content/bad.md").write_text(
        '---\ntitle: "Bad"\ndate: 2026-01-01\ntags: [a, b\nsummary: x\n---\n\nBody.\n')
    res = run("build", "--site", site)
    assert res.code == 1
    # the line where the unclosed '[' starts, not where the YAML parser gave up
    assert "bad.md:4" in res.err and "invalid YAML front matter" in res.err
    assert "Traceback" not in res.err
    assert tree_bytes(site / "output") == before


def test_each_error_is_actionable(make_site: Callable[..., Path],
                                  run: Callable[..., Result]) -> None:
    cases = [
        ({"a.md": article("A", "x")}, "titel = 'x'\n", "unknown setting 'titel'", "site.toml:2"),
        ({"a.md": article("A", "x")}, 'theme = "nope"\n', "unknown theme 'nope'", "available"),
        ({"a.md": article("A", "x", date="2026-13-45")}, "", "'date' is not a date", "a.md:3"),
        ({"a.md": "---\ndate: 2026-01-01\n---\nBody\n"}, "", "has no title", "a.md:1"),
        ({"a.md": article("A", "x"), "b/a.md": article("B", "y")}, "",
         "same URL '2026/03/a/'", "a.md"),
        ({"a.md": article("A", "x")}, "[entities]\nlink = 'some'\n", "link must be", "site.toml"),
    ]
    for i, (arts, config, message, where) in enumerate(cases):
        site = make_site(arts, config=config, name=f"s{i}")
        res = run("build", "--site", site)
        assert res.code == 1, message
        assert message in res.err and where in res.err, res.err
        assert "Traceback" not in res.err
        assert not (site / "output").exists()


def test_duplicate_slug_names_both_files(make_site: Callable[..., Path],
                                         run: Callable[..., Result]) -> None:
    site = make_site({"x/story.md": article("A", "x"), "y/story.md": article("B", "y")})
    res = run("build", "--site", site)
    assert res.code == 1
    assert "x/story.md" in res.err and "y/story.md" in res.err


def test_site_and_child_theme_override_single_templates(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    site = make_site(
        {"a.md": article("A", "Body.")},
        config='theme = "child"\n',
        files={
            "themes/child/theme.toml": 'extends = "default"\n',
            "themes/child/templates/404.html": "child 404 {{ site.title }}",
            "themes/child/static/extra.css": "body{}",
            "templates/robots.txt": "User-agent: *\nDisallow: /private/\n",
        },
    )
    assert run("build", "--site", site).code == 0
    out = site / "output"
    assert (out / "404.html").read_text() == "child 404 Test Site"
    assert "Disallow: /private/" in (out / "robots.txt").read_text()
    assert (out / "static/extra.css").is_file() and (out / "static/style.css").is_file()
    assert "<h1>A</h1>" in (out / "2026/03/a/index.html").read_text()


def test_hostile_front_matter_and_body_are_escaped(make_site: Callable[..., Path],
                                                   run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article(
        "<script>alert(1)</script>", '<img src=x onerror=alert(1)> and [x](javascript:alert(1))',
        summary="'\"><svg onload=alert(1)>'", tags="['<b>t</b>']")})
    assert run("build", "--site", site).code == 0
    for path in (site / "output").rglob("*.html"):
        html = path.read_text()
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "<svg onload" not in html and 'href="javascript:' not in html, path


def test_refuses_to_replace_a_foreign_folder(make_site: Callable[..., Path],
                                             run: Callable[..., Result], tmp_path: Path) -> None:
    site = make_site({"a.md": article("A", "Body.")})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not lose me")
    res = run("build", "--site", site, "--output", precious)
    assert res.code == 1 and "refusing to replace" in res.err
    assert (precious / "thesis.txt").read_text() == "do not lose me"


def test_demo_site_builds(run: Callable[..., Result], tmp_path: Path) -> None:
    from conftest import REPO

    res = run("build", "--site", REPO, "--output", tmp_path / "demo",
              "--base-url", "https://example.org/news/")
    assert res.code == 0, res.err
    assert "warning" not in res.err
    out = tmp_path / "demo"
    pages = [p for p in out.glob("2026/*/*/index.html")]
    assert len(pages) >= 8
    assert (out / "feed.xml").is_file() and (out / "sitemap.xml").is_file()
    assert not filecmp.dircmp(out, out).diff_files
