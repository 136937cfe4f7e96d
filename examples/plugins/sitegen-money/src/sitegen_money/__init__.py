"""sitegen-money: marks monetary amounts in sitegen articles (an example plugin)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sitegen.annotate.annotator import Annotator, ParsedArticle
from sitegen.config.site import SiteConfig
from sitegen.core.model import Note

__version__ = "0.1.0"

SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}
WORDS = {"euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD",
         "pound": "GBP", "pounds": "GBP", "yen": "JPY"}
CODES = ("EUR", "USD", "GBP", "JPY", "CHF")
SCALES = {"thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "mn": 10**6,
          "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12}

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:\s?(?P<{0}>thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?"
AMOUNT = re.compile(
    rf"(?:(?P<symbol>[€$£¥])\s?|\b(?P<code>{'|'.join(CODES)})\s)"
    rf"(?P<number>{_NUMBER}){_SCALE.format('scale')}"
    rf"|\b(?P<number2>{_NUMBER}){_SCALE.format('scale2')}\s(?P<word>{'|'.join(WORDS)})\b",
    re.IGNORECASE,
)


def _value(number: str, scale: str | None) -> Decimal | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    return value * SCALES.get((scale or "").lower(), 1)


class MoneyAnnotator(Annotator):
    """Monetary amounts, each with its currency and value as a label."""

    name = "money"
    version = "1"  # bump when what it finds changes: sites re-annotate their articles

    def settings(self, config: SiteConfig) -> Mapping[str, Any]:
        """`[plugins.money]`: `currencies` (codes) and `min_amount` (a number)."""
        options = config.plugin_options(self.name)
        unknown = set(options) - {"currencies", "min_amount"}
        if unknown:
            raise ValueError(f"unknown setting {sorted(unknown)[0]!r} "
                             "(known: currencies, min_amount)")
        currencies = options.get("currencies", list(CODES))
        if not isinstance(currencies, list) or not all(c in CODES for c in currencies):
            raise ValueError(f"currencies must be a list of {', '.join(CODES)}")
        minimum = options.get("min_amount", 0)
        if isinstance(minimum, bool) or not isinstance(minimum, int | float):
            raise ValueError(f"min_amount must be a number, not {minimum!r}")
        return {"currencies": sorted(currencies), "min_amount": minimum}

    def notes(self, article: ParsedArticle) -> Iterator[Note]:
        settings = self.settings(article.config)
        text = article.text
        for m in AMOUNT.finditer(text):
            if m.group("number") is not None:
                currency = SYMBOLS.get(m.group("symbol") or "") or m.group("code").upper()
                value = _value(m.group("number"), m.group("scale"))
            else:
                currency = WORDS[m.group("word").lower()]
                value = _value(m.group("number2"), m.group("scale2"))
            start, end = m.span()
            if (value is None or currency not in settings["currencies"]
                    or value < Decimal(str(settings["min_amount"]))
                    or not article.view.annotatable(start, end)):
                continue
            yield Note(kind="amount", start=start, end=end, text=text[start:end],
                       label=f"{currency} {value:,.0f}" if value == value.to_integral_value()
                       else f"{currency} {value:,.2f}",
                       title=f"an amount in {currency}")
