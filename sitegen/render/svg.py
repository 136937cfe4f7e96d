"""Charts drawn at build time as accessible SVG (docs/archive-pages.md): role="img" with a
<title> and a <desc>; the page shows the same figures as a table next to each chart. Every
text is escaped; colours come from the theme (currentColor and CSS classes)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

ROW = 22  # height of a horizontal bar's row
LABEL = 180  # width of the labels left of horizontal bars
WIDTH = 480


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: str) -> Markup:
    t, d = f"{chart_id}-title", f"{chart_id}-desc"
    return Markup(
        f'<svg class="chart" role="img" aria-labelledby="{escape(t)} {escape(d)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(t)}">{escape(title)}</title>'
        f'<desc id="{escape(d)}">{escape(desc)}</desc>{body}</svg>')


def _cut(label: str, size: int = 25) -> str:
    return label if len(label) <= size else label[: size - 1] + "\u2026"


def bars(chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars, one per (label, value), in the order given."""
    top = max((v for _l, v in rows), default=0) or 1
    room = WIDTH - LABEL - 50
    parts = []
    for i, (label, value) in enumerate(rows):
        y = i * ROW
        w = round(room * value / top, 1)
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f'{escape(_cut(label))}</text>'
            f'<rect x="{LABEL}" y="{y + 3}" width="{w}" height="{ROW - 6}" class="chart-bar"/>'
            f'<text x="{LABEL + w + 5}" y="{y + 15}" class="chart-value">{value}</text>')
    return _svg(chart_id, title, desc, WIDTH, max(ROW, len(rows) * ROW), "".join(parts))


def columns(chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, int]],
            width: int = WIDTH, height: int = 120) -> Markup:
    """Vertical bars in time order, one per (label, value); the first and last labels are
    written under the axis."""
    top = max((v for _l, v in rows), default=0) or 1
    n = max(1, len(rows))
    step = width / n
    bar = max(1.0, min(28.0, step * 0.8))
    plot = height - 20
    parts = [f'<line x1="0" y1="{plot}" x2="{width}" y2="{plot}" class="chart-axis"/>']
    for i, (label, value) in enumerate(rows):
        h = round((plot - 14) * value / top, 1)
        x = round(i * step + (step - bar) / 2, 1)
        parts.append(f'<rect x="{x}" y="{round(plot - h, 1)}" width="{round(bar, 1)}" '
                     f'height="{h}" class="chart-bar"><title>{escape(label)}: {value}'
                     f'</title></rect>')
    if rows:
        parts.append(f'<text x="0" y="{height - 4}" class="chart-label">'
                     f'{escape(rows[0][0])}</text>')
        if len(rows) > 1:
            parts.append(f'<text x="{width}" y="{height - 4}" text-anchor="end" '
                         f'class="chart-label">{escape(rows[-1][0])}</text>')
        parts.append(f'<text x="{width}" y="10" text-anchor="end" class="chart-value">'
                     f'max {top}</text>')
    return _svg(chart_id, title, desc, width, height, "".join(parts))
