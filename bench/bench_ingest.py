"""Benchmark: ``toex ingest`` end to end on a synthetic set, against plain pandas reads.

Generates the set with ``toex synth --scale S`` unless it is already under ``bench/out/`` (or
``--input DIR`` is given), then in child processes (``os.wait4`` gives each child's own CPU
time and peak RSS):

1. ``toex ingest DIR --no-progress --data-dir TMP``: read, clean, quarantine, stage and
   snapshot every file of the manifest;
2. a plain pandas read of the same files without any cleaning (``read_csv`` with the file's
   delimiter and encoding, ``read_json(lines=True)``, ``read_excel(engine="calamine")``);
3. the fixed start-up of the ingest process: importing the CLI and the pipeline, nothing
   else (shown so the per-row cost can be told from it; it is part of 1's figures).

Reports rows/s of both and their ratio with the machine (cores, memory, CPU model) and the
load average around each run (the machine is shared), and writes the "Ingest" section of
``docs/benchmarks.md``. Targets: >= 250k rows/s on 2 cores and peak RSS < 4 GB.

    .venv/bin/python bench/bench_ingest.py --scale large --input var/synth/large
    .venv/bin/python bench/bench_ingest.py --scale small --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_synth import machine  # noqa: E402

SECTION = "## Ingest"
TARGET_ROWS_S = 250_000
TARGET_RSS_GB = 4.0
PANDAS_SCRIPT = """
import json, sys, pandas as pd
root = sys.argv[1]
manifest = json.load(open(root + "/manifest.json"))
delims = {"athena": ",", "niche": "|", "connect": ";", "asw": ",", "toex": ","}
rows = 0
for f in manifest["files"]:
    path = root + "/" + f["path"]
    if f["file_type"] == "csv":
        df = pd.read_csv(path, sep=delims[f["system"]], encoding=f["encoding"], dtype=str,
                         keep_default_na=False, on_bad_lines="skip", engine="c")
    elif f["file_type"] == "jsonl":
        df = pd.read_json(path, lines=True, dtype=False)
    else:
        df = pd.read_excel(path, engine="calamine", dtype=str)
    rows += len(df)
print(rows)
"""


def child(cmd: list[str]) -> dict[str, Any]:
    """Run ``cmd``; wall time, CPU time and peak RSS of the child, and its output."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_gb": usage.ru_maxrss / 1024**2,
        "stdout": out,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def ensure_input(scale: str, seed: int, given: Path | None) -> Path:
    """The synthetic set to ingest: given, cached under bench/out, or generated now."""
    if given is not None:
        return given
    out = ROOT / "bench" / "out" / f"synth-{scale}-{seed}"
    if not (out / "manifest.json").exists():
        toex = str(Path(sys.executable).with_name("toex"))
        subprocess.run(
            [toex, "synth", "--scale", scale, "--seed", str(seed), "--out", str(out)], check=True
        )
    return out


STARTUP_SCRIPT = "import toex.cli.app, toex.pipeline"


def section(res: dict[str, Any], info: dict[str, Any]) -> str:
    """The markdown section for ``docs/benchmarks.md``."""
    ing, pdr, start = res["ingest"], res["pandas"], res["startup"]
    rate = res["rows"] / ing["wall_s"]
    rate_cpu = res["rows"] / ing["cpu_s"]
    pandas_rate = res["rows"] / pdr["wall_s"]
    verdict = "meets" if rate >= TARGET_ROWS_S and ing["peak_rss_gb"] < TARGET_RSS_GB else "MISSES"
    note = res.get("note", "")
    return f"""{SECTION}

Measured by `{res["command"]}` on the
{res["scale"]} synthetic set (seed {res["seed"]}: {res["files"]} files, {res["rows"]:,} records,
{res["size_mb"]:.0f} MB). Each side runs in its own process (wall time, CPU time and peak RSS
of that process). Machine: {info["nproc"]} cores ({info["cpu"]}), {info["memory_gb"]:.0f} GB
memory, Python {info["python"]}, `TOEX_THREADS={res["threads"]}`. The machine is shared with
other work: the load average (1 min) before / after each run is given.{note}

| run | wall s | CPU s | rows/s (wall) | rows/s (CPU) | peak RSS GB | load |
|---|---|---|---|---|---|---|
| `toex ingest DIR` (read, clean, quarantine, stage, snapshot) | {ing["wall_s"]:.1f} | {ing["cpu_s"]:.1f} | {rate:,.0f} | {rate_cpu:,.0f} | {ing["peak_rss_gb"]:.2f} | {ing["load_before"]:.1f} / {ing["load_after"]:.1f} |
| plain pandas read of the same files, no cleaning | {pdr["wall_s"]:.1f} | {pdr["cpu_s"]:.1f} | {pandas_rate:,.0f} | {res["rows"] / pdr["cpu_s"]:,.0f} | {pdr["peak_rss_gb"]:.2f} | {pdr["load_before"]:.1f} / {pdr["load_after"]:.1f} |
| of the ingest run: start-up only (import CLI and pipeline) | {start["wall_s"]:.1f} | {start["cpu_s"]:.1f} | | | {start["peak_rss_gb"]:.2f} | {start["load_before"]:.1f} / {start["load_after"]:.1f} |

Ratio ingest / pandas (wall): {ing["wall_s"] / pdr["wall_s"]:.1f}x the time. Target:
>= {TARGET_ROWS_S:,} rows/s and peak RSS < {TARGET_RSS_GB:.0f} GB: **{verdict}**.
"""  # noqa: E501


def main() -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--input", type=Path, help="An already generated synthetic set.")
    parser.add_argument("--note", default="", help="A remark printed under the table.")
    parser.add_argument("--no-write", action="store_true", help="Do not update the docs.")
    args = parser.parse_args()
    data = ensure_input(args.scale, args.seed, args.input)
    manifest = json.loads((data / "manifest.json").read_text("utf-8"))
    info = machine()
    toex = str(Path(sys.executable).with_name("toex"))
    work = Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    try:
        startup = child([sys.executable, "-c", STARTUP_SCRIPT])
        pandas = child([sys.executable, "-c", PANDAS_SCRIPT, str(data)])
        ingest = child(
            [toex, "ingest", str(data), "--no-progress", "--data-dir", str(work / "var")]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    res = {
        "scale": args.scale,
        "seed": args.seed,
        "files": len(manifest["files"]),
        "rows": sum(f["rows"] for f in manifest["files"]),
        "size_mb": sum(p.stat().st_size for p in (data / "forces").rglob("*")) / 1024**2,
        "threads": os.environ.get("TOEX_THREADS", "2"),
        "command": " ".join(
            [".venv/bin/python", os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]]
        ),
        "ingest": ingest,
        "pandas": pandas,
        "startup": startup,
        "note": f" {args.note}" if args.note else "",
    }
    for side in ("ingest", "pandas", "startup"):
        res[side].pop("stdout")
    print(json.dumps(res, indent=1), flush=True)
    text = section(res, info)
    print(text)
    if not args.no_write:
        replace_section(text)


if __name__ == "__main__":
    main()
