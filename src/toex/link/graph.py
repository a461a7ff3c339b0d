"""Graph algorithms on the person graph (igraph), pure and deterministic.

The person graph is undirected and weighted: one vertex per resolved person with at least
one network edge, one edge per linked pair (weights of the pair's edge types summed).
Vertices are ordered by person ID, so the same edges always give the same graph, the same
components, the same Leiden communities (seeded) and the same centralities.

Centrality, computed within each connected component (:func:`centrality`) and, counting only
the edges inside it, within each community (:func:`community_centrality`):

- ``degree``: distinct neighbours; ``strength``: sum of edge weights;
- ``betweenness``: unweighted shortest paths; exact for groups up to
  ``betweenness_exact_max`` persons, else estimated from ``betweenness_samples`` seeded
  source vertices and scaled by n/k (Brandes & Pich 2007);
- ``eigenvector``: weighted, scaled so the group's most central person has 1.
- ``score``: the mean of degree, betweenness and eigenvector, each divided by its maximum
  in the network; principal individuals are the highest scores.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from toex.link.config import LinkConfig

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PersonGraph:
    """An igraph graph and the person ID of each vertex (``names[i]`` is vertex ``i``)."""

    graph: ig.Graph
    names: list[str]


@dataclass(frozen=True)
class Centrality:
    """Per-vertex centrality measures (arrays indexed by vertex)."""

    degree: IntArray
    strength: FloatArray
    betweenness: FloatArray
    eigenvector: FloatArray
    betweenness_exact: npt.NDArray[np.bool_]


def _strings(values: Sequence[str] | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks().cast(pa.string())
    if isinstance(values, pa.Array):
        return values.cast(pa.string())
    return pa.array(list(values), pa.string())


def build_graph(
    person_a: Sequence[str] | pa.Array | pa.ChunkedArray,
    person_b: Sequence[str] | pa.Array | pa.ChunkedArray,
    weight: Sequence[float] | npt.NDArray[np.float64],
) -> PersonGraph:
    """The person graph of weighted pairs; repeated pairs (either order) sum their weights.

    Self-pairs are ignored. Vertices are the persons named, sorted (so vertex order is
    person-ID order).
    """
    a = _strings(person_a)
    b = _strings(person_b)
    w = np.asarray(weight, dtype=np.float64)
    distinct = pc.unique(pa.concat_arrays([a, b]))
    names_arr = distinct.take(pc.sort_indices(distinct))
    names = names_arr.to_pylist()
    i = pc.index_in(a, value_set=names_arr).to_numpy(zero_copy_only=False).astype(np.int64)
    j = pc.index_in(b, value_set=names_arr).to_numpy(zero_copy_only=False).astype(np.int64)
    n = len(names)
    keep = i != j
    lo, hi, w = np.minimum(i, j)[keep], np.maximum(i, j)[keep], w[keep]
    codes, where = np.unique(lo * max(n, 1) + hi, return_inverse=True)
    sums = np.bincount(where, weights=w, minlength=codes.size)
    pairs = np.stack([codes // max(n, 1), codes % max(n, 1)], axis=1)
    g = ig.Graph(n=n, edges=pairs.tolist(), directed=False)
    g.es["weight"] = sums.tolist()
    return PersonGraph(g, names)


def _canonical_labels(membership: Sequence[int] | IntArray) -> IntArray:
    """Relabel groups 0..k-1 by size (largest first), ties by lowest vertex."""
    arr = np.asarray(membership, dtype=np.int64)
    if arr.size == 0:
        return arr
    labels, first, counts = np.unique(arr, return_index=True, return_counts=True)
    order = sorted(range(len(labels)), key=lambda k: (-counts[k], first[k]))
    remap = np.empty(labels.max() + 1, dtype=np.int64)
    for new, k in enumerate(order):
        remap[labels[k]] = new
    return remap[arr]


def components(g: ig.Graph) -> IntArray:
    """Connected-component label of each vertex; 0 is the largest component."""
    return _canonical_labels(g.connected_components().membership)


def communities(g: ig.Graph, component: IntArray, config: LinkConfig) -> IntArray:
    """Leiden community label of each vertex (global labels, 0 the largest community).

    Components smaller than ``community_min_size`` are one community each; larger ones are
    partitioned together by Leiden (``leiden_method``: the constant Potts model by default,
    or modularity; ``leiden_resolution``; ``leiden_iterations``), whose communities are
    always connected and never cross components. Leiden runs in igraph's C implementation
    (20x faster than leidenalg's on the benchmark graph, same quality), drawing its random
    numbers from a generator seeded with ``leiden_seed``, so the result is deterministic.
    """
    n = g.vcount()
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    sizes = np.bincount(component)
    big = sizes[component] >= config.community_min_size
    label = component.astype(np.int64) * 2  # small components: one community each (even)
    big_vertices = np.flatnonzero(big)
    if big_vertices.size:
        sub = g.induced_subgraph(big_vertices.tolist())
        objective = "CPM" if config.leiden_method == "cpm" else "modularity"
        ig.set_random_number_generator(random.Random(config.leiden_seed))
        try:
            clusters = sub.community_leiden(
                objective_function=objective,
                weights="weight",
                resolution=config.leiden_resolution,
                n_iterations=config.leiden_iterations,
            )
        finally:
            ig.set_random_number_generator(random)
        offset = int(label.max()) + 2
        label[big_vertices] = offset + np.asarray(clusters.membership, dtype=np.int64)
    return _canonical_labels(label)


def _groups(labels: IntArray) -> list[IntArray]:
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(order, bounds) if order.size else []


def restricted(g: ig.Graph, labels: IntArray) -> ig.Graph:
    """A copy of ``g`` keeping only the edges inside a group (same vertices)."""
    edges = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    weights = np.asarray(g.es["weight"], dtype=np.float64) if g.ecount() else np.zeros(0)
    keep = labels[edges[:, 0]] == labels[edges[:, 1]] if edges.size else np.zeros(0, bool)
    h = ig.Graph(n=g.vcount(), edges=edges[keep].tolist(), directed=False)
    h.es["weight"] = weights[keep].tolist()
    return h


def betweenness(
    g: ig.Graph, labels: IntArray, config: LinkConfig
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Unweighted betweenness of each vertex within its group (a component of ``g``).

    Exact for groups up to ``betweenness_exact_max`` vertices; larger groups are estimated
    from ``betweenness_samples`` seeded source vertices, scaled by n/k (Brandes & Pich 2007).
    One igraph call covers every group (paths never cross groups). Returns the values and
    whether each is exact.
    """
    n = g.vcount()
    if n == 0:
        return np.zeros(0), np.zeros(0, dtype=bool)
    sizes = np.bincount(labels)
    exact = sizes[labels] <= config.betweenness_exact_max
    sources: list[int] = np.flatnonzero(exact & (sizes[labels] >= 3)).tolist()
    scale = np.ones(n, dtype=np.float64)
    rng = random.Random(config.leiden_seed)
    for members in _groups(labels):
        if members.size > config.betweenness_exact_max:
            k = min(config.betweenness_samples, members.size)
            sources.extend(sorted(rng.sample(sorted(members.tolist()), k)))
            scale[members] = members.size / k
    if not sources:
        return np.zeros(n), exact
    values = g.betweenness(directed=False, sources=sorted(sources))
    return np.asarray(values, dtype=np.float64) * scale, exact


def _power_eigenvector(g: ig.Graph, members: IntArray, labels: IntArray) -> FloatArray:
    """Eigenvector centrality of many small groups at once: power iteration on A + I
    (same eigenvectors as A; the shift stops stars and other bipartite groups oscillating),
    each group scaled to its maximum after every step."""
    group = labels[members]
    order = np.argsort(group, kind="stable")
    members, group = members[order], group[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(group)) + 1])
    pos = np.full(g.vcount(), -1, dtype=np.int64)
    pos[members] = np.arange(members.size)
    edges = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    weights = np.asarray(g.es["weight"], dtype=np.float64) if g.ecount() else np.zeros(0)
    keep = pos[edges[:, 0]] >= 0 if edges.size else np.zeros(0, bool)
    src, dst, w = pos[edges[keep, 0]], pos[edges[keep, 1]], weights[keep]
    sizes = np.diff(np.concatenate([starts, [members.size]]))
    x = np.ones(members.size, dtype=np.float64)
    for _ in range(5000):
        y = x + np.bincount(src, w * x[dst], x.size) + np.bincount(dst, w * x[src], x.size)
        y = y / np.repeat(np.maximum.reduceat(y, starts), sizes)
        done = np.max(np.abs(y - x)) < 1e-10
        x = y
        if done:
            break
    out = np.empty_like(x)
    out[order] = x
    return out


