"""Hostile input: script payloads in every field, paths that try to leave the site, and
Markdown/front matter fuzzing. Every built file is parsed (html.parser, xml.etree) and
checked for executable markup that the theme did not put there.

Hypothesis example counts are small: a build with the real spaCy model costs ~0.1 s per
article. Nothing here asserts on wall time.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from conftest import Result, article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build.engine import BuildOptions, build
from sitegen.core.errors import SiteError, SiteErrors
from sitegen.core.safety import is_safe_asset, is_safe_url, url_scheme
from sitegen.render.markdown_html import render_tokens, sanitize_html
from sitegen.source.discover import read_source
from sitegen.source.markdown import markdown
from sitegen.source.parse import parse

NOW = dt.datetime(2030, 1, 1)
NO_NLP = "[entities]\nenabled = false\n[glossary]\nenabled = false\n" \
         "[attributions]\nenabled = false\n"
THEME_SCRIPTS = ("static/sitegen.js", "static/search.js", "pagefind/pagefind-ui.js",
                 "static/quotes.js")
# The theme's own uses of otherwise bad tags (docs/archive-pages.md): the charts drawn at
# build time and the quotes pages' filter; the same tag anywhere else is a problem.
THEME_ELEMENTS = {("svg", "class", "chart"), ("form", "class", "quote-filter")}
URL_ATTRS = {"href", "src", "cite", "action", "formaction", "xlink:href", "poster",
             "data", "srcset", "background", "ping", "content"}
BAD_SCHEMES = {"javascript", "data", "vbscript", "file"}
BAD_TAGS = {"iframe", "object", "embed", "svg", "math", "base", "form", "frame", "frameset",
            "applet", "noscript", "template", "style", "input", "button", "textarea"}

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "javascript:alert(1)",
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus '",
    "<svg onload=alert(1)>",
    "]]><script>alert(1)</script><![CDATA[",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "{{ 7*7 }}{% raw %}${alert(1)}",
    "\u2028\u2029</script>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "[x](javascript:alert(1)) ![y](data:text/html,<script>alert(1)</script>)",
    "<details open ontoggle=alert(1)>",
]

# Hostile strings: a payload with random text around it. Controls (Cc) are fuzzed in the
# parsing tests below; here every value must round-trip through YAML unchanged.
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)
hostile = st.builds(lambda a, p, b: f"{a}{p}{b}", _TEXT, st.sampled_from(PAYLOADS), _TEXT)


# -- checking the output -------------------------------------------------------------------
class Checker(HTMLParser):
    """Collects every violation in one HTML document."""

    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.problems: list[str] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "script":
            src = values.get("src", "")
            if values.get("type") == "application/ld+json" and not src:
                self._in_jsonld = True
                self._buffer = []
            elif not src.endswith(THEME_SCRIPTS):
                self.problems.append(f"{self.name}: foreign <script {attrs}>")
        if tag in BAD_TAGS and not any(
                tag == t and values.get(k) == v for t, k, v in THEME_ELEMENTS):
            self.problems.append(f"{self.name}: <{tag}> element")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"{self.name}: meta refresh")
        for key, value in values.items():
            if key.startswith("on"):
                self.problems.append(f"{self.name}: event handler {key}={value!r} on <{tag}>")
            if key in URL_ATTRS or key.endswith("href"):
                scheme = url_scheme(value)
                if key == "content" and tag == "meta":
                    scheme = url_scheme(value) if values.get("property", "").endswith(
                        ("url", "image")) else None
                if scheme in BAD_SCHEMES:
                    self.problems.append(f"{self.name}: {key}={value!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_jsonld:
            self._in_jsonld = False
            self.jsonld.append("".join(self._buffer))


def check_html(text: str, name: str) -> tuple[list[str], list[Any]]:
    checker = Checker(name)
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    data: list[Any] = []
    for raw in checker.jsonld:
        try:
            data.append(json.loads(raw))
        except ValueError as exc:
            problems.append(f"{name}: JSON-LD does not parse: {exc}")
    return problems, data


def check_output(output: Path) -> tuple[list[str], dict[str, list[Any]]]:
    """Every problem in every built file, and the JSON-LD of every page."""
    problems: list[str] = []
    jsonld: dict[str, list[Any]] = {}
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        if not path.is_file():
            continue
        if path.suffix == ".html":
            found, data = check_html(path.read_text("utf-8"), rel)
            problems += found
            jsonld[rel] = data
        elif path.suffix == ".xml":
            try:
                root = ElementTree.parse(path).getroot()
            except ElementTree.ParseError as exc:
                problems.append(f"{rel}: not well-formed XML: {exc}")
                continue
            for element in root.iter():
                for key, value in element.attrib.items():
                    if key.endswith("href") and url_scheme(value) in BAD_SCHEMES:
                        problems.append(f"{rel}: {key}={value!r}")
                if element.tag.endswith("}content") and element.text:
                    # Feed readers render this HTML: it must be as clean as a page.
                    problems += check_html(element.text, f"{rel} <content>")[0]
    return problems, jsonld


# -- a hostile site --------------------------------------------------------------------------
def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string


def front(**fields: Any) -> str:
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n\n"


def safe_url(text: str) -> str:
    url = "https://example.org/" + text.replace("\\", "/")
    return url if is_safe_url(url) else "https://example.org/"


def safe_image(text: str) -> str:
    ref = "images/" + text.replace("\\", "").replace("..", "")
    return ref if is_safe_asset(ref) else "images/x.png"


@st.composite
def hostile_site(draw: st.DrawFn) -> dict[str, Any]:
    h = [draw(hostile) for _ in range(24)]
    return {
        "site_title": "T" + h[0], "site_description": h[1], "site_author": h[2],
        "title": "T" + h[3], "summary": h[4], "authors": [h[5], "Ann " + h[6]],
        "tags": [h[7], "x" + h[8]], "location": h[9],
        "cover": {"image": safe_image(h[10]), "alt": h[11], "credit": h[12],
                  "caption": h[13]},
        "body_text": h[14], "link_text": h[15], "link_url": h[16], "image_alt": h[17],
        "quote": h[18], "speaker": h[19],
        "kb_name": h[20], "kb_alias": h[21], "kb_desc": h[22], "kb_long": h[23],
        "kb_url": safe_url(draw(hostile)), "kb_image": safe_image(draw(hostile)),
        "kb_credit": draw(hostile),
        "term_form": draw(hostile), "definition": draw(hostile), "term_long": draw(hostile),
        "term_url": safe_url(draw(hostile)), "related": draw(hostile),
        "term2": "x" + draw(hostile), "definition2": draw(hostile),
    }


def write_hostile_site(root: Path, v: dict[str, Any], config: str = "") -> None:
    content = root / "content"
    (content / "images").mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(
        f"title = {toml_str(v['site_title'])}\ndescription = {toml_str(v['site_description'])}"
        f"\nauthor = {toml_str(v['site_author'])}\n{config}", "utf-8")
    fm = front(title=v["title"], date="2026-03-01", summary=v["summary"],
               authors=v["authors"], tags=v["tags"], location=v["location"],
               cover=v["cover"])
    body = (
        f"Dmitry Peskov spoke about the annexation on Monday. {v['body_text']}\n\n"
        f"\"{v['quote']},\" Peskov said on Tuesday.\n\n"
        f"\"We will not give up the city,\" said {v['speaker']}.\n\n"
        f"According to {v['speaker']}, the annexation was illegal.\n\n"
        f"See [{v['link_text']}]({v['link_url']}) and ![{v['image_alt']}](images/x.png).\n\n"
        f"<{v['link_url']}> {v['body_text']}\n\n"
        f"> {v['quote']}\n\n- {v['body_text']}\n- [{v['link_text']}](https://example.org)\n"
    )
    (content / "a.md").write_text(fm + body, "utf-8")
    (content / "b.md").write_text(
        front(title="Second " + v["title"], date="2026-03-02", tags=v["tags"])
        + "Dmitry Peskov again said the annexation was final. "
        + f"\"{v['quote']},\" said Peskov.\n", "utf-8")
    (content / "images" / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    kb = [{"id": "dmitry-peskov", "name": v["kb_name"] + " Peskov", "type": "person",
           "aliases": ["Dmitry Peskov", "Peskov", v["kb_alias"]],
           "description": v["kb_desc"], "long": v["kb_long"], "url": v["kb_url"],
           "image": v["kb_image"], "image_credit": v["kb_credit"]}]
    glossary = [
        {"id": "annexation", "term": "annexation", "forms": [v["term_form"]],
         "definition": v["definition"], "long": v["term_long"], "url": v["term_url"],
         "related": [v["related"]]},
        {"id": "hostile-term", "term": v["term2"], "definition": v["definition2"]},
    ]
    (content / "entities.yaml").write_text(yaml.safe_dump(kb, allow_unicode=True), "utf-8")
    (content / "glossary.yaml").write_text(
        yaml.safe_dump(glossary, allow_unicode=True), "utf-8")


def build_checked(root: Path, **options: Any) -> tuple[list[str], dict[str, list[Any]]]:
    build(BuildOptions(site=root, now=NOW, no_cache=True, **options))
    return check_output(root / "output")


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_site())
def test_hostile_fields_never_become_markup(values: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        write_hostile_site(root, values)
        # an absolute base_url: feeds, canonical and OpenGraph tags and cards are made too
        problems, jsonld = build_checked(root, base_url="https://example.org/news/")
        assert not problems, "\n".join(problems[:20])
        # The hostile KB entry did reach the pages: an entity page, popovers, sources.
        assert (root / "output/entities/dmitry-peskov/index.html").is_file()
        page = [data for rel, data in jsonld.items() if rel.endswith("/a/index.html")]
        assert page and page[0], "the article has its JSON-LD"
        assert page[0][0]["headline"] == values["title"].strip()
        assert page[0][0]["description"] == values["summary"]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_site(), st.lists(st.sampled_from(PAYLOADS), min_size=1, max_size=4))
def test_sanitize_mode_passes_safe_html_only(values: dict[str, Any], raw: list[str]) -> None:
    """With raw_html = "sanitize" the payloads reach the sanitizer as HTML: still nothing
    executable comes out."""
    values = {**values, "body_text": values["body_text"] + "\n\n" + "\n\n".join(raw)
              + " <b>bold</b> <i onclick=alert(1)>it</i>"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        write_hostile_site(root, values, '[markdown]\nraw_html = "sanitize"\n')
        problems, _ = build_checked(root)
        assert not problems, "\n".join(problems[:20])
        html = next((root / "output").rglob("a/index.html")).read_text("utf-8")
        assert "<b>bold</b>" in html and "<i>it</i>" in html  # safe markup is kept


def test_escape_mode_shows_raw_html_as_text(make_site: Callable[..., Path]) -> None:
    site = make_site({"a.md": article("A", "Hi <b>there</b> <script>alert(1)</script>")},
                     NO_NLP)
    build(BuildOptions(site=site, now=NOW))
    html = (site / "output/2026/03/a/index.html").read_text("utf-8")
    assert "&lt;b&gt;there&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_raw_html_setting_is_validated(make_site: Callable[..., Path],
                                       run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, '[markdown]\nraw_html = "allow"\n')
    result = run("build", "--site", site)
    assert result.code == 1 and "raw_html" in result.err and "site.toml" in result.err


def test_sanitizer_is_an_allow_list() -> None:
    dirty = ('<p onclick="x">a<script>alert(1)</script><img src="javascript:alert(1)" '
             'onerror="x"><a href="data:text/html,x">d</a><a href="/ok" data-pop="p">k</a>'
             '<svg><g onload="x"/></svg><iframe src="x"></iframe><span style="position:fixed">'
             "s</span></p>")
    clean = sanitize_html(dirty)
    problems, _ = check_html(clean, "sanitized")
    assert not problems
    assert '<a href="/ok" data-pop="p">k</a>' in clean
    assert "style" not in clean and "script" not in clean


def test_author_attributes_are_limited() -> None:
    html = render_tokens(markdown().parse(
        '[a]{onclick="x" style="position:fixed" data-pop="x" #id .cls}'
        " [b](javascript:alert(1)) [c](data:text/html,x) [d](vbscript:x) [e](mailto:a@b.c)"),
        {"marks": ()})
    assert 'onclick' not in html and "style" not in html and "data-pop" not in html
    assert 'id="id"' in html and 'class="cls"' in html
    assert "href=\"javascript" not in html and "href=\"data" not in html
    assert 'href="vbscript' not in html
    assert 'href="mailto:a@b.c"' in html


@pytest.mark.parametrize("field,value", [
    ("url", "javascript:alert(1)"), ("url", " JaVaScRiPt:alert(1)"),
    ("url", "java\tscript:alert(1)"), ("url", "data:text/html,<script>alert(1)</script>"),
    ("url", "vbscript:msgbox(1)"), ("image", "../../etc/passwd"), ("image", "/etc/passwd"),
    ("image", "javascript:alert(1)"),
])
def test_kb_refuses_unsafe_urls(make_site: Callable[..., Path], run: Callable[..., Result],
                                field: str, value: str) -> None:
    kb = yaml.safe_dump([{"name": "Dmitry Peskov", "type": "person", field: value}])
    site = make_site({"a.md": article("A", "Dmitry Peskov spoke.")}, NO_NLP,
                     files={"content/entities.yaml": kb})
    result = run("build", "--site", site)
    assert result.code == 1
    assert "entities.yaml:1" in result.err and field in result.err
    assert not (site / "output").exists()


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:text/html,x", "file:///etc"])
def test_glossary_refuses_unsafe_urls(make_site: Callable[..., Path],
                                      run: Callable[..., Result], value: str) -> None:
    glossary = yaml.safe_dump([{"term": "surge", "definition": "d", "url": value}])
    site = make_site({"a.md": article("A", "x")}, NO_NLP,
                     files={"content/glossary.yaml": glossary})
    result = run("build", "--site", site)
    assert result.code == 1 and "glossary.yaml:1" in result.err


# -- paths -----------------------------------------------------------------------------------
def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.is_dir() else {}


def everything_under(root: Path) -> set[str]:
    """Every path below `root` but the site's own cache folder."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if ".sitegen-cache" not in p.parts}


