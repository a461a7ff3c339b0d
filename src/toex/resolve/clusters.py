"""Clustering scored pairs into persons, with deterministic links and analyst decisions.

1. Match edges (:func:`match_edges_sql`): pairs at or above the threshold, pairs sharing a
   PNC ID or CRO number (deterministic), and "same" decisions; minus "not the same" pairs.
2. Connected components (Splink's SQL implementation, on either engine).
3. A "not the same" pair whose mentions still meet through other links is split by
   :func:`constrained_components` over that cluster's edges only (strongest edges first,
   never joining two mentions an analyst has kept apart).

A cluster's key is its smallest mention ID; :mod:`toex.resolve.stable_ids` maps keys to
person IDs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyarrow as pa
from splink.clustering import cluster_pairwise_predictions_at_threshold

from toex.resolve.backend import Backend

DECISION_SCHEMA = pa.schema(
    [("mention_a", pa.string()), ("mention_b", pa.string()), ("same", pa.bool_())]
)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def connected_components(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map each node to its component's smallest node (pure; for small graphs and tests)."""
    uf = _UnionFind()
    for n in nodes:
        uf.find(n)
    for a, b in edges:
        uf.union(a, b)
    members: dict[str, list[str]] = defaultdict(list)
    for n in list(uf.parent):
        members[uf.find(n)].append(n)
    return {n: min(ms) for ms in members.values() for n in ms}


def constrained_components(
    nodes: Iterable[str],
    edges: Iterable[tuple[str, str, float]],
    cannot_link: Iterable[tuple[str, str]],
) -> dict[str, str]:
    """Components built from the strongest edges first, skipping any edge that would put a
    cannot-link pair in one component. Maps each node to its component's smallest node."""
    uf = _UnionFind()
    for n in nodes:
        uf.find(n)
    apart: dict[str, set[str]] = defaultdict(set)  # root -> roots it must stay apart from
    for a, b in cannot_link:
        ra, rb = uf.find(a), uf.find(b)
        apart[ra].add(rb)
        apart[rb].add(ra)
    for a, b, _w in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb or rb in apart[ra]:
            continue
        uf.union(ra, rb)
        keep, gone = (ra, rb) if uf.find(ra) == ra else (rb, ra)
        for other in apart.pop(gone, set()):
            apart[other].discard(gone)
            apart[other].add(keep)
            apart[keep].add(other)
    members: dict[str, list[str]] = defaultdict(list)
    for n in list(uf.parent):
        members[uf.find(n)].append(n)
    return {n: min(ms) for ms in members.values() for n in ms}


def decisions_table(decisions: Iterable[tuple[str, str, bool]]) -> pa.Table:
    """Decisions as Arrow with each pair ordered (``mention_a < mention_b``)."""
    rows = [(min(a, b), max(a, b), bool(s)) for a, b, s in decisions if a != b]
    return pa.table(
        {
            "mention_a": [r[0] for r in rows],
            "mention_b": [r[1] for r in rows],
            "same": [r[2] for r in rows],
        },
        schema=DECISION_SCHEMA,
    )


DETERMINISTIC_SQL = "gamma_identifiers = 1"
"""Condition on a scored pair that links it regardless of probability (same PNC/CRO)."""


def match_edges_sql(
    pairs: str,
    decisions: str,
    nodes: str,
    threshold: float,
    deterministic: str | None = DETERMINISTIC_SQL,
) -> str:
    """SQL of the match edges ``mention_id_l, mention_id_r, weight`` (see module doc).

    Decision edges weigh 2.0, deterministic identifier links 1.5, model edges their
    probability. Decisions naming unknown mentions are ignored.
    """
    det = f"p.{deterministic}" if deterministic else "FALSE"
    return f"""
        SELECT p.mention_id_l, p.mention_id_r,
               CAST(CASE WHEN {det} THEN 1.5 ELSE p.match_probability END AS DOUBLE)
                   AS weight
        FROM {pairs} p
        LEFT JOIN {decisions} d
          ON d.mention_a = least(p.mention_id_l, p.mention_id_r)
         AND d.mention_b = greatest(p.mention_id_l, p.mention_id_r)
        WHERE (p.match_probability >= {float(threshold)!r} OR {det})
          AND (d.same IS NULL OR d.same)
        UNION ALL
        SELECT d.mention_a, d.mention_b, CAST(2.0 AS DOUBLE) FROM {decisions} d
        WHERE d.same
          AND d.mention_a IN (SELECT mention_id FROM {nodes})
          AND d.mention_b IN (SELECT mention_id FROM {nodes})
    """


