"""Read the threat tables: the ranked list per force or region ("agency top 10") and the
briefing's tables of threats and networks by exploitation type and by geographic scale.

The table builders are pure (rows in, rows out) so the CLI, the web page (over the threats
a viewer may see) and the force profile pack share them. Counts by type are "including
multiples": a threat with two types counts under both, so percentages (of threats) may sum
to more than 100; the row ``with more than one type`` says how many.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from toex.assess.perpetrators import force_code, region_code
from toex.assess.sql_steps import query, raw_connection, table_exists
from toex.errors import PipelineError
from toex.model import ExploitationType, GeographicScale

THREAT_TABLE = "assess_threat"
LIST_COLUMNS = (
    "threat_id, rank, score, band, primary_type, exploitation_types, geographic_scale, "
    "primary_force, forces, regions, members, crimes, victims, children, harm, likelihood, "
    "capability, confidence, reason, first_scored, last_scored"
)


def area_filter(force: str | None, region: str | None) -> tuple[str, list[Any]]:
    """SQL condition and parameters keeping threats with records in a force or region."""
    if force and region:
        raise PipelineError("give a force or a region, not both")
    if force:
        return "list_contains(forces, ?)", [force_code(force)]
    if region:
        return "list_contains(regions, ?)", [region_code(region)]
    return "TRUE", []


def threats(con: Any, force: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
    """Every threat with records in the force or region (all by default), best first."""
    raw = raw_connection(con)
    if not table_exists(raw, THREAT_TABLE):
        raise PipelineError(f"{THREAT_TABLE} is missing: run `toex run` first")
    where, params = area_filter(force, region)
    rows = query(
        raw, f"SELECT {LIST_COLUMNS} FROM {THREAT_TABLE} WHERE {where} ORDER BY rank", params
    )
    return with_area_rank(rows)


def with_area_rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows (ordered best first) with ``area_rank``: their place in this list."""
    return [{**r, "area_rank": i + 1} for i, r in enumerate(rows)]


def by_type(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Threats by exploitation type (including multiples): count and % of threats."""
    rows = list(rows)
    n = len(rows)
    out = []
    for t in ExploitationType:
        k = sum(t.value in r["exploitation_types"] for r in rows)
        out.append({"key": t.value, "label": t.label, "count": k, "percent": _pct(k, n)})
    multi = sum(len(r["exploitation_types"]) > 1 for r in rows)
    out.append(
        {
            "key": "multiple",
            "label": "with more than one type",
            "count": multi,
            "percent": _pct(multi, n),
        }
    )
    out.append({"key": "total", "label": "Total threats", "count": n, "percent": _pct(n, n)})
    return out


def by_scale(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Threats by geographic scale: count and % of threats."""
    rows = list(rows)
    n = len(rows)
    out = []
    for s in GeographicScale:
        k = sum(r["geographic_scale"] == s.value for r in rows)
        out.append({"key": s.value, "label": s.label, "count": k, "percent": _pct(k, n)})
    out.append({"key": "total", "label": "Total threats", "count": n, "percent": _pct(n, n)})
    return out


def by_type_and_scale(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Threats by exploitation type (including multiples) and geographic scale."""
    rows = list(rows)
    out = []
    for t in ExploitationType:
        mine = [r for r in rows if t.value in r["exploitation_types"]]
        row: dict[str, Any] = {"key": t.value, "label": t.label, "total": len(mine)}
        for s in GeographicScale:
            row[s.value] = sum(r["geographic_scale"] == s.value for r in mine)
        out.append(row)
    return out


def by_band(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Threats per band."""
    out = {"high": 0, "medium": 0, "low": 0}
    for r in rows:
        out[r["band"]] = out.get(r["band"], 0) + 1
    return out


def network_type_counts(con: Any, level: str = "community") -> list[dict[str, Any]]:
    """Networks of a level by exploitation type (including multiples), all networks."""
    raw = raw_connection(con)
    rows = query(
        raw,
        "SELECT subject_id, list(exploitation_type) AS exploitation_types "
        "FROM assess_exploitation_label WHERE subject_kind = 'network' AND level = ? "
        "GROUP BY subject_id",
        [level],
    )
    return by_type(rows)


def _pct(k: int, n: int) -> float:
    return round(100.0 * k / n, 1) if n else 0.0