@pytest.mark.parametrize("slug", ["../../x", "../x", "/etc/x", "a/b", "..", "x\\..\\y"])
def test_slug_that_leaves_the_output_is_refused(make_site: Callable[..., Path],
                                                run: Callable[..., Result],
                                                tmp_path: Path, slug: str) -> None:
    site = make_site({"a.md": article("A", "x", slug=json.dumps(slug))}, NO_NLP)
    before = everything_under(tmp_path)
    result = run("build", "--site", site)
    assert result.code == 1
    assert "a.md:" in result.err and "slug" in result.err
    assert everything_under(tmp_path) == before


@pytest.mark.parametrize("permalink", ["../{slug}/", "{year}/../../{slug}/", "./../{slug}",
                                       "a\\\\..\\\\{slug}"])
def test_permalink_that_leaves_the_output_is_refused(make_site: Callable[..., Path],
                                                     run: Callable[..., Result],
                                                     tmp_path: Path, permalink: str) -> None:
    site = make_site({"a.md": article("A", "x")}, f'permalink = "{permalink}"\n' + NO_NLP)
    before = everything_under(tmp_path)
    result = run("build", "--site", site)
    assert result.code == 1 and "site.toml" in result.err and "permalink" in result.err
    assert everything_under(tmp_path) == before


