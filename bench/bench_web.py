"""Web benchmark: concurrent clients on loopback against ``toex serve``.

Serves a pipeline snapshot with ``toex serve`` in a subprocess, then runs 20 concurrent
clients (asyncio + httpx, keep-alive) against the JSON API: a search phase (names drawn from
the snapshot, written as on the records, with nicknames and as surnames alone) and a profile
phase (persons drawn from the snapshot), and an HTML profile phase. Reports p50/p95 latency
and requests/s per phase, and writes the "Web" section of docs/benchmarks.md.

    .venv/bin/python -m bench.bench_web --scale small        # builds var/bench/web-small once
    .venv/bin/python -m bench.bench_web --data-dir var        # an existing data directory
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx

from bench.bench_resolve import machine

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]
from toex.engine import SnapshotStore
from toex.ops import open_store
from toex.ops.accounts import add_agreement, create_organisation, create_user, issue_token
from toex.web import webindex

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
TOEX = str(Path(sys.executable).with_name("toex"))
PASSWORD = "bench-password-not-secret"


def prepare(scale: str, seed: int, data_dir: Path | None, work: Path) -> Path:
    """A data directory with a current snapshot: the given one, or synth + run once."""
    if data_dir is not None:
        return data_dir
    data = work / f"web-{scale}"
    if SnapshotStore(data).current() is None:
        synth = work / f"synth-{scale}-{seed}"
        if not (synth / "manifest.json").exists():
            subprocess.run(
                [TOEX, "synth", "--scale", scale, "--seed", str(seed), "--out", str(synth)],
                check=True,
            )
        subprocess.run([TOEX, "run", "--data-dir", str(data), str(synth)], check=True)
    return data


def workload(snapshot: Path, n: int, seed: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Search bodies and person ids drawn from the snapshot."""
    con = duckdb.connect(str(snapshot), read_only=True)
    rows = con.execute(
        "SELECT m.forename, m.surname, r.person_id FROM staged_person_mention m "
        "JOIN resolved_mention_person r USING (mention_id) WHERE m.forename IS NOT NULL "
        "AND m.surname IS NOT NULL USING SAMPLE 5000 ROWS"
    ).fetchall()
    con.close()
    rng = random.Random(seed)
    searches, persons = [], []
    for i in range(n):
        forename, surname, pid = rng.choice(rows)
        kind = i % 3
        name = (
            surname
            if kind == 2
            else f"{forename} {surname}"
            if kind == 0
            else f"{forename[:3]}{forename[-1]} {surname}"
        )
        searches.append({"purpose": "benchmark", "name": name.title(), "limit": 20})
        persons.append(pid)
    return searches, persons


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accounts(data: Path, snapshot: Path) -> tuple[str, str]:
    """A national analyst with a token; returns (username, token)."""
    con = duckdb.connect(str(snapshot), read_only=True)
    forces = [
        r[0] for r in con.execute("SELECT DISTINCT force FROM staged_person_mention").fetchall()
    ]
    con.close()
    store = open_store(f"sqlite:///{data / 'bench-ops.sqlite'}")
    with store.session() as s:
        org = create_organisation(s, f"bench-{time.time_ns()}", "bench", "regional")
        for f in forces:
            add_agreement(s, org, f)
        user = create_user(
            s,
            f"bench{time.time_ns()}",
            PASSWORD,
            "analyst",
            org,
            clearance="SECRET",
            handling_codes="P,C",
        )
        token = issue_token(s, user)
        username = user.username
        s.commit()
    store.dispose()
    return username, token


