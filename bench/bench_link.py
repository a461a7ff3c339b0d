"""Benchmark: the link stage (edges, hubs, networks, centrality) at the large scale.

Input is either a warehouse snapshot holding staged and resolved tables (``--snapshot``, e.g.
the file ``toex run`` writes for the large synthetic set; it is copied, never changed), or,
by default, a random warehouse of the same size built here in SQL: ``--mentions`` person
mentions (5M, the large set) of ``mentions / 2.6`` persons on crimes, intelligence reports,
missing episodes and custody records across the 9 forces, with phones (households share
some), addresses (households and a few hostels), emails, vehicles and a placeholder phone on
1.5% of mentions, as the generator does.

It runs :func:`toex.link.stage.build_links` and reports the time of each part (edges and hubs
in SQL; the graph: components, Leiden, centrality; network profiles and the cross-force
report) and the process's peak RSS. In the same run, on the small scale (200k mentions, or
``--small-snapshot``), it runs the same graph computation twice: with igraph
(toex) and with networkx (connected components, Louvain communities, betweenness with the
same sampling, eigenvector per component), and reports the time ratio.
Writes the "Link" section of ``docs/benchmarks.md``.

    .venv/bin/python bench/bench_link.py                    # 5M mentions
    .venv/bin/python bench/bench_link.py --mentions 200000 --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import igraph as ig
import networkx as nx
import pyarrow as pa

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]
from toex.config import load_catalogue
from toex.link import stage as link_stage
from toex.link.config import LinkConfig
from toex.link.graph import build_graph, components
from toex.link.networks import compute_vertices, network_edges_sql
from toex.model.tables import (
    STAGED_EVENT,
    STAGED_LOCATION,
    STAGED_OBJECT,
    STAGED_PERSON_MENTION,
)

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Link"
FORCES = [f.code for f in load_catalogue().forces]


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _empty_tables(con: duckdb.DuckDBPyConnection) -> None:
    types = {
        "string": "VARCHAR",
        "int64": "BIGINT",
        "date": "DATE",
        "boolean": "BOOLEAN",
        "float64": "DOUBLE",
        "timestamp": "TIMESTAMP",
    }
    for spec in (STAGED_EVENT, STAGED_PERSON_MENTION, STAGED_OBJECT, STAGED_LOCATION):
        cols = ", ".join(f"{c.name} {types[c.type]}" for c in spec.columns)
        con.execute(f"CREATE TABLE {spec.name} ({cols})")


def random_warehouse(con: duckdb.DuckDBPyConnection, mentions: int, seed: int = 7) -> None:
    """Staged and resolved tables of about ``mentions`` person mentions (see module doc)."""
    _empty_tables(con)
    persons = max(10, int(mentions / 2.6))
    offenders = max(5, int(persons * 0.27))
    forces = "[" + ", ".join(f"'{f}'" for f in FORCES) + "]"
    n_crime = int(mentions * 0.58 / 1.9)
    n_intel = int(mentions * 0.19 / 1.6)
    n_missing = int(mentions * 0.08)
    n_custody = int(mentions * 0.145)
    s = seed

    def u(expr: str, salt: int) -> str:  # uniform [0, 1) from a hash
        return f"((hash({expr}, {s * 1000 + salt}) % 1000000007) / 1000000007.0)"

    con.execute(f"""
CREATE TABLE _ev AS
SELECT i, CASE WHEN i < {n_crime} THEN 'crime'
               WHEN i < {n_crime + n_intel} THEN 'intelligence'
               WHEN i < {n_crime + n_intel + n_missing} THEN 'missing_episode'
               ELSE 'custody' END AS event_type,
       (hash(i, {s}) % 9)::BIGINT AS fi, {forces}[1 + (hash(i, {s}) % 9)::INT] AS force,
       DATE '2021-01-01' + (hash(i, {s + 1}) % 1800)::INT AS day
FROM range({n_crime + n_intel + n_missing + n_custody}) AS t(i)""")
    con.execute("""
INSERT INTO staged_event (event_id, event_type, reference, occurred_from, offence_code, force,
    source_system, source_file, source_row, source_record_id, record_hash, load_id,
    handling_code, classification)
SELECT 'E' || i, event_type, 'R' || i, day, CASE WHEN event_type = 'crime' THEN
       ['8N', '105A', '46', '19C', '8L', '92A'][1 + (hash(i, 99) % 6)::INT] END,
       force, 'bench', 'events.csv', i + 1, 'R' || i, 'h', 'L', 'P', 'OFFICIAL'
