"""Blocking rules as SQL: exploded arrays, caps on over-common keys, one row per pair."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from toex.resolve.blocking import PERSON_BLOCKS, Block, blocked_pairs_sql, rule_keys_sql


def _features(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""CREATE TABLE f AS SELECT * FROM (VALUES
        ('a', ['RICHARD'], 'SMITH', 'gmp'),
        ('b', ['ERIC', 'RICHARD'], 'SMITH', 'gmp'),   -- RICKY: two nickname groups
        ('c', ['ERIC'], 'SMITH', 'gmp'),
        ('d', ['JOHN'], 'JONES', 'gmp'),
        ('e', ['JOHN'], 'JONES', 'gmp'),
        ('f', ['JOHN'], 'JONES', 'gmp'))
        v(mention_id, forename_groups, surname, police_force)""")


def test_exploded_groups_meet_on_any_shared_element() -> None:
    con = duckdb.connect()
    _features(con)
    block = Block(("forename_groups", "surname"), ("forename_groups",))
    got = con.execute(block.pairs_sql("f") + " ORDER BY 1, 2").fetchall()
    # RICKY (b) meets RICHARD (a) and ERIC (c); a and c share no group
    assert ("a", "b") in got and ("b", "c") in got and ("a", "c") not in got


def test_a_capped_key_generates_no_pairs_and_other_rules_still_do() -> None:
    con = duckdb.connect()
    _features(con)
    capped = Block(("surname", "police_force"), cap=2)  # JONES/gmp has 3 mentions
    assert con.execute(capped.pairs_sql("f")).fetchall() == []
    both = [capped, Block(("forename_groups", "surname"), ("forename_groups",))]
    rows = con.execute(blocked_pairs_sql("f", both) + " ORDER BY 2, 3").fetchall()
    keys = {(r[1], r[2]) for r in rows}
    assert ("d", "e") in keys and len(rows) == len(keys)  # one row per pair
    assert {r[0] for r in rows} == {"1"}  # the first rule that generated the pair


def test_every_person_rule_reads_feature_columns() -> None:
    from toex.resolve.features import FEATURE_COLUMNS

    for block in PERSON_BLOCKS:
        assert set(block.columns) <= set(FEATURE_COLUMNS), block
        assert set(block.explode) <= set(block.columns), block


def test_integer_keyed_pairs_equal_the_string_keyed_ones(tmp_path: Path) -> None:
    from toex.resolve.blocking import block_keys_sql
    from toex.resolve.run import build_features

    from .conftest import make_warehouse, population

    wh = make_warehouse(tmp_path / "wh.duckdb", population(200, seed=17))
    try:
        feats, _ = build_features(wh)
    finally:
        wh.disconnect()
    con = duckdb.connect()
    con.register("f", feats)
    con.execute("CREATE TABLE k AS " + block_keys_sql("f", PERSON_BLOCKS))
    by_id = con.execute(blocked_pairs_sql("f", PERSON_BLOCKS)).fetchall()
    con.execute("CREATE TABLE b AS " + blocked_pairs_sql("k", PERSON_BLOCKS, keyed=True))
    by_key = con.execute("SELECT match_key, join_key_l, join_key_r FROM b").fetchall()
    assert len(by_id) > 100
    assert sorted(by_key) == sorted(by_id)
    # Slices built from materialised rule keys partition the pairs: each in exactly one.
    tables = []
    bound = 0
    for i, block in enumerate(PERSON_BLOCKS):
        con.execute(f"CREATE TABLE rk{i} AS " + rule_keys_sql("k", block))
        tables.append(f"rk{i}")
        bound += con.execute(block.pair_count_sql(f"rk{i}")).fetchall()[0][0]
    assert bound >= len(by_id)
    sliced = [
        row
        for i in range(7)
        for row in con.execute(
            blocked_pairs_sql("k", PERSON_BLOCKS, keyed=True, part=(7, i), key_tables=tables)
        ).fetchall()
    ]
    assert sorted(sliced) == sorted(by_id)
    one = blocked_pairs_sql("k", PERSON_BLOCKS, keyed=True, part=(1, 0), key_tables=tables)
    assert sorted(con.execute(one).fetchall()) == sorted(by_key)


def test_a_slice_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="slice 3 of 3 does not exist"):
        blocked_pairs_sql("k", PERSON_BLOCKS, keyed=True, part=(3, 3))
    with pytest.raises(ValueError, match="slices and key tables need the keyed form"):
        blocked_pairs_sql("f", PERSON_BLOCKS, part=(3, 1))
