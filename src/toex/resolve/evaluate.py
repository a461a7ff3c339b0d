"""``toex evaluate resolve``: resolution accuracy against the generator's truth.

Joins the snapshot's ``resolved_mention_person`` to ``truth/mentions.parquet`` on
``(source_file, source_row, slot)``.

**Scope.** Person-resolution accuracy is measured on police-record mentions (the forces'
systems: crime persons, intelligence subjects and associates, missing persons, custody,
ViSOR). Partner website mentions (ASW account holders under working names, payers) are
resolved by the same stage but are *not* in the person-resolution denominator: linking a
partner account to a force person is the STIM cross-match's job (issue 8) and is measured
there. Their figures are reported separately, for information, under ``partner``.

The report (police scope unless said otherwise): pairwise and B-cubed precision/recall/F1,
pairwise scores per force pair, B-cubed scores per variation type, the planted serial
offenders (each must be one person holding >= 95% of his mentions and no mention of anyone
else, partner mentions included), the planted look-alikes (twins, namesakes) kept apart,
``partner`` (B-cubed over partner mentions with clusters
taken over every mention, per variation), ``all`` (every mention, for reference) and
optionally the blocking rules' pairwise recall on truth with their comparison count, and
FEBRL3/FEBRL4.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import ibis

from toex.engine.quoting import path_literal
from toex.resolve import metrics
from toex.resolve.blocking import PERSON_BLOCKS, Block, block_keys_sql, blocked_pairs_sql

SERIAL_TYPES = ("serial_vawg_offender",)
"""Scenario types whose principal is a fragmented serial offender."""

PARTNER_SYSTEMS = ("asw",)
"""Truth ``system`` values of partner website data, outside the person-resolution scope."""

ALL_TABLE = "eval_mentions"
POLICE_TABLE = "eval_police"


def load_eval_table(
    con: duckdb.DuckDBPyConnection,
    synth_dir: Path,
    assignment: str = "resolved_mention_person",
    column: str = "person_id",
) -> str:
    """Create ``eval_mentions`` (mention_id, pred, truth, force, variations, partner) and
    ``eval_police`` (the police-record mentions only) on ``con``, which must hold
    ``staged_person_mention`` and ``assignment``; returns the police table's name."""
    truth = Path(synth_dir) / "truth" / "mentions.parquet"
    partner = ", ".join(f"'{s}'" for s in PARTNER_SYSTEMS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {ALL_TABLE} AS
        SELECT m.mention_id, a.{column} AS pred, t.person_id AS truth, m.force,
               t.variations, t.system IN ({partner}) AS partner
        FROM staged_person_mention m
        JOIN {assignment} a USING (mention_id)
        JOIN read_parquet({path_literal(truth)}) t
          ON t.source_file = m.source_file AND t.source_row = m.source_row
         AND t.slot = m.slot
        WHERE t.person_id IS NOT NULL""")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {POLICE_TABLE} AS "
        f"SELECT * FROM {ALL_TABLE} WHERE NOT partner"
    )
    return POLICE_TABLE


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


def by_variation(
    con: duckdb.DuckDBPyConnection, table: str, where: str = "TRUE"
) -> list[dict[str, Any]]:
    """B-cubed scores over the mentions (matching ``where``) carrying each variation type,
    and over those carrying none."""
    kinds = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT unnest(variations) FROM {table} WHERE {where} ORDER BY 1"
        ).fetchall()
    ]
    out = []
    for kind in [None, *kinds]:
        has = (
            "len(variations) = 0"
            if kind is None
            else f"list_contains(variations, '{kind.replace(chr(39), '')}')"
        )
        s = metrics.bcubed_scores(con, table, f"({where}) AND {has}")
        out.append({"variation": kind or "(none)", **s.as_dict()})
    return out


def serial_offenders(
    con: duckdb.DuckDBPyConnection, table: str, synth_dir: Path, everyone: str | None = None
) -> list[dict[str, Any]]:
    """Each planted serial offender: his mentions' commonest person (in ``table``), its
    share of his mentions and how many mentions of other people it holds (counted in
    ``everyone``, by default ``table``)."""
    everyone = everyone or table
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
                   (SELECT count(*) FROM {everyone} e WHERE e.pred = his.pred
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


PLANTED_LOOKALIKES = {"twin": "twins", "namesake": "namesakes"}
"""Scenario member roles of people planted to look alike (same surname, DOB and address;
same name and DOB), and the report key of each."""


def lookalikes(
    con: duckdb.DuckDBPyConnection, table: str, synth_dir: Path
) -> dict[str, dict[str, int]]:
    """For the planted look-alike pairs (twins, namesakes): how many pairs there are and how
    many no resolved person mixes (no predicted person holds mentions of both)."""
    path = Path(synth_dir) / "truth" / "scenario_members.parquet"
    out = {key: {"pairs": 0, "kept_apart": 0} for key in PLANTED_LOOKALIKES.values()}
    if not path.exists():
        return out
    rows = con.execute(
        f"""
        WITH g AS (SELECT member_role, scenario_id, group_id, person_id
                   FROM read_parquet({path_literal(path)}) WHERE member_role IN ({
            ", ".join(f"'{r}'" for r in PLANTED_LOOKALIKES)
        })),
             pairs AS (SELECT a.member_role, a.person_id AS pa, b.person_id AS pb
                       FROM g a JOIN g b USING (member_role, scenario_id, group_id)
                       WHERE a.person_id < b.person_id),
             mixed AS (SELECT DISTINCT p.member_role, p.pa, p.pb FROM pairs p
                       JOIN {table} x ON x.truth = p.pa JOIN {table} y ON y.truth = p.pb
                       WHERE x.pred = y.pred)
        SELECT p.member_role, count(*), count(*) - count(m.pa) FROM pairs p
        LEFT JOIN mixed m USING (member_role, pa, pb) GROUP BY p.member_role"""
    ).fetchall()
    for role, n, apart in rows:
        out[PLANTED_LOOKALIKES[role]] = {"pairs": int(n), "kept_apart": int(apart)}
    return out


def partner_report(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """For information: B-cubed over partner mentions (clusters over every mention), per
    variation, and how many partner mentions share a person with a police mention."""
    bc = metrics.bcubed_scores(con, ALL_TABLE, "partner")
    joined = con.execute(f"""
        WITH p AS (SELECT pred, bool_or(NOT partner) AS has_police FROM {ALL_TABLE}
                   GROUP BY pred),
             t AS (SELECT truth, bool_or(NOT partner) AS has_police FROM {ALL_TABLE}
                   GROUP BY truth)
        SELECT count(*) FILTER (WHERE t.has_police),
               count(*) FILTER (WHERE t.has_police AND p.has_police)
        FROM {ALL_TABLE} e JOIN p USING (pred) JOIN t USING (truth)
        WHERE e.partner""").fetchall()[0]
    return {
        "mentions": bc.n,
        "bcubed": bc.as_dict(),
        "by_variation": by_variation(con, ALL_TABLE, "partner"),
        "with_police_person": int(joined[0]),
        "resolved_with_police": int(joined[1] or 0),
    }


def evaluate_connection(
    con: duckdb.DuckDBPyConnection,
    synth_dir: Path,
    assignment: str = "resolved_mention_person",
    column: str = "person_id",
) -> dict[str, Any]:
    """The full report for the resolution held on ``con`` (see module docstring)."""
    table = load_eval_table(con, synth_dir, assignment, column)
    s = metrics.scores(con, table)
    every = metrics.scores(con, ALL_TABLE)
    return {
        "scope": "police-record mentions (partner website mentions reported separately)",
        "pairwise": s["pairwise"].as_dict(),
        "bcubed": s["bcubed"].as_dict(),
        "by_force_pair": by_force_pair(con, table),
        "by_variation": by_variation(con, table),
        "serial_offenders": serial_offenders(con, table, synth_dir, everyone=ALL_TABLE),
        "lookalikes": lookalikes(con, ALL_TABLE, synth_dir),
        "partner": partner_report(con),
        "all": {"pairwise": every["pairwise"].as_dict(), "bcubed": every["bcubed"].as_dict()},
    }


def true_pairs_sql(synth_dir: Path, mentions: str = "staged_person_mention") -> str:
    """SQL of the true pairs ``mention_id_l < mention_id_r`` among the police-record
    mentions of ``mentions`` (the same scope as the accuracy figures)."""
    truth = Path(synth_dir) / "truth" / "mentions.parquet"
    partner = ", ".join(f"'{s}'" for s in PARTNER_SYSTEMS)
    return f"""
        WITH t AS (SELECT m.mention_id, t.person_id FROM {mentions} m
                   JOIN read_parquet({path_literal(truth)}) t
                     ON t.source_file = m.source_file AND t.source_row = m.source_row
                    AND t.slot = m.slot
                   WHERE t.person_id IS NOT NULL AND t.system NOT IN ({partner}))
        SELECT l.mention_id AS mention_id_l, r.mention_id AS mention_id_r
        FROM t l JOIN t r ON l.person_id = r.person_id AND l.mention_id < r.mention_id
    """


def blocking_report(
    snapshot: Path,
    synth_dir: Path,
    blocks: Sequence[Block] = PERSON_BLOCKS,
    work_dir: Path | None = None,
) -> dict[str, Any]:
    """Pairwise blocking recall of ``blocks`` on the truth of the police-record mentions of
    ``snapshot`` (features rebuilt from its staged mentions), and the comparisons they
    generate over every mention: ``true_pairs, found, recall, reachable, comparisons,
    mentions``. ``reachable`` is the share of true pairs whose mentions are connected
    through true pairs the blocks do generate: the ceiling on pairwise recall that
    clustering (which is transitive) can reach.

    Everything runs in a scratch DuckDB file under ``work_dir`` (features streamed through
    Parquet, connected components in SQL), so memory stays bounded at millions of
    mentions."""
    from splink import DuckDBAPI
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    from toex.resolve.run import features_of

    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.TemporaryDirectory(
        prefix="toex_blocking_", dir=str(work_dir) if work_dir else None
    )
    try:
        scratch = Path(tmp.name)
        wh = ibis.duckdb.connect(str(snapshot), read_only=True)
        try:
            expr, _ph = features_of(wh)
            wh.to_parquet(expr, scratch / "features.parquet")
        finally:
            wh.disconnect()
        con = duckdb.connect(str(scratch / "blocking.duckdb"))
        try:
            con.execute(f"SET temp_directory = {path_literal(scratch / 'spill')}")
            con.execute("SET preserve_insertion_order = false")
            con.execute(f"ATTACH {path_literal(snapshot)} AS snap (READ_ONLY)")
            con.execute(
                "CREATE TABLE blocking_features AS "
                f"SELECT * FROM read_parquet({path_literal(scratch / 'features.parquet')})"
            )
            con.execute(
                "CREATE TABLE blocking_truth AS "
                + true_pairs_sql(synth_dir, "snap.staged_person_mention")
            )
            con.execute(
                "CREATE TABLE blocking_keys AS " + block_keys_sql("blocking_features", blocks)
            )
            con.execute(
                "CREATE TABLE blocking_pairs AS "
                + blocked_pairs_sql("blocking_keys", blocks, keyed=True)
            )
            con.execute("""
                CREATE TABLE blocking_found AS
                SELECT t.mention_id_l, t.mention_id_r FROM blocking_truth t
                JOIN blocking_pairs b
                  ON b.join_key_l = t.mention_id_l AND b.join_key_r = t.mention_id_r""")
            n = con.execute("SELECT count(*) FROM blocking_truth").fetchall()[0][0]
            found = con.execute("SELECT count(*) FROM blocking_found").fetchall()[0][0]
            comparisons = con.execute("SELECT count(*) FROM blocking_pairs").fetchall()[0][0]
            mentions = con.execute("SELECT count(*) FROM blocking_features").fetchall()[0][0]
            con.execute(f"""
                CREATE TABLE blocking_people AS
                SELECT m.mention_id, t.person_id FROM snap.staged_person_mention m
                JOIN read_parquet({path_literal(Path(synth_dir) / "truth" / "mentions.parquet")}) t
                  ON t.source_file = m.source_file AND t.source_row = m.source_row
                 AND t.slot = m.slot
                WHERE m.mention_id IN (SELECT mention_id_l FROM blocking_truth
                                       UNION SELECT mention_id_r FROM blocking_truth)""")
            cc = cluster_pairwise_predictions_at_threshold(
                "blocking_people",
                "blocking_found",
                DuckDBAPI(con),
                node_id_column_name="mention_id",
                edge_id_column_name_left="mention_id_l",
                edge_id_column_name_right="mention_id_r",
            )
            reachable = con.execute(f"""
                SELECT coalesce(sum(k * (k - 1) / 2), 0) FROM (
                    SELECT count(*) AS k FROM blocking_people p
                    JOIN {cc.physical_name} c USING (mention_id)
                    GROUP BY p.person_id, c.cluster_id)""").fetchall()[0][0]
        finally:
            con.close()
    finally:
        tmp.cleanup()
    return {
        "true_pairs": int(n),
        "found": int(found),
        "recall": found / n if n else 1.0,
        "reachable": float(reachable) / n if n else 1.0,
        "comparisons": int(comparisons),
        "mentions": int(mentions),
    }


def evaluate_snapshot(
    snapshot: Path, synth_dir: Path, febrl: bool = False, blocking: bool = False
) -> dict[str, Any]:
    """Evaluate the snapshot file's resolution against ``synth_dir``'s truth (and, on
    request, the blocking rules and FEBRL3/FEBRL4)."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        report = evaluate_connection(con, synth_dir)
    finally:
        con.close()
    if blocking:
        report["blocking"] = blocking_report(snapshot, synth_dir)
    if febrl:
        from toex.resolve.febrl import run_febrl

        report["febrl3"] = run_febrl("febrl3")
        report["febrl4"] = run_febrl("febrl4")
    return report
