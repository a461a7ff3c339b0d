"""Shortest paths between two persons, with the evidence on every hop.

:func:`shortest_paths` searches ``link_edge`` breadth-first from both ends at once (one
query per layer, so it needs no graph in memory and works on the read-only snapshot the web
app holds) and returns every shortest path up to ``limit``, as plain data::

    [{"persons": ["P1", "P7", "P9"], "length": 2,
      "hops": [{"from": "P1", "to": "P7", "weight": 5.0,
                "edges": [{"edge_type": "shared_phone", "weight": 2.0, ...}],
                "evidence": [{"edge_type": ..., "event_id": ..., "force": ...,
                              "source_file": ..., "source_row": ..., ...}]}, ...]}, ...]

Paths use network edges only (hub-only edges are skipped) unless ``include_hubs`` is set.
Dates are ISO strings so the result serialises to JSON as it is.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import duckdb

from toex.link.edges import EVIDENCE_COLUMNS
from toex.link.steps import raw_connection

EDGE_COLUMNS: tuple[str, ...] = (
    "person_a",
    "person_b",
    "edge_type",
    "weight",
    "first_date",
    "last_date",
    "n_records",
    "n_units",
    "hub_only",
    "event_ids",
    "object_values",
    "forces",
    "handling_codes",
    "classification",
)
"""The ``link_edge`` columns returned for each edge of a hop."""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def plain_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The cursor's rows as dicts of JSON-friendly values (dates as ISO strings)."""
    names = [d[0] for d in cursor.description or []]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def neighbour_pairs(
    con: duckdb.DuckDBPyConnection, persons: Iterable[str], include_hubs: bool = False
) -> list[tuple[str, str]]:
    """(person, neighbour) for every edge touching ``persons``, sorted."""
    frontier = sorted(set(persons))
    if not frontier:
        return []
    hub = "" if include_hubs else "AND NOT e.hub_only"
    rows = con.execute(
        f"""
WITH f AS (SELECT unnest(?::VARCHAR[]) AS p)
SELECT DISTINCT f.p, e.person_b FROM link_edge AS e JOIN f ON e.person_a = f.p WHERE TRUE {hub}
UNION
SELECT DISTINCT f.p, e.person_a FROM link_edge AS e JOIN f ON e.person_b = f.p WHERE TRUE {hub}
ORDER BY 1, 2""",
        [frontier],
    ).fetchall()
    return [(str(a), str(b)) for a, b in rows]


