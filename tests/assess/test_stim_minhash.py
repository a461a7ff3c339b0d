"""Vectorised MinHash and LSH agree with datasketch itself."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
from datasketch import MinHash, MinHashLSH

from toex.assess.stim.minhash import (
    LshParams,
    candidate_pairs,
    exact_duplicate_pairs,
    near_duplicate_pairs,
    shingle_hash_bytes,
    shingles,
    signatures,
)


def _texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(300)]
    templates = [[rng.choice(words) for _ in range(30)] for _ in range(8)]
    out = []
    for _ in range(n):
        t = list(rng.choice(templates))
        t[rng.randrange(30)] = rng.choice(["anna", "bella", "cara"])
        out.append(" ".join(t))
    return out


def test_signatures_equal_datasketch_minhash() -> None:
    texts = [*_texts(20), "", "one two"]
    params = LshParams(num_perm=32, seed=7)
    sig, has = signatures(texts, params, chunk_shingles=50)
    for text, row, flag in zip(texts, sig, has, strict=True):
        m = MinHash(num_perm=32, seed=7, hashfunc=shingle_hash_bytes)
        m.update_batch([s.encode("utf-8") for s in shingles(text)])
        assert np.array_equal(m.hashvalues, row)
        assert flag == bool(shingles(text))


def test_lsh_candidates_are_datasketch_candidates() -> None:
    texts = _texts(60)
    params = LshParams(num_perm=64, seed=1, threshold=0.5)
    sig, has = signatures(texts, params)
    lsh = MinHashLSH(threshold=0.5, num_perm=64)
    for i, text in enumerate(texts):
        m = MinHash(num_perm=64, seed=1, hashfunc=shingle_hash_bytes)
        m.update_batch([s.encode("utf-8") for s in shingles(text)])
        lsh.insert(i, m)
    ours = {tuple(p) for p in candidate_pairs(sig, has, params).tolist()}
    # Our buckets are chained, datasketch's queried in full: same connected components.
    g_ours, g_theirs = nx.Graph(ours), nx.Graph()
    g_ours.add_nodes_from(range(len(texts)))
    g_theirs.add_nodes_from(range(len(texts)))
    for i, text in enumerate(texts):
        m = MinHash(num_perm=64, seed=1, hashfunc=shingle_hash_bytes)
        m.update_batch([s.encode("utf-8") for s in shingles(text)])
        g_theirs.add_edges_from((i, j) for j in lsh.query(m) if j != i)
    theirs_components = {frozenset(c) for c in nx.connected_components(g_theirs)}
    assert {frozenset(c) for c in nx.connected_components(g_ours)} == theirs_components


def test_near_duplicates_found_and_verified() -> None:
    base = "hello gents I am anna new girl in town call me for a good time any day"
    texts = [base, base.replace("anna", "bella"), "completely different advert about massage"]
    pairs, jac = near_duplicate_pairs(texts, LshParams(threshold=0.5))
    assert pairs.tolist() == [[0, 1]]
    assert 0.5 <= jac[0] < 1.0


def test_exact_duplicates_ignore_case_and_punctuation() -> None:
    pairs = exact_duplicate_pairs(["Hello, Gents!", "hello gents", "hello gent", None])
    assert pairs.tolist() == [[0, 1]]
