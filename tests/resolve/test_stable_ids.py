"""Stable person IDs: inheritance by largest overlap, deterministic new IDs."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from toex.resolve.stable_ids import assign_new_ids, inherit, new_person_id, overlap_sql


def _inherit(clusters: dict[str, str], previous: dict[str, str]) -> dict[str, str]:
    con = duckdb.connect()
    con.register(
        "c", pa.table({"mention_id": list(clusters), "cluster_key": list(clusters.values())})
    )
    con.register(
        "p", pa.table({"mention_id": list(previous), "person_id": list(previous.values())})
    )
    return inherit(con.execute(overlap_sql("c", "p")).fetchall())


def test_largest_overlap_inherits_and_the_loser_takes_its_next_overlap() -> None:
    previous = {"m1": "P1", "m2": "P1", "m3": "P1", "m4": "P2"}
    # P1 split into {m1, m2} and {m3}; m4 (P2) joined {m3}; m5 is new.
    clusters = {"m1": "m1", "m2": "m1", "m3": "m3", "m4": "m3", "m5": "m5"}
    assert _inherit(clusters, previous) == {"m1": "P1", "m3": "P2"}


def test_a_split_part_without_other_overlap_gets_no_previous_id() -> None:
    previous = {"m1": "P1", "m2": "P1", "m3": "P1"}
    clusters = {"m1": "m1", "m2": "m1", "m3": "m3"}
    assert _inherit(clusters, previous) == {"m1": "P1"}


def test_new_ids_are_deterministic_and_never_collide() -> None:
    inherited = {"m1": new_person_id("m3")}
    ids = assign_new_ids(inherited, [("m1", "m2"), ("m3", "m4"), ("m5", "m5")]).to_pylist()
    got = {r["cluster_key"]: r["person_id"] for r in ids}
    assert got["m1"] == new_person_id("m3")
    assert got["m3"] == new_person_id("m3|m4")  # its natural ID was taken
    assert got["m5"] == new_person_id("m5")
    assert new_person_id("m5").startswith("P") and len(new_person_id("m5")) == 13
