"""The read API the web app uses: network_of, neighbours, hubs_of, crossforce."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from toex.errors import NotFoundError
from toex.link import api
from toex.link.config import LinkConfig
from toex.link.report import crossforce_summary
from toex.link.stage import build_links

from .warehouse import Warehouse


@pytest.fixture
def built(wh: Warehouse) -> Warehouse:
    wh.crime("c1", ["BOSS", "LT"], ["V1"], date="2023-05-01", force="essex", offence="72")
    wh.crime("c2", ["BOSS"], ["V2"], date="2023-08-01", force="wmp", offence="72")
    wh.crime("c3", ["LONE1", "LONE2"], date="2023-08-01", force="lancs")
    for p in ["BOSS", *[f"H{i}" for i in range(9)]]:
        m = wh.mention(p, None, "subject", force="essex")
        wh.obj("phone", "+447911000042", mention_id=m, force="essex")
    build_links(wh.con, LinkConfig(reference_date=dt.date(2024, 1, 1)))
    return wh


def test_network_of_returns_profile_ranked_members_and_edges(built: Warehouse) -> None:
    result = api.network_of(built.ibis, "V2")
    net = result["network"]
    assert net["n_members"] == 4 and net["forces"] == ["essex", "wmp"]
    assert net["geographic_scale"] == "multi_force_outside_region"
    assert result["members"][0]["person_id"] == "BOSS"
    assert [m["rank"] for m in result["members"]] == [1, 2, 3, 4]
    assert {(e["person_a"], e["person_b"]) for e in result["edges"]} == {
        ("BOSS", "LT"),
        ("BOSS", "V1"),
        ("BOSS", "V2"),
        ("LT", "V1"),
    }
    assert result["truncated"] is False
    boss_v2 = next(e for e in result["edges"] if e["person_b"] == "V2")
    assert (boss_v2["forces"], boss_v2["handling_codes"], boss_v2["classifications"]) == (
        ["wmp"],
        ["P"],
        ["OFFICIAL"],
    )
    json.dumps(result)  # plain data


def test_network_of_truncates_large_networks_but_keeps_the_person(built: Warehouse) -> None:
    result = api.network_of(built.con, "V2", max_members=1)
    assert {m["person_id"] for m in result["members"]} == {"BOSS", "V2"}
    assert result["truncated"] is True
    community = api.network_of(built.con, "V2", level="community")
    assert community["network"]["level"] == "community"


def test_network_of_unlinked_person_is_not_found(built: Warehouse) -> None:
    with pytest.raises(NotFoundError, match="person 'H3' is in no network"):
        api.network_of(built.con, "H3")
    with pytest.raises(ValueError, match="level must be one of"):
        api.network_of(built.con, "BOSS", level="galaxy")
    with pytest.raises(NotFoundError, match="network 'N0' does not exist"):
        api.network(built.con, "N0")


def test_neighbours_strongest_first_and_hubs_only_on_request(built: Warehouse) -> None:
    plain = api.neighbours(built.con, "BOSS")
    assert [n["person_id"] for n in plain] == ["LT", "V2", "V1"]  # V2 is more recent
    assert plain[0]["edge_types"] == ["co_offending"] and plain[0]["weight"] > 1
    with_hubs = api.neighbours(built.con, "BOSS", include_hubs=True)
    hub_links = [n for n in with_hubs if n["hub_only"]]
    assert len(hub_links) == 9
    assert all(n["edge_types"] == ["shared_phone"] for n in hub_links)
    assert api.neighbours(built.con, "NOBODY") == []


def test_hubs_of_lists_the_shared_placeholder(built: Warehouse) -> None:
    [hub] = api.hubs_of(built.con, "H0")
    assert (hub["object_key"], hub["n_persons"], hub["reason"]) == (
        "+447911000042",
        10,
        "shared by 10 persons (threshold 8)",
    )


def test_crossforce_filters_and_summary(built: Warehouse) -> None:
    rows = api.crossforce(built.con)
    assert {(r["kind"], r["id"]) for r in rows if r["kind"] != "network"} == {("person", "BOSS")}
    assert [r["kind"] for r in rows] == ["network", "network", "person"]
    assert api.crossforce(built.con, kind="person", status="unchanged") == []
    assert len(api.crossforce(built.con, limit=1)) == 1
    assert crossforce_summary(rows) == "2 new networks; 1 new person"
