"""Reading STIM results from a warehouse snapshot, with the partner restriction built in.

The web app and the CLI call these with a DuckDB cursor (or connection) on a snapshot. A
``partner`` argument restricts everything to that partner website's own accounts: a case
is listed when it holds one of them, and its other partners' accounts are left out. Police
callers pass ``partner=None``. Cross-matches to force data are filtered by the caller (the
web app shows only forces the user's agreements cover); partners never get them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from toex.assess.stim.indicators import INDICATOR_ORDER
from toex.errors import NotFoundError, SnapshotError

CASE_TABLES: tuple[str, ...] = ("stim_entity", "stim_case", "stim_case_member")


# The two readers below match ``toex.assess.sql_steps.query`` / ``table_exists`` but are
# kept here so the web app's STIM router imports no Arrow or pandas at start-up.
def _raw(con: Any) -> Any:
    """The DuckDB connection behind ``con`` (a raw connection or cursor, or an Ibis backend)."""
    return con if hasattr(con, "execute") and not hasattr(con, "raw_sql") else con.con


def table_exists(con: Any, name: str) -> bool:
    """Whether a table or view called ``name`` exists on the connection."""
    row = (
        _raw(con)
        .execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])
        .fetchone()
    )
    return bool(row and row[0])


def query(con: Any, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Rows of a query as plain dicts (dates stay ``datetime.date``)."""
    cur = _raw(con).execute(sql, params or [])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def available(con: Any) -> bool:
    """Whether the snapshot holds the STIM tables."""
    return all(table_exists(con, t) for t in CASE_TABLES)


def _require(con: Any) -> None:
    if not available(con):
        raise SnapshotError("this snapshot has no STIM tables (run the pipeline with partner data)")


