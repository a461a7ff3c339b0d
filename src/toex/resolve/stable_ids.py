"""Stable person IDs across runs.

A cluster takes the ID of the previous person with which it shares the most mentions, unless
another cluster shares more with that person (then it takes its next-largest free overlap).
Clusters left without an ID get ``"P"`` + the first 12 hex digits of SHA-256 of their
smallest mention ID (or, if that ID is already taken, of their smallest and largest mention
IDs), so a rerun on the same data gives the same IDs.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa


def new_person_id(key: str) -> str:
    """The deterministic ID of a new cluster keyed by ``key``: ``P`` + 12 hex digits."""
    return "P" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12].upper()


def overlap_sql(clusters: str, previous: str) -> str:
    """SQL giving ``cluster_key, person_id, n``: mentions each cluster shares with each
    previous person. ``clusters`` has ``mention_id, cluster_key``; ``previous`` has
    ``mention_id, person_id``."""
    return f"""
        SELECT c.cluster_key, p.person_id, count(*) AS n
        FROM {clusters} c JOIN {previous} p USING (mention_id)
        GROUP BY c.cluster_key, p.person_id
    """


def inherit(overlaps: list[tuple[str, str, int]]) -> dict[str, str]:
    """``cluster_key -> person_id``: greedily, the largest overlaps first (ties by key and
    ID), each cluster and each previous ID used once. A cluster whose largest previous
    person went to a bigger overlap takes its next-largest, if still free."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key, pid, _n in sorted(overlaps, key=lambda r: (-r[2], r[0], r[1])):
        if key not in out and pid not in used:
            out[key] = pid
            used.add(pid)
    return out


def cluster_bounds_sql(clusters: str) -> str:
    """SQL giving ``cluster_key, max_mention`` (the key is the smallest mention)."""
    return (
        f"SELECT cluster_key, max(mention_id) AS max_mention FROM {clusters} GROUP BY cluster_key"
    )


def assign_new_ids(inherited: dict[str, str], bounds: list[tuple[str, str]]) -> pa.Table:
    """``cluster_key, person_id`` for every cluster: inherited IDs kept, the rest minted.

    ``bounds`` lists ``(cluster_key, max_mention)`` of every cluster.
    """
    taken = set(inherited.values())
    keys, ids = [], []
    for key, max_mention in sorted(bounds):
        pid = inherited.get(key)
        if pid is None:
            pid = new_person_id(key)
            if pid in taken:
                pid = new_person_id(f"{key}|{max_mention}")
            taken.add(pid)
        keys.append(key)
        ids.append(pid)
    return pa.table(
        {"cluster_key": pa.array(keys, pa.string()), "person_id": pa.array(ids, pa.string())}
    )