@pytest.mark.parametrize("image", ["../../etc/passwd", "/etc/passwd", "..", "images/../../x",
                                   "javascript:alert(1)", "file:///etc/passwd",
                                   "C:\\Windows\\win.ini"])
def test_cover_path_outside_the_site_is_refused(make_site: Callable[..., Path],
                                                run: Callable[..., Result],
                                                image: str) -> None:
    site = make_site({"a.md": article("A", "x", cover=json.dumps(image))}, NO_NLP)
    result = run("build", "--site", site)
    assert result.code == 1 and "a.md:" in result.err and "cover" in result.err


@pytest.mark.parametrize("setting", [
    'content_dir = "../elsewhere"', 'content_dir = "/etc"',
    '[entities]\nfile = "../../etc/passwd"', '[glossary]\nfile = "/etc/passwd"',
])
def test_data_paths_outside_the_site_are_refused(make_site: Callable[..., Path],
                                                 run: Callable[..., Result],
                                                 setting: str) -> None:
    site = make_site({"a.md": article("A", "x")}, setting + "\n")
    result = run("build", "--site", site)
    assert result.code == 1 and "site.toml" in result.err


@pytest.mark.parametrize("theme", ["../x", "/etc", "..", ".hidden", "a/b"])
def test_theme_names_cannot_leave_the_themes_folder(make_site: Callable[..., Path],
                                                    run: Callable[..., Result],
                                                    theme: str) -> None:
    site = make_site({"a.md": article("A", "x")}, f'theme = "{theme}"\n' + NO_NLP)
    result = run("build", "--site", site)
    assert result.code == 1 and "theme" in result.err