FROM _ev""")
    # roles per event: crimes have a victim, a suspect (60%) and a second suspect (12%)
    # persons belong to a force (id mod 9); 9% of an event's persons come from another force
    per_force = max(1, persons // 9)
    off_per_force = max(1, offenders // 9)
    home = (
        f"(CASE WHEN {u('e.i * 7 + k', 20)} < 0.09 "
        f"THEN (e.fi + 1 + hash(e.i * 7 + k, {s + 21}) % 8) % 9 ELSE e.fi END)"
    )
    pick_off = f"({home} + 9 * floor({off_per_force} * pow({u('e.i * 7 + k', 3)}, 2)))::BIGINT"
    pick_pub = (
        f"({home} + 9 * ({off_per_force} + floor({per_force - off_per_force} * "
        f"{u('e.i * 7 + k', 4)})))::BIGINT"
    )
    con.execute(f"""
CREATE TABLE _m AS
SELECT e.i AS ei, k, e.event_type, e.force,
       CASE WHEN (e.event_type = 'crime' AND k IN (1, 2)) OR
                 (e.event_type IN ('intelligence', 'custody') AND k = 0)
            THEN {pick_off} ELSE {pick_pub} END AS person,
       CASE e.event_type WHEN 'crime' THEN ['victim', 'suspect', 'suspect'][k + 1]
                         WHEN 'intelligence' THEN ['subject', 'associate', 'associate'][k + 1]
                         WHEN 'missing_episode' THEN 'missing' ELSE 'detainee' END AS role
FROM _ev AS e, range(3) AS r(k)
WHERE k = 0
   OR (e.event_type = 'crime' AND k = 1 AND {u("e.i", 5)} < 0.6)
   OR (e.event_type = 'crime' AND k = 2 AND {u("e.i", 6)} < 0.12)
   OR (e.event_type = 'intelligence' AND k = 1 AND {u("e.i", 7)} < 0.6)""")
    con.execute("""
INSERT INTO staged_person_mention (mention_id, event_id, role, slot, force, source_system,
    source_file, source_row, source_record_id, record_hash, load_id, handling_code,
    classification)
SELECT 'M' || ei || '-' || k, 'E' || ei, role, 'p' || k, force, 'bench', 'people.csv',
       row_number() OVER (), 'R' || ei, 'h', 'L', 'P', 'OFFICIAL'
FROM _m""")
    con.execute(
        "CREATE TABLE resolved_mention_person AS "
        "SELECT 'M' || ei || '-' || k AS mention_id, 'P' || person AS person_id FROM _m"
    )
    # objects on mentions: the person's phone (households of 2 share one for a quarter of
    # persons), email, vehicle; the placeholder phone on 1.5% of mentions
    phone = (
        f"CASE WHEN {u('person', 8)} < 0.015 THEN '+447000000000' "
        f"ELSE '+447' || lpad(((CASE WHEN hash(person, 9) % 4 = 0 THEN person - person % 2 "
        f"ELSE person END) % 1000000000)::VARCHAR, 9, '0') END"
    )
    con.execute(f"""
INSERT INTO staged_object (object_id, object_type, value, mention_id, event_id, relation, force,
    source_system, source_file, source_row, source_record_id, record_hash, load_id,
    handling_code, classification)
SELECT 'O' || ei || '-' || k || '-' || t, t, CASE t WHEN 'phone' THEN {phone}
         WHEN 'email' THEN 'p' || person || '@example.com' ELSE 'V' || (person % 999983) END,
       'M' || ei || '-' || k, 'E' || ei, 'uses', force, 'bench', 'objects.csv',
       row_number() OVER (), 'R' || ei, 'h', 'L', 'P', 'OFFICIAL'
FROM _m, (VALUES ('phone'), ('email'), ('vehicle')) AS v(t)
WHERE (t = 'phone' AND {u("ei * 7 + k", 10)} < 0.6)
   OR (t = 'email' AND {u("ei * 7 + k", 11)} < 0.2)
   OR (t = 'vehicle' AND {u("ei * 7 + k", 12)} < 0.05)""")
    # addresses: households of 2-3 share one; 0.2% of mentions at one of 50 hostels
    con.execute(f"""
INSERT INTO staged_location (location_id, address_raw, postcode, mention_id, event_id,
    relation, force, source_system, source_file, source_row, source_record_id, record_hash,
    load_id, handling_code, classification)
