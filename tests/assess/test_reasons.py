"""The reason string: built in SQL from the facts, parsed back to its numbers."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from toex.assess.reasons import reason_numbers, reason_sql

COLUMNS = (
    "age",
    "n_victims",
    "victim_age_min",
    "victim_age_max",
    "n_vawg_offences",
    "n_vawg_offences_12m",
    "n_oics",
    "n_lpcs",
    "n_forces",
    "escalating",
)


def _reason(**facts: Any) -> str:
    row = {c: None for c in COLUMNS} | {"escalating": False} | facts
    select = ", ".join(
        f"CAST(? AS {'BOOLEAN' if c == 'escalating' else 'BIGINT'}) AS {c}" for c in COLUMNS
    )
    got = duckdb.sql(
        f"SELECT {reason_sql(12, 't')} FROM (SELECT {select}) AS t",
        params=[row[c] for c in COLUMNS],
    ).fetchone()
    assert got is not None
    return str(got[0])


BILLY = {
    "age": 16,
    "n_victims": 7,
    "victim_age_min": 12,
    "victim_age_max": 32,
    "n_vawg_offences": 19,
    "n_vawg_offences_12m": 13,
    "n_oics": 11,
    "n_lpcs": 3,
    "n_forces": 1,
}


def test_the_briefing_finding_word_for_word() -> None:
    assert _reason(**BILLY) == (
        "16 years old; 7 unique victims aged 12-32; 19 VAWG offences, 13 in the last 12 "
        "months; investigated by 11 different OICs across 3 LPCs"
    )


@pytest.mark.parametrize(
    ("facts", "text"),
    [
        (
            {
                "n_victims": 1,
                "victim_age_min": 14,
                "victim_age_max": 14,
                "n_vawg_offences": 1,
                "n_vawg_offences_12m": 0,
                "n_oics": 1,
                "n_lpcs": 1,
                "n_forces": 1,
            },
            "age not recorded; 1 unique victim aged 14; 1 VAWG offence, 0 in the last 12 months; "
            "investigated by 1 OIC in 1 LPC",
        ),
        (
            {
                "age": 40,
                "n_victims": 0,
                "n_vawg_offences": 2,
                "n_vawg_offences_12m": 2,
                "n_oics": 2,
                "n_lpcs": 2,
                "n_forces": 2,
                "escalating": True,
            },
            "40 years old; no victim identified; 2 VAWG offences, 2 in the last 12 months; "
            "investigated by 2 different OICs across 2 LPCs in 2 forces; harm escalating",
        ),
        (
            {
                "age": 30,
                "n_victims": 2,
                "n_vawg_offences": 2,
                "n_vawg_offences_12m": 1,
                "n_oics": 0,
                "n_lpcs": 0,
                "n_forces": 1,
            },
            "30 years old; 2 unique victims, ages not recorded; 2 VAWG offences, 1 in the last "
            "12 months; investigated by an unrecorded OIC",
        ),
    ],
)
def test_singular_and_missing_facts_read_naturally(facts: dict[str, Any], text: str) -> None:
    assert _reason(**facts) == text


def test_every_number_parses_back() -> None:
    assert reason_numbers(_reason(**BILLY)) == BILLY
    multi = BILLY | {"n_forces": 2, "escalating": True}
    assert reason_numbers(_reason(**multi)) == BILLY | {"n_forces": 2}
    one = {
        "age": 20,
        "n_victims": 1,
        "victim_age_min": 19,
        "victim_age_max": 19,
        "n_vawg_offences": 1,
        "n_vawg_offences_12m": 1,
        "n_oics": 1,
        "n_lpcs": 1,
        "n_forces": 1,
    }
    assert reason_numbers(_reason(**one)) == one
