"""The SVG charts: scales, positions and escaping."""

from __future__ import annotations

import datetime as dt
import re

from toex.publish.charts import (
    TimelinePoint,
    bar_chart_svg,
    column_chart_svg,
    nice_ticks,
    shorten,
    timeline_svg,
)


def test_ticks_are_round_and_cover_the_top() -> None:
    assert nice_ticks(37) == [0, 10, 20, 30, 40]
    assert nice_ticks(4) == [0, 1, 2, 3, 4]
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(1234)[-1] >= 1234


def test_column_heights_are_proportional_to_the_values() -> None:
    svg = str(column_chart_svg(["a", "b", "c"], [10, 20, 0], label="x"))
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', svg)]
    assert heights[0] * 2 == heights[1] and heights[2] == 0


def test_labels_are_escaped_and_shortened() -> None:
    svg = str(bar_chart_svg([("<script>alert(1)</script>", 3)], label='a "b"'))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="a &#34;b&#34;"' in svg
    assert shorten("Controlling or coercive behaviour", 12) == "Controlling…"


def test_timeline_puts_each_offence_on_its_date_and_lane() -> None:
    start, end = dt.date(2024, 1, 1), dt.date(2025, 12, 31)
    points = [
        TimelinePoint(start, "Fenland", True, 10, "first"),
        TimelinePoint(end, "Peterborough", False, 10, "last"),
    ]
    svg = str(
        timeline_svg(points, start=start, end=end, recent_from=dt.date(2025, 1, 1), label="t")
    )
    xs = [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', svg)]
    assert xs == [648.0, 170.0]  # other offences drawn first, then VAWG on top
    assert "Fenland" in svg and "Peterborough" in svg