def _own_figures(con: Any, partner: str, case_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per case, its figures over the partner's own accounts only (a case may also hold
    other partners' accounts, whose counts a partner must not see): accounts, assessed,
    adverts, indicators per level and per code, accounts per level, dates, regions, links.
    The case's risk level and ID stay the case's."""
    if not case_ids:
        return {}
    marks = ", ".join("?" for _ in case_ids)
    levels = ("low", "medium", "high")
    per_level = ", ".join(
        f"sum(n_{lv})::BIGINT AS n_{lv}_indicators, "
        f"sum(CASE WHEN n_{lv} > 0 THEN 1 ELSE 0 END)::BIGINT AS accounts_{lv}"
        for lv in levels
    )
    per_code = ", ".join(
        f"sum(CASE WHEN {c} THEN 1 ELSE 0 END)::BIGINT AS {c}" for c in INDICATOR_ORDER
    )
    rows = query(
        con,
        f"""
SELECT case_id, count(*) AS n_accounts,
  sum(CASE WHEN assessed THEN 1 ELSE 0 END)::BIGINT AS n_assessed,
  sum(n_adverts)::BIGINT AS n_adverts, min(first_seen) AS first_seen,
  max(last_seen) AS last_seen,
  string_agg(DISTINCT home_region, ',' ORDER BY home_region) AS regions,
  {per_level}, {per_code}
FROM stim_entity WHERE partner = ? AND case_id IN ({marks}) GROUP BY case_id""",
        [partner, *case_ids],
    )
    links: dict[str, dict[str, int]] = {}
    if table_exists(con, "stim_case_link"):
        for r in query(
            con,
            f"""
SELECT l.case_id, l.kind, count(*) AS n FROM stim_case_link l
JOIN stim_entity a ON a.account_id = l.account_a AND a.partner = ?
JOIN stim_entity b ON b.account_id = l.account_b AND b.partner = ?
WHERE l.case_id IN ({marks}) GROUP BY l.case_id, l.kind""",
            [partner, partner, *case_ids],
        ):
            links.setdefault(r["case_id"], {})[r["kind"]] = int(r["n"])
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        counts = {c: int(row.pop(c)) for c in INDICATOR_ORDER}
        row["indicator_counts"] = json.dumps({c: n for c, n in sorted(counts.items()) if n})
        row["link_counts"] = json.dumps(dict(sorted(links.get(row["case_id"], {}).items())))
        row["partners"] = partner
        out[row.pop("case_id")] = row
    return out


@dataclass
class CaseView:
    """A case with the members, indicators, links and signals the caller may see."""

    case: dict[str, Any]
    members: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    links: list[dict[str, Any]]
    signals: list[dict[str, Any]]
    crossmatch: list[dict[str, Any]] = field(default_factory=list)


def list_cases(
    con: Any,
    partner: str | None = None,
    *,
    risk: str | None = None,
    assessed_only: bool = True,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Cases, highest risk first (then most accounts), restricted to a partner if given."""
    _require(con)
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if assessed_only:
        where.append("c.n_assessed > 0")
    if risk:
        where.append("c.risk_level = ?")
        params.append(risk)
    if partner is not None:
        where.append(
            "EXISTS (SELECT 1 FROM stim_case_member m WHERE m.case_id = c.case_id "
            "AND m.partner = ?)"
        )
        params.append(partner)
    params.append(int(limit))
    rows = query(
        con,
        f"""
SELECT c.* FROM stim_case c WHERE {" AND ".join(where)}
ORDER BY c.risk_rank DESC, c.n_accounts DESC, c.case_id LIMIT ?""",
        params,
    )
    if partner is not None:
        own = _own_figures(con, partner, [r["case_id"] for r in rows])
        for row in rows:
            row.update(own.get(row["case_id"], {}))
            row.pop("crossmatch_forces", None)
    return rows


def case_view(
    con: Any, case_id: str, partner: str | None = None, with_crossmatch: bool = True
) -> CaseView:
    """One case; NotFound when it does not exist or holds none of the partner's accounts."""
    _require(con)
    found = query(con, "SELECT * FROM stim_case WHERE case_id = ?", [case_id])
    member_sql = "SELECT * FROM stim_case_member WHERE case_id = ?"
    params: list[Any] = [case_id]
    if partner is not None:
        member_sql += " AND partner = ?"
        params.append(partner)
    members = query(con, member_sql + " ORDER BY account_id", params)
    if not found or (partner is not None and not members):
        raise NotFoundError(f"no STIM case {case_id}")
    case = found[0]
    if partner is not None:
        case.update(_own_figures(con, partner, [case_id]).get(case_id, {}))
    case["indicator_counts"] = json.loads(case.get("indicator_counts") or "{}")
    case["link_counts"] = json.loads(case.get("link_counts") or "{}")
    ids = [m["account_id"] for m in members]
    indicators = _in_accounts(con, "stim_entity_indicator", ids, "account_id, indicator")
    links = (
        query(
            con,
            "SELECT * FROM stim_case_link WHERE case_id = ? ORDER BY kind, account_a, account_b",
            [case_id],
        )
        if table_exists(con, "stim_case_link")
        else []
    )
    if partner is not None:
        own = set(ids)
        links = [ln for ln in links if ln["account_a"] in own and ln["account_b"] in own]
        case.pop("crossmatch_forces", None)
    signals = _in_accounts(con, "stim_text_signal", ids, "account_id, advert_id, signal")
    cross: list[dict[str, Any]] = []
    if with_crossmatch and partner is None and table_exists(con, "stim_case_crossmatch"):
        cross = query(
            con,
            "SELECT * FROM stim_case_crossmatch WHERE case_id = ? "
            "ORDER BY strength, n_forces DESC, person_id",
            [case_id],
        )
    return CaseView(case, members, indicators, links, signals, cross)


def _in_accounts(con: Any, table: str, ids: list[str], order: str) -> list[dict[str, Any]]:
    if not ids or not table_exists(con, table):
        return []
    marks = ", ".join("?" for _ in ids)
    return query(
        con, f"SELECT * FROM {table} WHERE account_id IN ({marks}) ORDER BY {order}", list(ids)
    )


def account_view(
    con: Any, account_id: str, partner: str | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An account's entity row and indicator evidence; NotFound for another partner's."""
    _require(con)
    rows = query(con, "SELECT * FROM stim_entity WHERE account_id = ?", [account_id])
    if not rows or (partner is not None and rows[0].get("partner") != partner):
        raise NotFoundError(f"no STIM account {account_id}")
    return rows[0], _in_accounts(con, "stim_entity_indicator", [account_id], "indicator")


def list_accounts(con: Any, partner: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Assessed accounts, highest risk first, restricted to a partner if given."""
    _require(con)
    where = "assessed"
    params: list[Any] = []
    if partner is not None:
        where += " AND partner = ?"
        params.append(partner)
    params.append(int(limit))
    return query(
        con,
        f"""
SELECT account_id, partner, case_id, risk_level, n_low, n_medium, n_high, n_adverts
FROM stim_entity WHERE {where}
ORDER BY CASE risk_level WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0
END DESC, account_id LIMIT ?""",
        params,
    )
