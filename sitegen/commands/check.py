"""Link checker for a built site: every internal link, #anchor and asset reference must resolve.

Reads the output folder only (stdlib `html.parser`), so it checks exactly what is deployed.
A reference is internal when it is relative, root-relative under the base URL's path, or an
absolute URL under the base URL; anything else with a scheme is external and only fetched
with `external=True`. Directory URLs (`foo/`) resolve to `foo/index.html`.
"""

from __future__ import annotations

import posixpath
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from sitegen.core.errors import SiteError

# Attributes that reference another resource, per element (asset or navigation).
URL_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "object": ("data",),
    "input": ("src",),
}
# <meta property=... content=URL> worth checking when the URL is internal.
META_URLS = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "twitter:image"}
# Attributes whose value is a list of ids on the same page.
IDREF_ATTRS = ("aria-describedby", "aria-labelledby", "aria-controls", "aria-owns")
# <link rel> values that name a host rather than a resource.
SKIP_RELS = {"preconnect", "dns-prefetch"}
SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "about:", "blob:", "sms:")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+?)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True, slots=True, order=True)
class Broken:
    page: str  # output-relative path of the file that holds the link
    link: str  # the link as written
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.link} ({self.reason})"


@dataclass(slots=True)
class CheckReport:
    pages: int = 0  # HTML files parsed
    files: int = 0  # other files with references (CSS, feeds, sitemap)
    links: int = 0  # references checked (internal and, with external=True, external)
    targets: int = 0  # distinct internal targets
    external: int = 0  # distinct external URLs (fetched only with external=True)
    broken: list[Broken] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken

    def summary(self) -> str:
        head = (f"checked {self.pages} pages and {self.files} other files: {self.links} links "
                f"to {self.targets} internal targets")
        head += f", {self.external} external URLs" if self.external else ""
        if self.ok:
            return head + "; no broken links"
        pages = len({b.page for b in self.broken})
        return (f"{head}; {len(self.broken)} broken link{'s' if len(self.broken) != 1 else ''} "
                f"on {pages} page{'s' if pages != 1 else ''}")


@dataclass(frozen=True, slots=True)
class Ref:
    url: str
    line: int
    anchor_only: bool = False  # an idref: must name an id on the same page


class _Page(HTMLParser):
    """Ids and outgoing references of one HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[Ref] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        line = self.getpos()[0]
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "base" and "href" in a and self.base is None:
            self.base = a["href"]
            return
        if tag == "link" and SKIP_RELS & set(a.get("rel", "").lower().split()):
            return
        if tag == "meta":
            prop = (a.get("property") or a.get("name") or "").lower()
            if prop in META_URLS and a.get("content"):
                self.refs.append(Ref(a["content"], line))
            return
        for attr in URL_ATTRS.get(tag, ()):
            value = a.get(attr)
            if value is None:
                continue
            if attr == "srcset":
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.refs.append(Ref(url, line))
            else:
                self.refs.append(Ref(value.strip(), line))
        for attr in IDREF_ATTRS:
            for ident in a.get(attr, "").split():
                self.refs.append(Ref("#" + ident, line, anchor_only=True))
        if tag == "label" and a.get("for"):
            self.refs.append(Ref("#" + a["for"], line, anchor_only=True))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


class BaseUrl:
    """Which URLs belong to the site: the base URL's own prefix and its path."""

    def __init__(self, base_url: str) -> None:
        base_url = base_url.strip() or "/"
        self.url = base_url if base_url.endswith("/") else base_url + "/"
        parts = urlsplit(self.url)
        self.absolute = bool(parts.scheme and parts.netloc)
        self.path = parts.path if parts.path.startswith("/") else "/" + parts.path

    def site_path(self, url: str) -> str | None:
        """The output-relative path of an absolute or root-relative URL under the base URL."""
        if self.absolute and (url.startswith(self.url) or url == self.url[:-1]):
            return url[len(self.url):]
        if url.startswith("/") and not url.startswith("//"):
            return url[len(self.path):] if url.startswith(self.path) else None
        return None


