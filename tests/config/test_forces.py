"""The shipped force catalogue meets the platform's needs and bad catalogues are refused."""

from __future__ import annotations

import datetime as dt

import pytest

from toex.config.forces import fttcg_dates, load_catalogue, parse_catalogue
from toex.errors import ConfigError

BRIEFING_FORCES = {
    "Cambridgeshire",
    "Essex",
    "Norfolk",
    "Northamptonshire",
    "West Midlands",
    "Lancashire",
    "Greater Manchester",
}


def test_nine_forces_in_four_regions_with_lpcs_officers_and_meetings() -> None:
    cat = load_catalogue()
    assert len(cat.forces) == 9
    assert len({f.region for f in cat.forces}) >= 4
    assert {f.short_name for f in cat.forces} >= BRIEFING_FORCES
    for force in cat.forces:
        assert len(force.lpcs) >= 3
        assert len(set(force.officer_ids())) == force.officer_count >= 50
        assert force.fttcg_dates == tuple(sorted(force.fttcg_dates))
        assert len(force.fttcg_dates) >= 6


def test_cambridgeshire_meetings_are_the_briefings() -> None:
    dates = load_catalogue().force("Cambridgeshire").fttcg_dates
    assert dates[:4] == (
        dt.date(2022, 12, 9),
        dt.date(2023, 1, 6),
        dt.date(2023, 2, 3),
        dt.date(2023, 3, 3),
    )


def test_fttcg_rule_picks_the_nth_weekday() -> None:
    assert fttcg_dates("friday", 1, dt.date(2023, 1, 1), 3) == [
        dt.date(2023, 1, 6),
        dt.date(2023, 2, 3),
        dt.date(2023, 3, 3),
    ]


def test_unknown_force_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown force 'kent'"):
        load_catalogue().force("kent")


def test_force_with_too_few_lpcs_is_refused() -> None:
    data = {
        "regions": {"r": "R"},
        "forces": [
            {
                "code": "x",
                "name": "X Police",
                "short_name": "X",
                "region": "r",
                "record_system": "athena",
                "postcode_areas": ["X"],
                "lpcs": ["a", "b"],
                "officers": 5,
                "fttcg": {"dates": ["2023-01-01"]},
            }
        ],
    }
    with pytest.raises(ConfigError) as err:
        parse_catalogue(data)
    assert str(err.value) == "force catalogue: force 'x': needs at least 3 LPCs, has 2"


def test_unknown_region_is_refused() -> None:
    data = {"regions": {"r": "R"}, "forces": [{"code": "x", "region": "nowhere"}]}
    with pytest.raises(ConfigError) as err:
        parse_catalogue(data)
    assert str(err.value) == "force catalogue: force 'x': unknown region 'nowhere'"
