"""Benchmark and acceptance: the missing-person and ViSOR profiles on a synthetic data set.

Input is a synthetic data set (``--truth DIR``) and a ``toex run`` snapshot of it
(``--snapshot FILE``; copied, never changed). Times each part of the assess stage on the
copy (the profiles beside the perpetrator ranking, as a ratio: the reference in the same
run), with the process's peak RSS and the machine's load, then reports every planted
at-risk missing person's and active registrant's rank in her force's profile, where each
decoy ranks, and precision@10 of each force's missing-person profile. Exits non-zero when a
planted person misses her top 10 (top 5 for registrants) or a decoy outranks a planted case.
Writes the "Profiles" section of ``docs/benchmarks.md`` unless ``--no-write``.

    .venv/bin/python bench/bench_profiles.py --truth /tmp/s7 \\
        --snapshot /tmp/s7data/warehouse/<run_id>.duckdb
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
from toex.assess.profile_evaluate import evaluate_profiles, precision_at_10
from toex.assess.stage import run_assess

SECTION = "## Profiles (missing persons, ViSOR)"
LIMITS = {"at_risk_missing_person": 10, "active_registrant": 5}


def timed(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Seconds per part of the assess stage (``profiles`` is this issue's part)."""
    times: dict[str, float] = {}
    last = time.perf_counter()

    def tick(step: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[step] = now - last
        last = now

    run_assess(con, progress=tick)
    return times


def failures(report: list[dict[str, Any]]) -> list[str]:
    """What misses the issue's "Done when"."""
    out = []
    for r in report:
        limit = LIMITS.get(r["member_role"])
        if limit and (r["rank"] is None or r["rank"] > limit):
            out.append(f"{r['scenario_id']} rank {r['rank']}")
    for force in {r["force"] for r in report}:
        mine = [r for r in report if r["force"] == force]
        for decoy, planted in (
            ("decoy_missing_person", "at_risk_missing_person"),
            ("decoy_registrant", "active_registrant"),
        ):
            worst = max((r["rank"] or 10**6) for r in mine if r["member_role"] == planted)
            for d in (r for r in mine if r["member_role"] == decoy):
                if (d["rank"] or 10**6) <= worst:
                    out.append(f"{d['scenario_id']} rank {d['rank']} above a planted case")
    return out


def _describe(truth: Path) -> str:
    try:
        manifest = json.loads((truth / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return str(truth)
    return f"{manifest.get('scale')} (seed {manifest.get('seed')})"


def report_text(
    truth: Path,
    n: dict[str, int],
    times: dict[str, float],
    rss: float,
    load: tuple[float, float, float],
    report: list[dict[str, Any]],
    precision: dict[str, float],
    precision3: dict[str, float],
) -> str:
    """The markdown section."""
    ratio = times.get("profiles", 0) / max(times.get("perpetrators", 0), 1e-9)
    rows = [
        f"| {r['force']} | {r['scenario_id']} | {r['member_role']} | {r['rank']} | "
        f"{(r['row'] or {}).get('score')} |"
        for r in sorted(report, key=lambda r: (r["force"], r["member_role"], r["scenario_id"]))
    ]
    return "\n".join(
        [
            SECTION,
            "",
            "Command: `.venv/bin/python bench/bench_profiles.py --truth DIR --snapshot FILE` on "
            f"the {_describe(truth)} synthetic set and its `toex run` snapshot (run at small "
            f"only). Machine: {platform.machine()}, {platform.system()}, {os.cpu_count()} cores, "
            f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (shared with other "
            f"jobs). {n['mentions']:,} person mentions, {n['missing']:,} missing persons, "
            f"{n['registrations']:,} ViSOR registrations.",
            "",
            f"Time (s): profiles {times.get('profiles', 0):.1f} (both profiles and the "
            f"warnings), perpetrator ranking {times.get('perpetrators', 0):.1f} in the same "
            f"run: ratio {ratio:.2f}; whole assess stage {sum(times.values()):.1f}; peak RSS "
            f"{rss:.2f} GB.",
            "",
            "Precision@10 of each force's missing-person profile (planted at-risk persons in "
            "its top 10; 3 are planted a force, so 0.3 is the most possible): "
            + ", ".join(f"{f} {p:.1f}" for f, p in sorted(precision.items()))
            + ". Precision@3: "
            + ", ".join(f"{f} {p:.2f}" for f, p in sorted(precision3.items()))
            + ".",
            "",
            "| force | scenario | planted as | rank in force profile | score |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True, help="generated data set")
    parser.add_argument("--snapshot", type=Path, required=True, help="its snapshot (copied)")
    parser.add_argument("--no-write", action="store_true", help="do not write the docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_profiles_") as tmp:
        copy = Path(tmp) / "copy.duckdb"
        shutil.copyfile(args.snapshot, copy)
        con = duckdb.connect(str(copy))
        times = timed(con)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        load = os.getloadavg()

        def count(sql: str) -> int:
            row = con.execute(sql).fetchone()
            return int(row[0]) if row else 0

        n = {
            "mentions": count("SELECT count(*) FROM staged_person_mention"),
            "missing": count("SELECT count(*) FROM assess_misper"),
            "registrations": count("SELECT count(*) FROM assess_visor"),
        }
        report = evaluate_profiles(con, args.truth)
        precision = precision_at_10(con, report)
        precision3 = precision_at_10(con, report, k=3)
        con.close()
    text = report_text(args.truth, n, times, rss, load, report, precision, precision3)
    print(text)
    if not args.no_write:
        replace_section(text)
    bad = failures(report)
    for line in bad:
        print("FAIL:", line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
