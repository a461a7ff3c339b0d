"""Benchmark: the performance dashboard under 20 concurrent clients (``toex serve``).

Builds an operational store holding a synthetic tracker history (``--operations`` threats,
default 200: the history ``toex synth`` writes is about 200 operations at every scale, so
the small and large sets' histories are the same size), serves it with ``toex serve`` in a
subprocess (no warehouse snapshot is needed), logs a supervisor in and runs, with asyncio +
httpx, 20 keep-alive clients through: the dashboard page (``GET /dashboard`` over periods
and scopes: all forces, each force, each region), the dashboard JSON
(``/api/v1/performance/dashboard``) and the reference, the login page (``GET /login``: the
same server and client with almost no work), reporting p50/p95 and each phase's p95 as a
ratio to the reference's. Writes the "Performance dashboard" section of docs/benchmarks.md
unless ``--no-write``.

    .venv/bin/python -m bench.bench_dashboard                     # 200 operations
    .venv/bin/python -m bench.bench_dashboard --operations 1000   # a bigger history
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_resolve import machine
from bench.bench_web import PASSWORD, TOEX, _free_port, _login, _phase, _wait_for_server

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]
from toex.config import Settings, load_catalogue
from toex.ops import open_store
from toex.ops.accounts import add_agreement, create_organisation, create_user, issue_token
from toex.ops.tracker_import import import_path, rules_for
from toex.ops.tracker_store import Actor
from toex.synth.tracker_history import build_history, load_tracker_config, write_history

SECTION = "## Performance dashboard"
AS_OF = dt.date(2025, 12, 31)
TARGET_MS = 300.0


def build_store(work: Path, operations: int) -> tuple[str, dict[str, int], str]:
    """An ops store with the history and a supervisor; returns (url, rows per file, token)."""
    cfg = load_tracker_config()
    cfg["operations"] = operations
    catalogue = load_catalogue()
    history = build_history(7, AS_OF, [(f.code, f.region) for f in catalogue.forces], cfg)
    counts = write_history(history, work / "synth")
    url = f"sqlite:///{work / 'ops.sqlite'}"
    store = open_store(url, settings=Settings(data_dir=work))
    rules = rules_for([(f.code, f.short_name) for f in catalogue.forces])
    import_path(store, work / "synth" / "tracker", Actor("bench"), rules)
    with store.session() as s:
        org = create_organisation(s, "bench-regional", "bench", "regional")
        for f in catalogue.forces:
            add_agreement(s, org, f.code)
        user = create_user(s, "benchlead", PASSWORD, "supervisor", org)
        token = issue_token(s, user)
        s.commit()
    store.dispose()
    return url, counts, token


def calls(n: int) -> list[tuple[str, str, Any]]:
    """``n`` dashboard requests cycling through periods and scopes."""
    catalogue = load_catalogue()
    scopes = [""] + [f"&force={f.code}" for f in catalogue.forces]
    scopes += [f"&region={r}" for r in catalogue.regions]
    periods = [
        ("2025-01-01", "2025-12-31"),
        ("2024-01-01", "2025-12-31"),
        ("2025-04-01", "2025-06-30"),
        ("2024-07-01", "2024-12-31"),
    ]
    out = []
    for i in range(n):
        start, end = periods[i % len(periods)]
        scope = scopes[(i // len(periods)) % len(scopes)]
        out.append(("GET", f"/dashboard?start={start}&end={end}{scope}", None))
    return out


def measure(
    work: Path, operations: int, clients: int, requests: int, workers: int
) -> dict[str, Any]:
    """Serve the store and time the phases."""
    url, counts, token = build_store(work, operations)
    port = _free_port()
    (work / "data").mkdir(exist_ok=True)
    server = subprocess.Popen(
        [
            TOEX,
            "serve",
            "--data-dir",
            str(work / "data"),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env={
            **os.environ,
            "TOEX_OPS_DATABASE_URL": url,
            "TOEX_SECRET_KEY": "bench-secret-key-of-32-characters!",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    load_before = os.getloadavg()
    try:
        _wait_for_server(base, server)
        cookies = _login(base, "benchlead")
        cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        bearer = {"Authorization": f"Bearer {token}"}
        page_calls = calls(requests)
        api_calls = [
            ("GET", p.replace("/dashboard?", "/api/v1/performance/dashboard?"), None)
            for _m, p, _b in page_calls
        ]
        asyncio.run(_phase(base, cookie, 2, page_calls[:10]))  # warm up
        out: dict[str, Any] = {"counts": counts, "load_before": load_before}
        out["reference"] = asyncio.run(
            _phase(base, {}, clients, [("GET", "/login", None)] * requests)
        )
        out["page"] = asyncio.run(_phase(base, cookie, clients, page_calls))
        out["api"] = asyncio.run(_phase(base, bearer, clients, api_calls))
        out["load"] = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def main() -> None:
    """Run, print and (unless ``--no-write``) write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--operations", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        r = measure(Path(tmp), args.operations, args.clients, args.requests, args.workers)
    ref = r["reference"]["p95"]
    rows = []
    for name, label in (
        ("page", "dashboard page (HTML, 5 SVG charts)"),
        ("api", "dashboard JSON"),
        ("reference", "reference: login page"),
    ):
        p = r[name]
        rows.append(
            f"| {label} | {p['n']:.0f} | {p['p50']:.0f} | {p['p95']:.0f} | {p['rps']:.0f} "
            f"| {p['errors']:.0f} | {p['p95'] / ref:.1f} |"
        )
    verdict = "meets" if r["page"]["p95"] <= TARGET_MS else "misses"
    counts = ", ".join(f"{k} {v}" for k, v in r["counts"].items())
    text = "\n".join(
        [
            SECTION,
            "",
            f"`.venv/bin/python -m bench.bench_dashboard --operations {args.operations} "
            f"--clients {args.clients} --requests {args.requests} --workers {args.workers}`, "
            f"run {dt.date.today().isoformat()} on {machine()}, shared with other work (load "
            f"{r['load_before'][0]:.1f} before, {r['load'][0]:.1f} after). History: {counts} "
            "(the history `toex synth` writes is this size at every scale, small included; "
            "this run is the small set's size). "
            f"asyncio + httpx clients on the same machine. The dashboard page p95 {verdict} "
            f"the {TARGET_MS:.0f} ms target.",
            "",
            "| phase | requests | p50 ms | p95 ms | req/s | errors | p95 / reference |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(text)
    if not args.no_write:
        replace_section(text + "\n")


if __name__ == "__main__":
    main()