def detect_base_url(output: Path) -> str:
    """The base URL the site was built with: the first <loc> of its sitemap (the home page)."""
    sitemap = output / "sitemap.xml"
    try:
        root = ElementTree.parse(sitemap).getroot()
        first = root.find(f"{SITEMAP}sitemap/{SITEMAP}loc")  # a sitemap index
        if first is not None:  # its sitemaps are at the site's root: read the first
            name = posixpath.basename((first.text or "").strip())
            root = ElementTree.parse(output / name).getroot() if name else root
        loc = root.find(f"{SITEMAP}url/{SITEMAP}loc")
    except (OSError, ElementTree.ParseError):
        return "/"
    return (loc.text or "/").strip() if loc is not None else "/"


class Checker:
    def __init__(self, output: Path, base_url: str | None = None) -> None:
        self.output = output.resolve()
        if not self.output.is_dir():
            raise SiteError(f"no built site at {output}", hint="run `sitegen build` first")
        self.base = BaseUrl(base_url if base_url is not None else detect_base_url(self.output))
        self._pages: dict[str, _Page | None] = {}

    # -- reading --------------------------------------------------------------------------
    def page(self, rel: str) -> _Page | None:
        """The parsed HTML file at `rel` (None if it is missing or unreadable)."""
        if rel not in self._pages:
            parsed: _Page | None = None
            try:
                text = (self.output / rel).read_text("utf-8", errors="replace")
            except OSError:
                pass
            else:
                parsed = _Page()
                parsed.feed(text)
                parsed.close()
            self._pages[rel] = parsed
        return self._pages[rel]

    def files(self, suffixes: tuple[str, ...]) -> Iterator[str]:
        for path in sorted(self.output.rglob("*")):
            rel = path.relative_to(self.output)
            if path.is_file() and path.suffix.lower() in suffixes and not any(
                    p.startswith(".") for p in rel.parts):
                yield rel.as_posix()

    # -- resolving ------------------------------------------------------------------------
    def resolve(self, page: str, url: str, base_href: str | None = None
                ) -> tuple[str | None, str, str | None]:
        """(output-relative target or None if external/skipped, fragment, error reason)."""
        if base_href and not url.startswith("#"):
            url = posixpath.join(base_href, url) if "://" not in url else url
        parts = urlsplit(url)
        fragment = unquote(parts.fragment)
        site_path = self.base.site_path(url.split("#")[0].split("?")[0])
        if parts.scheme or url.startswith("//"):
            if site_path is None:
                return None, fragment, None  # external
        elif url.startswith("/") and site_path is None:
            return None, fragment, f"outside the site's base path {self.base.path}"
        if site_path is not None:
            target = unquote(site_path)
            rel = posixpath.normpath(target) if target else "."
        elif not parts.path:
            return page, fragment, None  # same page: "#x", "?q", ""
        else:
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        if rel == ".." or rel.startswith("../"):
            return None, fragment, "points outside the output folder"
        rel = "" if rel == "." else rel
        wants_dir = (site_path if site_path is not None else parts.path).endswith("/") or not rel
        full = self.output / rel
        if wants_dir or full.is_dir():
            rel = posixpath.join(rel, "index.html") if rel else "index.html"
            full = self.output / rel
            if not full.is_file():
                return None, fragment, f"no index.html in {posixpath.dirname(rel) or '.'}/"
        elif not full.is_file():
            return None, fragment, f"no such file: {rel}"
        return rel, fragment, None

    def check_ref(self, page: str, ref: Ref, base_href: str | None, report: CheckReport,
                  external: dict[str, list[tuple[str, str]]], targets: set[str]) -> None:
        url = ref.url
        if not url or url.lower().startswith(SKIP_SCHEMES):
            if not url and not ref.anchor_only:
                report.links += 1
            return
        report.links += 1
        if ref.anchor_only:
            current = self.page(page)
            ident = url[1:]
            if current is not None and ident not in current.ids:
                report.broken.append(Broken(page, url, f"no element with id '{ident}' here"))
            return
        target, fragment, reason = self.resolve(page, url, base_href)
        if reason:
            report.broken.append(Broken(page, url, reason))
            return
        if target is None:
            parts = urlsplit(url)
            if parts.scheme in ("http", "https", ""):
                external.setdefault(url.split("#")[0], []).append((page, url))
            return
        targets.add(target)
        if fragment and fragment != "top" and not fragment.startswith(":~:") and (
                target.endswith((".html", ".htm"))):
            parsed = self.page(target)
            if parsed is not None and fragment not in parsed.ids:
                where = "here" if target == page else f"on {target}"
                report.broken.append(Broken(page, url, f"no element with id '{fragment}' {where}"))

    # -- running --------------------------------------------------------------------------
    def run(self, external: bool = False, timeout: float = 10.0) -> CheckReport:
        report = CheckReport()
        outside: dict[str, list[tuple[str, str]]] = {}
        targets: set[str] = set()
        for rel in self.files((".html", ".htm")):
            parsed = self.page(rel)
            if parsed is None:
                continue
            report.pages += 1
            for ref in parsed.refs:
                self.check_ref(rel, ref, parsed.base, report, outside, targets)
        for rel, refs, problem in self._other_files():
            report.files += 1
            if problem:
                report.broken.append(Broken(rel, "", problem))
            for ref in refs:
                self.check_ref(rel, ref, None, report, outside, targets)
        report.targets = len(targets)
        report.external = len(outside) if external else 0
        if external and outside:
            with ThreadPoolExecutor(max_workers=8) as pool:
                results = pool.map(lambda u: (u, fetch_status(u, timeout)), sorted(outside))
                for url, reason in results:
                    if reason:
                        report.broken.extend(Broken(page, link, reason)
                                             for page, link in outside[url])
        report.broken.sort()
        return report

    def _other_files(self) -> Iterator[tuple[str, list[Ref], str | None]]:
        """References in stylesheets, Atom feeds and the sitemap."""
        for rel in self.files((".css",)):
            text = (self.output / rel).read_text("utf-8", errors="replace")
            refs = []
            for m in CSS_URL.finditer(text):
                url = (m.group(2) or m.group(4) or "").strip()
                if url and not url.startswith("#"):
                    refs.append(Ref(url, text.count("\n", 0, m.start()) + 1))
            yield rel, refs, None
        for rel in self.files((".xml",)):
            try:
                root = ElementTree.parse(self.output / rel).getroot()
            except ElementTree.ParseError as exc:
                yield rel, [], f"not well-formed XML: {exc}"
                continue
            refs = [Ref(e.get("href", ""), 0) for e in root.iter(f"{ATOM}link")]
            refs += [Ref((e.text or "").strip(), 0) for e in root.iter(f"{SITEMAP}loc")]
            # Only URLs under the base URL: a feed never links relatively.
            yield rel, [r for r in refs if self.base.site_path(r.url) is not None], None


