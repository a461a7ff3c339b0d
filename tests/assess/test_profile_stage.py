"""The profiles on a warehouse built inline: value issues, risk normalisation, negation,
cross-border finds, ViSOR codes, and no nationality in any score."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from toex.assess.profile_config import load_profiles_config
from toex.assess.profile_stage import profile_steps, run_profiles
from toex.errors import ConfigError
from toex.model.tables import STAGED_LOCATION, STAGED_OBJECT

from .builders import AS_OF, _arrow, _provenance, build_warehouse, mention


def _day(days_ago: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days_ago)


def episode(
    event_id: str, ago: int, risk: str | None, force: str = "essex", **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": "missing_episode",
        "force": force,
        "occurred_from": _day(ago),
        "occurred_to": _day(ago - 1),
        "risk_level": risk,
        **extra,
    }


def warehouse(nationality: str = "British") -> duckdb.DuckDBPyConnection:
    events = [
        episode("E1", 200, "medium risk"),
        episode("E2", 80, "Amber"),  # unknown risk spelling
        episode("E3", 40, "HIGH", occurred_to=_day(45)),  # ends before it starts
        episode("E4", 10, "High Risk"),
        {
            "event_id": "I1",
            "event_type": "intelligence",
            "force": "essex",
            "occurred_from": _day(9),
            "text": "No evidence of county lines. She has a new phone from an older male.",
        },
        {
            "event_id": "V1",
            "event_type": "visor",
            "force": "essex",
            "occurred_from": _day(900),
            "mappa_category": "Category 9",
            "mappa_level": "Level 2",
            "risk_level": "V High",
        },
    ]
    mentions = [
        mention(f"M{e}", e, "missing", "essex", dob=dt.date(2010, 5, 1), nationality=nationality)
        for e in ("E1", "E2", "E3", "E4")
    ] + [
        mention("MI", "I1", "subject", "essex", dob=dt.date(2010, 5, 1), nationality=nationality),
        mention("MV", "V1", "registrant", "essex", dob=dt.date(1970, 1, 1)),
    ]
    persons = {m["mention_id"]: ("R" if m["mention_id"] == "MV" else "A") for m in mentions}
    con = build_warehouse(events, mentions, persons)
    loc = [
        _provenance(
            {"location_id": "L1", "postcode": "M1 1AA", "event_id": "E4", "relation": "found_at"}, 1
        ),
        _provenance(
            {"location_id": "L2", "postcode": "CM1 1AA", "event_id": "E1", "relation": "found_at"},
            2,
        ),
    ]
    con.register("loc_in", _arrow(STAGED_LOCATION, loc))
    con.execute("CREATE TABLE staged_location AS SELECT * FROM loc_in")
    con.register("obj_in", _arrow(STAGED_OBJECT, []))
    con.execute("CREATE TABLE staged_object AS SELECT * FROM obj_in")
    run_profiles(con, as_of=AS_OF, mention_person="resolved_mention_person")
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_value_issues_name_row_and_field_and_keep_the_row() -> None:
    con = warehouse()
    issues = rows(
        con,
        "SELECT reference, source_row, field, raw_value, reason_code, reason "
        "FROM assess_profile_issue ORDER BY reference, field",
    )
    assert [(i["reference"], i["field"], i["reason_code"]) for i in issues] == [
        ("E2", "risk_level", "unknown_risk"),
        ("E3", "occurred_to", "end_before_start"),
        ("V1", "mappa_category", "unknown_mappa_category"),
    ]
    assert issues[0]["source_row"] == 2
    assert issues[0]["reason"] == "risk 'Amber' is not an APP risk level"
    assert issues[2]["raw_value"] == "Category 9"
    (a,) = rows(con, "SELECT * FROM assess_misper")
    assert a["n_episodes"] == 4  # nothing lost
    (v,) = rows(con, "SELECT * FROM assess_visor")
    assert (v["mappa_category"], v["mappa_level"], v["rosh"]) == (None, "2", "very high")


def test_misper_row_facts_risk_trend_and_negation() -> None:
    con = warehouse()
    (a,) = rows(con, "SELECT * FROM assess_misper")
    assert (a["n_episodes_90d"], a["n_episodes_365d"]) == (3, 4)
    assert a["frequent"]  # 3 in 90 days
    assert a["highest_risk"] == "high" and a["latest_risk"] == "high"
    assert a["risk_escalating"]  # medium first, high latest
    assert a["child"] and a["age"] == 15
    assert a["n_found_other_force"] == 1 and a["found_forces"] == "gmp"
    indicators = set((a["indicators"] or "").split(","))
    assert {"new_phone", "older_associates", "found_other_force"} <= indicators
    assert "county_lines" not in indicators  # "No evidence of county lines"
    assert "3 times in the last 90 days, 4 in 365" in a["reason"]
    assert "found in another force area 1 times (gmp)" in a["reason"]
    assert a["mark_forces"] == ["essex"]
    ranks = rows(con, "SELECT area_type, area, rank FROM assess_misper_rank ORDER BY 1")
    assert ranks == [
        {"area_type": "force", "area": "essex", "rank": 1},
        {"area_type": "region", "area": "eastern", "rank": 1},
    ]


def test_warnings_carry_their_records() -> None:
    con = warehouse()
    got = {
        r["warning"]: r
        for r in rows(con, "SELECT * FROM assess_person_warning ORDER BY person_id, warning")
    }
    assert set(got) == {"frequent_missing", "high_risk_missing", "registered_sex_offender"}
    assert got["registered_sex_offender"]["event_ids"] == ["V1"]
    assert "level 2, RoSH very high" in got["registered_sex_offender"]["detail"]
    assert got["frequent_missing"]["event_ids"] == ["E2", "E3", "E4"]
    assert got["high_risk_missing"]["event_ids"] == ["E3", "E4"]


def test_no_nationality_or_ethnicity_enters_a_rank() -> None:
    cfg = load_profiles_config()
    sql = " ".join(s["sql"] for s in profile_steps(cfg, AS_OF, "resolved_mention_person"))
    assert "nationality" not in sql.lower() and "ethnic" not in sql.lower()
    one = rows(warehouse("British"), "SELECT * FROM assess_misper")
    other = rows(warehouse("Romanian"), "SELECT * FROM assess_misper")
    assert one == other


def test_shipped_risk_weights_cover_every_app_level() -> None:
    from toex.model import MisperRisk

    assert set(load_profiles_config().misper.weights.risk) == {r.value for r in MisperRisk}


def test_tables_are_as_the_model_defines_them() -> None:
    from toex.model.profile_tables import TABLE_SPECS

    con = warehouse()
    for spec in TABLE_SPECS:
        cols = [r[0] for r in con.execute(f"DESCRIBE {spec.name}").fetchall()]
        assert cols == spec.column_names, spec.name
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'assess_misper'"
        ).fetchall()
    )
    assert types["score"] == "DOUBLE" and types["mark_forces"] == "VARCHAR[]"


def test_the_frequent_rule_is_configurable(tmp_path: Path) -> None:
    from toex.assess.profile_config import load_profiles_config

    path = tmp_path / "profiles.yaml"
    path.write_text("misper:\n  frequent: {episodes: 4, within_days: 90}\n", encoding="utf-8")
    cfg = load_profiles_config(path)
    con = warehouse()
    run_profiles(con, cfg, as_of=AS_OF, mention_person="resolved_mention_person")
    (a,) = rows(con, "SELECT frequent FROM assess_misper")
    assert a["frequent"] is False  # 3 episodes in 90 days: not 4
    path.write_text("misper:\n  frequent: {episodes: 0}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_profiles_config(path)
    assert str(err.value).startswith(f"{path}: field 'misper.frequent.episodes': ")
