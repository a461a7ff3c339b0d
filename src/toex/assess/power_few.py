"""The power few: how much of the harm comes from the most harmful few perpetrators.

Bland & Ariel (2015) found under 2% of victim-offender dyads caused 80% of domestic-abuse
harm in Suffolk; Barnham et al. (2017) 3% of perpetrators 90% of intimate-partner harm in
Thames Valley. Here: the share of VAWG harm (days, over the scoring window) from the top x%
of ranked perpetrators, nationally and per force (``assess_power_few``), and the smallest
share of perpetrators that accounts for 80% of it. The chart is a hand-written SVG
concentration curve (no plotting library).
"""

from __future__ import annotations

import math
from collections import defaultdict
from html import escape
from typing import Any

import pyarrow as pa

from toex.assess.config import AssessConfig
from toex.assess.perpetrator_priority import PRIORITY_TABLE
from toex.assess.sql_steps import query, raw_connection

POWER_FEW_TABLE = "assess_power_few"


def top_share(harms: list[float], pct: float) -> tuple[int, float, float]:
    """(n in the top ``pct``%, their harm, their share of all harm) for these harms."""
    ordered = sorted((h for h in harms if h > 0), reverse=True)
    total = sum(ordered)
    n_top = math.ceil(len(ordered) * pct / 100.0)
    top = sum(ordered[:n_top])
    return n_top, top, (top / total if total else 0.0)


def pct_for_share(harms: list[float], share: float = 0.8) -> float:
    """The smallest % of perpetrators (with harm) whose harm reaches ``share`` of the total."""
    ordered = sorted((h for h in harms if h > 0), reverse=True)
    total = sum(ordered)
    if not ordered:
        return 0.0
    running = 0.0
    for i, h in enumerate(ordered, start=1):
        running += h
        if running >= share * total - 1e-9:
            return 100.0 * i / len(ordered)
    return 100.0


def power_few_rows(
    harms: list[float], top_pcts: tuple[float, ...], scope_type: str, scope: str
) -> list[dict[str, Any]]:
    """Rows of the power-few table for one scope."""
    positive = [h for h in harms if h > 0]
    total = sum(positive)
    p80 = pct_for_share(positive)
    rows = []
    for pct in top_pcts:
        n_top, top, share = top_share(positive, pct)
        rows.append(
            {
                "scope_type": scope_type,
                "scope": scope,
                "top_pct": float(pct),
                "n_perpetrators": len(positive),
                "n_top": n_top,
                "harm_top": top,
                "harm_all": total,
                "harm_share": share,
                "pct_for_80": p80,
            }
        )
    return rows


def _harms_by_scope(con: Any) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in query(con, f"SELECT force, region, harm_window FROM {PRIORITY_TABLE}"):
        h = float(r["harm_window"] or 0.0)
        out[("national", "all")].append(h)
        if r["force"]:
            out[("force", r["force"])].append(h)
        if r["region"]:
            out[("region", r["region"])].append(h)
    return out


def power_few_table(con: Any, cfg: AssessConfig) -> pa.Table:
    """The power-few table for every scope, from ``assess_perpetrator_priority``."""
    rows: list[dict[str, Any]] = []
    for (scope_type, scope), harms in sorted(_harms_by_scope(raw_connection(con)).items()):
        rows.extend(power_few_rows(harms, cfg.power_few.top_pcts, scope_type, scope))
    schema = pa.schema(
        [
            ("scope_type", pa.string()),
            ("scope", pa.string()),
            ("top_pct", pa.float64()),
            ("n_perpetrators", pa.int64()),
            ("n_top", pa.int64()),
            ("harm_top", pa.float64()),
            ("harm_all", pa.float64()),
            ("harm_share", pa.float64()),
            ("pct_for_80", pa.float64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def concentration_curve(harms: list[float], points: int = 200) -> list[tuple[float, float]]:
    """(% of perpetrators, % of harm) along the curve, most harmful first, ``points`` long."""
    ordered = sorted((h for h in harms if h > 0), reverse=True)
    total = sum(ordered)
    if not ordered or total == 0:
        return [(0.0, 0.0), (100.0, 0.0)]
    n = len(ordered)
    cum = [0.0]
    for h in ordered:
        cum.append(cum[-1] + h)
    idx = sorted({0, 1, n} | {round(i * n / points) for i in range(points + 1)})
    return [(100.0 * i / n, 100.0 * cum[i] / total) for i in idx]


def power_few_svg(
    harms: list[float],
    title: str,
    marks: tuple[float, ...] = (1, 5, 10),
    width: int = 480,
    height: int = 320,
) -> str:
    """An SVG concentration curve with the top-x% shares marked; self-contained markup."""
    left, right, top, bottom = 56, 16, 36, 44
    pw, ph = width - left - right, height - top - bottom

    def x(p: float) -> float:
        return left + pw * p / 100.0

    def y(p: float) -> float:
        return top + ph * (1 - p / 100.0)

    curve = concentration_curve(harms)
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(a):.1f},{y(b):.1f}" for i, (a, b) in enumerate(curve)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="20" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>',
    ]
    for t in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{x(0)}" y1="{y(t):.1f}" x2="{x(100)}" y2="{y(t):.1f}" stroke="#eee"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{t}%</text>')
        parts.append(f'<text x="{x(t):.1f}" y="{top + ph + 16}" text-anchor="middle">{t}%</text>')
    parts.append(
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(100)}" y2="{y(100)}" stroke="#bbb" '
        'stroke-dasharray="4 3"/>'
    )
    parts.append(f'<path d="{path}" fill="none" stroke="#b2182b" stroke-width="2"/>')
    for pct in marks:
        _, _, share = top_share(harms, pct)
        parts.append(f'<circle cx="{x(pct):.1f}" cy="{y(100 * share):.1f}" r="3" fill="#b2182b"/>')
        parts.append(
            f'<text x="{x(pct) + 6:.1f}" y="{y(100 * share) + 12:.1f}">top {pct:g}%: '
            f"{100 * share:.0f}% of harm</text>"
        )
    parts.append(
        f'<text x="{left + pw / 2}" y="{height - 8}" text-anchor="middle">'
        "perpetrators, most harmful first</text>"
    )
    parts.append(
        f'<text x="14" y="{top + ph / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + ph / 2})">share of VAWG harm</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def power_few(
    con: Any, *, force: str | None = None, region: str | None = None
) -> list[dict[str, Any]]:
    """Rows of ``assess_power_few`` for a force, a region, or nationally (plain dicts)."""
    scope_type, scope = (
        ("force", force) if force else ("region", region) if region else ("national", "all")
    )
    return query(
        con,
        f"SELECT * FROM {POWER_FEW_TABLE} WHERE scope_type = ? AND scope = ? ORDER BY top_pct",
        [scope_type, scope],
    )


def power_few_chart(con: Any, *, force: str | None = None, region: str | None = None) -> str:
    """The SVG chart for a force, a region, or nationally."""
    where, params, label = "", [], "all forces"
    if force:
        where, params, label = "WHERE force = ?", [force], force
    elif region:
        where, params, label = "WHERE region = ?", [region], region
    harms = [
        float(r["harm_window"] or 0)
        for r in query(con, f"SELECT harm_window FROM {PRIORITY_TABLE} {where}", params)
    ]
    return power_few_svg(harms, f"The power few: VAWG harm by perpetrator ({label})")
