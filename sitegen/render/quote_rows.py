"""A quotes page's statements as HTML, drawn here rather than in a template loop: a big
archive has hundreds of thousands of them, and a loop in Python escapes each value once
(a template escapes and cleans every expression) and formats an article's date and title
once for its statements that follow each other. The markup is what quotes.html showed
with a loop; the theme styles it (.quote-item, .quote-text, .quote-meta, .snippet)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from sitegen.core.safety import xml_safe
from sitegen.index.quotes import QuoteItem
from sitegen.render.renderer import format_date


def quote_rows(items: Sequence[QuoteItem], root: str, typo: Callable[[str], str]
               ) -> Markup:
    """The `<li>` of each statement, in order, as one piece of markup."""
    out: list[str] = []
    last: tuple[str, str] = ("", "")  # (article URL, its date and link)
    for q in items:
        if q.url != last[0]:
            when = "" if q.date is None else (
                f'<time datetime="{escape(format_date(q.date, "iso"))}">'
                f"{escape(format_date(q.date))}</time> · ")
            last = (q.url, f'{when}<a href="{escape(root + q.url)}">{escape(typo(q.title))}</a>')
        said = (f"<q>“{escape(typo(q.quote))}”</q>" if q.direct else
                f'<span class="paraphrase">said that {escape(typo(q.quote))}</span>')
        out.append(
            f'    <li class="quote-item" data-year="{q.year}" '
            f'data-tags=" {escape(" ".join(q.tags))} ">\n'
            f'      <h2 class="quote-text" id="{escape(q.anchor)}">{said}</h2>\n'
            f'      <p class="quote-meta">{last[1]}</p>\n'
            f'      <blockquote class="snippet">{escape(typo(q.context))}</blockquote>\n'
            "    </li>\n")
    return Markup(xml_safe("".join(out)))


def page_list(urls: tuple[str, ...], root: str) -> Markup:
    """The filter's list of every page of the source's quotes (data-pages)."""
    return Markup("".join(f"{escape(root + u)} " for u in urls))


def tag_options(tags: tuple[str, ...], name: Callable[[str], str]) -> Markup:
    """The filter's topics, as `<option>`s."""
    return Markup("".join(f'<option value="{escape(t)}">{escape(name(t))}</option>'
                          for t in tags))
