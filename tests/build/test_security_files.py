"""Nothing from outside the site, nothing that runs: symlinked source folders, content
files outside the media allow-list, SVGs with script, and content files that would replace
a theme asset or a static file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result, article, file_tree

NO_NLP = "[entities]\nenabled = false\n[glossary]\nenabled = false\n" \
         "[attributions]\nenabled = false\n"
SECRET = "SECRET-OUTSIDE"


def outside_folder(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "templates").mkdir(parents=True)
    (outside / "s.md").write_text(article("Secret", SECRET), "utf-8")
    (outside / "s.txt").write_text(SECRET, "utf-8")
    (outside / "sitegen.js").write_text(f"alert('{SECRET}')", "utf-8")
    return outside


def no_secret(root: Path) -> bool:
    return not any(SECRET.encode() in data for data, _, _ in file_tree(root).values())


@pytest.mark.parametrize("folder", ["static", "templates", "themes"])
def test_a_symlinked_source_folder_is_refused(make_site: Callable[..., Path],
                                              run: Callable[..., Result], tmp_path: Path,
                                              folder: str) -> None:
    site = make_site({"a.md": article("A", "x")}, NO_NLP)
    assert run("build", "--site", site).code == 0
    before = file_tree(site / "output")
    (site / folder).symlink_to(outside_folder(tmp_path), target_is_directory=True)
    result = run("build", "--site", site)
    assert result.code == 1
    assert f"refusing to read the {folder[:-1] if folder == 'themes' else folder}" \
           in result.err.replace("themes folder", "theme folder"), result.err
    assert "points outside the site" in result.err and "Traceback" not in result.err
    assert file_tree(site / "output") == before


def test_a_symlinked_content_folder_is_refused(make_site: Callable[..., Path],
                                              run: Callable[..., Result],
                                              tmp_path: Path) -> None:
    site = make_site({}, NO_NLP)
    (site / "content").rmdir()
    (site / "content").symlink_to(outside_folder(tmp_path), target_is_directory=True)
    result = run("build", "--site", site)
    assert result.code == 1
    assert "refusing to read the content folder" in result.err
    assert "site.toml" in result.err
    assert not (site / "output").exists() or no_secret(site / "output")


def test_a_symlinked_theme_static_folder_is_refused(make_site: Callable[..., Path],
                                                   run: Callable[..., Result],
                                                   tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    site = make_site({"a.md": article("A", "x")}, NO_NLP + 'theme = "mine"\n',
                     files={"themes/mine/theme.toml": 'extends = "default"\n',
                            "themes/mine/templates/.keep": ""})
    (site / "site.toml").write_text('title = "T"\ntheme = "mine"\n' + NO_NLP, "utf-8")
    (site / "themes/mine/static").symlink_to(outside, target_is_directory=True)
    result = run("build", "--site", site)
    assert result.code == 1
    assert "refusing to read the theme 'mine' folder" in result.err
    assert "points outside the site" in result.err


def test_an_svg_with_script_is_refused_and_a_plain_one_is_copied(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    clean = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>'
    site = make_site({"a.md": article("A", "x", cover="images/a.svg")}, NO_NLP,
                     files={"content/images/a.svg": clean})
    assert run("build", "--site", site).code == 0
    assert (site / "output/images/a.svg").read_text("utf-8") == clean
    before = file_tree(site / "output")
    for hostile in ('<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script></svg>',
                    '<svg xmlns="http://www.w3.org/2000/svg">\n<rect onload="alert(1)"/></svg>',
                    '<svg>\n<a href="javascript:alert(1)"><text>x</text></a></svg>',
                    '<svg>\n<foreignObject><iframe src="x"/></foreignObject></svg>'):
        (site / "content/images/a.svg").write_text(hostile, "utf-8")
        result = run("build", "--site", site)
        assert result.code == 1
        assert "content/images/a.svg:2: refusing to publish an SVG with active content" \
               in result.err, result.err
        assert file_tree(site / "output") == before


def test_html_under_content_needs_an_opt_in(make_site: Callable[..., Path],
                                           run: Callable[..., Result]) -> None:
    page = "<script>alert(document.domain)</script>"
    site = make_site({"a.md": article("A", "x")}, NO_NLP, files={"content/x/page.html": page})
    result = run("build", "--site", site)
    assert result.code == 1
    assert "content/x/page.html: refusing to publish x/page.html: .html is not a media type" \
           in result.err
    assert '[files] allow = [".html"]' in result.err
    (site / "site.toml").write_text('title = "T"\n' + NO_NLP + '[files]\nallow = [".html"]\n',
                                    "utf-8")
    assert run("build", "--site", site).code == 0
    assert (site / "output/x/page.html").read_text("utf-8") == page


def test_a_content_file_cannot_replace_a_theme_asset(make_site: Callable[..., Path],
                                                    run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, NO_NLP + '[files]\nallow = [".js"]\n',
                     files={"content/static/sitegen.js": "alert('replaced')"})
    result = run("build", "--site", site)
    assert result.code == 1
    assert "content/static/sitegen.js: static/sitegen.js would replace " in result.err
    assert "themes/default/static/sitegen.js" in result.err
    # Without the opt-in the type alone refuses it.
    (site / "site.toml").write_text('title = "T"\n' + NO_NLP, "utf-8")
    result = run("build", "--site", site)
    assert result.code == 1 and ".js is not a media type" in result.err


def test_a_content_file_cannot_replace_a_static_file(make_site: Callable[..., Path],
                                                    run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, NO_NLP,
                     files={"content/logo.png": "content", "static/logo.png": "owner"})
    result = run("build", "--site", site)
    assert result.code == 1
    assert "content/logo.png: logo.png would replace " in result.err
    assert "static/logo.png" in result.err


def test_a_content_file_cannot_replace_a_page(make_site: Callable[..., Path],
                                             run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, NO_NLP + '[files]\nallow = [".html"]\n',
                     files={"content/index.html": "<p>fake home</p>"})
    result = run("build", "--site", site)
    assert result.code == 1
    assert "content/index.html: index.html would replace a page of the site" in result.err


def test_the_files_setting_is_validated(make_site: Callable[..., Path],
                                        run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, NO_NLP + '[files]\nallow = ["html"]\n')
    result = run("build", "--site", site)
    assert result.code == 1 and "[files] allow takes suffixes" in result.err
