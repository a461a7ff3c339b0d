"""The profile code lists: every source spelling, in Python and in SQL alike."""

from __future__ import annotations

import duckdb
import pytest

from toex.assess.profile_sql import code_case_sql
from toex.model import MappaCategory, MappaLevel, MisperRisk, VisorRisk
from toex.model.profile_codes import (
    MAPPA_CATEGORY_SPELLINGS,
    MAPPA_LEVEL_SPELLINGS,
    MISPER_RISK_SPELLINGS,
    ROSH_SPELLINGS,
    normalise_misper_risk,
    spelling_key,
)
from toex.synth.rows import RISK_SPELLING


def sql_value(raw: str | None, spellings: dict) -> str | None:
    got = duckdb.execute(
        f"SELECT {code_case_sql('x', spellings)} FROM (SELECT ?::VARCHAR AS x)", [raw]
    ).fetchone()
    return got[0] if got else None


@pytest.mark.parametrize(
    ("system", "canonical", "spelled"),
    [(s, c, w) for s, table in RISK_SPELLING.items() if s != "visor" for c, w in table.items()],
)
def test_every_source_spelling_of_app_risk(system: str, canonical: str, spelled: str) -> None:
    for raw in (spelled, spelled.lower(), f"  {spelled.upper()} "):
        assert normalise_misper_risk(raw) == MisperRisk(canonical), (system, raw)
        assert sql_value(raw, MISPER_RISK_SPELLINGS) == canonical, (system, raw)


@pytest.mark.parametrize("spelled", list(RISK_SPELLING["visor"].items()))
def test_every_visor_rosh_spelling(spelled: tuple[str, str]) -> None:
    canonical, raw = spelled
    assert ROSH_SPELLINGS[spelling_key(raw) or ""] == VisorRisk(canonical)
    assert sql_value(raw, ROSH_SPELLINGS) == canonical


@pytest.mark.parametrize(
    ("raw", "want"),
    [("1", "1"), ("2.0", "2"), ("Category 3", "3"), ("cat 1", "1"), ("RSO", "1"), ("9", None)],
)
def test_mappa_category_spellings(raw: str, want: str | None) -> None:
    assert sql_value(raw, MAPPA_CATEGORY_SPELLINGS) == want
    key = spelling_key(raw) or ""
    assert MAPPA_CATEGORY_SPELLINGS.get(key) == (MappaCategory(want) if want else None)


def test_mappa_levels_and_unknowns() -> None:
    assert sql_value("Level 3", MAPPA_LEVEL_SPELLINGS) == MappaLevel.LEVEL_3
    assert sql_value("Amber", MISPER_RISK_SPELLINGS) is None
    assert normalise_misper_risk("Amber") is None
    assert normalise_misper_risk("") is None and sql_value(None, MISPER_RISK_SPELLINGS) is None