def eigenvector(g: ig.Graph, labels: IntArray, small: int = 16) -> FloatArray:
    """Weighted eigenvector centrality within each group, 1 for the group's most central.

    Groups of 2 are 1 and 1; groups of 3 to ``small`` vertices are solved together by power
    iteration; larger ones one by one with igraph (ARPACK).
    """
    n = g.vcount()
    out = np.zeros(n, dtype=np.float64)
    if n == 0:
        return out
    sizes = np.bincount(labels)
    out[sizes[labels] == 2] = 1.0
    # by size bucket, so the many tiny groups (fast to converge) do not wait for the larger
    for lo, hi in ((3, 4), (5, 8), (9, small)):
        few = np.flatnonzero((sizes[labels] >= lo) & (sizes[labels] <= hi))
        if few.size:
            out[few] = _power_eigenvector(g, few, labels)
    for members in _groups(labels):
        if members.size <= small:
            continue
        sub = g.induced_subgraph(members.tolist())
        with warnings.catch_warnings():
            # igraph warns when some values are ~0 (long chains off a dense core): expected.
            warnings.filterwarnings("ignore", "Some eigenvector centralities are nearly zero")
            values = np.asarray(sub.eigenvector_centrality(weights="weight"), dtype=np.float64)
        top = values.max()
        out[members] = values / top if top > 0 else values
    return out


