"""Pages are declared in one list of page kinds: a new kind is one entry plus its template,
and it is rendered, keyed and reused like the built-in ones."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from conftest import article

from sitegen.build.annotate_stage import annotate
from sitegen.build.engine import load_data, parse_all
from sitegen.config.site import load_config
from sitegen.index.builder import build_index
from sitegen.index.site import SiteIndex
from sitegen.render.keys import PageKeys
from sitegen.render.pages import PAGE_KINDS, Page, PageKind, page_templates
from sitegen.render.renderer import Renderer
from sitegen.render.site import SiteRenderer
from sitegen.render.store import MemoryStore

TEMPLATE = """<ul>{% for art in articles %}<li><a href="{{ root }}{{ art.url }}">\
{{ art.title }}</a></li>{% endfor %}</ul>
"""


def by_author(_r: Renderer, index: SiteIndex) -> Iterator[Page]:
    authors = sorted({a for art in index.articles for a in art.doc.document.meta.authors})
    for name in authors:
        url = f"authors/{name.lower().replace(' ', '-')}/"
        arts = tuple(a for a in index.articles if name in a.doc.document.meta.authors)
        yield Page("author", url, url + "index.html", {"name": name, "articles": arts})


def test_a_new_page_kind_is_one_entry_and_its_template(
        make_site: Callable[..., Path]) -> None:
    site = make_site({
        "one.md": article("One <b>story</b>", "A quiet day.", authors="[Ann Smit]"),
        "two.md": article("Two", "Another day.", date="2026-03-02", authors="[Ann Smit]"),
        "three.md": article("Three", "Rain.", date="2026-03-03", authors="[Bo Jansen]"),
    }, files={"templates/author.html": TEMPLATE})
    config = load_config(site)
    kb, glossary = load_data(config)
    docs = annotate(parse_all(config), config, kb, glossary).documents
    index = build_index(docs, config, kb, glossary)
    kinds = (*PAGE_KINDS, PageKind("author", "author.html", by_author))
    assert page_templates(kinds)[-1] == "author.html"

    renderer = Renderer(config, kb, glossary)
    store = MemoryStore()
    pages = SiteRenderer(renderer, PageKeys(renderer, "test"), store, kinds)
    pages.prepare()
    files = {f.path: f.data for f in pages.pages(index)}
    assert files["authors/ann-smit/index.html"].decode() == (
        '<ul><li><a href="../../2026/03/two/">Two</a></li>'
        '<li><a href="../../2026/03/one/">One &lt;b&gt;story&lt;/b&gt;</a></li></ul>\n')
    assert "authors/bo-jansen/index.html" in files
    assert "index.html" in files and "2026/03/one/index.html" in files  # the others too

    for path, data in files.items():  # a second pass reuses every page by its key
        store.put(path, pages.page_keys[path], data)
    pages.start_pass()
    again = {f.path: f.data for f in pages.pages(index)}
    assert again == files
    assert (pages.rendered, pages.reused) == (0, len(files))
