"""Benchmark person resolution on synthetic data, in one run on the same data:

1. naive exact match on forename + surname + DOB,
2. Splink with generic comparisons (Jaro-Winkler names, exact DOB, postcode), scoring the
   same bounded candidate pairs as toex's model,
3. toex's person model,

each scored against truth on the police-record mentions (pairwise and B-cubed F1, and missed
true pairs relative to toex), with time and peak RSS; for toex also the stages' times, the
blocking rules' pairwise recall and comparison count, and the partner figures (for
information). Writes the "Resolution" section of docs/benchmarks.md.

    .venv/bin/python -m bench.bench_resolve --scale small [--seed 7] [--work DIR]
    .venv/bin/python -m bench.bench_resolve --scale large --synth var/synth/large \
        --data var/large                                  # reuse a generated data set

Generates and ingests the data set unless ``--work`` (or ``--synth``/``--data``) already
holds it; with ``--synth``/``--data`` the synthetic directory must exist, and the data
directory is ingested into only when it has no current snapshot (a snapshot of a whole
``toex run`` is reused as it is). The snapshot is copied; the copy is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import ibis
import psutil

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]
from toex.engine import SnapshotStore
from toex.resolve.evaluate import blocking_report, evaluate_connection
from toex.resolve.run import ResolveConfig, resolve_people
from toex.resolve.specs import generic_spec, person_spec

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


class PeakRss:
    """Samples this process tree's RSS every 0.2 s; ``peak`` in bytes."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = me.memory_info().rss + sum(
                c.memory_info().rss for c in me.children(recursive=True)
            )
            self.peak = max(self.peak, rss)
            time.sleep(0.2)

    def __enter__(self) -> PeakRss:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def prepare(scale: str, seed: int, work: Path) -> tuple[Path, Path]:
    """Generate and ingest the data set (once); returns (synth dir, data dir)."""
    synth, data = work / f"synth_{scale}_{seed}", work / f"var_{scale}_{seed}"
    if not (synth / "truth").exists():
        from toex.synth import generate

        generate(scale=scale, seed=seed, out=synth)
    if SnapshotStore(data).current() is None:
        from toex.pipeline import ingest, run

        run(synth, data, stages=[ingest], progress=False)
    return synth, data


def prepare_existing(synth: Path, data: Path) -> tuple[Path, Path]:
    """Use an existing synthetic directory; ingest it into ``data`` unless ``data`` already
    holds a current snapshot."""
    if not (synth / "truth").exists():
        raise SystemExit(f"{synth} holds no synthetic data set (no truth/)")
    if SnapshotStore(data).current() is None:
        from toex.pipeline import ingest, run

        run(synth, data, stages=[ingest], progress=False)
    return synth, data


def naive(con: duckdb.DuckDBPyConnection) -> None:
    """Naive exact match: same forename, surname and full DOB is one person."""
    con.execute("""CREATE OR REPLACE TABLE bench_naive AS
        SELECT mention_id, CASE WHEN forename IS NULL OR surname IS NULL OR dob IS NULL
                                THEN mention_id
                                ELSE forename || '|' || surname || '|' || CAST(dob AS VARCHAR)
                           END AS person_id
        FROM staged_person_mention""")


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def _keep(out: dict[str, Any], data: Path) -> None:
    """Write the figures so far to ``<data>/bench_resolve_partial.json``: a long run that
    fails in a later method keeps the earlier methods' figures."""
    (data / "bench_resolve_partial.json").write_text(json.dumps(out, indent=1, default=str))


def measure(synth: Path, data: Path, threshold: float, blocking: bool = True) -> dict[str, Any]:
    """Run the three methods on a private copy of the current snapshot (toex's model
    first, so its time is taken before the longer run has heated anything), then, with
    ``blocking``, the blocking recall report."""
    info = SnapshotStore(data).current()
    assert info is not None
    copy = data / "bench_copy.duckdb"
    shutil.copyfile(info.path, copy)
    out: dict[str, Any] = {"load_before": _load()}
    # The warehouse connection only builds features and evaluates; resolution's scratch
    # engine (8 GB limit) does the heavy work. Together they stay under the 12 GB target.
    wh = ibis.duckdb.connect(str(copy), threads=2, memory_limit="3GB")
    try:
        con = wh.con
        n = con.execute("SELECT count(*) FROM staged_person_mention").fetchall()[0][0]
        out["mentions"] = int(n)
        t = time.perf_counter()
        naive(con)
        out["naive"] = {
            "seconds": time.perf_counter() - t,
            **evaluate_connection(con, synth, "bench_naive"),
        }
        _keep(out, data)
        for key, spec in (("toex", person_spec()), ("generic", generic_spec())):
            config = ResolveConfig(threshold=threshold, spec=spec, work_dir=data / "tmp")
            with PeakRss() as rss:
                res = resolve_people(wh, run_id=f"bench-{spec.name}", config=config)
            out[key] = {
                "seconds": res.timings["total"],
                "timings": res.timings,
                "peak_rss_gb": rss.peak / 2**30,
                "pairs_kept": res.n_pairs,
                "pairs_scored": res.n_blocked,
                **evaluate_connection(con, synth),
            }
            _keep(out, data)
    finally:
        wh.disconnect()
        copy.unlink(missing_ok=True)
    if blocking:
        out["toex"]["blocking"] = blocking_report(info.path, synth, work_dir=data / "tmp")
    out["load_after"] = _load()
    return out


