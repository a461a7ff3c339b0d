"""What each blocking rule costs and finds at each cap, on a snapshot's truth.

For every rule of the person model (without its cap) this measures, per candidate cap
(:data:`CAPS`): the pairs the rule generates (counted per key, before deduplication across
rules) and the true pairs it finds; then the direct pairwise recall and the summed pairs of
the model's own caps and of each ``--caps`` set. The measurement is saved (``--out BASE``:
``BASE.json`` and ``BASE.cover.parquet``), and ``--from BASE`` evaluates further cap sets
from a saved measurement without recomputing it. It is how the caps of
:data:`toex.resolve.blocking.PERSON_BLOCKS` were chosen (docs/resolve.md, "Blocking").

    python -m bench.blocking_caps --snapshot var/large/warehouse/<run>.duckdb \
        --synth var/synth/large --work var/large/tmp --out var/large/caps
    python -m bench.blocking_caps --from var/large/caps \
        --caps "name_bag=100;forename_groups+surname_dm=50"

A ``--caps`` set changes the model's caps by rule (its key columns joined with ``+``): a cap
from :data:`CAPS`, ``inf`` (uncapped) or ``off`` (the rule dropped). Rules of a saved
measurement the model no longer has count as dropped.
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
    """Direct recall on truth of the rules with ``caps`` (rule index -> cap; None = rule
    dropped), from the ``cover`` and ``truth`` tables of :func:`rule_table`."""
    cond = " OR ".join(f"(rule = {i} AND minn <= {c})" for i, c in caps.items() if c) or "FALSE"
    n = con.execute("SELECT count(*) FROM truth").fetchall()[0][0]
    found = con.execute(f"SELECT count(DISTINCT (l, r)) FROM cover WHERE {cond}").fetchall()[0][0]
    return {"true_pairs": n, "found": found, "recall": found / n if n else 1.0}


def model_caps(rows: list[dict]) -> dict[int, int | None]:
    """The model's caps (:data:`CAPS` value; uncapped is the largest) for the rules of a
    measurement, by rule index; rules the model no longer has are dropped (None)."""
    caps = {"+".join(b.columns): b.cap or CAPS[-1] for b in PERSON_BLOCKS}
    return {r["rule"]: caps.get(r["columns"]) for r in rows}


def with_caps(rows: list[dict], base: dict[int, int | None], spec: str) -> dict[int, int | None]:
    """``base`` changed by a ``--caps`` set (``columns=cap;...``, cap a :data:`CAPS`
    value, ``inf`` or ``off``)."""
    index = {r["columns"]: r["rule"] for r in rows}
    out = dict(base)
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        columns, _, value = part.partition("=")
        if columns not in index:
            raise SystemExit(f"--caps: no rule keyed on {columns!r} (rules: {sorted(index)})")
        if value == "off":
            cap = None
        elif value == "inf":
            cap = CAPS[-1]
        elif value.isdigit() and int(value) in CAPS:
            cap = int(value)
        else:
            raise SystemExit(f"--caps: cap {value!r} of {columns!r} is not one of {CAPS}")
        out[index[columns]] = cap
    return out


def summed_pairs(rows: list[dict], caps: dict[int, int | None]) -> int:
    """The rules' pairs at ``caps``, summed before deduplication across rules."""
    by = {(r["rule"], r["cap"]): r["pairs"] for r in rows}
    return sum(by[(i, c)] for i, c in caps.items() if c)


def measure(
    snapshot: Path, synth: Path, scratch: Path, out: Path | None
) -> tuple[list[dict], duckdb.DuckDBPyConnection]:
    """Measure every rule on ``snapshot``'s truth in a DuckDB file under ``scratch``;
    returns the rows and the connection holding ``cover`` and ``truth`` (saved as ``out``
    when given)."""
    wh = ibis.duckdb.connect(str(snapshot), read_only=True)
    expr, _ph = features_of(wh)
    wh.to_parquet(expr, scratch / "features.parquet")
    wh.disconnect()
    con = duckdb.connect(str(scratch / "caps.duckdb"))
    con.execute(f"SET temp_directory = '{scratch / 'spill'}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '8GB'")
    con.execute(f"ATTACH '{snapshot}' AS snap (READ_ONLY)")
    con.execute(
        f"CREATE TABLE feats AS SELECT * FROM read_parquet('{scratch / 'features.parquet'}')"
    )
    con.execute("CREATE TABLE keys AS " + block_keys_sql("feats", PERSON_BLOCKS))
    con.execute(
        "CREATE TABLE truth AS SELECT kl.mention_key AS l, kr.mention_key AS r FROM ("
        + true_pairs_sql(synth, "snap.staged_person_mention")
        + ") t JOIN keys kl ON kl.mention_id = t.mention_id_l "
        "JOIN keys kr ON kr.mention_id = t.mention_id_r"
    )
    rows = rule_table(con, PERSON_BLOCKS)
    n_blocked = con.execute(
        "SELECT count(*) FROM (" + blocked_pairs_sql("keys", PERSON_BLOCKS, keyed=True) + ")"
    ).fetchall()[0][0]
    print(json.dumps({"model_caps_deduplicated_pairs": n_blocked}))
    if out is not None:
        n_true = con.execute("SELECT count(*) FROM truth").fetchall()[0][0]
        out.with_suffix(".json").write_text(json.dumps({"rules": rows, "true_pairs": n_true}))
        con.execute(f"COPY cover TO '{out.with_suffix('.cover.parquet')}'")
    return rows, con


def load(base: Path) -> tuple[list[dict], duckdb.DuckDBPyConnection]:
    """A saved measurement: its rows and an in-memory connection holding ``cover`` and a
    ``truth`` of the saved size (only its count is read)."""
    saved = json.loads(base.with_suffix(".json").read_text())
    con = duckdb.connect()
    con.execute(f"CREATE TABLE cover AS SELECT * FROM '{base.with_suffix('.cover.parquet')}'")
    con.execute(f"CREATE TABLE truth AS SELECT range AS l FROM range({int(saved['true_pairs'])})")
    return saved["rules"], con


def main() -> None:
    """Measure (or load a measurement) and print the recall and pairs of each cap set."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--snapshot", type=Path)
    ap.add_argument("--synth", type=Path)
    ap.add_argument("--work", type=Path, default=Path("var/tmp"))
    ap.add_argument(
        "--out", type=Path, help="Save the measurement as OUT.json and OUT.cover.parquet."
    )
    ap.add_argument("--from", dest="saved", type=Path, help="Evaluate a saved measurement.")
    ap.add_argument("--caps", action="append", default=[], help="A cap set to evaluate.")
    args = ap.parse_args()
    if args.saved is None and (args.snapshot is None or args.synth is None):
        raise SystemExit("give --snapshot and --synth, or --from a saved measurement")
    args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        if args.saved is not None:
            rows, con = load(args.saved)
        else:
            rows, con = measure(args.snapshot, args.synth, Path(tmp), args.out)
        report(rows, con, args.caps)
        con.close()


def report(rows: list[dict], con: duckdb.DuckDBPyConnection, sets: list[str]) -> None:
    """Print each rule's rows, then the recall and summed pairs of the model's caps and of
    each cap set in ``sets``."""
    for r in rows:
        print(json.dumps(r))
    base = model_caps(rows)
    for name, caps in [("model", base)] + [(c, with_caps(rows, base, c)) for c in sets]:
        print(
            json.dumps(
                {"caps": name, **evaluate_caps(con, caps), "pairs": summed_pairs(rows, caps)}
            )
        )


if __name__ == "__main__":
    main()
