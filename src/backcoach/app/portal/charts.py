"""Small server-rendered SVG line charts (no JavaScript, no CDN) for the therapist's patient page."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 320, 150
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 34, 10, 10, 24


@dataclass(frozen=True)
class Point:
    label: str  # shown under the x axis (a date or a week)
    value: float


def line_chart(points: list[Point], y_max: float, title: str, y_min: float = 0.0) -> Markup:
    """A line chart of ``points`` on a fixed y range, with a text title for screen readers.

    Values are clipped to ``[y_min, y_max]`` only for drawing; the labels keep the true value.
    """
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    span = (y_max - y_min) or 1.0

    def x(i: int) -> float:
        return PAD_LEFT + (inner_w * i / (len(points) - 1) if len(points) > 1 else inner_w / 2)

    def y(v: float) -> float:
        return PAD_TOP + inner_h * (1 - (min(max(v, y_min), y_max) - y_min) / span)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img">',
             f"<title>{escape(title)}</title>"]
    for tick in (y_min, (y_min + y_max) / 2, y_max):
        parts.append(f'<line class="axis" x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
                     f'<text x="2" y="{y(tick) + 4:.1f}">{tick:g}</text>')
    if points:
        path = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
        parts.append(f'<polyline class="line" points="{path}"/>')
        for i, p in enumerate(points):
            parts.append(f'<circle class="dot" cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="3.5" data-value="{p.value:g}">'
                         f"<title>{escape(p.label)}: {p.value:g}</title></circle>")
        ends = {0: "start", len(points) - 1: "end"} if len(points) > 1 else {0: "middle"}
        for i, anchor in ends.items():  # first and last labels stay inside the plot
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">{escape(points[i].label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