def centrality(g: ig.Graph, component: IntArray, config: LinkConfig) -> Centrality:
    """Degree, strength, betweenness and eigenvector centrality within each component."""
    degree = np.asarray(g.degree(), dtype=np.int64)
    strength = np.asarray(g.strength(weights="weight"), dtype=np.float64)
    between, exact = betweenness(g, component, config)
    return Centrality(degree, strength, between, eigenvector(g, component), exact)


def community_centrality(g: ig.Graph, community: IntArray, config: LinkConfig) -> Centrality:
    """The same measures counting only the edges inside each community."""
    return centrality(restricted(g, community), community, config)


def _scaled(values: FloatArray, labels: IntArray) -> FloatArray:
    """Each value divided by the maximum of its group (0 where that maximum is 0)."""
    if values.size == 0:
        return values.astype(np.float64)
    top = np.zeros(int(labels.max()) + 1, dtype=np.float64)
    np.maximum.at(top, labels, values.astype(np.float64))
    denom = top[labels]
    return np.divide(values, denom, out=np.zeros_like(denom), where=denom > 0)


def centrality_score(c: Centrality, labels: IntArray) -> FloatArray:
    """Mean of degree, betweenness and eigenvector, each scaled to its maximum in the group."""
    parts = [
        _scaled(c.degree.astype(np.float64), labels),
        _scaled(c.betweenness, labels),
        _scaled(c.eigenvector, labels),
    ]
    return np.round((parts[0] + parts[1] + parts[2]) / 3.0, 9)


def rank_within(score: FloatArray, labels: IntArray) -> IntArray:
    """1-based rank of each vertex by score within its group; ties go to the lower vertex,
    which is the lower person ID (vertices are in person-ID order)."""
    n = score.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((np.arange(n), -score, labels))
    sorted_labels = labels[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(sorted_labels)) + 1])
    first = np.repeat(starts, np.diff(np.concatenate([starts, [n]])))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - first + 1
    return rank