def fetch_status(url: str, timeout: float = 10.0) -> str | None:
    """None if `url` answers with a success or redirect status, else the reason."""
    headers = {"User-Agent": "sitegen-check/1 (+link checker)"}
    for method in ("HEAD", "GET"):
        req = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status = int(resp.status)
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 429, 501):
                continue  # some servers refuse HEAD; ask again with GET
            return f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return f"unreachable: {reason}"
        return None if status < 400 else f"HTTP {status}"
    return None


def output_of(output: Path | None, site: Path | None) -> tuple[Path, str | None]:
    """The built folder to check for `sitegen check [OUTPUT] [--site DIR]`, and a note for
    the user when it is not the folder they named (a site folder given as OUTPUT)."""
    from sitegen.config.site import CONFIG_NAME

    if site is not None:
        if not (site / CONFIG_NAME).is_file():
            raise SiteError(f"{site} is not a site folder (it has no {CONFIG_NAME})",
                            hint="pass --site the folder with site.toml, or the built "
                            "folder itself: sitegen check OUTPUT")
        built = site / "output"
        if not built.is_dir():
            raise SiteError(f"{site} has not been built yet (no {built})",
                            hint=f"run: sitegen build --site {site}")
        return built, None
    if output is None:
        return Path("output"), None
    if (output / CONFIG_NAME).is_file() and not (output / "index.html").is_file():
        built = output / "output"
        if built.is_dir():
            return built, (f"{output} is a site folder: checking its built site {built} "
                           f"(sitegen check --site {output} does the same)")
        raise SiteError(f"{output} is a site folder, not a built site, and it has not been "
                        "built yet", hint=f"run: sitegen build --site {output}, then "
                        f"sitegen check --site {output}")
    return output, None


def check_site(output: Path, *, external: bool = False, base_url: str | None = None
               ) -> CheckReport:
    return Checker(output, base_url).run(external=external)


def format_report(report: CheckReport) -> Iterable[str]:
    yield from (str(b) for b in report.broken)
    yield report.summary()