def test_theme_extends_cannot_leave_the_themes_folder(make_site: Callable[..., Path],
                                                      run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, 'theme = "mine"\n' + NO_NLP, files={
        "themes/mine/theme.toml": 'extends = "../../../etc"\n',
        "themes/mine/templates/.keep": ""})
    result = run("build", "--site", site)
    assert result.code == 1 and "theme" in result.err


def test_template_include_outside_the_theme_is_refused(make_site: Callable[..., Path],
                                                       run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, NO_NLP, files={
        "templates/robots.txt": '{% include "../../../../../../etc/passwd" %}\n'})
    result = run("build", "--site", site)
    assert result.code == 1 and "template" in result.err
    assert "root:" not in result.err + result.out


@pytest.mark.parametrize("where", ["content/leak.md", "content/images/leak.png",
                                   "static/leak.txt", "content/entities.yaml"])
def test_symlink_out_of_the_site_is_refused(make_site: Callable[..., Path],
                                            run: Callable[..., Result], tmp_path: Path,
                                            where: str) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(article("Secret", "SECRET-TOKEN"), "utf-8")
    site = make_site({"a.md": article("A", "x")}, NO_NLP)
    assert run("build", "--site", site).code == 0
    before = tree(site / "output")
    link = site / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    result = run("build", "--site", site)
    assert result.code == 1
    assert where.split("/")[-1] in result.err and "outside the site" in result.err
    assert tree(site / "output") == before  # the last good output is kept


