"""Clustering scored pairs into persons, with deterministic links and analyst decisions.

1. Match edges (:func:`match_edges_sql`): pairs at or above the threshold, pairs sharing a
   PNC ID or CRO number (deterministic), and "same" decisions; minus "not the same" pairs.
2. Connected components (Splink's SQL implementation, on either engine).
3. Cannot-link pairs (:func:`cannot_link_sql`): "not the same" decisions, the model's
   own conflicts on scored pairs (``conflict``: for the person model, two unrelated
   forenames under one family name, :func:`toex.resolve.comparisons.family_conflict_sql`)
   and, inside each connected component, mentions holding incompatible values of an
   attribute (:class:`AttributeConflict`: for the person model, two dates of birth no
   typo explains), unless an analyst said "same".
   A cluster holding a cannot-link pair is split by :func:`constrained_components` over
   that cluster's edges only (strongest edges first, never joining two mentions kept
   apart).

4. Orphans (:func:`orphan_links_sql`, with ``attach``): a mention left alone whose every
   scored pair (at or above the explanation threshold) points into one cluster, the best
   at or above ``attach``, joins that cluster, unless it holds a cannot-link pair with one
   of its mentions. A bare record (a name and a force area) of a person with one plausible
   match scores below the threshold as the population grows, though nothing else in the
   data competes for it.

A cluster's key is its smallest mention ID; :mod:`toex.resolve.stable_ids` maps keys to
person IDs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


def cannot_link_sql(
    pairs: str,
    decisions: str,
    conflict: str | None = None,
    features: str | None = None,
    columns: tuple[str, ...] = (),
) -> str:
    """SQL of the cannot-link pairs ``mention_a, mention_b`` (ordered): "not the same"
    decisions, and scored pairs meeting ``conflict`` that no "same" decision covers.

    ``conflict`` reads the pair's columns and, for each of ``columns``, ``<column>_l`` and
    ``<column>_r`` taken from ``features`` (one row per ``mention_id``)."""
    sql = f"SELECT mention_a, mention_b FROM {decisions} WHERE NOT same"
    if not conflict:
        return sql
    side = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in columns)
    source = pairs
    if features and columns:
        source = f"""(SELECT p.*, {side} FROM {pairs} p
            JOIN {features} l ON l.mention_id = p.mention_id_l
            JOIN {features} r ON r.mention_id = p.mention_id_r)"""
    return (
        sql
        + f"""
        UNION
        SELECT least(p.mention_id_l, p.mention_id_r), greatest(p.mention_id_l, p.mention_id_r)
        FROM {source} p
        LEFT JOIN {decisions} d
          ON d.mention_a = least(p.mention_id_l, p.mention_id_r)
         AND d.mention_b = greatest(p.mention_id_l, p.mention_id_r)
        WHERE ({conflict}) AND (d.same IS NULL OR NOT d.same)"""
    )


@dataclass(frozen=True)
class AttributeConflict:
    """Two mentions of one cluster whose values of an attribute cannot belong to one person.

    ``keys`` are feature columns of the attribute (the first must be non-null for the
    attribute to be known, and determines the others); ``incompatible`` is a condition on
    ``<key>_l`` / ``<key>_r`` of two distinct values; a pair of mentions meeting ``exempt``
    (over ``<column>_l`` / ``<column>_r`` of ``exempt_columns``) is not a conflict.
    """

    keys: tuple[str, ...]
    incompatible: str
    exempt: str | None = None
    exempt_columns: tuple[str, ...] = ()


def attribute_conflicts_sql(clusters: str, features: str, rule: AttributeConflict) -> str:
    """SQL of the mention pairs ``mention_a, mention_b`` that share a cluster of
    ``clusters`` (``mention_id, cluster_key``) but hold incompatible values of ``rule``'s
    attribute, unless a third value of the cluster is compatible with both (two different
    typos of one date are not two people). Distinct values are compared per cluster, so
    the cost follows the number of distinct values in a cluster, not its mentions."""
    k0 = rule.keys[0]
    cols = ", ".join(f"f.{k}" for k in (*rule.keys, *rule.exempt_columns))
    keys = ", ".join(rule.keys)
    lr = ", ".join(f"l.{k} AS {k}_l, r.{k} AS {k}_r" for k in rule.keys)
    ex = ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in rule.exempt_columns)
    exempt = f"WHERE NOT coalesce(({rule.exempt}), FALSE)" if rule.exempt else ""
    return f"""
        WITH m AS (SELECT c.cluster_key, c.mention_id, {cols}
                   FROM {clusters} c JOIN {features} f USING (mention_id)
                   WHERE f.{k0} IS NOT NULL),
             v AS (SELECT DISTINCT cluster_key, {keys} FROM m),
             multi AS (SELECT cluster_key FROM v GROUP BY cluster_key HAVING count(*) > 1),
             vm AS (SELECT * FROM v WHERE cluster_key IN (SELECT cluster_key FROM multi)),
             ok AS (SELECT l.cluster_key, {lr} FROM vm l
                    JOIN vm r ON l.cluster_key = r.cluster_key AND l.{k0} <> r.{k0}
                    WHERE NOT ({rule.incompatible})),
             bad AS (SELECT l.cluster_key, {lr} FROM vm l
                     JOIN vm r ON l.cluster_key = r.cluster_key AND l.{k0} < r.{k0}
                     WHERE ({rule.incompatible})
                       AND NOT EXISTS (
                           SELECT 1 FROM ok a JOIN ok b
                             ON a.cluster_key = b.cluster_key AND a.{k0}_r = b.{k0}_r
                           WHERE a.cluster_key = l.cluster_key
                             AND a.{k0}_l = l.{k0} AND b.{k0}_l = r.{k0})),
             pairs AS (SELECT a.mention_id AS a_id, b.mention_id AS b_id{", " + ex if ex else ""}
                       FROM bad
                       JOIN m a ON a.cluster_key = bad.cluster_key AND a.{k0} = bad.{k0}_l
                       JOIN m b ON b.cluster_key = bad.cluster_key AND b.{k0} = bad.{k0}_r)
        SELECT least(a_id, b_id) AS mention_a, greatest(a_id, b_id) AS mention_b
        FROM pairs {exempt}
    """


def conflicts_sql(clusters: str, cannot: str) -> str:
    """SQL of the cannot-link pairs ``mention_a, mention_b, cluster_key`` that ended up in
    one cluster."""
    return f"""
        SELECT c.mention_a, c.mention_b, ca.cluster_key FROM {cannot} c
        JOIN {clusters} ca ON ca.mention_id = c.mention_a
        JOIN {clusters} cb ON cb.mention_id = c.mention_b
        WHERE ca.cluster_key = cb.cluster_key
    """


def cluster(
    backend: Backend,
    nodes: str,
    pairs: str,
    decisions: pa.Table,
    threshold: float,
    out: str = "resolve_clusters",
    deterministic: str | None = DETERMINISTIC_SQL,
    conflict: str | None = None,
    conflict_columns: tuple[str, ...] = (),
    attribute_conflicts: Sequence[AttributeConflict] = (),
    attach: float | None = None,
) -> str:
    """Cluster ``nodes`` (table with ``mention_id``) using scored ``pairs``, ``decisions``,
    the model's ``conflict`` condition over the pair and the ``conflict_columns`` of
    ``nodes`` (see module doc and :func:`cannot_link_sql`) and the ``attribute_conflicts``
    found inside each connected component, then (with ``attach``) orphans attached
    (:func:`orphan_links_sql`); creates table ``out`` (``mention_id, cluster_key``) and
    returns its name."""
    components = _components(
        backend,
        nodes,
        pairs,
        decisions,
        threshold,
        deterministic,
        conflict,
        conflict_columns,
        attribute_conflicts,
    )
    if attach is None:
        backend.create(out, f"SELECT * FROM {components}")
        return out
    backend.create("resolve_orphan_links", orphan_links_sql(components, pairs, attach))
    backend.create(
        "resolve_edges",
        """SELECT * FROM resolve_edges UNION ALL
           SELECT mention_id_l, mention_id_r, weight FROM resolve_orphan_links""",
    )
    backend.create(
        out,
        f"""SELECT c.mention_id, coalesce(a.cluster_key, c.cluster_key) AS cluster_key
            FROM {components} c
            LEFT JOIN (SELECT DISTINCT orphan, cluster_key FROM resolve_orphan_links) a
              ON a.orphan = c.mention_id""",
    )
    return out


def orphan_links_sql(clusters: str, pairs: str, attach: float) -> str:
    """SQL of the pairs attaching orphans: ``orphan, cluster_key`` (the cluster it joins),
    ``mention_id_l, mention_id_r, weight`` (its best pair into that cluster, ties kept).

    An orphan is a mention alone in its cluster in ``clusters``; it joins a cluster when
    all its scored ``pairs`` point into that one cluster and the best has a probability of
    at least ``attach``, and neither ``resolve_cannot`` (the run's cannot-link pairs,
    "not the same" decisions included) nor ``resolve_decisions`` keeps it apart from a
    mention of that cluster."""
    return f"""
        WITH sizes AS (SELECT cluster_key, count(*) AS n FROM {clusters} GROUP BY cluster_key),
        orphans AS (SELECT c.mention_id FROM {clusters} c JOIN sizes s USING (cluster_key)
                    WHERE s.n = 1),
        cand AS (
            SELECT p.mention_id_l AS orphan, p.mention_id_r AS other,
                   p.match_probability AS prob FROM {pairs} p
            WHERE p.mention_id_l IN (SELECT mention_id FROM orphans)
            UNION ALL
            SELECT p.mention_id_r, p.mention_id_l, p.match_probability FROM {pairs} p
            WHERE p.mention_id_r IN (SELECT mention_id FROM orphans)),
        scored AS (SELECT c.orphan, c.other, c.prob, k.cluster_key FROM cand c
                   JOIN {clusters} k ON k.mention_id = c.other),
        one AS (SELECT orphan, min(cluster_key) AS cluster_key, max(prob) AS best FROM scored
                GROUP BY orphan
                HAVING count(DISTINCT cluster_key) = 1 AND max(prob) >= {float(attach)!r}),
        apart AS (SELECT mention_a, mention_b FROM resolve_cannot
                  UNION SELECT mention_a, mention_b FROM resolve_decisions WHERE NOT same),
        kept AS (
            SELECT o.orphan FROM one o JOIN {clusters} m ON m.cluster_key = o.cluster_key
            JOIN apart x ON x.mention_a = o.orphan AND x.mention_b = m.mention_id
            UNION
            SELECT o.orphan FROM one o JOIN {clusters} m ON m.cluster_key = o.cluster_key
            JOIN apart x ON x.mention_b = o.orphan AND x.mention_a = m.mention_id)
        SELECT o.orphan, o.cluster_key, least(s.orphan, s.other) AS mention_id_l,
               greatest(s.orphan, s.other) AS mention_id_r, CAST(s.prob AS DOUBLE) AS weight
        FROM one o JOIN scored s ON s.orphan = o.orphan AND s.prob = o.best
        WHERE o.orphan NOT IN (SELECT orphan FROM kept)
    """


def _components(
    backend: Backend,
    nodes: str,
    pairs: str,
    decisions: pa.Table,
    threshold: float,
    deterministic: str | None,
    conflict: str | None,
    conflict_columns: tuple[str, ...],
    attribute_conflicts: Sequence[AttributeConflict],
) -> str:
    """Steps 1-3 of the module doc: creates ``resolve_decisions``, ``resolve_edges``,
    ``resolve_cannot`` and the components with cannot-link pairs split; returns the name
    of the components table (``mention_id, cluster_key``)."""
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
    cannot = cannot_link_sql(pairs, "resolve_decisions", conflict, nodes, conflict_columns)
    for rule in attribute_conflicts:
        cannot += f"""
        UNION
        SELECT x.mention_a, x.mention_b
        FROM ({attribute_conflicts_sql("resolve_cc", nodes, rule)}) x
        LEFT JOIN resolve_decisions d
          ON d.mention_a = x.mention_a AND d.mention_b = x.mention_b AND d.same
        WHERE d.mention_a IS NULL"""
    backend.create("resolve_cannot", cannot)
    backend.create("resolve_conflicts", conflicts_sql("resolve_cc", "resolve_cannot"))
    bad = backend.fetch("SELECT * FROM resolve_conflicts").to_pylist()
    if not bad:
        return "resolve_cc"
    members = backend.fetch("""SELECT c.mention_id FROM resolve_cc c
        WHERE c.cluster_key IN (SELECT cluster_key FROM resolve_conflicts)""").to_pylist()
    edges = backend.fetch("""SELECT e.mention_id_l, e.mention_id_r, e.weight
        FROM resolve_edges e JOIN resolve_cc c ON c.mention_id = e.mention_id_l
        WHERE c.cluster_key IN (SELECT cluster_key FROM resolve_conflicts)""").to_pylist()
    split = constrained_components(
        [m["mention_id"] for m in members],
        [(e["mention_id_l"], e["mention_id_r"], e["weight"]) for e in edges],
        [(b["mention_a"], b["mention_b"]) for b in bad],
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
        "resolve_components",
        """
        SELECT c.mention_id, coalesce(s.cluster_key, c.cluster_key) AS cluster_key
        FROM resolve_cc c LEFT JOIN resolve_split s USING (mention_id)""",
    )
    return "resolve_components"