def machine() -> str:
    """nproc, memory and CPU model."""
    cpu = platform.processor() or ""
    try:
        text = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"model name\s*:\s*(.*)", text).group(1)  # type: ignore[union-attr]
    except (OSError, AttributeError):
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores, {mem:.0f} GiB RAM, {cpu}"


def section(command: str, threshold: float, r: dict[str, Any]) -> str:
    """The markdown "Resolution" section."""
    toex = r["toex"]
    toex_miss = 1 - toex["pairwise"]["recall"]
    heading = "## Resolution" if r["scale"] != "large" else "## Resolution, large set"
    lines = [
        heading,
        "",
        f"Command: `{command}` (threshold {threshold}; data of `toex synth --scale "
        f"{r['scale']} --seed {r['seed']}`). Machine: {machine()}; load average "
        f"(1/5 min) {r['load_before']} before, {r['load_after']} after (the machine is shared "
        f"with other work: wall times grow with the load). {r['mentions']:,} person mentions; "
        "accuracy on the police-record mentions (partner website mentions are reported "
        "apart, below).",
        "",
        "The generic reference (Jaro-Winkler forename and surname at 0.92/0.8, exact DOB, "
        "exact postcode; trained the same way) scores the same bounded candidate pairs as "
        "toex's model (decision 11); naive links mentions with the same forename, surname and "
        "full DOB. Time is the whole resolution (features, train, predict, cluster, write); "
        "peak RSS is the benchmark process's during it.",
        "",
        "| method | pairwise P | pairwise R | pairwise F1 | B-cubed F1 | missed true pairs "
        "(x toex) | time (s) | time (x toex) | peak RSS (GB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, name in (
        ("naive", "naive exact name + DOB"),
        ("generic", "generic Splink"),
        ("toex", "toex person model"),
    ):
        m = r[key]
        miss = (1 - m["pairwise"]["recall"]) / max(1e-12, toex_miss)
        rss = f"{m['peak_rss_gb']:.2f}" if "peak_rss_gb" in m else "-"
        lines.append(
            f"| {name} | {m['pairwise']['precision']:.4f} | "
            f"{m['pairwise']['recall']:.4f} | {m['pairwise']['f1']:.4f} | "
            f"{m['bcubed']['f1']:.4f} | {miss:.1f} | {m['seconds']:.1f} | "
            f"{m['seconds'] / toex['seconds']:.2f} | {rss} |"
        )
    t = toex["timings"]
    p = toex["partner"]
    look = toex["lookalikes"]
    serial = toex["serial_offenders"]
    lines += [
        "",
        "toex stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in t.items()) + "; train + "
        f"predict + cluster {t['train'] + t['predict'] + t['cluster']:.1f} s.",
        _blocking_line(toex, r["mentions"]),
        f"Planted look-alikes kept apart: twins {look['twins']['kept_apart']} of "
        f"{look['twins']['pairs']}, same name and DOB {look['namesakes']['kept_apart']} of "
        f"{look['namesakes']['pairs']}. Serial offenders whole: "
        f"{sum(s['ok'] for s in serial)} of {len(serial)}.",
        f"Partner website mentions (for information; the STIM cross-match links them): "
        f"B-cubed P {p['bcubed']['precision']:.4f} R {p['bcubed']['recall']:.4f} over "
        f"{p['mentions']:,} mentions; all mentions pairwise F1 "
        f"{toex['all']['pairwise']['f1']:.4f}, B-cubed F1 {toex['all']['bcubed']['f1']:.4f}.",
        "",
    ]
    return "\n".join(lines)


def _blocking_line(toex: dict[str, Any], mentions: int) -> str:
    scored = toex.get("pairs_scored") or 0
    kept = f"{toex['pairs_kept']:,} scored pairs kept (p >= 0.05)."
    b = toex.get("blocking")
    if b is None:
        return (
            f"Blocking: {scored:,} comparisons ({scored / max(1, mentions):.1f} per mention); "
            f"{kept} Blocking recall not measured in this run (`--no-blocking`)."
        )
    return (
        f"Blocking: pairwise recall {b['recall']:.4f} on truth ({b['found']:,} of "
        f"{b['true_pairs']:,} true pairs; {b['reachable']:.4f} reachable through blocked "
        f"true pairs), {b['comparisons']:,} comparisons "
        f"({b['comparisons'] / b['mentions']:.1f} per mention); {kept}"
    )


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small", choices=["tiny", "small", "large"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("var/bench"))
    ap.add_argument("--synth", type=Path, help="An existing synthetic data directory.")
    ap.add_argument("--data", type=Path, help="An existing data directory (ingested).")
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("--no-doc", action="store_true", help="Print only; leave the doc alone.")
    ap.add_argument(
        "--no-blocking",
        action="store_true",
        help="Skip the blocking recall report (about 10 minutes on the large set).",
    )
    args = ap.parse_args()
    if args.synth and args.data:
        synth, data = prepare_existing(args.synth, args.data)
        command = (
            f".venv/bin/python -m bench.bench_resolve --scale {args.scale} --synth {synth} "
            f"--data {data}"
        )
    else:
        synth, data = prepare(args.scale, args.seed, args.work)
        command = f".venv/bin/python -m bench.bench_resolve --scale {args.scale} --seed {args.seed}"
    if args.no_blocking:
        command += " --no-blocking"
    r = measure(synth, data, args.threshold, blocking=not args.no_blocking)
    r.update(scale=args.scale, seed=args.seed)
    text = section(command, args.threshold, r)
    print(text)
    if not args.no_doc:
        replace_section(text)


if __name__ == "__main__":
    main()