def test_symlinked_folder_out_of_the_site_is_never_read(make_site: Callable[..., Path],
                                                        run: Callable[..., Result],
                                                        tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "s.md").write_text(article("Secret", "SECRET-TOKEN"), "utf-8")
    (outside / "s.txt").write_text("SECRET-TOKEN", "utf-8")
    site = make_site({"a.md": article("A", "x")}, NO_NLP)
    (site / "content/linked").symlink_to(outside, target_is_directory=True)
    (site / "static").mkdir()
    (site / "static/linked").symlink_to(outside, target_is_directory=True)
    result = run("build", "--site", site)
    if result.code == 1:  # a Python whose rglob follows folder links: refused by name
        assert "linked" in result.err and "outside the site" in result.err
    else:
        assert not any(b"SECRET-TOKEN" in d for d in tree(site / "output").values())


def test_symlink_inside_the_site_is_fine(make_site: Callable[..., Path],
                                         run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, NO_NLP,
                     files={"content/images/real.png": "png"})
    (site / "content/images/alias.png").symlink_to(site / "content/images/real.png")
    assert run("build", "--site", site).code == 0
    assert (site / "output/images/alias.png").read_text() == "png"


# -- robust parsing ----------------------------------------------------------------------------
def parse_or_site_error(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        parse(read_source(path, path.name))
    except SiteError as exc:
        assert exc.file is not None and path.name in exc.file, str(exc)


_any_text = st.text(max_size=400)
_markdownish = st.lists(st.sampled_from([
    "# ", "## ", "> ", "- ", "1. ", "* ", "**", "_", "`", "```\n", "[", "]", "(", ")", "{",
    "}", "![", "<", ">", "&", "|", "---", "\n", "\n\n", "\r\n", "\t", "    ", "\"", "'",
    "\u201c", "\u201d", "[^1]", "[^1]: ", "{.no-entity}", "{entity=x}", "\ufeff", "\x00",
    "\u202e", "שלום", "مرحبا", "中文", "😀", "\U0001f3f3\ufe0f\u200d\U0001f308", "a", " ",
    "<script>", "javascript:", "\\", "---\n", "title: x\n", ":",
]), max_size=80).map("".join)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.one_of(_any_text, _markdownish).map(lambda s: s.encode("utf-8"))
       | st.binary(max_size=300))
def test_fuzz_any_bytes_give_a_page_or_a_site_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        parse_or_site_error(Path(tmp) / "fuzz.md", data)
        parse_or_site_error(Path(tmp) / "fm.md", b"---\n" + data + b"\n---\nbody\n")
        parse_or_site_error(Path(tmp) / "body.md", b"---\ntitle: t\n---\n" + data)


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | _any_text
    | st.dates().map(str) | st.datetimes().map(str),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(_any_text, children, max_size=3), max_leaves=8)
_front_keys = st.sampled_from(["title", "date", "updated", "authors", "author", "tags",
                               "summary", "slug", "draft", "cover", "location", "other"])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.dictionaries(_front_keys, _yaml_values, max_size=8))
