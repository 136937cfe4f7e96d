"""Pixel size of an image file (PNG, GIF, JPEG, WebP, SVG) read from its header, so pages
can give every <img> a width and height and nothing shifts while it loads."""

from __future__ import annotations

import re
import struct
from pathlib import Path

_SVG_ATTR = re.compile(r"""\b(width|height|viewBox)\s*=\s*["']([^"']*)["']""")


def image_size(path: Path) -> tuple[int, int] | None:
    try:
        with path.open("rb") as f:
            head = f.read(64 * 1024)
    except OSError:
        return None
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 24:
        w, h = struct.unpack(">II", head[16:24])
        return int(w), int(h)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        w, h = struct.unpack("<HH", head[6:10])
        return int(w), int(h)
    if head[:2] == b"\xff\xd8":
        return _jpeg(head)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp(head)
    if path.suffix.lower() == ".svg":
        return _svg(head.decode("utf-8", "replace"))
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in range(0xC0, 0xD0) and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(w), int(h)
        i += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    kind = data[12:16]
    if kind == b"VP8X" and len(data) >= 30:
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if kind == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if kind == b"VP8L" and len(data) >= 25:
        b = int.from_bytes(data[21:25], "little")
        return (b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1
    return None


def _number(value: str) -> float | None:
    m = re.match(r"\s*([0-9.]+)\s*(px)?\s*$", value)
    return float(m.group(1)) if m else None


def _svg(text: str) -> tuple[int, int] | None:
    tag = re.search(r"<svg\b[^>]*>", text)
    if not tag:
        return None
    attrs = dict(_SVG_ATTR.findall(tag.group(0)))
    w, h = _number(attrs.get("width", "")), _number(attrs.get("height", ""))
    box = [float(v) for v in re.split(r"[\s,]+", attrs.get("viewBox", "").strip()) if v]
    if (w is None or h is None) and len(box) == 4 and box[2] > 0 and box[3] > 0:
        if w is None and h is None:
            w, h = box[2], box[3]
        elif w is None and h is not None:
            w = h * box[2] / box[3]
        elif w is not None:
            h = w * box[3] / box[2]
    if w is None or h is None or w <= 0 or h <= 0:
        return None
    return round(w), round(h)
