"""Network profiles, geographic scale, stable IDs and the cross-force report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from toex.config import load_catalogue
from toex.link.config import LinkConfig
from toex.link.scale import INTERNATIONAL, OUTSIDE_REGION, WITHIN_REGION, geographic_scale
from toex.link.stage import build_links
from toex.model.harm import harm_table

from .warehouse import Warehouse

CFG = LinkConfig(reference_date=dt.date(2024, 1, 1))


@pytest.mark.parametrize(
    ("forces", "international", "expected"),
    [
        (["essex"], False, "force"),
        (["essex", "asw"], False, "force"),
        (["essex", "norfolk", "cambs"], False, WITHIN_REGION),
        (["essex", "wmp"], False, OUTSIDE_REGION),
        (["essex"], True, INTERNATIONAL),
    ],
)
def test_geographic_scale(forces: list[str], international: bool, expected: str) -> None:
    assert geographic_scale(forces, load_catalogue(), international) == expected


def network_rows(wh: Warehouse, level: str = "component") -> list[tuple[object, ...]]:
    return wh.rows(
        "SELECT n_members, forces, regions, geographic_scale, offence_codes, "
        "n_crimes, total_harm, first_activity, last_activity, international "
        f"FROM link_network WHERE level = '{level}' ORDER BY n_members DESC"
    )


def test_network_profile_forces_scale_offences_and_harm(wh: Warehouse) -> None:
    wh.crime("c1", ["A", "B"], ["V"], date="2023-03-01", force="essex", offence="19C")
    wh.crime("c2", ["B"], ["W"], date="2023-09-01", force="norfolk", offence="8N")
    wh.crime("c3", ["X", "Y"], date="2022-01-01", force="lancs", offence="105A")
    build_links(wh.con, CFG)
    harm = harm_table("cchi")
    big, small = network_rows(wh)
    assert big == (
        4,
        ["essex", "norfolk"],
        ["eastern"],
        WITHIN_REGION,
        ["19C", "8N"],
        2,
        harm["19C"].days + harm["8N"].days,
        dt.date(2023, 3, 1),
        dt.date(2023, 9, 1),
        False,
    )
    assert small[:4] == (2, ["lancs"], ["north_west"], "force")


def test_a_shared_overseas_phone_makes_a_network_international(wh: Warehouse) -> None:
    for p, force in (("A", "essex"), ("B", "essex")):
        m = wh.mention(p, None, "subject", force=force)
        wh.obj("phone", "+40721000111", mention_id=m, force=force)
    # an overseas phone on one person alone is not an international link
    wh.crime("c1", ["C", "D"], date="2023-01-01")
    m = wh.mention("C", None, "subject")
    wh.obj("phone", "+40721999999", mention_id=m)
    build_links(wh.con, CFG)
    rows = wh.rows(
        "SELECT n_members, geographic_scale, international_evidence, "
        "list_sort(principal_person_ids) FROM link_network "
        "WHERE level = 'component' ORDER BY geographic_scale"
    )
    assert rows == [(2, "force", [], ["C", "D"]), (2, INTERNATIONAL, ["+40721000111"], ["A", "B"])]


def test_hub_evidence_does_not_widen_a_networks_forces(wh: Warehouse) -> None:
    wh.crime("c1", ["A", "B"], date="2023-01-01", force="essex")
    for p, force in [("A", "essex"), *[(f"H{i}", "wmp") for i in range(10)]]:
        m = wh.mention(p, None, "subject", force=force)
        wh.obj("phone", "+447911000001", mention_id=m, force=force)
    build_links(wh.con, CFG)
    assert wh.rows("SELECT forces, member_forces FROM link_network WHERE level = 'component'") == [
        (["essex"], ["essex"])
    ]


def test_principal_of_a_star_network_is_its_centre(wh: Warehouse) -> None:
    for i in range(6):
        wh.crime(f"c{i}", ["BOSS"], [f"V{i}"], date="2023-01-01")
    wh.crime("c9", ["V0", "Z"], date="2023-01-01")
    build_links(wh.con, CFG)
    rows = wh.rows("SELECT principal_person_ids FROM link_network")
    assert all(r[0][0] == "BOSS" for r in rows)
    assert wh.rows(
        "SELECT rank_component, rank_community FROM link_centrality WHERE person_id = 'BOSS'"
    ) == [(1, 1)]


def snapshot(wh: Warehouse, path: Path) -> Path:
    wh.con.execute(f"ATTACH '{path}' AS snap")
    for t in ("link_network_member", "link_crossforce"):
        wh.con.execute(f"CREATE TABLE snap.{t} AS SELECT * FROM {t}")
    wh.con.execute("DETACH snap")
    return path


def test_network_ids_persist_and_the_report_shows_what_is_new(
    wh: Warehouse, tmp_path: Path
) -> None:
    wh.crime("c1", ["A", "B"], date="2023-01-01", force="essex")
    wh.crime("c2", ["B", "C"], date="2023-02-01", force="norfolk")
    wh.crime("c3", ["P", "Q"], date="2023-02-01", force="lancs")
    build_links(wh.con, CFG)
    first = dict(wh.rows("SELECT person_id, component_id FROM link_centrality"))
    assert first["A"] == first["C"] != first["P"]
    prev = snapshot(wh, tmp_path / "prev.duckdb")
    assert {r[0] for r in wh.rows("SELECT status FROM link_crossforce")} == {"new"}
    # next run: the network grows into a new force; an unrelated pair appears
    wh.crime("c4", ["C", "D"], date="2023-03-01", force="wmp")
    wh.crime("c5", ["R", "S"], date="2023-03-01", force="lancs")
    build_links(wh.con, CFG, previous_path=prev)
    second = dict(wh.rows("SELECT person_id, component_id FROM link_centrality"))
    assert second["A"] == second["D"] == first["A"]
    assert second["P"] == first["P"]
    assert second["R"] not in set(first.values())
    status = {
        (k, i): (s, nf)
        for k, i, s, nf in wh.rows(
            "SELECT kind, id, status, new_forces FROM link_crossforce WHERE level IS NULL "
            "OR level = 'component'"
        )
    }
    assert status[("network", first["A"])] == ("extended", ["wmp"])
    assert status[("person", "B")] == ("unchanged", [])
    assert status[("person", "C")] == ("new", ["norfolk", "wmp"])  # one force before
    # rerunning on the same inputs gives the same IDs and tables
    before = wh.rows("SELECT * FROM link_network ORDER BY ALL")
    build_links(wh.con, CFG, previous_path=prev)
    assert wh.rows("SELECT * FROM link_network ORDER BY ALL") == before


def test_crossforce_lists_links_no_single_force_could_see(wh: Warehouse) -> None:
    ma = wh.mention("A", None, "subject", force="essex")
    mb = wh.mention("B", None, "subject", force="wmp")
    wh.obj("email", "boss@example.com", mention_id=ma, force="essex")
    wh.obj("email", "boss@example.com", mention_id=mb, force="wmp")
    build_links(wh.con, CFG)
    rows = wh.rows(
        "SELECT kind, id, edge_types, forces, geographic_scale FROM link_crossforce "
        "WHERE kind = 'link'"
    )
    assert rows == [("link", "A|B", ["shared_email"], ["essex", "wmp"], OUTSIDE_REGION)]


def test_a_shared_address_alone_does_not_make_a_network(wh: Warehouse) -> None:
    for p in ("A", "B", "C", "D"):
        m = wh.mention(p, None, "subject")
        wh.location("9 Hostel Row", "LE1 1AA", mention_id=m)
    m = wh.mention("A", None, "subject")
    wh.obj("phone", "+447911222333", mention_id=m)
    m = wh.mention("B", None, "subject")
    wh.obj("phone", "+447911222333", mention_id=m)
    build_links(wh.con, CFG)
    # every pair is linked by the address; only A-B, who also share a phone, form a network
    assert wh.rows("SELECT count(*) FROM link_edge WHERE edge_type = 'shared_address'") == [(6,)]
    assert wh.rows(
        "SELECT list_sort(list(person_id)) FROM link_network_member WHERE level = 'component'"
    ) == [(["A", "B"],)]
    # ... but the address still adds to the weight of that pair
    assert wh.rows("SELECT sum(weight) FROM link_edge WHERE person_a = 'A' AND person_b = 'B'") == [
        (pytest.approx(2.0 * 2 ** (-1) + 1.0 * 2 ** (-1)),)
    ]
