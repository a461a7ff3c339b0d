"""The ingest report of a snapshot: the last load's files, files quarantined whole, rows
quarantined by reason, and protective markings restricted or quarantined.

Counts and file-level messages only: no raw value of a quarantined row is read here (they
hold personal data); the markings shown are code-list values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: the tables the report reads; an older snapshot may lack the last two
LOAD_TABLES = ("raw_load_log", "raw_quarantine")
MARKING_TABLES = ("raw_marking_issue", "raw_file_quarantine")


@dataclass
class LoadReport:
    """What the page shows for one load."""

    load_id: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    markings: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _rows(cur: Any, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    result = cur.execute(sql, params)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def latest_load_sql(with_failures: bool) -> str:
    """The id of the snapshot's newest load (one that loaded or quarantined a file)."""
    failures = (
        " UNION ALL SELECT load_id, quarantined_at FROM raw_file_quarantine"
        if with_failures
        else ""
    )
    return (
        f"SELECT load_id FROM (SELECT load_id, loaded_at AS stamp FROM raw_load_log{failures}) "
        "ORDER BY stamp DESC LIMIT 1"
    )


def load_report(cur: Any, tables: set[str]) -> LoadReport:
    """The report of the newest load in the snapshot ``cur`` reads (``tables``: its tables)."""
    out = LoadReport(missing=[t for t in (*LOAD_TABLES, *MARKING_TABLES) if t not in tables])
    if any(t not in tables for t in LOAD_TABLES):
        return out
    full = all(t in tables for t in MARKING_TABLES)
    row = cur.execute(latest_load_sql(full)).fetchone()
    if row is None:
        return out
    load = out.load_id = str(row[0])
    out.files = _rows(
        cur,
        "SELECT source_file, mapping, rows_read, rows_loaded, rows_quarantined, rows_updated, "
        "rows_unchanged FROM raw_load_log WHERE load_id = ? ORDER BY source_file",
        [load],
    )
    out.quarantine = _rows(
        cur,
        "SELECT source_file, reason_code, count(DISTINCT source_row) AS rows "
        "FROM raw_quarantine WHERE load_id = ? GROUP BY ALL ORDER BY ALL",
        [load],
    )
    if full:
        out.failed = _rows(
            cur,
            "SELECT source_file, mapping, reason_code, reason FROM raw_file_quarantine "
            "WHERE load_id = ? ORDER BY source_file",
            [load],
        )
        out.markings = _rows(
            cur,
            "SELECT source_file, field, reason_code, action, marking, count(*) AS rows "
            "FROM raw_marking_issue WHERE load_id = ? GROUP BY ALL ORDER BY ALL",
            [load],
        )
    return out
