"""Graph algorithms checked against networkx on seeded random graphs."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest

from toex.link.config import LinkConfig
from toex.link.graph import (
    build_graph,
    centrality,
    centrality_score,
    communities,
    community_centrality,
    components,
    rank_within,
)


def random_edges(seed: int, n: int, m: int) -> tuple[list[str], list[str], list[float]]:
    """``m`` random weighted edges on ``n`` persons (some isolated, several components)."""
    rng = random.Random(seed)
    a, b, w = [], [], []
    for _ in range(m):
        i, j = rng.randrange(n), rng.randrange(n)
        a.append(f"P{i:04d}")
        b.append(f"P{j:04d}")
        w.append(round(rng.uniform(0.5, 4.0), 3))
    return a, b, w


def to_networkx(a: list[str], b: list[str], w: list[float]) -> nx.Graph:
    g = nx.Graph()
    for x, y, wt in zip(a, b, w, strict=True):
        if x == y:
            continue
        prev = g.get_edge_data(x, y, {"weight": 0.0})["weight"]
        g.add_edge(x, y, weight=prev + wt)
    return g


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_components_match_networkx(seed: int) -> None:
    a, b, w = random_edges(seed, 300, 260)
    pg = build_graph(a, b, w)
    comp = components(pg.graph)
    ours = {frozenset(pg.names[i] for i in np.flatnonzero(comp == c)) for c in np.unique(comp)}
    theirs = {frozenset(c) for c in nx.connected_components(to_networkx(a, b, w))}
    assert ours == theirs
    sizes = np.bincount(comp)
    assert list(sizes) == sorted(sizes, reverse=True)


def test_repeated_pairs_sum_and_self_pairs_are_dropped() -> None:
    pg = build_graph(["A", "B", "C"], ["B", "A", "C"], [1.0, 2.5, 9.0])
    assert pg.names == ["A", "B", "C"]
    assert pg.graph.ecount() == 1
    assert pg.graph.es["weight"] == [3.5]


@pytest.mark.parametrize("seed", [4, 5])
def test_exact_centrality_matches_networkx(seed: int) -> None:
    a, b, w = random_edges(seed, 120, 200)
    pg = build_graph(a, b, w)
    comp = components(pg.graph)
    cent = centrality(pg.graph, comp, LinkConfig())
    g = to_networkx(a, b, w)
    between = nx.betweenness_centrality(g, normalized=False)
    for i, name in enumerate(pg.names):
        assert cent.degree[i] == g.degree(name)
        assert cent.strength[i] == pytest.approx(g.degree(name, weight="weight"))
        assert cent.betweenness[i] == pytest.approx(between[name], abs=1e-6)
    assert cent.betweenness_exact.all()
    for nodes in nx.connected_components(g):
        if len(nodes) < 3:
            continue
        eig = nx.eigenvector_centrality_numpy(g.subgraph(nodes), weight="weight")
        top = max(eig.values())
        for name in nodes:
            i = pg.names.index(name)
            assert cent.eigenvector[i] == pytest.approx(eig[name] / top, abs=1e-4)


def test_sampled_betweenness_estimates_exact_on_a_large_component() -> None:
    # a scale-free graph (brokers and many peripheral persons), as person networks are
    g = nx.barabasi_albert_graph(600, 2, seed=6)
    a = [f"P{u:04d}" for u, _ in g.edges]
    b = [f"P{v:04d}" for _, v in g.edges]
    pg = build_graph(a, b, [1.0] * len(a))
    comp = components(pg.graph)
    exact = centrality(pg.graph, comp, LinkConfig(betweenness_exact_max=1000))
    sampled = centrality(pg.graph, comp, LinkConfig(betweenness_exact_max=100))
    assert exact.betweenness_exact.all() and not sampled.betweenness_exact.any()
    # 64 sampled sources of 600 follow the exact values closely and find the same brokers
    corr = np.corrcoef(exact.betweenness, sampled.betweenness)[0, 1]
    assert corr > 0.95
    top_exact = set(np.argsort(-exact.betweenness)[:5].tolist())
    top_sampled = set(np.argsort(-sampled.betweenness)[:5].tolist())
    assert len(top_exact & top_sampled) >= 4
    ratio = sampled.betweenness.sum() / exact.betweenness.sum()
    assert 0.85 < ratio < 1.15


@pytest.mark.parametrize("method", ["cpm", "modularity"])
def test_communities_are_deterministic_connected_and_inside_components(method: str) -> None:
    a, b, w = random_edges(7, 400, 700)
    pg = build_graph(a, b, w)
    comp = components(pg.graph)
    resolution = 0.05 if method == "cpm" else 1.0
    cfg = LinkConfig(community_min_size=5, leiden_method=method, leiden_resolution=resolution)
    first = communities(pg.graph, comp, cfg)
    again = communities(build_graph(a, b, w).graph, comp, cfg)
    assert (first == again).all()
    g = to_networkx(a, b, w)
    for c in np.unique(first):
        members = np.flatnonzero(first == c)
        assert len(set(comp[members])) == 1
        assert nx.is_connected(g.subgraph(pg.names[i] for i in members))
    assert len(np.unique(first)) > len(np.unique(comp[np.bincount(comp)[comp] >= 5]))


@pytest.mark.parametrize(("method", "resolution"), [("cpm", 0.05), ("modularity", 1.0)])
def test_leiden_separates_two_cliques_joined_by_one_edge(method: str, resolution: float) -> None:
    a, b, w = [], [], []
    for group in ("X", "Y"):
        for i in range(8):
            for j in range(i + 1, 8):
                a.append(f"{group}{i}")
                b.append(f"{group}{j}")
                w.append(1.0)
    a.append("X0")
    b.append("Y0")
    w.append(1.0)
    pg = build_graph(a, b, w)
    comp = components(pg.graph)
    cfg = LinkConfig(community_min_size=4, leiden_method=method, leiden_resolution=resolution)
    comm = communities(pg.graph, comp, cfg)
    assert len(set(comp)) == 1
    groups = {pg.names[i][0] + str(comm[i]) for i in range(len(pg.names))}
    assert len(groups) == 2 and len(set(comm.tolist())) == 2


def test_small_components_are_one_community() -> None:
    pg = build_graph(["A", "B", "D"], ["B", "C", "E"], [1.0, 1.0, 1.0])
    comp = components(pg.graph)
    comm = communities(pg.graph, comp, LinkConfig())
    assert (comm == comp).all()


def test_score_and_rank_put_the_hub_of_a_star_first() -> None:
    leaves = [f"L{i}" for i in range(6)]
    pg = build_graph(["HUB"] * 6 + ["L0"], [*leaves, "X"], [1.0] * 7)
    comp = components(pg.graph)
    cent = centrality(pg.graph, comp, LinkConfig())
    score = centrality_score(cent, comp)
    rank = rank_within(score, comp)
    assert pg.names[int(np.argmin(rank))] == "HUB"
    assert score.max() == pytest.approx(1.0)
    assert sorted(rank.tolist()) == list(range(1, 9))


def test_cpm_keeps_a_star_apart_from_a_large_sparse_component() -> None:
    # a long chain of weakly linked pairs, with a star (an offender and his 6 victims) on it:
    # modularity merges the star into a chunk of chain; CPM keeps it whole and alone
    a, b, w = [], [], []
    for i in range(400):
        a.append(f"C{i:03d}")
        b.append(f"C{i + 1:03d}")
        w.append(1.0)
    for v in range(6):
        a.append("STAR")
        b.append(f"V{v}")
        w.append(2.0)
    a.append("STAR")
    b.append("C200")
    w.append(1.0)
    pg = build_graph(a, b, w)
    comp = components(pg.graph)
    comm = communities(pg.graph, comp, LinkConfig())
    star = comm[pg.names.index("STAR")]
    members = {pg.names[i] for i in np.flatnonzero(comm == star)}
    assert members == {"STAR", *[f"V{v}" for v in range(6)]}


def test_community_centrality_counts_only_edges_inside_each_community() -> None:
    a, b, w = [], [], []
    for group in ("X", "Y"):
        for i in range(1, 6):
            a.append(f"{group}0")  # a star around X0 and one around Y0
            b.append(f"{group}{i}")
            w.append(2.0)
    a.append("X1")  # one bridge between the stars
    b.append("Y1")
    w.append(0.5)
    pg = build_graph(a, b, w)
    comp = components(pg.graph)
    comm = communities(pg.graph, comp, LinkConfig(community_min_size=4))
    inner = community_centrality(pg.graph, comm, LinkConfig())
    whole = centrality(pg.graph, comp, LinkConfig())
    x1 = pg.names.index("X1")
    assert (whole.degree[x1], inner.degree[x1]) == (2, 1)
    assert whole.betweenness[x1] > 0 and inner.betweenness[x1] == 0
    rank = rank_within(centrality_score(inner, comm), comm)
    assert {pg.names[i] for i in np.flatnonzero(rank == 1)} == {"X0", "Y0"}
