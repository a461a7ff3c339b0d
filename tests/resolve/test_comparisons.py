"""Features and comparison levels on hand-made pairs of mentions, and the model conflicts
(twins, incompatible dates of birth) that clustering enforces."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from toex.resolve.backend import DuckDBBackend
from toex.resolve.clusters import attribute_conflicts_sql, cluster, decisions_table
from toex.resolve.comparisons import dob_conflict, family_conflict_sql, person_comparisons
from toex.resolve.run import build_features

from .conftest import make_warehouse


def _features(tmp_path: Path, mentions: list[dict[str, Any]]) -> pa.Table:
    rows = [{"person": "x", **m, "mention_id": f"M{i}"} for i, m in enumerate(mentions)]
    wh = make_warehouse(tmp_path / "wh.duckdb", rows)
    try:
        feats, _ = build_features(wh)
    finally:
        wh.disconnect()
    return feats


def _levels(feats: pa.Table, a: str = "M0", b: str = "M1") -> dict[str, str]:
    """The level label of every comparison for the pair (a, b), as Splink would assign it."""
    con = duckdb.connect()
    con.register("f", feats)
    cols = feats.column_names
    sel = ", ".join([f'l."{c}" AS "{c}_l"' for c in cols] + [f'r."{c}" AS "{c}_r"' for c in cols])
    con.execute(
        f"CREATE TABLE p AS SELECT {sel} FROM f l, f r "
        f"WHERE l.mention_id = '{a}' AND r.mention_id = '{b}'"
    )
    out = {}
    for comp in person_comparisons():
        c = comp.get_comparison("duckdb")
        for lv in c.comparison_levels:
            if (
                lv._is_else_level
                or con.execute(f"SELECT coalesce(({lv.sql_condition}), FALSE) FROM p").fetchall()[
                    0
                ][0]
            ):
                out[c.output_column_name] = lv.label_for_charts
                break
    return out


def test_features_police_force_tokens_and_name_gender(tmp_path: Path) -> None:
    people = [
        {"forename": "BECCA", "surname": "KIELY", "force": "gmp", "gender": "F"},
        {"forename": "KIELY", "surname": "REBECCA", "force": "asw"},
    ] + [{"forename": "MARIAN", "surname": f"S{i}", "gender": "F"} for i in range(3)]
    people.append({"forename": "MARIAN", "surname": "HARVEY", "gender": "U"})
    f = {r["mention_id"]: r for r in _features(tmp_path, people).to_pylist()}
    assert f["M0"]["police_force"] == "gmp" and f["M1"]["police_force"] is None  # partner
    assert f["M0"]["name_tokens"] == f["M1"]["name_tokens"] == ["KIELY", "REBECCA"]
    assert (f["M0"]["name_bag"], f["M1"]["name_bag"]) == ("BECCA|KIELY", "KIELY|REBECCA")
    # an unknown gender takes the gender the forename has in the data (3 of 3 female)
    assert f["M5"]["gender"] == "F"


def test_swapped_names_with_a_nickname_or_middle_name(tmp_path: Path) -> None:
    feats = _features(
        tmp_path,
        [
            {"forename": "BECCA", "surname": "KIELY"},
            {"forename": "KIELY", "surname": "REBECCA"},
            {"forename": "HOLLY", "surname": "THOMAS"},
            {"forename": "THOMAS", "surname": "HOLLY ELLIE"},
        ],
    )
    lv = _levels(feats)
    assert lv["forename"] == "forename and surname swapped"
    assert lv["surname"].startswith("forename and surname swapped")
    assert _levels(feats, "M2", "M3")["forename"] == "forename and surname swapped"


def test_typos_on_nicknames_are_one_edit(tmp_path: Path) -> None:
    feats = _features(
        tmp_path,
        [
            {"forename": "DAVE", "surname": "SALMON"},
            {"forename": "EDAVID", "surname": "SALMON"},
            {"forename": "JADE", "surname": "CLARIDGE"},
            {"forename": "ADITYA", "surname": "CLARIDGE"},
        ],
    )
    assert _levels(feats)["forename"] == "one edit from the other or from one of its nicknames"
    assert _levels(feats, "M2", "M3")["forename"] == "All other comparisons"


def test_family_conflict_marks_twins_not_typos(tmp_path: Path) -> None:
    dob = dt.date(1995, 1, 31)
    people = [
        {"forename": "JADE", "surname": "CLARIDGE", "dob": dob},
        {"forename": "ADITYA", "surname": "CLARIDGE", "dob": dob},
        {"forename": "MARK", "surname": "MAYO", "dob": dob},
        {"forename": "MJARK", "surname": "MAYO", "dob": dob},  # two edits: not unrelated
        {"forename": "JADE", "surname": "CLARIDGE", "dob": dob, "pnc_id": "2001/1X"},
        {"forename": "ADITYA", "surname": "CLARIDGE", "dob": dob, "pnc_id": "2001/1X"},
    ]
    feats = _features(tmp_path, people)
    con = duckdb.connect()
    con.register("f", feats)
    gamma = {}
    for comp in person_comparisons():
        c = comp.get_comparison("duckdb")
        cases = " ".join(
            f"WHEN {lv.sql_condition} THEN {lv.comparison_vector_value}"
            for lv in c.comparison_levels
            if not lv._is_else_level
        )
        gamma[c.output_column_name] = f"CASE {cases} ELSE 0 END"
    cols = feats.column_names
    sel = ", ".join([f'l."{c}" AS "{c}_l"' for c in cols] + [f'r."{c}" AS "{c}_r"' for c in cols])
    con.execute(f"CREATE TABLE p0 AS SELECT {sel} FROM f l JOIN f r ON l.mention_id < r.mention_id")
    g = ", ".join(f"{v} AS gamma_{k}" for k, v in gamma.items())
    con.execute(f"CREATE TABLE p AS SELECT mention_id_l, mention_id_r, *, {g} FROM p0")
    hits = con.execute(
        f"SELECT mention_id_l, mention_id_r FROM p WHERE {family_conflict_sql()} ORDER BY 1, 2"
    ).fetchall()
    assert ("M0", "M1") in hits  # twins
    assert ("M2", "M3") not in hits  # a double typo of one name
    assert ("M4", "M5") not in hits  # same PNC ID: one person whatever the names say


def test_dob_conflicts_inside_a_cluster_spare_typos_of_one_date() -> None:
    con = duckdb.connect()
    dates = {
        "a": "1994-11-10",
        "b": "1993-11-10",  # year off by one from a
        "c": "1995-11-10",  # two years from b, but both one edit from a: one person
        "d": "1974-07-28",  # the father: conflicts with a, b and c
        "e": "1974-07-28",
    }
    con.execute(
        "CREATE TABLE f AS SELECT * FROM (VALUES "
        + ", ".join(f"('{m}', DATE '{d}', NULL, NULL)" for m, d in dates.items())
        + ") v(mention_id, dob, pnc_id, cro_number)"
    )
    con.execute(
        "CREATE TABLE feats AS SELECT mention_id, dob, strftime(dob, '%Y%m%d') AS dob_str, "
        "year(dob) AS dob_year, month(dob) AS dob_month, day(dob) AS dob_day, "
        "CAST(pnc_id AS VARCHAR) AS pnc_id, CAST(cro_number AS VARCHAR) AS cro_number FROM f"
    )
    con.execute("CREATE TABLE cc AS SELECT mention_id, 'a' AS cluster_key FROM f")
    got = con.execute(attribute_conflicts_sql("cc", "feats", dob_conflict()) + " ORDER BY 1, 2")
    pairs = set(got.fetchall())
    assert pairs == {(x, y) for x in "abc" for y in "de"}


def test_cluster_splits_a_father_and_son_joined_by_a_thin_mention() -> None:
    be = DuckDBBackend(duckdb.connect())
    be.con.execute(
        "CREATE TABLE nodes AS SELECT * FROM (VALUES "
        "('a', DATE '1990-06-10'), ('b', NULL), ('c', DATE '1974-07-28')) v(mention_id, dob)"
    )
    be.con.execute(
        "CREATE OR REPLACE TABLE nodes AS SELECT mention_id, dob, strftime(dob, '%Y%m%d') "
        "AS dob_str, year(dob) AS dob_year, month(dob) AS dob_month, day(dob) AS dob_day, "
        "CAST(NULL AS VARCHAR) AS pnc_id, CAST(NULL AS VARCHAR) AS cro_number FROM nodes"
    )
    be.load(
        "pairs",
        pa.table(
            {
                "mention_id_l": ["a", "b"],
                "mention_id_r": ["b", "c"],
                "match_probability": [0.99, 0.97],
                "gamma_identifiers": [-1, -1],
            }
        ),
    )
    cluster(be, "nodes", "pairs", decisions_table([]), 0.95, attribute_conflicts=[dob_conflict()])
    got = dict(be.con.execute("SELECT mention_id, cluster_key FROM resolve_clusters").fetchall())
    assert got == {"a": "a", "b": "a", "c": "c"}  # the thin mention joins its strongest link
    be.close()


@pytest.mark.parametrize("edits", [1, 2])
def test_near_variant_sql_edits(edits: int) -> None:
    from toex.resolve.comparisons import near_variant_sql

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE p AS SELECT ['DAVID', 'DAVE'] AS forename_variants_l, 'DAVE' AS "
        "forename_l, ['XAVIE'] AS forename_variants_r, 'XAVIE' AS forename_r"
    )
    hit = con.execute(f"SELECT {near_variant_sql(edits)} FROM p").fetchall()[0][0]
    assert hit is (edits >= 2)  # DAVE -> XAVE -> XAVIE: two edits


def test_family_conflict_spares_a_typo_of_a_commoner_forename(tmp_path: Path) -> None:
    # SARANH (a typo of SARAH) and AALLY (a typo of SALLY, SARAH's nickname) are more than
    # two edits apart, but each reads as a keying error of a name ten times as common.
    dob = dt.date(2010, 6, 26)
    people = [{"forename": "SARAH", "surname": "KAUR", "dob": dob}] * 10
    people += [{"forename": "SALLY", "surname": "KAUR", "dob": dob}] * 10
    people += [
        {"forename": "SARANH", "surname": "KAUR", "dob": dob},
        {"forename": "AALLY", "surname": "KAUR", "dob": dob},
        {"forename": "JADE", "surname": "KAUR", "dob": dob},
        {"forename": "ADITYA", "surname": "KAUR", "dob": dob},
    ]
    feats = _features(tmp_path, people)
    typo = dict(zip(feats["forename"].to_pylist(), feats["forename_typo"].to_pylist(), strict=True))
    assert typo["SARANH"] and typo["AALLY"]
    assert not typo["SARAH"] and not typo["SALLY"] and not typo["JADE"] and not typo["ADITYA"]
    con = duckdb.connect()
    con.register("f", feats)
    cols = feats.column_names
    sel = ", ".join([f'l."{c}" AS "{c}_l"' for c in cols] + [f'r."{c}" AS "{c}_r"' for c in cols])
    # both pairs fall in the forename "else" level (gamma 0) with the same surname
    from toex.resolve.comparisons import level_gamma, surname_comparison

    same = level_gamma(surname_comparison(), "Exact match on surname")
    con.execute(
        f"CREATE TABLE p AS SELECT {sel}, 0 AS gamma_forename, {same} AS gamma_surname, "
        "-1 AS gamma_identifiers FROM f l JOIN f r ON l.mention_id < r.mention_id "
        "WHERE l.forename IN ('SARANH', 'JADE') AND r.forename IN ('AALLY', 'ADITYA')"
    )
    hits = {
        (a, b)
        for a, b in con.execute(
            f"SELECT forename_l, forename_r FROM p WHERE {family_conflict_sql()}"
        ).fetchall()
    }
    assert ("JADE", "ADITYA") in hits  # twins: two real names
    assert ("SARANH", "AALLY") not in hits  # two typos of one name


def test_family_conflict_keeps_a_twin_from_a_typo_of_his_brothers_name(tmp_path: Path) -> None:
    # DFAVID reads as a keying error of DAVID, not of RAY: DFAVID and RAY (twins sharing a
    # surname, DOB and address) are two people; DFAVID and DAVE (DAVID's nickname) are not.
    dob = dt.date(1964, 6, 16)
    people = [{"forename": "DAVID", "surname": "GUINEVAN", "dob": dob}] * 10
    people += [
        {"forename": name, "surname": "GUINEVAN", "dob": dob} for name in ("DFAVID", "RAY", "DAVE")
    ]
    feats = _features(tmp_path, people)
    by_name = dict(
        zip(feats["forename"].to_pylist(), feats["forename_typo_of"].to_pylist(), strict=True)
    )
    assert (
        by_name["RAY"] is None and "|DAVID|" in by_name["DFAVID"] and "|DAVE|" in by_name["DFAVID"]
    )
    con = duckdb.connect()
    con.register("f", feats)
    cols = feats.column_names
    sel = ", ".join([f'l."{c}" AS "{c}_l"' for c in cols] + [f'r."{c}" AS "{c}_r"' for c in cols])
    from toex.resolve.comparisons import level_gamma, surname_comparison

    same = level_gamma(surname_comparison(), "Exact match on surname")
    con.execute(
        f"CREATE TABLE p AS SELECT {sel}, 0 AS gamma_forename, {same} AS gamma_surname, "
        "-1 AS gamma_identifiers FROM f l JOIN f r ON l.forename <> r.forename "
        "WHERE l.forename = 'DFAVID' AND r.forename IN ('RAY', 'DAVE')"
    )
    hits = {
        (a, b)
        for a, b in con.execute(
            f"SELECT forename_l, forename_r FROM p WHERE {family_conflict_sql()}"
        ).fetchall()
    }
    assert hits == {("DFAVID", "RAY")}


def test_two_pnc_ids_in_one_cluster_are_two_people() -> None:
    from toex.resolve.comparisons import identifier_conflicts

    be = DuckDBBackend(duckdb.connect())
    be.con.execute(
        "CREATE TABLE nodes AS SELECT * FROM (VALUES "
        "('a', '2017/5142584Y', NULL), ('b', NULL, NULL), ('c', '2001/6652688X', NULL), "
        "('d', '2001/6652688X', NULL)) v(mention_id, pnc_id, cro_number)"
    )
    be.con.execute(
        "CREATE OR REPLACE TABLE nodes AS SELECT mention_id, CAST(pnc_id AS VARCHAR) AS "
        "pnc_id, CAST(cro_number AS VARCHAR) AS cro_number FROM nodes"
    )
    # Namesakes chained through a mention holding only a name and a DOB (b).
    be.load(
        "pairs",
        pa.table(
            {
                "mention_id_l": ["a", "b", "c"],
                "mention_id_r": ["b", "c", "d"],
                "match_probability": [0.999, 0.99, 0.999],
                "gamma_identifiers": [-1, -1, 1],
            }
        ),
    )
    conflicts = identifier_conflicts()
    cluster(be, "nodes", "pairs", decisions_table([]), 0.95, attribute_conflicts=conflicts)
    got = dict(be.con.execute("SELECT mention_id, cluster_key FROM resolve_clusters").fetchall())
    assert got == {"a": "a", "b": "a", "c": "c", "d": "c"}
    # an analyst's "same" decision overrides the conflict for the pair it names
    cluster(
        be,
        "nodes",
        "pairs",
        decisions_table([("a", "c", True)]),
        0.95,
        attribute_conflicts=conflicts,
    )
    got = dict(be.con.execute("SELECT mention_id, cluster_key FROM resolve_clusters").fetchall())
    assert got["a"] == got["c"]
    be.close()
