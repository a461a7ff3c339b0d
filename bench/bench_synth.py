"""Benchmark: synthetic data generation (``toex synth``) at the small and large scales.

Runs ``toex synth --scale S --seed 7 --out DIR`` in a child process per scale and reports its
wall time, CPU time and peak RSS (``os.wait4`` gives the child's own resource usage), the
rows and person mentions written and the size on disk, with the machine (cores, memory, CPU
model) and the load average around each run (the benchmark machine is shared). Writes the
"Synthetic data generation" section of ``docs/benchmarks.md``.

    .venv/bin/python bench/bench_synth.py                  # small and large
    .venv/bin/python bench/bench_synth.py --scales small --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Synthetic data generation"
TARGETS = {"small": (120.0, 4.0), "large": (1200.0, 4.0)}  # seconds, GB peak RSS


def machine() -> dict[str, Any]:
    """Cores, memory and CPU model of this machine."""
    mem_kb = 0
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "memory_gb": mem_kb / 1024**2,
        "cpu": model,
        "python": platform.python_version(),
    }


def run_scale(scale: str, seed: int, out: Path) -> dict[str, Any]:
    """Generate one scale in a child process and measure it."""
    toex = Path(sys.executable).with_name("toex")
    cmd = [str(toex), "synth", "--scale", scale, "--seed", str(seed), "--out", str(out)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr}")
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    mentions = pq.ParquetFile(out / "truth" / "mentions.parquet").metadata.num_rows
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "scale": scale,
        "command": " ".join(["toex", *cmd[1:-1], "DIR"]),
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_gb": usage.ru_maxrss / 1024**2,
        "files": len(manifest["files"]),
        "rows": sum(f["rows"] for f in manifest["files"]),
        "mentions": mentions,
        "size_mb": size / 1024**2,
        "load_before": load_before[0],
        "load_after": os.getloadavg()[0],
    }


def section(results: list[dict[str, Any]], info: dict[str, Any]) -> str:
    """The markdown section for ``docs/benchmarks.md``."""
    rows = []
    for r in results:
        t_max, m_max = TARGETS.get(r["scale"], (float("inf"), float("inf")))
        verdict = "meets" if r["wall_s"] <= t_max and r["peak_rss_gb"] <= m_max else "MISSES"
        rows.append(
            f"| {r['scale']} | {r['mentions']:,} | {r['rows']:,} | {r['wall_s']:.0f} | "
            f"{r['cpu_s']:.0f} | {r['peak_rss_gb']:.2f} | {r['size_mb']:.0f} | "
            f"{r['load_before']:.1f} / {r['load_after']:.1f} | "
            f"{verdict} (< {t_max / 60:.0f} min, < {m_max:.0f} GB) |"
        )
    return f"""{SECTION}

Measured by `.venv/bin/python bench/bench_synth.py`: each scale runs in its own process,
`toex synth --scale SCALE --seed 7 --out DIR`, and the table gives that process's wall time,
CPU time (user + system, including interpreter start-up and imports) and peak RSS.
Machine: {info["nproc"]} cores ({info["cpu"]}), {info["memory_gb"]:.0f} GB memory, Python
{info["python"]}. The machine is shared with other work: the load average (1 min) before /
after each run is given; wall time grows with it, CPU time much less.

| scale | person mentions | file rows | wall s | CPU s | peak RSS GB | output MB | load | target |
|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}
"""


def main() -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["small", "large"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Keep the outputs under this directory.")
    parser.add_argument("--no-write", action="store_true", help="Do not update the docs.")
    args = parser.parse_args()
    info = machine()
    results = []
    for scale in args.scales:
        base = args.keep or Path(tempfile.mkdtemp(prefix="bench_synth_"))
        out = base / scale
        if out.exists():
            shutil.rmtree(out)
        res = run_scale(scale, args.seed, out)
        print(json.dumps(res), flush=True)
        results.append(res)
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    text = section(results, info)
    print(text)
    if not args.no_write:
        replace_section(text)


if __name__ == "__main__":
    main()
