"""Perpetrator facts, scores and ranks on the inline scenario (see builders.scenario)."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from toex.assess.config import load_assess_config
from toex.assess.perpetrator_priority import (
    count_points_sql,
    months_before,
    priority_steps,
    recency_points_sql,
)
from toex.assess.safeguarding import safeguarding_steps
from toex.assess.sql_steps import query
from toex.assess.stage import run_assess
from toex.model.assess_tables import TABLE_SPECS

from .builders import AS_OF, build_warehouse, crime, mention, scenario


def _row(
    con: duckdb.DuckDBPyConnection, person_id: str, table: str = "assess_perpetrator_priority"
) -> dict:
    rows = query(con, f"SELECT * FROM {table} WHERE person_id = ?", [person_id])
    assert len(rows) == 1, person_id
    return rows[0]


def test_serial_offender_facts(scenario_con: duckdb.DuckDBPyConnection) -> None:
    p1 = _row(scenario_con, "P1")
    assert {
        k: p1[k]
        for k in (
            "force",
            "region",
            "forces",
            "age",
            "n_offences",
            "n_offences_12m",
            "n_vawg_offences",
            "n_vawg_offences_12m",
            "n_victims",
            "n_child_victims",
            "victim_age_min",
            "victim_age_max",
            "n_oics",
            "n_lpcs",
            "n_forces",
            "n_investigations",
        )
    } == {
        "force": "essex",
        "region": "eastern",
        "forces": "cambs,essex",
        "age": 16,  # the most frequent DOB wins over the one typo
        "n_offences": 5,
        "n_offences_12m": 4,  # the shoplifting counts, not as VAWG
        "n_vawg_offences": 4,
        "n_vawg_offences_12m": 3,
        "n_victims": 3,
        "n_child_victims": 1,
        "victim_age_min": 13,
        "victim_age_max": 32,
        "n_oics": 4,
        "n_lpcs": 4,
        "n_forces": 2,
        "n_investigations": 4,
    }
    assert p1["first_vawg_date"] == dt.date(2024, 6, 1)
    assert p1["days_since_last_vawg"] == 41
    # harm: rape 1825 + sexual assault 182 + ABH 365 (last 12 months) and stalking 10 before
    assert (p1["harm_12m"], p1["harm_prev_12m"], p1["harm_total"]) == (2372, 10, 2382)
    assert p1["escalating"] is True


def test_reason_is_built_from_the_facts(scenario_con: duckdb.DuckDBPyConnection) -> None:
    assert _row(scenario_con, "P1")["reason"] == (
        "16 years old; 3 unique victims aged 13-32; 4 VAWG offences, 3 in the last 12 months; "
        "investigated by 4 different OICs across 4 LPCs in 2 forces; harm escalating"
    )
    assert _row(scenario_con, "P4")["reason"] == (
        "30 years old; 1 unique victim aged 15; 1 VAWG offence, 1 in the last 12 months; "
        "investigated by 1 OIC in 1 LPC; harm escalating"
    )


def test_points_follow_the_configured_bands(scenario_con: duckdb.DuckDBPyConnection) -> None:
    p1 = _row(scenario_con, "P1")
    # 41 days -> within 90: 20; 3 offences in the last 12 months -> 10;
    # 2382 days in the window -> >= 1825: 20; 3 victims -> 15
    assert (
        p1["recency_points"],
        p1["frequency_points"],
        p1["gravity_points"],
        p1["victims_points"],
    ) == (20, 10, 20, 15)
    assert (p1["rfg"], p1["rfgv"], p1["score"]) == (50, 65, 65)


def test_frequency_over_the_whole_window() -> None:
    con = build_warehouse(*scenario())
    run_assess(con, load_assess_config().updated({"frequency_over": "window"}), as_of=AS_OF)
    assert _row(con, "P1")["frequency_points"] == 15  # 4 VAWG offences in 36 months


def test_only_persons_with_a_vawg_offence_are_ranked(
    scenario_con: duckdb.DuckDBPyConnection,
) -> None:
    ranked = {
        r["person_id"]
        for r in query(scenario_con, "SELECT person_id FROM assess_perpetrator_priority")
    }
    assert ranked == {"P1", "P2", "P3", "P4"}
    p2 = _row(scenario_con, "P2")  # an assault on a man is not VAWG; one on a woman is
    assert (p2["n_offences"], p2["n_vawg_offences"], p2["n_victims"]) == (2, 1, 1)


def test_ranks_per_force_and_region(scenario_con: duckdb.DuckDBPyConnection) -> None:
    ranks = {
        (r["area_type"], r["area"], r["person_id"]): r["rank"]
        for r in query(scenario_con, "SELECT * FROM assess_perpetrator_rank")
    }
    assert ranks == {
        ("force", "essex", "P1"): 1,
        ("force", "essex", "P3"): 2,
        ("force", "essex", "P2"): 3,
        ("force", "cambs", "P1"): 1,
        ("force", "wmp", "P4"): 1,
        ("region", "eastern", "P1"): 1,
        ("region", "eastern", "P3"): 2,
        ("region", "eastern", "P2"): 3,
        ("region", "west_midlands", "P4"): 1,
    }
    p1 = _row(scenario_con, "P1")
    assert (p1["national_rank"], p1["force_rank"], p1["region_rank"]) == (1, 1, 1)


def test_unresolved_view_ranks_each_record_alone(scenario_con: duckdb.DuckDBPyConnection) -> None:
    alone = query(
        scenario_con,
        "SELECT person_id, n_vawg_offences, n_victims FROM "
        "assess_perpetrator_priority_unresolved ORDER BY person_id",
    )
    # every VAWG suspect record is its own person with one offence and at most one victim
    assert [r["person_id"] for r in alone] == ["s1", "s10", "s2", "s3", "s4", "s7", "s8", "s9"]
    assert all(r["n_vawg_offences"] == 1 and r["n_victims"] <= 1 for r in alone)
    p1 = _row(scenario_con, "P1")
    best = min(
        r["rank"]
        for r in query(
            scenario_con,
            "SELECT rank FROM assess_perpetrator_rank_unresolved "
            "WHERE area_type = 'force' AND area = 'essex' AND person_id IN ('s1','s2','s3')",
        )
    )
    assert p1["unresolved_force_rank"] == best


def test_output_tables_match_their_specs(scenario_con: duckdb.DuckDBPyConnection) -> None:
    types = {
        "VARCHAR": "string",
        "BIGINT": "int64",
        "DOUBLE": "float64",
        "DATE": "date",
        "BOOLEAN": "boolean",
    }
    for spec in TABLE_SPECS:
        got = scenario_con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [spec.name],
        ).fetchall()
        assert [(n, types[t]) for n, t in got] == [(c.name, c.type) for c in spec.columns], (
            spec.name
        )
        nulls = [c.name for c in spec.columns if not c.nullable]
        for col in nulls:
            n = scenario_con.execute(
                f'SELECT count(*) FROM {spec.name} WHERE "{col}" IS NULL'
            ).fetchone()
            assert n == (0,), (spec.name, col)


def test_rank_by_harm_orders_by_the_harm_score() -> None:
    con = build_warehouse(*scenario())
    cfg = load_assess_config().updated({"rank_by": "harm"})
    run_assess(con, cfg, as_of=AS_OF)
    order = [
        r["person_id"]
        for r in query(
            con, "SELECT person_id FROM assess_perpetrator_priority ORDER BY national_rank"
        )
    ]
    harms = query(
        con,
        "SELECT person_id, harm_score FROM assess_perpetrator_priority ORDER BY harm_score DESC",
    )
    assert order == [r["person_id"] for r in harms]


def test_ons_css_scheme_changes_gravity_not_counts() -> None:
    con = build_warehouse(*scenario())
    run_assess(con, load_assess_config().updated({"harm": {"scheme": "ons_css"}}), as_of=AS_OF)
    p1 = _row(con, "P1")
    assert p1["harm_scheme"] == "ons_css"
    assert p1["harm_total"] == 2000 + 250 + 150 + 40  # 19C, 20A, 8N, 8Q in the ONS table
    assert p1["n_vawg_offences"] == 4


# --- no score uses nationality or ethnicity -------------------------------------------------

FORBIDDEN = re.compile(r"national(ity)?_?|ethnic", re.IGNORECASE)


def test_no_step_reads_nationality_or_ethnicity() -> None:
    cfg = load_assess_config()
    steps = [
        *priority_steps(cfg, AS_OF, mention_person="resolved_mention_person"),
        *safeguarding_steps(cfg, AS_OF, mention_person="resolved_mention_person"),
    ]
    for step in steps:
        # 'national_rank' is the rank over all forces, not an input: drop it, then search
        sql = step["sql"].replace("national_rank", "")
        assert not FORBIDDEN.search(sql), step["output_table_name"]


@pytest.mark.parametrize("value", [None, "shuffle", "Romanian"])
def test_scores_do_not_change_with_nationality(value: str | None) -> None:
    base = build_warehouse(*scenario())
    run_assess(base, as_of=AS_OF)
    changed = build_warehouse(*scenario())
    if value == "shuffle":
        changed.execute(
            "UPDATE staged_person_mention SET nationality = "
            "(['British','Romanian','Brazilian','Albanian'])"
            "[CAST(1 + hash(mention_id) % 4 AS BIGINT)]"
        )
    else:
        changed.execute("UPDATE staged_person_mention SET nationality = ?", [value])
    changed.execute("ALTER TABLE staged_person_mention ADD COLUMN ethnicity VARCHAR DEFAULT 'W1'")
    run_assess(changed, as_of=AS_OF)
    for table in ("assess_perpetrator_priority", "assess_perpetrator_rank", "assess_safeguarding"):
        a = base.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        b = changed.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        assert a == b, table


# --- pure builders --------------------------------------------------------------------------


def test_months_before_clamps_to_the_month_end() -> None:
    assert months_before(dt.date(2025, 12, 31), 12) == dt.date(2024, 12, 31)
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2025, 1, 15), 36) == dt.date(2022, 1, 15)


@pytest.mark.parametrize(
    ("days", "points"), [(0, 25), (30, 25), (31, 20), (365, 10), (730, 5), (731, 0), (None, 0)]
)
def test_recency_band_edges(days: int | None, points: float) -> None:
    expr = recency_points_sql(load_assess_config().recency, "d")
    got = duckdb.sql(f"SELECT {expr} FROM (SELECT CAST(? AS BIGINT) AS d)", params=[days])
    assert got.fetchone() == (points,)


@pytest.mark.parametrize(("n", "points"), [(0, 0), (1, 5), (2, 10), (5, 15), (9, 20), (10, 25)])
def test_frequency_band_edges(n: int, points: float) -> None:
    expr = count_points_sql(load_assess_config().frequency, "n")
    got = duckdb.sql(f"SELECT {expr} FROM (SELECT CAST(? AS BIGINT) AS n)", params=[n])
    assert got.fetchone() == (points,)


# --- the markings of the records each row draws on ------------------------------------------


def _marked() -> duckdb.DuckDBPyConnection:
    """P1 offends three times: a rape (e1, essex) of V1, whose crime record gives no age (her
    age comes from her one dated record, SECRET, in cambs; an undated one in norfolk does not
    count); a rape (e2, SECRET) of V2, whose age is recorded (so her other, SECRET record does
    not count); a non-VAWG offence (e3) against V3 (her dated record does not count). P1 has
    no date of birth; P9, a co-suspect on e1, has an age on his record, and P1's age comes
    from P1's own record, not P9's."""
    d = dt.date.fromisoformat
    secret = {"handling_code": "P", "classification": "SECRET"}
    events = [
        crime("e1", "essex", "2025-10-01", "19C", "ESSEX1", "North LPA"),
        crime("e2", "cambs", "2025-03-01", "19C", "CAMBS1", "Fenland", **secret),
        crime("e3", "wmp", "2025-02-01", "17A", "WMP1", "Coventry"),
    ]
    mentions = [
        mention("s1", "e1", "suspect", "essex", gender="M"),
        mention("s2", "e2", "suspect", "cambs", gender="M", age_at_event=30),
        mention("s3", "e3", "suspect", "wmp", gender="M"),
        mention("s9", "e1", "suspect", "staffs", gender="M", age_at_event=40,
                handling_code="C", classification="SECRET"),
        mention("v1", "e1", "victim", "essex", gender="F", handling_code="C",
                classification="OFFICIAL-SENSITIVE"),
        mention("v1m", None, "missing", "cambs", gender="F", dob=d("2008-01-01"), **secret),
        mention("v1x", None, "witness", "norfolk", gender="F"),
        mention("v2", "e2", "victim", "cambs", gender="F", age_at_event=20),
        mention("v2m", None, "missing", "wmp", gender="F", dob=d("2004-01-01"), **secret),
        mention("v3", "e3", "victim", "wmp", gender="F", handling_code="C"),
        mention("v3m", None, "witness", "lancs", gender="F", dob=d("1990-01-01")),
    ]  # fmt: skip
    persons = {
        "s1": "P1", "s2": "P1", "s3": "P1", "s9": "P9", "v1": "V1", "v1m": "V1", "v1x": "V1",
        "v2": "V2", "v2m": "V2", "v3": "V3", "v3m": "V3",
    }  # fmt: skip
    con = build_warehouse(events, mentions, persons)
    run_assess(con, as_of=AS_OF)
    return con


def test_marking_table_lists_every_record_the_row_draws_on() -> None:
    con = _marked()
    marks = {
        pid: set(rows)
        for pid, rows in (
            (p, [tuple(r[1:]) for r in con.execute(
                "SELECT * FROM assess_perpetrator_marking WHERE person_id = ?", [p]
            ).fetchall()])
            for p in ("P1", "P9")
        )
    }  # fmt: skip
    official = ("P", "OFFICIAL")
    assert marks["P1"] == {
        ("essex", *official),  # s1, e1
        ("cambs", *official),  # s2, v2
        ("wmp", *official),  # s3, e3
        ("cambs", "P", "SECRET"),  # e2, and V1's dated record v1m
        ("essex", "C", "OFFICIAL-SENSITIVE"),  # v1
        ("wmp", "C", "OFFICIAL"),  # v3
    }
    assert marks["P9"] == {
        ("staffs", "C", "SECRET"),  # s9
        ("essex", *official),  # e1
        ("essex", "C", "OFFICIAL-SENSITIVE"),  # v1
        ("cambs", "P", "SECRET"),  # v1m
    }
    p1 = _row(con, "P1")
    # his own latest recorded age (30 at e2 on 2025-03-01), not his co-suspect's 40 at e1
    assert p1["age"] == 30
    assert "14 years old" not in p1["reason"] and "aged 17" in p1["reason"]  # V1: 2008 DOB


def test_a_missing_marking_is_written_empty() -> None:
    con = _marked()
    con.execute("UPDATE staged_person_mention SET classification = NULL WHERE mention_id = 'v1'")
    run_assess(con, as_of=AS_OF)
    rows = con.execute(
        "SELECT force, handling_code, classification FROM assess_perpetrator_marking "
        "WHERE person_id = 'P1' AND force = 'essex' AND handling_code = 'C'"
    ).fetchall()
    assert rows == [("essex", "C", "")]
