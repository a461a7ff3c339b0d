"""Server-side SVG charts for the packs and the web app (no JavaScript, no plotting library).

Bars over time (:func:`column_chart_svg`), labelled horizontal bars (:func:`bar_chart_svg`)
and an offence timeline (:func:`timeline_svg`); the palette and :func:`force_colour` are
shared with the web app's network chart. Every interpolated value is a number or passes
through ``escape``, so the result is safe to insert into a template.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#ff7f0e",
)
INK, MUTED, GRID = "#1b2a3a", "#5b6b7b", "#d9dee4"
ACCENT, ACCENT_LIGHT, ALERT = "#1d4e89", "#9bb7d9", "#b3261e"
FONT = "Liberation Sans, DejaVu Sans, sans-serif"


def force_colour(force: str, forces: list[str]) -> str:
    """A stable colour for a force within the chart's list of forces."""
    return PALETTE[forces.index(force) % len(PALETTE)] if force in forces else "#555555"


def shorten(label: str, n: int = 22) -> str:
    """``label`` cut to ``n`` characters with an ellipsis."""
    return label if len(label) <= n else label[: n - 1] + "…"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top`` (1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    n = math.ceil(top / step)
    return [i * step for i in range(n + 1)]


def _svg(width: int, height: int, label: str, body: str) -> Markup:
    # Every interpolated value is a number or passed through escape().
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'font-family="{FONT}" class="chart">{body}</svg>'
    )


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


def column_chart_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    label: str,
    highlight_from: int | None = None,
    width: int = 660,
    height: int = 210,
) -> Markup:
    """Vertical bars, one per label (e.g. months), with a y grid; bars from index
    ``highlight_from`` on are drawn in the accent colour (e.g. the last 12 months)."""
    left, right, top, bottom = 40, 8, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max(values, default=0))
    ymax = ticks[-1] or 1
    parts = []
    for t in ticks:
        y = top + plot_h - plot_h * t / ymax
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{MUTED}">{_num(t)}</text>'
        )
    n = max(1, len(values))
    slot = plot_w / n
    every = max(1, math.ceil(n / 12))
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / ymax
        x = left + i * slot + slot * 0.15
        colour = ACCENT if highlight_from is not None and i >= highlight_from else ACCENT_LIGHT
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>{escape(name)}: {_num(value)}</title>'
            "</rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle" font-size="10" fill="{MUTED}">{escape(name)}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    return _svg(width, height, label, "".join(parts))


def bar_chart_svg(
    items: Sequence[tuple[str, float]],
    *,
    label: str,
    width: int = 660,
    label_width: int = 210,
    colour: str = ACCENT,
    suffix: str = "",
) -> Markup:
    """Horizontal bars, one per (label, value), value written at the bar's end."""
    row, top = 22, 4
    height = top * 2 + row * max(1, len(items))
    plot_w = width - label_width - 60
    vmax = max((v for _, v in items), default=0) or 1
    parts = []
    for i, (name, value) in enumerate(items):
        y = top + i * row
        w = plot_w * value / vmax
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{escape(shorten(name, max(8, int((label_width - 10) / 6))))}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + 15}" font-size="11" '
            f'fill="{INK}">{_num(value)}{escape(suffix)}</text>'
        )
    if not items:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{top + 15}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">none</text>'
        )
    return _svg(width, height, label, "".join(parts))


@dataclass(frozen=True)
class TimelinePoint:
    """One offence on a suspect's timeline."""

    day: dt.date
    lane: str
    vawg: bool
    harm: float
    title: str


def _x(day: dt.date, start: dt.date, end: dt.date, x0: float, span: float) -> float:
    total = max(1, (end - start).days)
    return x0 + span * (day - start).days / total


def timeline_svg(
    points: Sequence[TimelinePoint],
    *,
    start: dt.date,
    end: dt.date,
    recent_from: dt.date,
    label: str,
    width: int = 660,
) -> Markup:
    """Offences over time, one lane per force and LPC: VAWG offences in red, others grey,
    area by harm; the shaded band is the last 12 months."""
    lanes = sorted({p.lane for p in points})
    lane_h, left, right, top = 24, 170, 12, 16
    height = top + lane_h * max(1, len(lanes)) + 30
    span = width - left - right
    base = top + lane_h * max(1, len(lanes))
    x_recent = _x(max(recent_from, start), start, end, left, span)
    parts = [
        f'<rect x="{x_recent:.1f}" y="{top}" width="{left + span - x_recent:.1f}" '
        f'height="{base - top}" fill="#eef3f9"/>'
        f'<text x="{left + span:.1f}" y="{top - 4}" text-anchor="end" font-size="9" '
        f'fill="{MUTED}">shaded: last 12 months</text>'
    ]
    for i, lane in enumerate(lanes):
        y = top + lane_h * i + lane_h / 2
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + span}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{INK}">{escape(shorten(lane, 30))}</text>'
        )
    hmax = max((p.harm for p in points), default=1) or 1
    for p in sorted(points, key=lambda q: (q.vawg, q.day)):
        y = top + lane_h * lanes.index(p.lane) + lane_h / 2
        r = 3 + 6 * math.sqrt(max(p.harm, 0) / hmax)
        fill = ALERT if p.vawg else "#9aa5b1"
        parts.append(
            f'<circle cx="{_x(p.day, start, end, left, span):.1f}" cy="{y:.1f}" r="{r:.1f}" '
            f'fill="{fill}" fill-opacity="0.8" stroke="#ffffff" stroke-width="0.8">'
            f"<title>{escape(p.title)}</title></circle>"
        )
    years = range(start.year + (1 if start.month > 1 else 0), end.year + 1)
    for year in years:
        x = _x(dt.date(year, 1, 1), start, end, left, span)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{base + 4}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" font-size="10" '
            f'fill="{MUTED}">{year}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + span}" y2="{base}" stroke="{INK}"/>')
    return _svg(width, height, label, "".join(parts))
