"""Benchmark and acceptance at scale: the assess analytics on a synthetic data set.

Input is a synthetic data set (``--truth DIR``, as ``toex synth`` writes it) and a warehouse
snapshot of it written by ``toex run`` (``--snapshot FILE``; copied, never changed). Without
``--snapshot`` the set is run through the whole pipeline first (``--data-dir``, default a
temporary directory), which at the large scale takes most of an hour on 2 cores.

It times each part of :func:`toex.assess.stage.run_assess` (harm, the unresolved ranking,
the resolved ranking, safeguarding, power few) with the process's peak RSS, then reports for
every planted fragmented serial offender his rank in his force and region after resolution
and before it, and which numbers of his reason differ from the truth; and the same with the
truth as the resolution (the analytics alone). Exits non-zero if a planted offender is not in
the top 3 of his force and the top 10 of his region. Writes the "Assess" section of
``docs/benchmarks.md`` unless ``--no-write``.

    .venv/bin/python bench/bench_assess.py --truth var/synth/large \\
        --snapshot var/warehouse/<run_id>.duckdb
    .venv/bin/python bench/bench_assess.py --truth /tmp/s7 --no-write   # runs the pipeline
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]
from toex.assess.evaluate import (
    TRUTH_MENTION_PERSON,
    assess_with_truth,
    evaluate_planted_offenders,
)
from toex.assess.stage import STEPS, run_assess

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Assess"


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _pipeline_snapshot(truth: Path, data_dir: Path) -> Path:
    from toex.engine import SnapshotStore
    from toex.pipeline import run

    start = time.perf_counter()
    run(truth, data_dir, progress=True)
    print(f"pipeline: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    info = SnapshotStore(data_dir).current()
    assert info is not None
    return info.path


def timed_assess(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Seconds per part of the assess stage."""
    times: dict[str, float] = {}
    last = time.perf_counter()

    def tick(step: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[step] = now - last
        last = now

    run_assess(con, progress=tick)
    return times


def _row(r: dict[str, Any]) -> str:
    held = f"{r['records_held']}/{r['records']}"
    if r["foreign_records"]:
        held += f" +{r['foreign_records']} others'"
    victims = f"{r['victim_clusters']} for {r['truth_numbers']['n_victims']}"
    return (
        f"| {r['scenario_id']} | {r['force']} | {r['force_rank']} | "
        f"{r['unresolved_force_rank']} | {r['region_rank']} | {r['unresolved_region_rank']} | "
        f"{held} | {victims} | {', '.join(r['mismatches']) or 'none'} |"
    )


def report(
    truth: Path,
    n: dict[str, int],
    times: dict[str, float],
    rss: float,
    resolved: list[dict[str, Any]],
    true_res: list[dict[str, Any]],
) -> str:
    """The markdown section."""
    head = (
        "| scenario | force | force rank | alone | region rank | alone | his records held | "
        "victims (resolved for true) | reason numbers differing from truth |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    lines = [
        SECTION,
        "",
        f"Command: `.venv/bin/python bench/bench_assess.py --truth DIR --snapshot FILE` on the "
        f"{_describe(truth)} synthetic set and its `toex run` snapshot. Machine: "
        f"{platform.machine()}, {platform.system()}, {os.cpu_count()} cores. "
        f"{n['mentions']:,} person mentions, {n['perpetrators']:,} ranked VAWG perpetrators.",
        "",
        "Time (s): "
        + ", ".join(f"{k} {times.get(k, 0):.1f}" for k in STEPS)
        + f", total {sum(times.values()):.1f}; peak RSS {rss:.2f} GB.",
        "",
        'Planted serial offenders after resolution ("alone": the best rank of one of his '
        "records when every record stands alone, before resolution):",
        "",
        head,
        *(_row(r) for r in resolved),
        "",
        "With the truth as the resolution (the analytics alone):",
        "",
        head,
        *(_row(r) for r in true_res),
        "",
    ]
    return "\n".join(lines)


def _describe(truth: Path) -> str:
    """'small (seed 7)' from the data set's manifest."""
    try:
        manifest = json.loads((Path(truth) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return str(truth)
    return f"{manifest.get('scale')} (seed {manifest.get('seed')})"


def passes(rows: list[dict[str, Any]]) -> bool:
    """Every planted offender in the top 3 of his force and the top 10 of his region."""
    return all(
        r["force_rank"] is not None
        and r["force_rank"] <= 3
        and r["region_rank"] is not None
        and r["region_rank"] <= 10
        for r in rows
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True, help="generated data set")
    parser.add_argument("--snapshot", type=Path, help="warehouse snapshot of it (copied)")
    parser.add_argument("--data-dir", type=Path, help="where to run the pipeline if needed")
    parser.add_argument("--no-write", action="store_true", help="do not write the docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_assess_") as tmp:
        snapshot = args.snapshot or _pipeline_snapshot(
            args.truth, args.data_dir or Path(tmp) / "data"
        )
        copy = Path(tmp) / "copy.duckdb"
        shutil.copyfile(snapshot, copy)
        con = duckdb.connect(str(copy))
        times = timed_assess(con)
        rss = _peak_rss_gb()
        n = {
            "mentions": con.execute("SELECT count(*) FROM staged_person_mention").fetchone()[0],
            "perpetrators": con.execute(
                "SELECT count(*) FROM assess_perpetrator_priority"
            ).fetchone()[0],
        }
        resolved = evaluate_planted_offenders(con, args.truth)
        assess_with_truth(con, args.truth)
        true_res = evaluate_planted_offenders(con, args.truth, TRUTH_MENTION_PERSON)
        con.close()
    text = report(args.truth, n, times, rss, resolved, true_res)
    print(text)
    if not args.no_write:
        replace_section(text)
    return 0 if passes(resolved) else 1


if __name__ == "__main__":
    sys.exit(main())
