"""The dated score history of threats, carried from snapshot to snapshot.

Every run rebuilds the warehouse snapshot, so the history would be lost with it; instead
each run copies ``assess_threat_history`` from the previous snapshot (attached read-only)
and adds today's scores: one row per threat and scoring date (a second run on the same date
replaces that date's row). The first date a threat was scored is the earliest row of its
history, kept for as long as snapshots are chained (the impact evaluation needs it: time
from a threat first appearing to it being formally identified and scored).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa

from toex.assess.sql_steps import raw_connection, write_arrow
from toex.engine.quoting import path_literal

HISTORY_TABLE = "assess_threat_history"
PREVIOUS_ALIAS = "threat_prev"
_SCHEMA = pa.schema(
    [
        ("threat_id", pa.string()),
        ("scored_on", pa.date32()),
        ("score", pa.float64()),
        ("band", pa.string()),
        ("run_id", pa.string()),
    ]
)


def previous_history(con: Any, previous: Path | None) -> pa.Table:
    """The history held by the previous snapshot (empty when there is none)."""
    raw = raw_connection(con)
    if previous is None or not Path(previous).exists():
        return _SCHEMA.empty_table()
    raw.execute(f"ATTACH {path_literal(previous)} AS {PREVIOUS_ALIAS} (READ_ONLY)")
    try:
        found = raw.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
            [PREVIOUS_ALIAS, HISTORY_TABLE],
        ).fetchone()
        if not found or not found[0]:
            return _SCHEMA.empty_table()
        cols = ", ".join(_SCHEMA.names)
        sql = f"SELECT {cols} FROM {PREVIOUS_ALIAS}.{HISTORY_TABLE}"
        return raw.execute(sql).to_arrow_table().cast(_SCHEMA)
    finally:
        raw.execute(f"DETACH {PREVIOUS_ALIAS}")


def merge_history(
    earlier: pa.Table, scores: list[dict[str, Any]], scored_on: dt.date, run_id: str
) -> pa.Table:
    """``earlier`` without rows of ``scored_on`` for the threats scored now, plus now's."""
    now = {r["threat_id"] for r in scores}
    keep = [
        r
        for r in earlier.to_pylist()
        if not (r["scored_on"] == scored_on and r["threat_id"] in now)
    ]
    rows = keep + [
        {
            "threat_id": r["threat_id"],
            "scored_on": scored_on,
            "score": float(r["score"]),
            "band": r["band"],
            "run_id": run_id,
        }
        for r in scores
    ]
    rows.sort(key=lambda r: (r["threat_id"], r["scored_on"]))
    return pa.Table.from_pylist(rows, schema=_SCHEMA)


def first_scored(history: pa.Table) -> dict[str, dt.date]:
    """The first date each threat was scored."""
    out: dict[str, dt.date] = {}
    for r in history.to_pylist():
        d = r["scored_on"]
        if r["threat_id"] not in out or d < out[r["threat_id"]]:
            out[r["threat_id"]] = d
    return out


def write_history(con: Any, history: pa.Table) -> None:
    """Write the merged history into the snapshot."""
    write_arrow(raw_connection(con), HISTORY_TABLE, history)


def scored_on_of(run_id: str | None) -> dt.date:
    """The scoring date of a run: the date its ID starts with (``20261207T...``), else today
    (UTC)."""
    if run_id and len(run_id) >= 8 and run_id[:8].isdigit():
        return dt.date(int(run_id[:4]), int(run_id[4:6]), int(run_id[6:8]))
    return dt.datetime.now(dt.UTC).date()