def test_fuzz_front_matter_values(fields: dict[str, Any]) -> None:
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\nbody\n"
    with tempfile.TemporaryDirectory() as tmp:
        parse_or_site_error(Path(tmp) / "x.md", text.encode("utf-8"))


def build_fuzz_site(root: Path, articles: dict[str, bytes], config: str = NO_NLP) -> None:
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text('title = "Fuzz"\n' + config, "utf-8")
    for name, data in articles.items():
        (root / "content" / name).write_bytes(data)


def build_or_site_error(root: Path, names: Iterator[str] | list[str]) -> bool:
    """True when built; a SiteError must name one of the article files."""
    try:
        build(BuildOptions(site=root, now=NOW, no_cache=True))
    except SiteErrors as exc:
        assert all(e.file and any(n in e.file for n in names) for e in exc.errors), str(exc)
        return False
    except SiteError as exc:
        assert exc.file and any(n in exc.file for n in names), str(exc)
        return False
    problems, _ = check_output(root / "output")
    assert not problems, problems
    return True


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.one_of(_markdownish, _any_text), min_size=1, max_size=4),
       st.lists(st.dictionaries(_front_keys, _yaml_values, max_size=6), min_size=1,
                max_size=4))
def test_fuzz_site_builds_or_names_the_file(bodies: list[str],
                                            fronts: list[dict[str, Any]]) -> None:
    articles: dict[str, bytes] = {}
    for i, (body, fm) in enumerate(zip(bodies, fronts * 4, strict=False)):
        fm = {"title": f"Article {i}", **fm}
        articles[f"a{i}.md"] = ("---\n" + yaml.safe_dump(fm, allow_unicode=True) + "---\n"
                                + body).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        build_fuzz_site(root, articles)
        build_or_site_error(root, list(articles))


HEADER = b'---\ntitle: "T"\ndate: 2026-03-01\n---\n'
NESTED_LISTS = "".join("  " * i + "- item\n" for i in range(3000))
NESTED_QUOTES = "> " * 5000 + "deep\n"
MIXED_NESTING = "> - " * 2000 + "deep\n"


@pytest.mark.parametrize("name,data", [
    ("empty", b""),
    ("only-bom", b"\xef\xbb\xbf"),
    ("bom", b"\xef\xbb\xbf" + HEADER + b"Body with a BOM.\n"),
    ("crlf", HEADER.replace(b"\n", b"\r\n") + b"Line one\r\n\r\nLine two\r\n"),
    ("cr-only", HEADER.replace(b"\n", b"\r") + b"Old Mac\r"),
    ("binary", bytes(range(256)) * 4),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
    ("latin1", HEADER + "Caf\u00e9 cr\u00e8me".encode("latin-1")),
    ("utf16", "\ufeff---\ntitle: x\n---\nhi\n".encode("utf-16")),
    ("nul", HEADER + b"a\x00b\x00\n"),
    ("emoji-rtl-cjk", HEADER + "😀 \U0001f3f3\ufe0f\u200d\U0001f308 שלום עולם مرحبا "
                               "\u202eevil\u202c 中文新闻 日本語 한국어\n".encode()),
    ("nested-lists", HEADER + NESTED_LISTS.encode()),
    ("nested-quotes", HEADER + NESTED_QUOTES.encode()),
    ("mixed-nesting", HEADER + MIXED_NESTING.encode()),
    ("quote-marks", HEADER + ('"' * 5000 + "\u201c" * 3000 + "\u201d" * 3000).encode()),
    ("brackets", HEADER + ("[" * 5000 + "]" * 5000 + "(" * 5000).encode()),
    ("unclosed-front", b"---\ntitle: x\nno end\n"),
    ("yaml-bomb", b"---\na: &a [x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a]\n"
                  b"c: &c [*b, *b, *b, *b, *b]\ntitle: t\n---\nx\n"),
    ("deep-yaml", b"---\ntitle: " + b"[" * 5000 + b"]" * 5000 + b"\n---\nx\n"),
    ("tabs-yaml", b"---\n\ttitle: x\n---\nx\n"),
    ("year-9999", b'---\ntitle: "Far"\ndate: 9999-12-31T23:59:59\n---\nx\n'),
    ("year-1", b'---\ntitle: "Old"\ndate: 0001-01-01\n---\nx\n'),
    ("before-1970", b'---\ntitle: "Old"\ndate: 1901-12-13\nupdated: 1969-12-31T23:59\n---\nx\n'),
    ("year-10000", b'---\ntitle: "Bad"\ndate: 10000-01-01\n---\nx\n'),
    ("tz-date", b'---\ntitle: "TZ"\ndate: 2026-03-01T10:00:00+14:00\n---\nx\n'),
    ("date-list", b'---\ntitle: "L"\ndate: [2026]\n---\nx\n'),
    ("title-mapping", b'---\ntitle: {a: b}\n---\nx\n'),
    ("control-title", b'---\ntitle: "a\\x0bb\\x01c"\nsummary: "\\x1b[31m"\n---\nx\x0cy\n'),
])
def test_hard_inputs_give_a_page_or_a_site_error(tmp_path: Path, name: str,
                                                 data: bytes) -> None:
    root = tmp_path / "site"
    build_fuzz_site(root, {f"{name}.md": data, "ok.md": HEADER + b"A normal article.\n"})
    if build_or_site_error(root, [f"{name}.md"]):
        assert (root / "output/2026/03/ok/index.html").is_file()


