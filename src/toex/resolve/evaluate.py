"""``toex evaluate resolve``: resolution accuracy against the generator's truth.

Joins the snapshot's ``resolved_mention_person`` to ``truth/mentions.parquet`` on
``(source_file, source_row, slot)`` and reports pairwise and B-cubed precision/recall/F1,
pairwise scores per force pair, B-cubed scores per variation type, the planted serial
offenders (each must be one person holding >= 95% of his mentions and nothing else), and
optionally FEBRL3/FEBRL4.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from toex.resolve import metrics

SERIAL_TYPES = ("serial_vawg_offender",)
"""Scenario types whose principal is a fragmented serial offender."""


def load_eval_table(
    con: duckdb.DuckDBPyConnection,
    synth_dir: Path,
    assignment: str = "resolved_mention_person",
    column: str = "person_id",
) -> str:
    """Create ``eval_mentions`` (mention_id, pred, truth, force, variations) on ``con``,
    which must hold ``staged_person_mention`` and ``assignment``; returns its name."""
    truth = Path(synth_dir) / "truth" / "mentions.parquet"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE eval_mentions AS
        SELECT m.mention_id, a.{column} AS pred, t.person_id AS truth, m.force,
               t.variations
        FROM staged_person_mention m
        JOIN {assignment} a USING (mention_id)
        JOIN read_parquet('{truth}') t
          ON t.source_file = m.source_file AND t.source_row = m.source_row
         AND t.slot = m.slot
        WHERE t.person_id IS NOT NULL""")
    return "eval_mentions"


def by_force_pair(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    """Pairwise scores per force pair (pairs with true or predicted links only)."""
    rows = con.execute(metrics.force_pair_counts_sql(table)).fetchall()
    return [
        {
            "forces": f"{a}-{b}",
            **metrics.prf(tp, n_pred, n_true).as_dict(),
            "true_pairs": int(n_true),
        }
        for a, b, tp, n_pred, n_true in rows
    ]


def by_variation(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    """B-cubed scores over the mentions carrying each variation type."""
    kinds = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT unnest(variations) FROM {table} ORDER BY 1"
        ).fetchall()
    ]
    out = []
    for kind in [None, *kinds]:
        where = (
            "len(variations) = 0"
            if kind is None
            else f"list_contains(variations, '{kind.replace(chr(39), '')}')"
        )
        s = metrics.bcubed_scores(con, table, where)
        out.append({"variation": kind or "(none)", **s.as_dict()})
    return out


def serial_offenders(
    con: duckdb.DuckDBPyConnection, table: str, synth_dir: Path
) -> list[dict[str, Any]]:
    """Each planted serial offender: his mentions' commonest person, its share of his
    mentions and how many mentions of other people it holds."""
    path = Path(synth_dir) / "truth" / "scenarios.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    scenarios = data["scenarios"] if isinstance(data, dict) else data
    out = []
    for s in scenarios:
        pid = s.get("principal_person_id")
        if s.get("type") not in SERIAL_TYPES or not pid:
            continue
        rows = con.execute(
            f"""
            WITH his AS (SELECT pred, count(*) AS n FROM {table} WHERE truth = ?
                         GROUP BY pred ORDER BY n DESC, pred LIMIT 1),
                 tot AS (SELECT count(*) AS n FROM {table} WHERE truth = ?)
            SELECT his.pred, his.n, tot.n,
                   (SELECT count(*) FROM {table} e WHERE e.pred = his.pred
                      AND e.truth <> ?) AS others
            FROM his, tot""",
            [pid, pid, pid],
        ).fetchall()
        if not rows:
            out.append(
                {
                    "scenario_id": s.get("scenario_id"),
                    "person": pid,
                    "mentions": 0,
                    "share": 0.0,
                    "other_mentions": 0,
                    "ok": False,
                }
            )
            continue
        pred, n_top, n_all, others = rows[0]
        share = n_top / n_all
        out.append(
            {
                "scenario_id": s.get("scenario_id"),
                "person": pid,
                "resolved": pred,
                "mentions": int(n_all),
                "share": share,
                "other_mentions": int(others),
                "ok": share >= 0.95 and others == 0,
            }
        )
    return out


def evaluate_connection(
    con: duckdb.DuckDBPyConnection,
    synth_dir: Path,
    assignment: str = "resolved_mention_person",
    column: str = "person_id",
) -> dict[str, Any]:
    """The full report for the resolution held on ``con`` (see module docstring)."""
    table = load_eval_table(con, synth_dir, assignment, column)
    s = metrics.scores(con, table)
    return {
        "pairwise": s["pairwise"].as_dict(),
        "bcubed": s["bcubed"].as_dict(),
        "by_force_pair": by_force_pair(con, table),
        "by_variation": by_variation(con, table),
        "serial_offenders": serial_offenders(con, table, synth_dir),
    }


def evaluate_snapshot(snapshot: Path, synth_dir: Path, febrl: bool = False) -> dict[str, Any]:
    """Evaluate the snapshot file's resolution against ``synth_dir``'s truth."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        report = evaluate_connection(con, synth_dir)
    finally:
        con.close()
    if febrl:
        from toex.resolve.febrl import run_febrl

        report["febrl3"] = run_febrl("febrl3")
        report["febrl4"] = run_febrl("febrl4")
    return report