async def _phase(
    base: str,
    token: str,
    clients: int,
    calls: list[tuple[str, str, Any]],
    cookies: dict[str, str] | None = None,
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    queue = list(calls)

    async def client() -> None:
        nonlocal errors
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(
            base_url=base, timeout=60, cookies=cookies, headers=headers
        ) as c:
            while queue:
                method, path, body = queue.pop()
                t = time.perf_counter()
                r = await c.request(
                    method, path, json=body, params=None if body else {"purpose": "benchmark"}
                )
                latencies.append(time.perf_counter() - t)
                errors += r.status_code != 200 or (
                    path.startswith("/person/") and 'id="person-name"' not in r.text
                )

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    out = {
        "n": len(latencies),
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "rps": len(latencies) / wall,
        "errors": errors,
    }
    print({k: round(v, 1) for k, v in out.items()}, flush=True)
    return out


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF token"
    return found.group(1)


def _login(base: str, username: str) -> dict[str, str]:
    """Log in through the form and state a purpose; returns the session cookies."""
    with httpx.Client(base_url=base) as c:
        c.post(
            "/login",
            data={
                "username": username,
                "password": PASSWORD,
                "csrf_token": _csrf(c.get("/login").text),
            },
        )
        token = _csrf(c.get("/search").text)  # the session's new token after login
        r = c.post("/purpose", data={"purpose": "benchmark", "csrf_token": token})
        assert r.status_code in (200, 303), r.text
        return dict(c.cookies)


def _wait_for_snapshot(base: str, token: str, timeout: float) -> float:
    """Poll ``/api/v1/snapshot`` until 2 x 10 calls in a row answer 200 (every worker has
    its snapshot open); returns the seconds waited."""
    deadline, ok = time.monotonic() + timeout, 0
    started = time.monotonic()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        while ok < 20:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the snapshot was not open after {timeout:.0f} s")
            try:
                r = c.get("/api/v1/snapshot", timeout=timeout)
                ok = ok + 1 if r.status_code == 200 else 0
            except httpx.HTTPError:
                ok = 0
            if ok == 0:
                time.sleep(1)
    waited = time.monotonic() - started
    print(f"snapshot open in every worker after {waited:.0f} s", flush=True)
    return waited


def measure(
    data: Path,
    clients: int,
    requests: int,
    seed: int,
    workers: int = 2,
    ready_timeout: float = 3600.0,
) -> dict[str, Any]:
    """Serve ``data`` and run the three phases."""
    info = SnapshotStore(data).current()
    assert info is not None, f"no snapshot under {data}"
    con = duckdb.connect(str(info.path), read_only=True)
    (mentions,) = con.execute("SELECT count(*) FROM staged_person_mention").fetchone() or (0,)
    con.close()
    load_before = os.getloadavg()
    try:
        cached_before: str | None = webindex.validate(
            webindex.cache_dir(info.path), info.path
        ).build_id
    except webindex.CacheInvalid:
        cached_before = None
    username, token = _accounts(data, info.path)
    searches, persons = workload(info.path, requests, seed)
    port = _free_port()
    env = {
        **os.environ,
        "TOEX_OPS_DATABASE_URL": f"sqlite:///{data / 'bench-ops.sqlite'}",
        "TOEX_SECRET_KEY": "bench-secret-key",
    }
    server = subprocess.Popen(
        [TOEX, "serve", "--data-dir", str(data), "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("toex serve did not start")
            time.sleep(0.3)
        # Each worker opens the snapshot when it starts (the first one to open it builds the
        # shared web index once, minutes at the large scale); wait until every worker
        # answers from it, then warm up.
        ready_s = _wait_for_snapshot(base, token, ready_timeout)
        cache = webindex.validate(webindex.cache_dir(info.path), info.path)
        asyncio.run(_phase(base, token, 2, [("POST", "/api/v1/search", b) for b in searches[:10]]))
        out = {
            "mentions": mentions,
            "load_before": load_before,
            "ready_s": ready_s,
            "index_built": cache.build_id != cached_before,
            "index_build_s": cache.manifest["build_seconds"],
            "index_mb": sum(f["size"] for f in cache.manifest["files"].values()) / 1e6,
            "search": asyncio.run(
                _phase(base, token, clients, [("POST", "/api/v1/search", b) for b in searches])
            ),
            "profile": asyncio.run(
                _phase(
                    base, token, clients, [("GET", f"/api/v1/persons/{p}", None) for p in persons]
                )
            ),
            "profile page": asyncio.run(
                _phase(
                    base,
                    "",
                    clients,
                    [("GET", f"/person/{p}", None) for p in persons],
                    _login(base, username),
                )
            ),
        }
        out["load"] = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


def section(args: argparse.Namespace, data: Path, r: dict[str, Any]) -> str:
    """The markdown "Web" section."""
    cmd = (
        "`.venv/bin/python -m bench.bench_web "
        + (f"--data-dir {args.data_dir}" if args.data_dir else f"--scale {args.scale}")
        + f" --clients {args.clients} --requests {args.requests} --workers {args.workers}`"
    )
    loads = ", ".join(f"{x:.1f}" for x in r["load"])
    lines = [
        "## Web",
        "",
        f"Command: {cmd}. Machine: {machine()}; load average (1, 5, 15 min) at the end: "
        f"{loads}, before the run: {r['load_before'][0]:.1f} (the machine is shared with "
        f"other work). Snapshot: {data} ({r['mentions']:,} mentions). {args.clients} "
        "concurrent clients (asyncio + httpx, keep-alive, on the same machine) on loopback "
        f"against `toex serve --workers {args.workers}` (uvicorn); every request is "
        "authenticated, access-filtered and audited (SQLite operational store). Phases: "
        "`POST /api/v1/search` (names as written, shortened forenames, surnames alone), "
        "`GET /api/v1/persons/{id}`, and the HTML profile page `GET /person/{id}` (profile, "
        "network chart, priority, decisions). The snapshot's shared web index (read model "
        f"and name search index, {r['index_mb']:.0f} MB; docs/web.md) "
        + (
            f"was built by the first worker in this run in {r['index_build_s']:.0f} s"
            if r["index_built"]
            else f"had been built before this run (in {r['index_build_s']:.0f} s) and was reused"
        )
        + f"; every worker answered from it {r['ready_s']:.0f} s after the server started.",
        "",
        "| phase | requests | p50 (ms) | p95 (ms) | requests/s | errors | target p95 | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    targets = {"search": 150, "profile": 300, "profile page": 300}
    for phase in ("search", "profile", "profile page"):
        m = r[phase]
        met = "yes" if m["p95"] <= targets[phase] else "no"
        lines.append(
            f"| {phase} | {m['n']} | {m['p50']:.0f} | {m['p95']:.0f} | "
            f"{m['rps']:.1f} | {m['errors']} | {targets[phase]} ms | {met} |"
        )
    lines += [
        "",
        "With 20 clients in a closed loop the server is throughput-bound: p50 is about "
        "clients / requests per second, so the figures measure CPU per request on two cores "
        "shared with the load generator (and, here, with other work). Per request, a name "
        "search is the scored candidate names, a slice of the name search index's integer "
        "arrays and one lookup to summarise the persons shown; a profile is about ten index "
        "lookups (mentions, events, persons on them, objects, match pairs, links, summaries, "
        "priority); both then append one audit entry (about 0.5 ms on SQLite). See "
        "docs/web.md (Snapshots and the read model).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="small", choices=["tiny", "small", "large"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--work", type=Path, default=Path("var/bench"))
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=600, help="Requests per phase.")
    ap.add_argument("--workers", type=int, default=2, help="toex serve worker processes.")
    ap.add_argument(
        "--ready-timeout",
        type=float,
        default=3600.0,
        help="Seconds to wait for every worker to open the snapshot.",
    )
    ap.add_argument("--no-doc", action="store_true", help="Print only; leave the doc alone.")
    args = ap.parse_args()
    data = prepare(args.scale, args.seed, args.data_dir, args.work)
    r = measure(data, args.clients, args.requests, args.seed, args.workers, args.ready_timeout)
    text = section(args, data, r)
    print(text)
    if not args.no_doc:
        replace_section(text)


if __name__ == "__main__":
    main()
