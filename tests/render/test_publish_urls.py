"""Publishing for crawlers and feed readers: with a full base_url every URL they read is
absolute (sitemap, robots.txt, Atom ids, canonical, OpenGraph), feeds parse cleanly, pages
have a raster social image; with the default "/" the site works from disk and under any path,
leaves those out and warns once."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from conftest import Result, article
from PIL import Image

from sitegen.cli import main

BASE = "https://example.org/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
KB = """\
- id: annelies-verbruggen
  name: Annelies Verbruggen
  type: person
  description: Mayor of Rotterdam.
- id: rotterdam
  name: Rotterdam
  type: place
  description: A port city.
  image: images/rotterdam.png
"""


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def make(root: Path) -> Path:
    (root / "content/images").mkdir(parents=True)
    (root / "site.toml").write_text('title = "Test & Site"\npaginate = 1\n', "utf-8")
    (root / "content/entities.yaml").write_text(KB, "utf-8")
    (root / "content/images/rotterdam.png").write_bytes(png())
    (root / "content/images/photo.jpg").write_bytes(png())  # bytes do not matter here
    (root / "content/images/map.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (root / "content/one.md").write_text(article(
        "Barrier opens <today>", "[Rotterdam]{entity=rotterdam} opened the barrier, "
        "[Annelies Verbruggen]{entity=annelies-verbruggen} writes.",
        tags="[flooding, rotterdam]", authors="[Annelies Verbruggen, Jane Doe]",
        cover='{image: images/map.svg, alt: "A map"}'), "utf-8")
    (root / "content/two.md").write_text(article(
        "Second story", "More news from [Rotterdam]{entity=rotterdam}.", date="2026-04-02",
        tags="[rotterdam]", cover='{image: images/photo.jpg, alt: "A photo"}'), "utf-8")
    return root


def cli(*args: str | Path) -> Result:
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    site = make(tmp_path_factory.mktemp("pub") / "site")
    res = cli("build", "--site", site, "--base-url", BASE, "--no-cache")
    assert res.code == 0, res.err
    return site / "output", res


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    site = make(tmp_path_factory.mktemp("local") / "site")
    res = cli("build", "--site", site)
    assert res.code == 0, res.err
    return site / "output", res


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.urls: list[str] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and (a.get("property") or a.get("name")):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content", ""))
        if tag == "link":
            self.links.append(a)
        self.urls += [a[k] for k in ("href", "src") if k in a]
        self._in_jsonld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_jsonld = False

    def rel(self, rel: str) -> list[dict[str, str]]:
        return [link for link in self.links if rel in link.get("rel", "").split()]


def tags(path: Path) -> Tags:
    parser = Tags()
    parser.feed(path.read_text("utf-8"))
    return parser


def pages(out: Path) -> Iterator[tuple[str, Path]]:
    """(page URL relative to the site root, file) of every indexable page."""
    for path in sorted(out.rglob("index.html")):
        rel = path.relative_to(out).parent.as_posix()
        if rel != "search":
            yield ("" if rel == "." else rel + "/"), path


# -- with a full base_url -----------------------------------------------------------------

def test_sitemap_and_robots_are_absolute_and_valid(published: tuple[Path, Result]) -> None:
    out, res = published
    assert "warning" not in res.err
    root = ElementTree.parse(out / "sitemap.xml").getroot()
    assert root.tag == f"{SM}urlset"
    locs = []
    for url in root:
        # the constraints of sitemaps.org's sitemap.xsd: <url> holds loc (required, once),
        # then optional lastmod, changefreq, priority; loc is an absolute URL < 2048 chars
        assert url.tag == f"{SM}url"
        names = [child.tag.removeprefix(SM) for child in url]
        assert names[0] == "loc" and names.count("loc") == 1
        assert set(names) <= {"loc", "lastmod", "changefreq", "priority"}
        loc = (url.findtext(f"{SM}loc") or "").strip()
        assert loc.startswith(BASE) and len(loc) < 2048
        lastmod = url.findtext(f"{SM}lastmod")
        if lastmod is not None:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:\d\d))?", lastmod)
        locs.append(loc)
    assert len(locs) == len(set(locs))
    assert {BASE + url for url, _ in pages(out) if not url.startswith("page/")} <= set(locs)
    assert (out / "robots.txt").read_text().splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_every_feed_parses_cleanly_with_absolute_ids(published: tuple[Path, Result]) -> None:
    out, _ = published
    feeds = sorted(out.rglob("feed.xml"))
    assert [f.relative_to(out).as_posix() for f in feeds] == [
        "feed.xml", "tags/flooding/feed.xml", "tags/rotterdam/feed.xml"]
    for path in feeds:
        rel = path.relative_to(out).as_posix()
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (rel, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        assert parsed.feed.id == BASE + rel
        page = BASE + rel.removesuffix("feed.xml")
        assert parsed.feed.link == page  # the alternate: the tag page for a tag feed
        self_links = [x.href for x in parsed.feed.links if x.rel == "self"]
        assert self_links == [BASE + rel]
        assert parsed.entries
        for entry in parsed.entries:
            assert entry.id.startswith(BASE) and entry.link == entry.id
            assert (out / entry.id.removeprefix(BASE) / "index.html").is_file()


def test_canonical_and_opengraph_urls_are_absolute(published: tuple[Path, Result]) -> None:
    out, _ = published
    seen = 0
    for url, path in pages(out):
        page = tags(path)
        canonical = page.rel("canonical")
        assert [c["href"] for c in canonical] == [BASE + url], url
        assert page.meta["og:url"] == [BASE + url]
        image = page.meta["og:image"]
        assert len(image) == 1 and image[0].startswith(BASE), url
        assert image[0].lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")), url
        assert (out / image[0].removeprefix(BASE)).is_file(), url
        assert page.meta["twitter:image"] == image
        icons = page.rel("icon")
        assert icons and (path.parent / icons[0]["href"]).resolve() == (out / "favicon.ico")
        seen += 1
    assert seen >= 10
    assert not tags(out / "404.html").rel("canonical")


def test_raster_social_images_and_generated_cards(published: tuple[Path, Result]) -> None:
    out, _ = published
    # an SVG cover is not used: a card with the title
    one = tags(out / "2026/03/one/index.html")
    assert one.meta["og:image"] == [BASE + "2026/03/one/social-card.png"]
    assert one.meta["og:image:alt"] == ["Barrier opens <today>"]
    with Image.open(out / "2026/03/one/social-card.png") as card:
        assert card.format == "PNG" and card.size == (1200, 630)
    assert one.meta["og:image:width"] == ["1200"] and one.meta["og:image:height"] == ["630"]
    # a raster cover is used as it is; no card for that article
    two = tags(out / "2026/04/two/index.html")
    assert two.meta["og:image"] == [BASE + "images/photo.jpg"]
    assert two.meta["og:image:alt"] == ["A photo"]
    assert not (out / "2026/04/two/social-card.png").exists()
    # a knowledge-base entry's raster image on its entity page; the site's card elsewhere
    assert tags(out / "entities/rotterdam/index.html").meta["og:image"] == [
        BASE + "images/rotterdam.png"]
    assert tags(out / "tags/index.html").meta["og:image"] == [BASE + "social-card.png"]
    with Image.open(out / "social-card.png") as card:
        assert card.size == (1200, 630)


def test_listing_pages_advertise_their_feed(published: tuple[Path, Result]) -> None:
    out, _ = published
    for rel, feed in (("index.html", "feed.xml"), ("page/2/index.html", "feed.xml"),
                      ("tags/rotterdam/index.html", "tags/rotterdam/feed.xml"),
                      ("tags/flooding/index.html", "tags/flooding/feed.xml")):
        page = out / rel
        alternates = [link for link in tags(page).rel("alternate")
                      if link.get("type") == "application/atom+xml"]
        assert alternates, rel
        first = (page.parent / alternates[0]["href"]).resolve()
        assert first == (out / feed).resolve(), rel  # its own feed first


def test_jsonld_authors_link_their_page(published: tuple[Path, Result]) -> None:
    out, _ = published
    page = tags(out / "2026/03/one/index.html")
    data = json.loads("".join(page.jsonld))
    assert data["url"] == BASE + "2026/03/one/"
    assert data["author"] == [
        {"@type": "Person", "name": "Annelies Verbruggen",
         "url": BASE + "entities/annelies-verbruggen/"},
        {"@type": "Person", "name": "Jane Doe", "url": BASE}]


def test_published_builds_are_byte_identical(published: tuple[Path, Result],
                                             tmp_path: Path) -> None:
    out, _ = published
    again = tmp_path / "again"
    res = cli("build", "--site", out.parent, "--base-url", BASE, "--no-cache",
              "--output", again)
    assert res.code == 0, res.err

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(again) == tree(out)  # Atom ids, cards and all


# -- with the default base_url "/" --------------------------------------------------------

def test_default_base_url_leaves_out_absolute_urls_and_warns_once(
        local: tuple[Path, Result]) -> None:
    out, res = local
    assert res.err.count("warning:") == 1, res.err
    assert "set base_url to publish sitemap, feeds and canonical URLs" in res.err
    for rel in ("sitemap.xml", "feed.xml", "tags/rotterdam/feed.xml", "social-card.png",
                "2026/03/one/social-card.png"):
        assert not (out / rel).exists(), rel
    assert "Sitemap" not in (out / "robots.txt").read_text()
    for url, path in [*pages(out), ("404", out / "404.html")]:
        page = tags(path)
        assert not page.rel("canonical"), url
        assert not {"og:url", "og:image", "twitter:image"} & set(page.meta), url
        assert page.meta.get("twitter:card", ["summary"]) == ["summary"], url
        assert "feed.xml" not in path.read_text(), url
        if url != "404":  # every link relative: works from disk and under any subpath
            assert not [u for u in page.urls if u.startswith("/")], url
        for block in page.jsonld:
            assert '"url"' not in block and '"@id"' not in block, url


def test_default_base_url_site_passes_check_and_warns_on_every_build(
        local: tuple[Path, Result], run: Callable[..., Result]) -> None:
    out, _ = local
    res = run("check", out)
    assert res.code == 0, res.out
    res = run("build", "--site", out.parent)  # nothing changed: still one warning
    assert res.code == 0 and res.err.count("warning:") == 1


def test_base_url_must_be_a_web_url(make_site: Callable[..., Path],
                                    run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")})
    res = run("build", "--site", site, "--base-url", "ftp://example.org/")
    assert res.code == 1 and "base_url must be a full http(s) URL" in res.err


# -- favicon and overrides ----------------------------------------------------------------

def test_default_favicon_and_the_sites_own(make_site: Callable[..., Path],
                                          run: Callable[..., Result]) -> None:
    site = make_site({"a.md": article("A", "x")}, config="[entities]\nenabled = false\n")
    assert run("build", "--site", site).code == 0
    with Image.open(site / "output/favicon.ico") as icon:
        assert icon.format == "ICO"
    assert not (site / "output/static/favicon.ico").exists()
    (site / "static").mkdir()
    (site / "static/favicon.ico").write_bytes(b"mine")
    (site / "static/social-card.png").write_bytes(png((1200, 630)))
    assert run("build", "--site", site, "--base-url", BASE).code == 0
    assert (site / "output/favicon.ico").read_bytes() == b"mine"
    assert (site / "output/social-card.png").read_bytes() == png((1200, 630))


# -- incremental builds -------------------------------------------------------------------

def test_incremental_builds_redraw_only_changed_cards_and_follow_author_pages(
        make_site: Callable[..., Path], run: Callable[..., Result]) -> None:
    kb = "- id: karin-mulder\n  name: Karin Mulder\n  type: person\n"
    site = make_site({
        "a.md": article("Alpha", "The council met.", authors="[Karin Mulder]"),
        "b.md": article("Beta", "Nothing to report.", date="2026-03-02"),
    }, config=f'base_url = "{BASE}"\n', files={"content/entities.yaml": kb})
    assert run("build", "--site", site).code == 0
    out = site / "output"

    def author_url() -> str:
        data = json.loads("".join(tags(out / "2026/03/a/index.html").jsonld))
        return str(data["author"][0]["url"])

    assert author_url() == BASE  # no page for Karin Mulder yet
    card_b = (out / "2026/03/b/social-card.png").stat()
    card_a = (out / "2026/03/a/social-card.png").read_bytes()
    (site / "content/b.md").write_text(article(
        "Beta, renamed", "[Karin Mulder]{entity=karin-mulder} reported.",
        date="2026-03-02"), "utf-8")
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    assert (out / "entities/karin-mulder/index.html").is_file()
    assert author_url() == BASE + "entities/karin-mulder/"  # article a followed
    assert (out / "2026/03/a/social-card.png").read_bytes() == card_a
    after = (out / "2026/03/b/social-card.png").stat()
    assert (after.st_size, after.st_mtime_ns) != (card_b.st_size, card_b.st_mtime_ns)