class _Search:
    """One side of the bidirectional search: distances and shortest-path parents."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.dist: dict[str, int] = {root: 0}
        self.parents: dict[str, set[str]] = {root: set()}
        self.frontier: set[str] = {root}
        self.depth = 0

    def expand(self, con: duckdb.DuckDBPyConnection, include_hubs: bool) -> None:
        nxt: set[str] = set()
        for p, q in neighbour_pairs(con, self.frontier, include_hubs):
            if q not in self.dist:
                self.dist[q] = self.depth + 1
                self.parents[q] = {p}
                nxt.add(q)
            elif self.dist[q] == self.depth + 1:
                self.parents[q].add(p)
        self.frontier = nxt
        self.depth += 1

    def chains(self, node: str, limit: int) -> list[list[str]]:
        """Up to ``limit`` shortest chains root..node, in sorted order."""
        if node == self.root:
            return [[node]]
        out: list[list[str]] = []
        for p in sorted(self.parents[node]):
            for chain in self.chains(p, limit - len(out)):
                out.append([*chain, node])
                if len(out) >= limit:
                    return out
        return out


def shortest_path_persons(
    con: Any, a: str, b: str, max_hops: int = 4, limit: int = 5, include_hubs: bool = False
) -> list[list[str]]:
    """Every shortest path from ``a`` to ``b`` (up to ``limit``), as lists of person IDs.

    Empty when there is no path of at most ``max_hops`` edges; ``[[a]]`` when ``a == b``.
    """
    raw = raw_connection(con)
    if a == b:
        return [[a]]
    sa, sb = _Search(a), _Search(b)
    while sa.depth + sb.depth < max_hops and sa.frontier and sb.frontier:
        side = sa if len(sa.frontier) <= len(sb.frontier) else sb
        side.expand(raw, include_hubs)
        meet = set(sa.dist) & set(sb.dist)
        if meet:
            length = min(sa.dist[m] + sb.dist[m] for m in meet)
            paths: dict[tuple[str, ...], list[str]] = {}
            for m in sorted(meet):
                if sa.dist[m] + sb.dist[m] != length:
                    continue
                for left in sa.chains(m, limit):
                    for right in sb.chains(m, limit):
                        path = left + list(reversed(right))[1:]
                        paths[tuple(path)] = path
            return [paths[k] for k in sorted(paths)][:limit]
    return []


def hop_details(
    con: Any, pairs: list[tuple[str, str]], max_evidence: int = 50
) -> dict[tuple[str, str], dict[str, Any]]:
    """For each (person, person) pair: its ``link_edge`` rows and up to ``max_evidence``
    evidence rows, keyed by the sorted pair."""
    raw = raw_connection(con)
    keys = sorted({(min(p, q), max(p, q)) for p, q in pairs})
    out: dict[tuple[str, str], dict[str, Any]] = {k: {"edges": [], "evidence": []} for k in keys}
    if not keys:
        return out
    lefts, rights = [k[0] for k in keys], [k[1] for k in keys]
    pair_rel = "SELECT unnest(?::VARCHAR[]) AS a, unnest(?::VARCHAR[]) AS b"
    cur = raw.execute(
        f"SELECT {', '.join('e.' + c for c in EDGE_COLUMNS)} FROM link_edge AS e "
        f"JOIN ({pair_rel}) AS k ON e.person_a = k.a AND e.person_b = k.b "
        "ORDER BY e.person_a, e.person_b, e.weight DESC, e.edge_type",
        [lefts, rights],
    )
    for row in plain_rows(cur):
        out[(row["person_a"], row["person_b"])]["edges"].append(row)
    cur = raw.execute(
        f"SELECT * EXCLUDE (rn) FROM (SELECT {', '.join('x.' + c for c in EVIDENCE_COLUMNS)}, "
        "row_number() OVER (PARTITION BY x.person_a, x.person_b ORDER BY x.event_date DESC "
        "NULLS LAST, x.edge_type, x.unit_key, x.source_file, x.source_row) AS rn "
        f"FROM link_edge_evidence AS x JOIN ({pair_rel}) AS k "
        "ON x.person_a = k.a AND x.person_b = k.b) WHERE rn <= ? "
        "ORDER BY person_a, person_b, rn",
        [lefts, rights, max_evidence],
    )
    for row in plain_rows(cur):
        out[(row["person_a"], row["person_b"])]["evidence"].append(row)
    return out


def shortest_paths(
    con: Any,
    a: str,
    b: str,
    max_hops: int = 4,
    limit: int = 5,
    include_hubs: bool = False,
    max_evidence: int = 50,
) -> list[dict[str, Any]]:
    """Every shortest path from ``a`` to ``b`` with the edges and evidence of each hop.

    ``con`` is an Ibis DuckDB backend or a duckdb connection on a snapshot holding the link
    tables. Returns ``[]`` when no path of at most ``max_hops`` exists.
    """
    persons = shortest_path_persons(con, a, b, max_hops, limit, include_hubs)
    hops = [(p[i], p[i + 1]) for p in persons for i in range(len(p) - 1)]
    details = hop_details(con, hops, max_evidence)
    result = []
    for path in persons:
        steps = []
        for p, q in itertools.pairwise(path):
            d = details[(min(p, q), max(p, q))]
            edges = [e for e in d["edges"] if include_hubs or not e["hub_only"]]
            steps.append(
                {
                    "from": p,
                    "to": q,
                    "weight": round(sum(e["weight"] for e in edges), 6),
                    "edges": edges,
                    "evidence": d["evidence"],
                }
            )
        result.append({"persons": path, "length": len(path) - 1, "hops": steps})
    return result