def test_duplicate_slugs_name_both_files(tmp_path: Path) -> None:
    root = tmp_path / "site"
    build_fuzz_site(root, {"a.md": HEADER + b"x", "b.md": HEADER.replace(
        b"---\n", b"---\nslug: a\n", 1) + b"y"})
    with pytest.raises(SiteError) as err:
        build(BuildOptions(site=root, now=NOW, no_cache=True))
    assert "a.md" in str(err.value) and "b.md" in str(err.value)


def test_far_future_article_is_kept_back_and_old_dates_render(tmp_path: Path) -> None:
    root = tmp_path / "site"
    build_fuzz_site(root, {
        "far.md": b'---\ntitle: "Far"\ndate: 9999-12-31\n---\nx\n',
        "old.md": b'---\ntitle: "Old"\ndate: 1850-06-01\n---\nx\n'})
    report = build(BuildOptions(site=root, now=NOW, no_cache=True,
                                base_url="https://example.org/"))  # feeds need it
    assert report.future_skipped == 1 and report.published == 1
    assert (root / "output/1850/06/old/index.html").is_file()
    feed = ElementTree.parse(root / "output/feed.xml").getroot()
    assert feed.find("{http://www.w3.org/2005/Atom}entry") is not None


@pytest.mark.slow
def test_five_megabyte_article(tmp_path: Path) -> None:
    paragraph = ("The council met on Monday in Rotterdam to discuss the storm barrier, "
                 "and \"we will act,\" the mayor said. ") * 8 + "\n\n"
    body = (paragraph * (5_000_000 // len(paragraph) + 1)).encode()
    assert len(body) >= 5_000_000
    root = tmp_path / "site"
    build_fuzz_site(root, {"big.md": HEADER + body, "ok.md": HEADER + b"A normal article.\n"})
    # Over the default [limits] max_article_bytes: refused by name, the rest is built.
    report = build(BuildOptions(site=root, now=NOW, no_cache=True))
    assert [Path(str(e.file)).name for e in report.refused] == ["big.md"]
    assert "max_article_bytes" in str(report.refused[0])
    assert (root / "output/2026/03/ok/index.html").is_file()
    build_fuzz_site(root, {}, config=NO_NLP + "[limits]\nmax_article_bytes = 6000000\n")
    assert build_or_site_error(root, ["big.md"])
    assert (root / "output/2026/03/big/index.html").stat().st_size > 5_000_000


def test_many_quotation_marks_with_the_model(tmp_path: Path) -> None:
    """The attribution annotator gets thousands of unbalanced quotation marks."""
    body = ('"' * 2000 + " Peskov said. " + "\u201c" * 1000 + "he said\u201d " * 500
            + "'" * 1000 + "\n")
    root = tmp_path / "site"
    build_fuzz_site(root, {"q.md": HEADER + body.encode()}, config="")
    assert build_or_site_error(root, ["q.md"])


def test_safety_helpers() -> None:
    assert url_scheme(" \tJaVa\nScRiPt:alert(1)") == "javascript"
    assert url_scheme("/a:b") is None and url_scheme("a/b:c") is None
    assert not is_safe_url("javascript:alert(1)") and is_safe_url("https://x")
    assert is_safe_url("../x") and is_safe_url("#a")
    assert not is_safe_asset("../x") and not is_safe_asset("/x") and is_safe_asset("a b/c.png")
