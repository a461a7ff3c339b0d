"""Give a warehouse snapshot the synthetic truth as its resolution.

Writes ``resolved_mention_person`` (each staged mention's true person, under a stable
``P`` + 12 hex digit ID) into a *copy* of an ingest snapshot, so that the stages after
resolution (link, assess) can be measured on the generator's large set without waiting for
a resolution run, and with the resolution's errors taken out of the picture. Used by the
link and assess benchmarks; never by the pipeline.

    .venv/bin/python -m bench.truth_resolution SNAPSHOT.duckdb SYNTH_DIR
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb


def truth_resolution_sql(truth_dir: Path) -> str:
    """``CREATE OR REPLACE TABLE resolved_mention_person`` from ``truth/mentions.parquet``.

    A staged mention the truth does not cover stands alone as its own person.
    """
    path = str(Path(truth_dir) / "truth" / "mentions.parquet").replace("'", "''")
    return f"""
CREATE OR REPLACE TABLE resolved_mention_person AS
WITH tm AS (
    SELECT m.mention_id, coalesce(t.person_id, 'mention:' || m.mention_id) AS true_person
    FROM staged_person_mention AS m
    LEFT JOIN read_parquet('{path}') AS t USING (source_file, source_row, slot)
)
SELECT mention_id, 'P' || substr(md5(true_person), 1, 12) AS person_id,
       count(*) OVER (PARTITION BY true_person) AS cluster_size, FALSE AS by_decision
FROM tm
"""


def apply_truth_resolution(snapshot: Path, truth_dir: Path) -> tuple[int, int]:
    """Write the truth resolution into ``snapshot``; returns (mentions, persons)."""
    con = duckdb.connect(str(snapshot))
    try:
        con.execute(truth_resolution_sql(truth_dir))
        row = con.execute(
            "SELECT count(*), count(DISTINCT person_id) FROM resolved_mention_person"
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])
    finally:
        con.close()


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("snapshot", type=Path, help="a copy of an ingest snapshot (changed)")
    parser.add_argument("synth_dir", type=Path, help="the synthetic set it was ingested from")
    args = parser.parse_args()
    t = time.perf_counter()
    mentions, persons = apply_truth_resolution(args.snapshot, args.synth_dir)
    print(f"{mentions:,} mentions of {persons:,} true persons ({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
