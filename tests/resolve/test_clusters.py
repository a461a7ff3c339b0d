"""Clustering: connected components against networkx, and cannot-link splitting."""

from __future__ import annotations

import random

import duckdb
import networkx as nx
import pyarrow as pa

from toex.resolve.backend import DuckDBBackend
from toex.resolve.clusters import (
    cluster,
    connected_components,
    constrained_components,
    decisions_table,
    match_edges_sql,
)


def test_connected_components_agree_with_networkx_on_random_graphs() -> None:
    rnd = random.Random(5)
    for _ in range(20):
        nodes = [f"n{i:03d}" for i in range(rnd.randint(1, 60))]
        edges = [(rnd.choice(nodes), rnd.choice(nodes)) for _ in range(rnd.randint(0, 50))]
        got = connected_components(nodes, edges)
        g = nx.Graph()
        g.add_nodes_from(nodes)
        g.add_edges_from(edges)
        want = {n: min(c) for c in nx.connected_components(g) for n in c}
        assert got == want


def test_constrained_components_keep_cannot_link_apart_and_cut_the_weakest_edge() -> None:
    # a - b - c - d chain; b-c is weakest; analyst says a and d differ.
    edges = [("a", "b", 0.99), ("b", "c", 0.96), ("c", "d", 0.99)]
    got = constrained_components("abcd", edges, [("a", "d")])
    assert got == {"a": "a", "b": "a", "c": "c", "d": "c"}
    # without the constraint it is one component
    assert set(constrained_components("abcd", edges, []).values()) == {"a"}


def test_cannot_link_survives_merges_through_third_nodes() -> None:
    edges = [("a", "x", 0.99), ("x", "b", 0.98), ("b", "y", 0.97), ("y", "a", 0.5)]
    got = constrained_components(["a", "b", "x", "y"], edges, [("a", "b")])
    assert got["a"] != got["b"]


def test_match_edges_apply_threshold_identifiers_and_decisions() -> None:
    con = duckdb.connect()
    con.execute("""CREATE TABLE pairs AS SELECT * FROM (VALUES
        ('a', 'b', 0.99, 0), ('a', 'c', 0.40, 1), ('c', 'd', 0.97, 0), ('d', 'e', 0.10, 0))
        t(mention_id_l, mention_id_r, match_probability, gamma_identifiers)""")
    con.execute("CREATE TABLE nodes AS SELECT unnest(['a','b','c','d','e','f']) AS mention_id")
    con.register("dec", decisions_table([("d", "c", False), ("f", "e", True)]))
    rows = con.execute(match_edges_sql("pairs", "dec", "nodes", 0.95) + " ORDER BY 1, 2").fetchall()
    assert rows == [("a", "b", 0.99), ("a", "c", 1.5), ("e", "f", 2.0)]


def test_cluster_splits_a_not_same_pair_on_duckdb() -> None:
    be = DuckDBBackend(duckdb.connect())
    be.load("nodes", pa.table({"mention_id": ["a", "b", "c", "d"]}))
    be.load(
        "pairs",
        pa.table(
            {
                "mention_id_l": ["a", "b", "c"],
                "mention_id_r": ["b", "c", "d"],
                "match_probability": [0.99, 0.96, 0.99],
                "gamma_identifiers": [0, 0, 0],
            }
        ),
    )
    cluster(be, "nodes", "pairs", decisions_table([("a", "d", False)]), 0.95)
    got = dict(
        be.fetch("SELECT * FROM resolve_clusters").to_pylist()
        and [
            (r["mention_id"], r["cluster_key"])
            for r in be.fetch("SELECT * FROM resolve_clusters").to_pylist()
        ]
    )
    assert got == {"a": "a", "b": "a", "c": "c", "d": "c"}
    be.close()


def _clusters(be: DuckDBBackend) -> dict[str, str]:
    rows = be.fetch("SELECT * FROM resolve_clusters").to_pylist()
    return {r["mention_id"]: r["cluster_key"] for r in rows}


def test_orphans_join_the_one_cluster_their_pairs_point_into() -> None:
    """a-b is a person. c's pairs all point into it, the best at 0.93: c joins. d points
    into it at 0.93 but also to e (another cluster): d stays alone. f points into it at
    0.93, but an analyst said f and b are not the same: f stays alone. g's best pair into
    it is 0.85: g stays alone. Without ``attach`` nobody joins."""
    be = DuckDBBackend(duckdb.connect())
    be.load("nodes", pa.table({"mention_id": list("abcdefg")}))
    pairs = [
        ("a", "b", 0.99),
        ("a", "c", 0.93),
        ("b", "c", 0.60),
        ("a", "d", 0.93),
        ("d", "e", 0.20),
        ("a", "f", 0.93),
        ("b", "g", 0.85),
    ]
    be.load(
        "pairs",
        pa.table(
            {
                "mention_id_l": [p[0] for p in pairs],
                "mention_id_r": [p[1] for p in pairs],
                "match_probability": [p[2] for p in pairs],
                "gamma_identifiers": [0] * len(pairs),
            }
        ),
    )
    decisions = decisions_table([("f", "b", False)])
    cluster(be, "nodes", "pairs", decisions, 0.95, attach=0.9)
    got = _clusters(be)
    assert got == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "e", "f": "f", "g": "g"}
    # The attaching pair is a match edge (explanations show it as the link).
    edges = be.fetch("SELECT mention_id_l, mention_id_r FROM resolve_edges").to_pylist()
    assert {"mention_id_l": "a", "mention_id_r": "c"} in edges
    cluster(be, "nodes", "pairs", decisions, 0.95, attach=None)
    assert _clusters(be)["c"] == "c"
    be.close()
