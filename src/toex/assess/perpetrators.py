"""Read API over the priority tables: ranked lists, one perpetrator, before/after resolution.

For the CLI (``toex assess perpetrators``), the web app and the force profile. Every
function takes a connection to a snapshot (Ibis DuckDB backend or raw ``duckdb``) and
returns plain data: lists of dicts whose values are str, int, float, bool, date or None.
Forces and regions are named by code, short name or full name (``"essex"``, ``"Essex"``,
``"Essex Police"``; ``"eastern"``, ``"Eastern"``).
"""

from __future__ import annotations

from typing import Any

from toex.assess.perpetrator_priority import PRIORITY_TABLE, RANK_TABLE
from toex.assess.sql_steps import query, table_exists
from toex.config import load_catalogue
from toex.errors import ConfigError, NotFoundError

FACT_COLUMNS = (
    "age",
    "n_offences",
    "n_offences_12m",
    "n_vawg_offences",
    "n_vawg_offences_12m",
    "n_victims",
    "n_child_victims",
    "victim_age_min",
    "victim_age_max",
    "first_vawg_date",
    "last_vawg_date",
    "days_since_last_vawg",
    "harm_total",
    "harm_window",
    "harm_12m",
    "harm_prev_12m",
    "harm_trend",
    "escalating",
    "n_oics",
    "n_lpcs",
    "n_forces",
    "n_investigations",
    "forces",
)
SCORE_COLUMNS = (
    "recency_points",
    "frequency_points",
    "gravity_points",
    "victims_points",
    "rfg",
    "rfgv",
    "harm_score",
    "score",
    "rank_by",
    "harm_scheme",
    "as_of",
)


def force_code(name: str) -> str:
    """The catalogue code of a force named by code, short name or name."""
    return load_catalogue().force(name).code


def region_code(name: str) -> str:
    """The catalogue code of a region named by code or name."""
    regions = load_catalogue().regions
    key = name.strip().lower()
    for code, label in regions.items():
        if key in (code, label.lower()):
            return code
    raise ConfigError(f"unknown region {name!r}; known: {', '.join(regions)}")


def _area(force: str | None, region: str | None) -> tuple[str, str] | None:
    if force and region:
        raise ConfigError("name a force or a region, not both")
    if force:
        return "force", force_code(force)
    if region:
        return "region", region_code(region)
    return None


def _names_join(con: Any) -> tuple[str, str]:
    """Select/join fragments adding the resolved person's name when resolve has written it."""
    if table_exists(con, "resolved_person"):
        cols = {
            r["column_name"]
            for r in query(
                con,
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'resolved_person'",
            )
        }
        join = "LEFT JOIN resolved_person AS rp ON rp.person_id = p.person_id"
        if "display_name" in cols:
            return "rp.display_name", join
        if {"forename", "surname"} <= cols:
            return (
                "nullif(trim(concat_ws(' ', rp.forename, rp.surname)), '') AS display_name",
                join,
            )
    return "NULL AS display_name", ""


def top_perpetrators(
    con: Any, *, force: str | None = None, region: str | None = None, top: int = 10
) -> list[dict[str, Any]]:
    """The ``top`` highest-ranked VAWG perpetrators of a force, a region, or nationally.

    Each dict: ``rank`` (in the area asked for), ``person_id``, ``display_name``, ``force``
    (his primary force), ``region``, ``reason``, the scores and facts, and
    ``unresolved_rank``: the best rank any one of his records reached in the same area when
    every record stands alone (before resolution).
    """
    area = _area(force, region)
    name_col, name_join = _names_join(con)
    cols = ", ".join(f"p.{c}" for c in (*FACT_COLUMNS, *SCORE_COLUMNS))
    if area is None:
        sql = f"""
SELECT p.national_rank AS rank, p.person_id, {name_col}, p.force, p.region, p.reason,
       p.national_rank, p.force_rank, p.region_rank, p.unresolved_national_rank AS
       unresolved_rank, {cols}
FROM {PRIORITY_TABLE} AS p {name_join}
ORDER BY p.national_rank LIMIT ?"""
        return query(con, sql, [top])
    area_type, code = area
    sql = f"""
WITH before AS (
  SELECT mp.person_id, min(ur.rank) AS rank
  FROM {_mention_person(con)} AS mp
  JOIN {RANK_TABLE}_unresolved AS ur ON ur.person_id = mp.mention_id
  WHERE ur.area_type = ? AND ur.area = ?
  GROUP BY 1)
SELECT r.rank, p.person_id, {name_col}, p.force, p.region, p.reason,
       p.national_rank, p.force_rank, p.region_rank, b.rank AS unresolved_rank, {cols}
FROM {RANK_TABLE} AS r
JOIN {PRIORITY_TABLE} AS p ON p.person_id = r.person_id
LEFT JOIN before AS b ON b.person_id = p.person_id
{name_join}
WHERE r.area_type = ? AND r.area = ?
ORDER BY r.rank LIMIT ?"""
    return query(con, sql, [area_type, code, area_type, code, top])


def _mention_person(con: Any) -> str:
    if table_exists(con, "resolved_mention_person"):
        return "resolved_mention_person"
    return "(SELECT mention_id, mention_id AS person_id FROM staged_person_mention)"


def perpetrator(con: Any, person_id: str) -> dict[str, Any]:
    """One perpetrator's row: facts, points, scores, ranks (national, per area) and reason.

    ``areas`` lists his rank in every force and region he offended in. Raises
    :class:`NotFoundError` when the person is not in the priority table.
    """
    rows = query(con, f"SELECT * FROM {PRIORITY_TABLE} WHERE person_id = ?", [person_id])
    if not rows:
        raise NotFoundError(f"person {person_id!r} is not a ranked VAWG perpetrator")
    row = rows[0]
    row["areas"] = query(
        con,
        f"SELECT area_type, area, rank, n_ranked FROM {RANK_TABLE} "
        "WHERE person_id = ? ORDER BY area_type, rank, area",
        [person_id],
    )
    return row


def resolution_comparison(
    con: Any, *, force: str | None = None, region: str | None = None, top: int = 10
) -> list[dict[str, Any]]:
    """The top list with each person's rank after resolution and best rank before it.

    Keys: ``rank``, ``unresolved_rank``, ``person_id``, ``display_name``, ``n_mentions``
    (his suspect records on VAWG offences), ``reason``.
    """
    rows = top_perpetrators(con, force=force, region=region, top=top)
    if not rows:
        return []
    counts = {
        r["person_id"]: r["n"]
        for r in query(
            con,
            f"""SELECT mp.person_id, count(DISTINCT ur.person_id) AS n
FROM {_mention_person(con)} AS mp
JOIN {PRIORITY_TABLE}_unresolved AS ur ON ur.person_id = mp.mention_id
WHERE mp.person_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY 1""",
            [[r["person_id"] for r in rows]],
        )
    }
    return [
        {
            "rank": r["rank"],
            "unresolved_rank": r["unresolved_rank"],
            "person_id": r["person_id"],
            "display_name": r["display_name"],
            "n_mentions": counts.get(r["person_id"], 0),
            "reason": r["reason"],
        }
        for r in rows
    ]
