"""Edges and hubs built from small inline warehouses."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from toex.link.config import LinkConfig
from toex.link.sightings import address_key_sql
from toex.link.stage import build_links
from toex.model.link_tables import TABLE_SPECS

from .warehouse import Warehouse

REF = dt.date(2024, 1, 1)


def edges(wh: Warehouse) -> dict[tuple[str, str, str], tuple[float, int, int, bool]]:
    rows = wh.rows(
        "SELECT person_a, person_b, edge_type, weight, n_records, n_units, hub_only FROM link_edge"
    )
    return {(a, b, t): (w, n, u, h) for a, b, t, w, n, u, h in rows}


def test_event_edges_co_offending_victim_offender_and_intel(wh: Warehouse) -> None:
    wh.crime("c1", ["S1", "S2"], ["V1"], date="2024-01-01")
    wh.event("i1", "intelligence", "2024-01-01")
    wh.mention("S1", "i1", "subject")
    wh.mention("A1", "i1", "associate")
    wh.mention("W1", "c1", "witness")
    build_links(wh.con, LinkConfig(reference_date=REF))
    got = edges(wh)
    assert set(got) == {
        ("S1", "S2", "co_offending"),
        ("S1", "V1", "victim_offender"),
        ("S2", "V1", "victim_offender"),
        ("A1", "S1", "intel_associate"),
    }
    assert got[("S1", "S2", "co_offending")] == (3.0, 2, 1, False)
    assert got[("A1", "S1", "intel_associate")][0] == 1.5


def test_weight_reflects_count_and_recency(wh: Warehouse) -> None:
    wh.crime("c1", ["A", "B"], date="2024-01-01")
    wh.crime("c2", ["A", "B"], date="2022-01-01")  # 730 days before REF: counts half
    wh.crime("c3", ["C", "D"], date="2024-01-01")
    build_links(wh.con, LinkConfig(reference_date=REF))
    got = edges(wh)
    assert got[("A", "B", "co_offending")][0] == pytest.approx(3.0 + 1.5)
    assert got[("A", "B", "co_offending")][2] == 2
    assert got[("C", "D", "co_offending")][0] == pytest.approx(3.0)
    row = wh.rows(
        "SELECT first_date, last_date, event_ids FROM link_edge "
        "WHERE person_a = 'A' AND edge_type = 'co_offending'"
    )[0]
    assert row == (dt.date(2022, 1, 1), dt.date(2024, 1, 1), ["c1", "c2"])


def test_configured_base_weight_and_half_life_change_the_weight(wh: Warehouse) -> None:
    wh.crime("c1", ["A", "B"], date="2023-01-01")
    cfg = LinkConfig.from_mapping(
        {
            "base_weights": {"co_offending": 10.0},
            "half_life_days": 365,
            "reference_date": "2024-01-01",
        }
    )
    build_links(wh.con, cfg)
    assert edges(wh)[("A", "B", "co_offending")][0] == pytest.approx(5.0, rel=1e-3)


def test_shared_objects_link_persons_with_their_source_records(wh: Warehouse) -> None:
    wh.event("e1", "custody", "2024-01-01", force="essex")
    wh.event("e2", "intelligence", "2023-06-01", force="norfolk")
    m1 = wh.mention("A", "e1", "detainee", force="essex")
    m2 = wh.mention("B", "e2", "subject", force="norfolk")
    for t, v in [("phone", "+447911123456"), ("email", "x@example.com"), ("vehicle", "AB12CDE")]:
        wh.obj(t, v, mention_id=m1, force="essex")
        wh.obj(t, v, mention_id=m2, force="norfolk")
    wh.location("12 High Street", "CB1 2AB", mention_id=m1, force="essex")
    wh.location("Flat 2, 12 High St", "cb1 2ab", mention_id=m2, force="norfolk")
    build_links(wh.con, LinkConfig(reference_date=REF))
    got = edges(wh)
    assert set(got) == {
        ("A", "B", t) for t in ("shared_phone", "shared_email", "shared_vehicle", "shared_address")
    }
    ev = wh.rows(
        "SELECT person_id, force, source_file, source_row, object_value "
        "FROM link_edge_evidence WHERE edge_type = 'shared_phone' ORDER BY person_id"
    )
    assert [(r[0], r[1], r[4]) for r in ev] == [
        ("A", "essex", "+447911123456"),
        ("B", "norfolk", "+447911123456"),
    ]
    assert all(r[2] == "staged_object.csv" and r[3] > 0 for r in ev)
    row = wh.rows(
        "SELECT forces, first_date, last_date FROM link_edge WHERE edge_type = 'shared_phone'"
    )[0]
    assert row == (["essex", "norfolk"], dt.date(2023, 6, 1), dt.date(2024, 1, 1))


def test_event_objects_belong_to_the_events_role_holders(wh: Warehouse) -> None:
    # a missing child found at an address recorded on the episode, where an adult lives
    wh.event("mp1", "missing_episode", "2024-01-01")
    wh.mention("CHILD", "mp1", "missing")
    wh.mention("REPORTER", "mp1", "reporting")
    wh.location("7 Mill Lane", "NR1 1AA", event_id="mp1", relation="found_at")
    adult = wh.mention("ADULT", None, "subject")
    wh.location("7 Mill Lane", "NR1 1AA", mention_id=adult)
    # a crime's offence location is not shared by its suspects
    wh.crime("c1", ["S1"], date="2024-01-01")
    wh.location("7 Mill Lane", "NR1 1AA", event_id="c1", relation="offence")
    build_links(wh.con, LinkConfig(reference_date=REF))
    assert set(edges(wh)) == {("ADULT", "CHILD", "shared_address")}


def test_objects_on_a_personless_event_vouch_for_each_other(wh: Warehouse) -> None:
    # account holder H; an advert under her account shows phone P; controller C uses P
    wh.event("acc", "partner_account", "2024-01-01", force="asw")
    h = wh.mention("H", "acc", "account_holder", force="asw")
    wh.obj("account", "ACC-1", mention_id=h, force="asw")
    wh.event("ad1", "advert", "2024-01-01", force="asw")
    wh.obj("account", "ACC-1", event_id="ad1", force="asw")
    wh.obj("phone", "+447911555666", event_id="ad1", force="asw")
    c = wh.mention("C", None, "subject", force="wmp")
    wh.obj("phone", "+447911555666", mention_id=c, force="wmp")
    build_links(wh.con, LinkConfig(reference_date=REF))
    # each is seen with both through the advert: H with the phone, C with the account
    assert set(edges(wh)) == {("C", "H", "shared_phone"), ("C", "H", "shared_account")}
    ev = wh.rows(
        "SELECT person_id, event_id, mention_id FROM link_edge_evidence "
        "WHERE edge_type = 'shared_phone' ORDER BY person_id"
    )
    assert ev[0][0] == "C" and ev[1] == ("H", "ad1", None)


def test_dummy_phone_on_200_unrelated_people_does_not_fuse_their_networks(wh: Warehouse) -> None:
    for i in range(100):  # 100 separate co-offending pairs
        wh.crime(f"c{i}", [f"P{i:03d}a", f"P{i:03d}b"], date="2024-01-01")
    dummy = "+447911000000"  # not a listed placeholder: found by its count
    for pid in [f"P{i:03d}{s}" for i in range(100) for s in "ab"]:
        m = wh.mention(pid, None, "subject")
        wh.obj("phone", dummy, mention_id=m)
    summary = build_links(wh.con, LinkConfig(reference_date=REF))
    assert summary.components == 100
    assert wh.rows("SELECT max(n_members) FROM link_network")[0][0] == 2
    hub = wh.rows(
        "SELECT object_key, n_persons, is_placeholder, hub_factor, pairs_emitted, "
        "reason FROM link_hub"
    )
    assert hub == [(dummy, 200, False, 8 / 200, True, "shared by 200 persons (threshold 8)")]
    assert wh.rows("SELECT count(*) FROM link_hub_member")[0][0] == 200
    # kept as weak, flagged edges: never silently dropped, never strong
    n, hub_only, top = wh.rows(
        "SELECT count(*), bool_and(hub_only), max(weight) FROM link_edge "
        "WHERE edge_type = 'shared_phone'"
    )[0]
    assert (n, hub_only) == (200 * 199 // 2, True)
    assert top == pytest.approx(2.0 * 8 / 200 * 0.5)  # undated: one half-life


def test_hub_above_the_pair_cap_is_listed_without_pairwise_edges(wh: Warehouse) -> None:
    for i in range(30):
        m = wh.mention(f"Q{i:02d}", None, "subject")
        wh.location("Station Hostel", "LE1 1AA", mention_id=m)
    build_links(wh.con, LinkConfig(reference_date=REF, hub_max_pairs_persons=20))
    assert wh.rows("SELECT count(*) FROM link_edge")[0][0] == 0
    assert wh.rows("SELECT n_persons, pairs_emitted FROM link_hub") == [(30, False)]


def test_listed_placeholder_is_a_hub_even_on_two_people(wh: Warehouse) -> None:
    for p in ("A", "B"):
        m = wh.mention(p, None, "subject")
        wh.obj("phone", "+447000000000", mention_id=m)
    summary = build_links(wh.con, LinkConfig(reference_date=REF))
    assert summary.components == 0
    assert wh.rows("SELECT is_placeholder, reason FROM link_hub") == [(True, "placeholder value")]
    # base 2 x placeholder factor 0.1 x one half-life (undated)
    assert wh.rows("SELECT hub_only, weight FROM link_edge") == [(True, 0.1)]


def test_a_hub_does_not_hide_a_real_link_between_the_same_people(wh: Warehouse) -> None:
    wh.crime("c1", ["A", "B"], date="2024-01-01")
    for p in ["A", "B", *[f"X{i}" for i in range(10)]]:
        m = wh.mention(p, None, "subject")
        wh.obj("phone", "+447911000001", mention_id=m)
    build_links(wh.con, LinkConfig(reference_date=REF))
    got = edges(wh)
    assert got[("A", "B", "co_offending")][3] is False
    assert got[("A", "B", "shared_phone")][3] is True
    assert wh.rows("SELECT n_members FROM link_network WHERE level = 'component'") == [(2,)]


def test_address_key_ignores_flat_prefix_case_and_street_spelling() -> None:
    con = duckdb.connect()
    expr = address_key_sql("a", "p")
    rows = con.execute(
        f"SELECT {expr} FROM (VALUES ('12 High Street', 'CB1 2AB'), "
        "('Flat 2, 12 high st', 'cb1 2ab'), ('The Old Barn', 'CB1 2AB'), "
        "('3 Elm Road', NULL), (NULL, 'CB1 2AB'), ('  ', 'CB1 2AB')) "
        "AS t(a, p)"
    ).fetchall()
    assert [r[0] for r in rows] == [
        "CB1 2AB|12",
        "CB1 2AB|12",
        "CB1 2AB|THEOLDBARN",
        "NOPC|3ELMROAD",
        None,
        None,
    ]


def test_built_tables_have_the_columns_of_their_specs(wh: Warehouse) -> None:
    wh.crime("c1", ["A", "B"], ["V"], date="2024-01-01")
    build_links(wh.con, LinkConfig(reference_date=REF))
    for spec in TABLE_SPECS:
        cols = [r[0] for r in wh.rows(f"DESCRIBE {spec.name}")]
        assert cols == spec.column_names, spec.name
    assert (
        wh.rows(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\\_link\\_%' ESCAPE '\\'"
        )[0][0]
        == 0
    )


def test_edge_aggregation_in_slices_gives_the_same_table(wh: Warehouse) -> None:
    for i in range(30):
        wh.crime(f"c{i}", [f"S{i % 7}", f"S{(i * 3) % 11}"], [f"V{i % 5}"], date="2023-06-01")
        m = wh.mention(f"S{i % 7}", None, "subject")
        wh.obj("phone", f"+44791100{i % 4:04d}", mention_id=m)
    build_links(wh.con, LinkConfig(reference_date=REF, sql_partitions=1))
    whole = wh.rows("SELECT * FROM link_edge ORDER BY ALL")
    build_links(wh.con, LinkConfig(reference_date=REF, sql_partitions=3))
    assert wh.rows("SELECT * FROM link_edge ORDER BY ALL") == whole
    assert len(whole) > 20
