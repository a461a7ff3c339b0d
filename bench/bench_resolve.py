"""Benchmark person resolution on synthetic data, in one run on the same data:

1. naive exact match on forename + surname + DOB,
2. Splink with generic comparisons (Jaro-Winkler names, exact DOB, postcode),
3. toex's person model,

each scored against truth (pairwise and B-cubed F1, and misses relative to toex), with time
and peak RSS; writes the "Resolution" section of docs/benchmarks.md.

    .venv/bin/python -m bench.bench_resolve --scale small [--seed 7] [--work DIR]

Generates and ingests the data set unless ``--work`` already holds it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import ibis
import psutil

from toex.engine import SnapshotStore
from toex.resolve.evaluate import evaluate_connection
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


def naive(con: duckdb.DuckDBPyConnection) -> None:
    """Naive exact match: same forename, surname and full DOB is one person."""
    con.execute("""CREATE OR REPLACE TABLE bench_naive AS
        SELECT mention_id, CASE WHEN forename IS NULL OR surname IS NULL OR dob IS NULL
                                THEN mention_id
                                ELSE forename || '|' || surname || '|' || CAST(dob AS VARCHAR)
                           END AS person_id
        FROM staged_person_mention""")


def run_model(wh: Any, spec: Any, threshold: float) -> dict[str, float]:
    """Resolve with ``spec``; returns timings."""
    res = resolve_people(
        wh, run_id=f"bench-{spec.name}", config=ResolveConfig(threshold=threshold, spec=spec)
    )
    return res.timings


def measure(synth: Path, data: Path, threshold: float) -> dict[str, Any]:
    """Run the three methods on a private copy of the current snapshot."""
    info = SnapshotStore(data).current()
    assert info is not None
    copy = data / "bench_copy.duckdb"
    copy.write_bytes(info.path.read_bytes())
    out: dict[str, Any] = {}
    wh = ibis.duckdb.connect(str(copy), threads=2, memory_limit="10GB")
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
        for key, spec in (("generic", generic_spec()), ("toex", person_spec())):
            with PeakRss() as rss:
                timings = run_model(wh, spec, threshold)
            report = evaluate_connection(con, synth)
            out[key] = {
                "seconds": timings["total"],
                "timings": timings,
                "peak_rss_gb": rss.peak / 2**30,
                **report,
            }
    finally:
        wh.disconnect()
        copy.unlink(missing_ok=True)
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


def section(scale: str, seed: int, threshold: float, r: dict[str, Any]) -> str:
    """The markdown "Resolution" section."""
    toex_fn = r["toex"]["pairwise"]["recall"]
    lines = [
        "## Resolution",
        "",
        f"Command: `.venv/bin/python -m bench.bench_resolve --scale {scale} --seed {seed}` "
        f"(threshold {threshold}). Machine: {machine()}. {r['mentions']:,} mentions.",
        "",
        "| method | pairwise P | pairwise R | pairwise F1 | B-cubed F1 | missed pairs vs toex "
        "| time (s) | peak RSS (GB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, name in (
        ("naive", "naive exact name + DOB"),
        ("generic", "generic Splink"),
        ("toex", "toex person model"),
    ):
        m = r[key]
        miss = (1 - m["pairwise"]["recall"]) / max(1e-12, 1 - toex_fn)
        rss = f"{m['peak_rss_gb']:.2f}" if "peak_rss_gb" in m else "-"
        lines.append(
            f"| {name} | {m['pairwise']['precision']:.4f} | "
            f"{m['pairwise']['recall']:.4f} | {m['pairwise']['f1']:.4f} | "
            f"{m['bcubed']['f1']:.4f} | {miss:.1f}x | {m['seconds']:.0f} | {rss} |"
        )
    t = r["toex"]["timings"]
    lines += ["", "toex stages (s): " + ", ".join(f"{k} {v:.0f}" for k, v in t.items()), ""]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    """Replace (or add) the Resolution section of docs/benchmarks.md."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(r"## Resolution\n.*?(?=\n## |\Z)", re.S)
    doc = (
        pattern.sub(text.rstrip() + "\n", doc)
        if pattern.search(doc)
        else doc.rstrip() + "\n\n" + text
    )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(doc, encoding="utf-8")


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small", choices=["tiny", "small", "large"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("var/bench"))
    ap.add_argument("--threshold", type=float, default=0.95)
    ap.add_argument("--no-doc", action="store_true", help="Print only; leave the doc alone.")
    args = ap.parse_args()
    synth, data = prepare(args.scale, args.seed, args.work)
    r = measure(synth, data, args.threshold)
    text = section(args.scale, args.seed, args.threshold, r)
    print(text)
    if not args.no_doc:
        write_doc(text)


if __name__ == "__main__":
    main()
