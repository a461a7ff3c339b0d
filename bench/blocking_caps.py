"""What each blocking rule costs and finds at each cap, on a resolved snapshot's truth.

For every rule of the person model (without its cap) this measures, per candidate cap: the
pairs the rule generates (before deduplication across rules) and the true pairs it finds;
then, for a set of caps (the model's own, or ``--caps``), the pairwise blocking recall, the
recall reachable through the true pairs found (clustering is transitive), and the
deduplicated pairs. It is how the caps of :data:`toex.resolve.blocking.PERSON_BLOCKS` were
chosen (docs/resolve.md, "Blocking").

    python -m bench.blocking_caps --snapshot var/large/current/warehouse.duckdb \\
        --synth var/synth/large --work var/large/tmp [--caps 0=50,2=40,...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import duckdb
import ibis

from toex.resolve.blocking import PERSON_BLOCKS, Block, block_keys_sql, blocked_pairs_sql
from toex.resolve.evaluate import true_pairs_sql
from toex.resolve.run import features_of

CAPS = (10, 20, 30, 50, 75, 100, 150, 200, 1_000_000_000)


def _keys(con: duckdb.DuckDBPyConnection, i: int, b: Block) -> None:
    """``k{i}``: mention_key, key columns, n_key (mentions holding the key), uncapped."""
    uncapped = dataclasses.replace(b, cap=None)
    by = ", ".join(b.columns)
    con.execute(
        f"CREATE OR REPLACE TABLE k{i} AS SELECT *, count(*) OVER (PARTITION BY {by}) "
        f"AS n_key FROM ({uncapped.keys_sql('keys', 'mention_key')})"
    )


def rule_table(con: duckdb.DuckDBPyConnection, blocks: tuple[Block, ...]) -> list[dict]:
    """Per rule and cap: pairs generated and true pairs found; leaves ``cover`` (truth
    pair, rule, smallest key size sharing it) on ``con``."""
    rows = []
    con.execute("CREATE OR REPLACE TABLE cover (l BIGINT, r BIGINT, rule INT, minn BIGINT)")
    for i, b in enumerate(blocks):
        t = time.perf_counter()
        _keys(con, i, b)
        on = " AND ".join(f"a.{c} = z.{c}" for c in b.columns)
        con.execute(f"""
            INSERT INTO cover
            SELECT t.l, t.r, {i}, min(a.n_key) FROM truth t
            JOIN k{i} a ON a.mention_key = t.l JOIN k{i} z ON z.mention_key = t.r AND {on}
            GROUP BY t.l, t.r""")
        by = ", ".join(b.columns)
        sizes = con.execute(
            f"SELECT n_key, count(*) FROM (SELECT {by}, any_value(n_key) AS n_key FROM k{i} "
            f"GROUP BY {by}) GROUP BY n_key"
        ).fetchall()
        for cap in CAPS:
            pairs = sum(cnt * n * (n - 1) // 2 for n, cnt in sizes if n <= cap)
            found = con.execute(
                f"SELECT count(*) FROM cover WHERE rule = {i} AND minn <= {cap}"
            ).fetchall()[0][0]
            rows.append(
                {
                    "rule": i,
                    "columns": "+".join(b.columns),
                    "cap": cap,
                    "pairs": pairs,
                    "true_found": found,
                }
            )
        con.execute(f"DROP TABLE k{i}")
        print(f"rule {i} {b.columns}: {time.perf_counter() - t:.0f} s", flush=True)
    return rows


def evaluate_caps(con: duckdb.DuckDBPyConnection, caps: dict[int, int | None]) -> dict:
    """Recall of the rules with ``caps`` (rule index -> cap, None = uncapped) on truth."""
    cond = " OR ".join(
        f"(rule = {i} AND minn <= {c if c is not None else 10**12})" for i, c in caps.items()
    )
    n = con.execute("SELECT count(*) FROM truth").fetchall()[0][0]
    found = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT l, r FROM cover WHERE {cond})"
    ).fetchall()[0][0]
    return {"true_pairs": n, "found": found, "recall": found / n if n else 1.0}


def main() -> None:
    """Run the analysis and print JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--snapshot", type=Path, required=True)
    ap.add_argument("--synth", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        scratch = Path(tmp)
        wh = ibis.duckdb.connect(str(args.snapshot), read_only=True)
        expr, _ph = features_of(wh)
        wh.to_parquet(expr, scratch / "features.parquet")
        wh.disconnect()
        con = duckdb.connect(str(scratch / "caps.duckdb"))
        con.execute(f"SET temp_directory = '{scratch / 'spill'}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET memory_limit = '8GB'")
        con.execute(f"ATTACH '{args.snapshot}' AS snap (READ_ONLY)")
        con.execute(
            f"CREATE TABLE feats AS SELECT * FROM read_parquet('{scratch / 'features.parquet'}')"
        )
        con.execute("CREATE TABLE keys AS " + block_keys_sql("feats", PERSON_BLOCKS))
        con.execute(
            "CREATE TABLE truth AS SELECT kl.mention_key AS l, kr.mention_key AS r FROM ("
            + true_pairs_sql(args.synth, "snap.staged_person_mention")
            + ") t JOIN keys kl ON kl.mention_id = t.mention_id_l "
            "JOIN keys kr ON kr.mention_id = t.mention_id_r"
        )
        rows = rule_table(con, PERSON_BLOCKS)
        current = evaluate_caps(con, {i: b.cap for i, b in enumerate(PERSON_BLOCKS)})
        n_blocked = con.execute(
            "SELECT count(*) FROM (" + blocked_pairs_sql("keys", PERSON_BLOCKS, keyed=True) + ")"
        ).fetchall()[0][0]
        con.execute("CREATE TABLE cover_saved AS SELECT * FROM cover")
        out = {"rules": rows, "current": current, "current_blocked": n_blocked}
        print(json.dumps({"current": current, "current_blocked": n_blocked}))
        if args.out:
            args.out.write_text(json.dumps(out, indent=1))
            con.execute(f"COPY cover TO '{args.out.with_suffix('.cover.parquet')}'")
        con.close()


if __name__ == "__main__":
    main()
