"""Shortest paths: checked against networkx on random graphs, and with their evidence."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import networkx as nx
import pytest

from toex.link.config import LinkConfig
from toex.link.paths import shortest_path_persons, shortest_paths
from toex.link.report import format_path
from toex.link.stage import build_links

from .warehouse import Warehouse


def edge_table(
    pairs: list[tuple[str, str]], hub: frozenset[tuple[str, str]] = frozenset()
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE link_edge (person_a VARCHAR, person_b VARCHAR, edge_type VARCHAR,"
        " hub_only BOOLEAN)"
    )
    rows = [(min(a, b), max(a, b), "co_offending", (a, b) in hub) for a, b in pairs if a != b]
    if rows:
        con.executemany("INSERT INTO link_edge VALUES (?, ?, ?, ?)", rows)
    return con


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_all_shortest_paths_match_networkx(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"P{i:03d}" for i in range(150)]
    pairs = [(rng.choice(names), rng.choice(names)) for _ in range(220)]
    con = edge_table(pairs)
    g = nx.Graph((a, b) for a, b in pairs if a != b)
    g.add_nodes_from(names)
    checked = 0
    for _ in range(40):
        a, b = rng.sample(names, 2)
        ours = shortest_path_persons(con, a, b, max_hops=12, limit=10_000)
        if nx.has_path(g, a, b):
            theirs = sorted(nx.all_shortest_paths(g, a, b))
            assert ours == theirs
            checked += 1
        else:
            assert ours == []
    assert checked >= 10


def test_max_hops_limits_the_search_and_same_person_is_a_path() -> None:
    con = edge_table([("A", "B"), ("B", "C"), ("C", "D")])
    assert shortest_path_persons(con, "A", "D", max_hops=3) == [["A", "B", "C", "D"]]
    assert shortest_path_persons(con, "A", "D", max_hops=2) == []
    assert shortest_path_persons(con, "A", "A") == [["A"]]
    assert shortest_path_persons(con, "A", "NOBODY") == []


def test_hub_only_edges_are_skipped_unless_asked_for() -> None:
    con = edge_table(
        [("A", "H"), ("H", "B"), ("A", "X"), ("X", "Y"), ("Y", "B")],
        hub=frozenset({("A", "H"), ("H", "B")}),
    )
    assert shortest_path_persons(con, "A", "B") == [["A", "X", "Y", "B"]]
    assert shortest_path_persons(con, "A", "B", include_hubs=True) == [["A", "H", "B"]]


def test_limit_keeps_the_first_paths_in_order() -> None:
    con = edge_table([("A", m) for m in "MNOP"] + [(m, "B") for m in "MNOP"])
    assert shortest_path_persons(con, "A", "B", limit=2) == [["A", "M", "B"], ["A", "N", "B"]]


def test_paths_carry_edges_and_source_records(wh: Warehouse) -> None:
    wh.crime("c1", ["A", "B"], date="2024-01-01", force="essex")
    wh.event("e2", "intelligence", "2023-06-01", force="lancs")
    mb = wh.mention("B", "e2", "subject", force="lancs")
    wh.event("e3", "custody", "2023-07-01", force="wmp")
    mc = wh.mention("C", "e3", "detainee", force="wmp")
    wh.obj("phone", "+40721123456", mention_id=mb, force="lancs")
    wh.obj("phone", "+40721123456", mention_id=mc, force="wmp")
    build_links(wh.con, LinkConfig(reference_date=dt.date(2024, 1, 1)))
    [path] = shortest_paths(wh.ibis, "A", "C")
    assert path["persons"] == ["A", "B", "C"] and path["length"] == 2
    first, second = path["hops"]
    assert [e["edge_type"] for e in first["edges"]] == ["co_offending"]
    assert first["edges"][0]["event_ids"] == ["c1"]
    assert {(r["person_id"], r["force"]) for r in first["evidence"]} == {
        ("A", "essex"),
        ("B", "essex"),
    }
    assert second["edges"][0]["object_values"] == ["+40721123456"]
    assert {(r["person_id"], r["force"], r["event_date"]) for r in second["evidence"]} == {
        ("B", "lancs", "2023-06-01"),
        ("C", "wmp", "2023-07-01"),
    }
    text = "\n".join(format_path(path))
    assert text.startswith("A -> B -> C  (2 hops)")
    assert "shared_phone +40721123456 [lancs, wmp]" in text
