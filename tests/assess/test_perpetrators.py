"""Read API: ranked lists per force and region, one perpetrator, before/after resolution."""

from __future__ import annotations

import duckdb
import pytest

from toex.assess.perpetrators import (
    perpetrator,
    resolution_comparison,
    top_perpetrators,
)
from toex.errors import ConfigError, NotFoundError


def test_top_of_a_force_by_any_of_its_names(scenario_con: duckdb.DuckDBPyConnection) -> None:
    for name in ("essex", "Essex", "Essex Police"):
        rows = top_perpetrators(scenario_con, force=name, top=2)
        assert [(r["rank"], r["person_id"]) for r in rows] == [(1, "P1"), (2, "P3")]
    first = top_perpetrators(scenario_con, force="essex")[0]
    assert first["reason"].startswith("16 years old; 3 unique victims aged 13-32")
    assert first["n_vawg_offences"] == 4 and first["score"] == 65


def test_a_cross_force_offender_is_listed_in_each_force(
    scenario_con: duckdb.DuckDBPyConnection,
) -> None:
    assert [r["person_id"] for r in top_perpetrators(scenario_con, force="cambs")] == ["P1"]
    region = top_perpetrators(scenario_con, region="Eastern")
    assert [r["person_id"] for r in region] == ["P1", "P3", "P2"]
    national = top_perpetrators(scenario_con, top=10)
    assert [r["rank"] for r in national] == [1, 2, 3, 4]


def test_force_and_region_together_are_refused(
    scenario_con: duckdb.DuckDBPyConnection,
) -> None:
    with pytest.raises(ConfigError, match="not both"):
        top_perpetrators(scenario_con, force="essex", region="eastern")
    with pytest.raises(ConfigError, match="unknown region 'atlantis'"):
        top_perpetrators(scenario_con, region="atlantis")


def test_one_perpetrator_with_his_areas(scenario_con: duckdb.DuckDBPyConnection) -> None:
    p1 = perpetrator(scenario_con, "P1")
    assert [(a["area_type"], a["area"], a["rank"]) for a in p1["areas"]] == [
        ("force", "cambs", 1),
        ("force", "essex", 1),
        ("region", "eastern", 1),
    ]
    with pytest.raises(NotFoundError):
        perpetrator(scenario_con, "V1")


def test_resolution_comparison_counts_his_records(
    scenario_con: duckdb.DuckDBPyConnection,
) -> None:
    rows = resolution_comparison(scenario_con, force="essex")
    p1 = rows[0]
    assert (p1["person_id"], p1["rank"], p1["n_mentions"]) == ("P1", 1, 4)
    # alone, his best Essex record (the rape, 41 days ago) still ranks first
    assert p1["unresolved_rank"] == 1
    # P3's two records (two public-order offences against one woman) rank 2 and 3 alone
    assert rows[1]["person_id"] == "P3" and rows[1]["unresolved_rank"] == 2
