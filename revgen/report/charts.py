"""Small inline-SVG charts: no JavaScript, no CDN, so a report opens offline and prints."""

from __future__ import annotations

from html import escape

GOOD, BAD, BAR, MUTED = "#2e7d32", "#c62828", "#3f6ea8", "#9aa5b1"


def hbar(
    rows: list[tuple[str, float, str]],
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 170,
    color: str = BAR,
) -> str:
    """Horizontal bars: (label, value, text shown after the bar)."""
    if not rows:
        return '<p class="empty">No data.</p>'
    top = max((value for _, value, _ in rows), default=0) or 1
    span = width - label_width - 240
    parts = [
        f'<svg class="chart" width="{width}" height="{len(rows) * (bar_height + 8) + 8}" '
        f'role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value, text) in enumerate(rows):
        y = 8 + index * (bar_height + 8)
        length = max(1.0, span * max(value, 0) / top)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{color}" rx="3"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.7}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line(points: list[tuple[str, float]], width: int = 640, height: int = 160) -> str:
    """A line over time: (label, value); the first and last labels are written under it."""
    if not points:
        return '<p class="empty">No data.</p>'
    top = max(value for _, value in points) or 1
    step = (width - 60) / max(1, len(points) - 1)
    coords = [
        (40 + i * step, height - 30 - (height - 50) * value / top)
        for i, (_, value) in enumerate(points)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BAD}"/>' for x, y in coords)
    return (
        f'<svg class="chart" width="{width}" height="{height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><polyline fill="none" stroke="{BAD}" '
        f'stroke-width="2" points="{path}"/>{dots}'
        f'<text x="40" y="{height - 8}">{escape(points[0][0])}</text>'
        f'<text x="{width - 20}" y="{height - 8}" text-anchor="end">'
        f"{escape(points[-1][0])}</text>"
        f'<text x="4" y="20">{top:,.0f}</text></svg>'
    )
