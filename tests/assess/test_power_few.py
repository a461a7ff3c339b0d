"""The power few: shares of harm from the top x% of perpetrators, and the SVG chart."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import duckdb
import pytest

from toex.assess.power_few import (
    concentration_curve,
    pct_for_share,
    power_few,
    power_few_chart,
    power_few_rows,
    power_few_svg,
    top_share,
)

# 100 perpetrators: 2 cause 80 days each, 98 cause 40 / 98 days each (total 200)
HARMS = [80.0, 80.0] + [40.0 / 98] * 98


def test_top_share_of_a_known_distribution() -> None:
    n, top, share = top_share(HARMS, 2)
    assert (n, top, share) == (2, 160.0, pytest.approx(0.8))
    assert top_share(HARMS, 100)[2] == pytest.approx(1.0)
    assert top_share([], 5) == (0, 0, 0.0)


def test_pct_for_share_finds_the_power_few() -> None:
    assert pct_for_share(HARMS, 0.8) == 2.0
    assert pct_for_share([10.0] * 5, 0.8) == 80.0
    assert pct_for_share([10.0] * 4, 0.8) == 100.0
    assert pct_for_share([0.0, 0.0]) == 0.0


def test_rows_ignore_perpetrators_without_harm() -> None:
    rows = power_few_rows([*HARMS, 0.0, 0.0], (1, 2), "national", "all")
    assert [(r["top_pct"], r["n_top"], r["n_perpetrators"]) for r in rows] == [
        (1.0, 1, 100),
        (2.0, 2, 100),
    ]
    assert rows[1]["harm_share"] == pytest.approx(0.8) and rows[0]["pct_for_80"] == 2.0


def test_curve_is_monotone_and_ends_at_100() -> None:
    curve = concentration_curve(HARMS, points=20)
    assert curve[0] == (0.0, 0.0) and curve[-1] == (100.0, pytest.approx(100.0))
    assert all(b1 <= b2 for (_, b1), (_, b2) in itertools.pairwise(curve))
    assert concentration_curve([]) == [(0.0, 0.0), (100.0, 0.0)]


def test_svg_is_well_formed_and_labelled() -> None:
    svg = power_few_svg(HARMS, "The power few <test>")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text == "The power few <test>"
    assert "top 1%: 40% of harm" in svg and "top 10%" in svg


def test_table_and_api(scenario_con: duckdb.DuckDBPyConnection) -> None:
    national = power_few(scenario_con)
    assert [r["top_pct"] for r in national] == [1, 2, 3, 5, 10, 20, 50]
    # 4 perpetrators; the top 1 (P1, 2382 of 4574 days) and the top 2 (with P4, 1825)
    assert national[0]["n_top"] == 1 and national[0]["harm_share"] == pytest.approx(2382 / 4574)
    assert national[-1]["harm_share"] == pytest.approx((2382 + 1825) / 4574)
    assert power_few(scenario_con, force="wmp")[0]["harm_share"] == 1.0
    assert ET.fromstring(power_few_chart(scenario_con, region="eastern")) is not None
