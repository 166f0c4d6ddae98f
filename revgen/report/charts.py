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


PALETTE = ("#3f6ea8", "#2e7d32", "#e08e0b", "#8e44ad", "#c62828", "#00838f", "#6d4c41")


def line(points: list[tuple[str, float]], width: int = 640, height: int = 160) -> str:
    """A line over time: (label, value); the first and last labels are written under it."""
    return lines({"": points}, width=width, height=height, colors=(BAD,))


def lines(
    series: dict[str, list[tuple[str, float]]],
    width: int = 640,
    height: int = 160,
    colors: tuple[str, ...] = PALETTE,
) -> str:
    """Lines over the same time axis, one per series: {name: [(label, value)]}, with a legend
    when the series are named; the first and last labels are written under them."""
    series = {name: points for name, points in series.items() if points}
    if not series:
        return '<p class="empty">No data.</p>'
    longest = max(series.values(), key=len)
    top = max(value for points in series.values() for _, value in points) or 1
    step = (width - 60) / max(1, len(longest) - 1)
    legend = 18 if any(series) else 0
    parts = [
        f'<svg class="chart" width="{width}" height="{height + legend}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (name, points) in enumerate(series.items()):
        color = colors[index % len(colors)]
        coords = [
            (40 + i * step, legend + height - 30 - (height - 50) * value / top)
            for i, (_, value) in enumerate(points)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>'
            + "".join(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in coords
            )
        )
        if name:
            parts.append(
                f'<rect x="{40 + index * 110}" y="4" width="10" height="10" fill="{color}"/>'
                f'<text x="{54 + index * 110}" y="13">{escape(name)}</text>'
            )
    parts.append(
        f'<text x="40" y="{legend + height - 8}">{escape(longest[0][0])}</text>'
        f'<text x="{width - 20}" y="{legend + height - 8}" text-anchor="end">'
        f"{escape(longest[-1][0])}</text>"
        f'<text x="4" y="{legend + 20}">{top:,.0f}</text></svg>'
    )
    return "".join(parts)
