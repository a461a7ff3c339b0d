"""Safeguarding health checks on the inline scenario (see builders.scenario)."""

from __future__ import annotations

import duckdb
import pytest

from toex.assess.config import load_assess_config
from toex.assess.safeguarding import health_checks, victims_of
from toex.assess.sql_steps import query
from toex.assess.stage import run_assess
from toex.errors import ConfigError

from .builders import AS_OF, build_warehouse, scenario


def _checks(con: duckdb.DuckDBPyConnection, check: str) -> dict[tuple[str, str | None], dict]:
    rows = query(con, 'SELECT * FROM assess_safeguarding WHERE "check" = ?', [check])
    return {(r["person_id"], r["related_person_id"]): r for r in rows}


def test_every_victim_of_every_top_perpetrator_is_listed(
    scenario_con: duckdb.DuckDBPyConnection,
) -> None:
    got = _checks(scenario_con, "victim_of_priority_perpetrator")
    # P1's three victims; P2 (an assault on a man, one on a woman), P3, P4: all top 10
    assert set(got) == {
        ("V1", "P1"),
        ("V2", "P1"),
        ("V3", "P1"),
        ("V6", "P2"),
        ("V7", "P2"),
        ("V8", "P3"),
        ("V10", "P4"),
    }
    v1 = got[("V1", "P1")]
    assert (
        v1["n_events_with_related"],
        v1["n_victimisations"],
        v1["n_forces_victimised"],
        v1["repeat_victim"],
        v1["forces"],
    ) == (2, 2, 2, True, "cambs,essex")


def test_missing_episodes_and_referrals_of_victims(
    scenario_con: duckdb.DuckDBPyConnection,
) -> None:
    got = _checks(scenario_con, "victim_of_priority_perpetrator")
    v2 = got[("V2", "P1")]  # went missing in Cambridgeshire; no referral on any record
    assert (v2["n_missing_episodes"], str(v2["last_missing_date"])) == (1, "2025-09-01")
    assert v2["referral_recorded"] is False and v2["child"] is True and v2["age"] == 13
    v8 = got[("V8", "P3")]
    assert v8["referral_recorded"] is True and v8["referral_reference"] == "essex e9"
    assert v8["reason"] == (
        "victim 2 times (2 by this perpetrator); missing 1 time(s), last "
        "2025-11-01; safeguarding referral recorded (essex e9)"
    )


def test_children_linked_to_high_harm_suspects(scenario_con: duckdb.DuckDBPyConnection) -> None:
    # the top 5% of 4 perpetrators by harm is one person: P1; his only child contact is V2
    got = _checks(scenario_con, "child_linked_high_harm_suspect")
    assert set(got) == {("V2", "P1")}
    con = build_warehouse(*scenario())
    run_assess(
        con, load_assess_config().updated({"safeguarding": {"high_harm_top_pct": 50}}), as_of=AS_OF
    )
    # top 50%: P1 and P4 (a rape: 1825 days); P4's crime names a child victim and witness
    assert set(_checks(con, "child_linked_high_harm_suspect")) == {
        ("V2", "P1"),
        ("V10", "P4"),
        ("W10", "P4"),
    }


def test_repeat_victims_across_forces(scenario_con: duckdb.DuckDBPyConnection) -> None:
    got = _checks(scenario_con, "repeat_victim_cross_force")
    assert set(got) == {("V1", None)}
    assert got[("V1", None)]["reason"] == (
        "victim 2 times in 2 forces; no missing episode; no safeguarding referral recorded"
    )


def test_read_api_filters_by_force_and_check(scenario_con: duckdb.DuckDBPyConnection) -> None:
    wmp = health_checks(scenario_con, force="West Midlands")
    assert {(r["check"], r["person_id"]) for r in wmp} == {
        ("victim_of_priority_perpetrator", "V10")
    }
    cambs = health_checks(scenario_con, force="cambs", check="repeat_victim_cross_force")
    assert [r["person_id"] for r in cambs] == ["V1"]
    assert [r["person_id"] for r in victims_of(scenario_con, "P1")] == ["V1", "V2", "V3"]
    with pytest.raises(ConfigError, match="unknown check 'x'"):
        health_checks(scenario_con, check="x")