def conflicts_sql(clusters: str, decisions: str) -> str:
    """SQL of the cluster keys holding a "not the same" pair."""
    return f"""
        SELECT DISTINCT ca.cluster_key FROM {decisions} d
        JOIN {clusters} ca ON ca.mention_id = d.mention_a
        JOIN {clusters} cb ON cb.mention_id = d.mention_b
        WHERE NOT d.same AND ca.cluster_key = cb.cluster_key
    """


def cluster(
    backend: Backend,
    nodes: str,
    pairs: str,
    decisions: pa.Table,
    threshold: float,
    out: str = "resolve_clusters",
    deterministic: str | None = DETERMINISTIC_SQL,
) -> str:
    """Cluster ``nodes`` (table with ``mention_id``) using scored ``pairs`` and
    ``decisions``; creates table ``out`` (``mention_id, cluster_key``) and returns its name.
    """
    backend.load("resolve_decisions", decisions)
    backend.create(
        "resolve_edges",
        match_edges_sql(pairs, "resolve_decisions", nodes, threshold, deterministic),
    )
    api = backend.splink_api()
    cc = cluster_pairwise_predictions_at_threshold(
        nodes,
        "resolve_edges",
        api,
        node_id_column_name="mention_id",
        edge_id_column_name_left="mention_id_l",
        edge_id_column_name_right="mention_id_r",
    )
    backend.create(
        "resolve_cc",
        f"""
        SELECT mention_id, min(mention_id) OVER (PARTITION BY cluster_id) AS cluster_key
        FROM {cc.physical_name}""",
    )
    cc.drop_table_from_database_and_remove_from_cache()
    bad = backend.fetch(conflicts_sql("resolve_cc", "resolve_decisions"))
    keys = bad.column("cluster_key").to_pylist()
    if not keys:
        backend.create(out, "SELECT * FROM resolve_cc")
        return out
    backend.load("resolve_conflict_keys", pa.table({"cluster_key": pa.array(keys, pa.string())}))
    members = backend.fetch("""SELECT c.mention_id, c.cluster_key FROM resolve_cc c
        JOIN resolve_conflict_keys k USING (cluster_key)""").to_pylist()
    edges = backend.fetch("""SELECT e.mention_id_l, e.mention_id_r, e.weight
        FROM resolve_edges e JOIN resolve_cc c ON c.mention_id = e.mention_id_l
        JOIN resolve_conflict_keys k USING (cluster_key)""").to_pylist()
    cannot = [(r["mention_a"], r["mention_b"]) for r in decisions.to_pylist() if not r["same"]]
    node_ids = [m["mention_id"] for m in members]
    inside = set(node_ids)
    split = constrained_components(
        node_ids,
        [(e["mention_id_l"], e["mention_id_r"], e["weight"]) for e in edges],
        [c for c in cannot if c[0] in inside and c[1] in inside],
    )
    backend.load(
        "resolve_split",
        pa.table(
            {
                "mention_id": pa.array(list(split), pa.string()),
                "cluster_key": pa.array(list(split.values()), pa.string()),
            }
        ),
    )
    backend.create(
        out,
        """
        SELECT c.mention_id, coalesce(s.cluster_key, c.cluster_key) AS cluster_key
        FROM resolve_cc c LEFT JOIN resolve_split s USING (mention_id)""",
    )
    return out
