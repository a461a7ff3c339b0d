"""Benchmark and acceptance: exploitation labels and threat scores on a synthetic data set.

Input is a synthetic data set (``--truth DIR``, as ``toex synth`` writes it) and a warehouse
snapshot of it written by ``toex run`` (``--snapshot FILE``; copied, never changed). Times
:func:`toex.assess.threat_stage.run_threats` on the copy with the process's peak RSS, and as
a reference in the same run the assess analytics (:func:`toex.assess.stage.run_assess`) on
the same copy (the ratio is printed). Then evaluates against the planted truth: per-type
precision and recall of the labels on the planted networks (and macro), and Spearman's rho
of the true severity against score and band. Exits non-zero if a type is under 0.9 or rho
under 0.8. Writes the "Threats" section of ``docs/benchmarks.md`` unless ``--no-write``.

    .venv/bin/python bench/bench_threats.py --truth /tmp/s7 \\
        --snapshot /tmp/s7data/warehouse/<run_id>.duckdb
"""

from __future__ import annotations

import argparse
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
from toex.assess.stage import run_assess
from toex.assess.threat_evaluate import evaluate_snapshot
from toex.assess.threat_stage import run_threats

SECTION = "## Threats"


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def measure(truth: Path, snapshot: Path, work: Path) -> dict[str, Any]:
    """Time the reference and the threats stage on a copy; evaluate against the truth."""
    copy = work / "threats.duckdb"
    shutil.copyfile(snapshot, copy)
    con = duckdb.connect(str(copy))
    con.execute("SET threads = 2")
    start = time.perf_counter()
    run_assess(con)
    reference = time.perf_counter() - start
    start = time.perf_counter()
    result = run_threats(con, run_id="bench")
    seconds = time.perf_counter() - start
    mentions = con.execute("SELECT count(*) FROM staged_person_mention").fetchone()
    con.close()
    report = evaluate_snapshot(copy, truth)
    return {
        "seconds": seconds,
        "reference": reference,
        "rss_gb": _peak_rss_gb(),
        "mentions": int(mentions[0]) if mentions else 0,
        "threats": result.threats,
        "high": result.high,
        "labelled": result.labelled,
        "report": report,
    }


def section(m: dict[str, Any], truth: Path, scale: str) -> str:
    """The Markdown section of ``docs/benchmarks.md``."""
    r = m["report"]
    lines = [
        SECTION,
        "",
        "Command: `.venv/bin/python bench/bench_threats.py --truth DIR --snapshot FILE` on the "
        f"{scale} synthetic set and its `toex run` snapshot. Machine: {platform.machine()}, "
        f"{platform.system()}, {os.cpu_count()} cores (shared with other work). "
        f"{m['mentions']:,} person mentions; {m['labelled']['network']:,} networks, "
        f"{m['labelled']['operation']} operations and {m['labelled']['stim_case']:,} STIM "
        f"cases labelled; {m['threats']:,} threats scored ({m['high']:,} high).",
        "",
        f"Time: labelling and scoring {m['seconds']:.1f} s; reference (the assess analytics "
        f"on the same snapshot, same run) {m['reference']:.1f} s; ratio "
        f"{m['seconds'] / m['reference']:.2f}. Peak RSS {m['rss_gb']:.2f} GB. "
        "The large set was not run here (the issue's target there: under 2 minutes, 4 GB).",
        "",
        "Labels on the 25 planted networks (truth/scenarios.json, type exploitation_network; "
        "a decoy's true type is Other):",
        "",
        "| type | planted | precision | recall |",
        "|---|---|---|---|",
    ]
    for key, v in r["types"].items():
        lines.append(f"| {key} | {int(v['support'])} | {v['precision']:.2f} | {v['recall']:.2f} |")
    s = r["severity"]
    lines += [
        "",
        f"Severity: Spearman's rho of the planted true severity against the threat score "
        f"{s['spearman_score']:.3f}, against the band {s['spearman_band']:.3f} "
        f"({int(s['n'])} planted networks).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; non-zero exit when an acceptance figure is missed."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument("--snapshot", type=Path, required=True)
    ap.add_argument("--scale", default="small (seed 7)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        m = measure(args.truth, args.snapshot, Path(tmp))
    text = section(m, args.truth, args.scale)
    print(text)
    if not args.no_write:
        replace_section(text)
    r = m["report"]
    ok = (
        all(
            v["precision"] >= 0.9 and v["recall"] >= 0.9
            for k, v in r["types"].items()
            if v["support"]
        )
        and min(r["severity"]["spearman_score"], r["severity"]["spearman_band"]) >= 0.8
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
