"""Social images (`og:image`, `twitter:image`): a raster image for every page.

Link previews accept PNG, JPEG, GIF and WebP, never SVG. A page uses its own raster image
when it has one (an article's cover, a knowledge-base entry's image); otherwise a card is
generated with Pillow: the page's title and the site's name on a plain background, 1200x630
(the size the large previews use). The cards are PNG files beside the page
(`2026/03/slug/social-card.png`) and one for the site at the root; a site's own
`static/social-card.png` replaces the generated site card.

Cards are only made when the site has an absolute base_url: OpenGraph requires absolute
image URLs. They are deterministic: the same text gives the same bytes (Pillow writes no
timestamps into PNG files, and the font is the one bundled with Pillow).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

    from sitegen.config.site import SiteConfig

CARD_NAME = "social-card.png"
CARD_SIZE = (1200, 630)
CARD_VERSION = "1"  # part of a card's render key: bump when the drawing changes
RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_BG = (29, 29, 31)
_FG = (253, 252, 250)
_MUTED = (190, 188, 184)
_ACCENT = (240, 113, 113)
_MARGIN = 80
_TITLE_SIZES = (72, 60, 50)
_RULE_Y = CARD_SIZE[1] - _MARGIN - 70  # the rule above the site's name
_TITLE_HEIGHT = _RULE_Y - 30 - _MARGIN  # room for the title's lines


@dataclass(frozen=True, slots=True)
class SocialImage:
    url: str  # absolute
    alt: str
    width: int | None = None  # known for generated cards only
    height: int | None = None


def is_raster(path: str) -> bool:
    return path.lower().split("?")[0].endswith(RASTER)


def card_path(page_url: str) -> str:
    """The output path of the card of the page at `page_url` ("" for the site card)."""
    return page_url + CARD_NAME


def card_image(config: SiteConfig, page_url: str, title: str) -> SocialImage:
    width, height = CARD_SIZE
    return SocialImage(config.base_url + card_path(page_url), title, width, height)


def picture(config: SiteConfig, image: str | None, alt: str) -> SocialImage | None:
    """A page's own image (relative to the site root, or a full URL) if it is raster."""
    if not image or not is_raster(image):
        return None
    url = image if image.startswith(("http://", "https://")) else (
        config.base_url + image.lstrip("/"))
    return SocialImage(url, alt)


@lru_cache(maxsize=8)
def _font(size: int) -> FreeTypeFont:
    from PIL import ImageFont

    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):  # Pillow without FreeType
        raise RuntimeError("Pillow was built without FreeType: cannot draw social cards")
    return font


def _wrap(text: str, font: FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if not line or font.getlength(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
        while font.getlength(line) > width and len(line) > 1:  # one very long word
            cut = len(line) - 1
            while cut > 1 and font.getlength(line[:cut] + "-") > width:
                cut -= 1
            lines.append(line[:cut] + "-")
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


def _fit(title: str, width: float) -> tuple[FreeTypeFont, list[str]]:
    """The largest title size whose lines fit; at the smallest, cut with an ellipsis."""
    most = 1
    for size in _TITLE_SIZES:
        font = _font(size)
        lines = _wrap(title, font, width)
        most = _TITLE_HEIGHT // _step(size)
        if len(lines) <= most:
            return font, lines
    lines = lines[:most]
    last = lines[-1]
    while last and font.getlength(last + " …") > width:
        last = last[:-1].rstrip()
    lines[-1] = last + " …"
    return font, lines


def _step(size: int) -> int:
    return round(size * 1.2)


def card_png(title: str, site_name: str) -> bytes:
    """A 1200x630 PNG: `title` large, `site_name` below a rule, on a dark background."""
    from PIL import Image, ImageDraw

    width, height = CARD_SIZE
    image = Image.new("RGB", CARD_SIZE, _BG)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, height), fill=_ACCENT)
    text_width = width - 2 * _MARGIN
    font, lines = _fit(" ".join(title.split()) or site_name, text_width)
    step = _step(int(font.size))
    y = _MARGIN
    for line in lines:
        draw.text((_MARGIN, y), line, font=font, fill=_FG)
        y += step
    name_font = _font(36)
    name = " ".join(site_name.split())
    while name and name_font.getlength(name) > text_width:
        name = name[:-1]
    rule_y = _RULE_Y
    draw.rectangle((_MARGIN, rule_y, _MARGIN + 120, rule_y + 6), fill=_ACCENT)
    draw.text((_MARGIN, rule_y + 28), name, font=name_font, fill=_MUTED)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()