SELECT 'L' || ei || '-' || k,
       CASE WHEN {u("ei * 7 + k", 13)} < 0.002 THEN (hash(ei, 14) % 50) || ' Hostel Road'
            ELSE (person // 3 % 200 + 1) || ' High Street' END,
       CASE WHEN {u("ei * 7 + k", 13)} < 0.002 THEN 'HS1 1AA'
            ELSE 'AB' || (person // 3 // 200 % 99) || ' ' || (person // 3 // 19800) || 'CD' END,
       'M' || ei || '-' || k, 'E' || ei, 'home', force, 'bench', 'locations.csv',
       row_number() OVER (), 'R' || ei, 'h', 'L', 'P', 'OFFICIAL'
FROM _m WHERE {u("ei * 7 + k", 15)} < 0.85""")
    con.execute("DROP TABLE _ev")
    con.execute("DROP TABLE _m")


def timed_build(con: duckdb.DuckDBPyConnection, config: LinkConfig) -> dict[str, float]:
    """Run the link stage, timing its parts (by wrapping the stage's helpers)."""
    times: dict[str, float] = {
        "edges_sql": 0.0,
        "graph": 0.0,
        "networks_sql": 0.0,
        "edges_sql_cpu": 0.0,
        "graph_cpu": 0.0,
        "networks_sql_cpu": 0.0,
    }
    run_steps, compute = link_stage.run_steps, link_stage.compute_vertices
    calls = {"n": 0}

    def steps(c: duckdb.DuckDBPyConnection, s: list[Any]) -> None:
        t, cpu = time.perf_counter(), time.process_time()
        run_steps(c, s)
        key = "edges_sql" if calls["n"] == 0 else "networks_sql"
        calls["n"] += 1
        times[key] += time.perf_counter() - t
        times[key + "_cpu"] += time.process_time() - cpu

    def vertices(edges: pa.Table, cfg: LinkConfig) -> pa.Table:
        t, cpu = time.perf_counter(), time.process_time()
        out = compute(edges, cfg)
        times["graph"] += time.perf_counter() - t
        times["graph_cpu"] += time.process_time() - cpu
        return out

    link_stage.run_steps, link_stage.compute_vertices = steps, vertices  # type: ignore[assignment]
    try:
        t, cpu = time.perf_counter(), time.process_time()
        summary = link_stage.build_links(con, config)
        times["total"] = time.perf_counter() - t
        times["total_cpu"] = time.process_time() - cpu
    finally:
        link_stage.run_steps, link_stage.compute_vertices = run_steps, compute
    times.update({k: float(v) for k, v in summary.__dict__.items()})
    return times


def networkx_reference(edges: pa.Table, config: LinkConfig) -> dict[str, float]:
    """The graph part in igraph (toex) and in networkx on the same edges (CPU s)."""
    t = time.process_time()
    compute_vertices(edges, config)
    ig_time = time.process_time() - t
    a = edges.column("person_a").to_pylist()
    b = edges.column("person_b").to_pylist()
    w = edges.column("weight").to_pylist()
    t = time.process_time()
    g = nx.Graph()
    g.add_weighted_edges_from(zip(a, b, w, strict=True))
    comps = list(nx.connected_components(g))
    nx.community.louvain_communities(g, weight="weight", seed=config.leiden_seed)
    rng = random.Random(config.leiden_seed)
    for nodes in comps:
        if len(nodes) < 3:
            continue
        sub = g.subgraph(nodes)
        k = None if len(nodes) <= config.betweenness_exact_max else config.betweenness_samples
        nx.betweenness_centrality(sub, k=k, normalized=False, seed=rng.randrange(10**9))
        nx.eigenvector_centrality_numpy(sub, weight="weight")
    nx_time = time.process_time() - t
    pg = build_graph(a, b, w)
    return {
        "igraph_s": ig_time,
        "networkx_s": nx_time,
        "ratio": nx_time / ig_time,
        "persons": float(pg.graph.vcount()),
        "pairs": float(pg.graph.ecount()),
        "components": float(len(set(components(pg.graph).tolist()))),
    }


def _prepare(path: Path, snapshot: Path | None, mentions: int) -> duckdb.DuckDBPyConnection:
    """Copy the snapshot, or build the random warehouse in a child process (so its memory is
    not counted in this process's peak RSS), and open it with the bench's limits."""
    if snapshot is not None:
        shutil.copyfile(snapshot, path)
    else:
        subprocess.run(
            [sys.executable, __file__, "--build-input", str(path), "--mentions", str(mentions)],
            check=True,
        )
    con = duckdb.connect(str(path))
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '6GB'")
    return con


def run(
    mentions: int, snapshot: Path | None, small_snapshot: Path | None, small_mentions: int = 200_000
) -> dict[str, Any]:
    """Run the benchmark (large first, so the peak RSS is the link stage's); its figures."""
    config = LinkConfig()
    with tempfile.TemporaryDirectory(prefix="bench_link_") as tmp:
        t = time.perf_counter()
        con = _prepare(Path(tmp) / "large.duckdb", snapshot, mentions)
        build_input = time.perf_counter() - t
        load_before = os.getloadavg()[0]
        n_mentions = con.execute("SELECT count(*) FROM staged_person_mention").fetchone()[0]
        large = timed_build(con, config)
        large["peak_rss_gb"] = _peak_rss_gb()
        large["input_s"] = build_input
        large["load_before"] = load_before
        large["mentions"] = float(n_mentions)
        con.close()
        con = _prepare(Path(tmp) / "small.duckdb", small_snapshot, small_mentions)
        link_stage.build_links(con, config)
        edges = con.execute(network_edges_sql(config)).to_arrow_table()
        con.close()
        reference = networkx_reference(edges, config)
    return {
        "large": large,
        "reference": reference,
        "snapshot": snapshot,
        "small_snapshot": small_snapshot,
        "small_mentions": small_mentions,
    }


def section(res: dict[str, Any], command: str) -> str:
    """The markdown section for ``docs/benchmarks.md``."""
    lg, ref = res["large"], res["reference"]
    source = (
        f"the snapshot `{res['snapshot']}`"
        + (f" ({res['describe']})" if res.get("describe") else "")
        if res["snapshot"]
        else "a random warehouse of that size built by the bench (not the generator's large "
        "set: its ingest + resolve were not run for this measurement)"
    )
    small = (
        f"the snapshot `{res['small_snapshot']}`"
        if res["small_snapshot"]
        else f"a random warehouse of {res['small_mentions']:,} mentions"
    )
    ok_time = "meets" if lg["total"] <= 300 else "MISSES"
    ok_mem = "meets" if lg["peak_rss_gb"] <= 8 else "MISSES"
    return f"""{SECTION}

Command: `{command}`
Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},
DuckDB {duckdb.__version__} (2 threads, 6 GB memory limit), igraph {ig.__version__}.

Input: {int(lg["mentions"]):,} person mentions in {source}.

| part | wall s | CPU s |
|---|---|---|
| edges, evidence and hubs (SQL) | {lg["edges_sql"]:.1f} | {lg["edges_sql_cpu"]:.1f} |
| graph: components, Leiden, centrality (igraph) | {lg["graph"]:.1f} | {lg["graph_cpu"]:.1f} |
| network IDs, profiles, cross-force report (SQL) | {lg["networks_sql"]:.1f} | \
{lg["networks_sql_cpu"]:.1f} |
| **link stage total** | **{lg["total"]:.1f}** | **{lg["total_cpu"]:.1f}** |

CPU seconds add up both DuckDB threads. The machine was shared while this ran (load average
{lg["load_before"]:.1f} before the run, on 2 cores), so wall time is an upper bound.

Built {int(lg["edges"]):,} edges ({int(lg["hubs"]):,} hubs), {int(lg["linked_persons"]):,}
linked persons in {int(lg["components"]):,} components and {int(lg["communities"]):,}
communities. Peak RSS of the process running the stage: {lg["peak_rss_gb"]:.2f} GB (the
input is built in a child process and not counted).
Targets (5 min, 8 GB on 2 cores): time {ok_time}, memory {ok_mem}.

Reference on the small scale ({small}; {int(ref["persons"]):,} linked persons,
{int(ref["pairs"]):,} linked pairs, {int(ref["components"]):,} components): the same graph
computation took {ref["igraph_s"]:.1f} CPU s with igraph and
{ref["networkx_s"]:.1f} CPU s with networkx (Louvain modularity in place of Leiden CPM, which
networkx lacks; same betweenness sampling): networkx is {ref["ratio"]:.1f}x slower.
"""


def main(argv: list[str] | None = None) -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mentions", type=int, default=5_000_000)
    parser.add_argument(
        "--snapshot",
        type=Path,
        default=None,
        help="A warehouse file with staged and resolved tables (copied).",
    )
    parser.add_argument(
        "--small-snapshot",
        type=Path,
        default=None,
        help="The small set's warehouse file for the networkx reference.",
    )
    parser.add_argument("--small-mentions", type=int, default=200_000)
    parser.add_argument(
        "--describe", default=None, help="What the --snapshot holds, for the report."
    )
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--build-input", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_input is not None:  # child process of _prepare
        con = duckdb.connect(str(args.build_input))
        con.execute("SET threads = 2")
        con.execute("SET memory_limit = '6GB'")
        random_warehouse(con, args.mentions)
        con.close()
        return
    res = run(args.mentions, args.snapshot, args.small_snapshot, args.small_mentions)
    res["describe"] = args.describe
    command = "python " + " ".join(["bench/bench_link.py", *sys.argv[1:]])
    text = section(res, command)
    print(text)
    print("raw:", {k: round(v, 3) for k, v in res["large"].items()}, res["reference"])
    if not args.no_write:
        replace_section(text)


if __name__ == "__main__":
    main()
