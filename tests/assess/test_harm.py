"""Harm tables (CCHI, ONS CSS) and the VAWG classification of crimes."""

from __future__ import annotations

import duckdb
import pytest

from toex.assess.config import AssessConfig, load_assess_config
from toex.assess.harm import crime_sql, harm_weight_table, write_harm_weights
from toex.assess.sql_steps import run_steps
from toex.model.harm import SCHEMES, harm_source_note, harm_table, parse_harm_csv
from toex.model.offences import offence_table

from .builders import AS_OF, build_warehouse, crime, mention


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_offence_code_has_a_weight(scheme: str) -> None:
    assert set(harm_table(scheme)) == set(offence_table())


def test_cchi_anchors_from_the_published_method() -> None:
    cchi = {code: w.days for code, w in harm_table("cchi").items()}
    assert cchi["1"] == 5475  # homicide
    assert 1825 <= cchi["19C"] <= 2555 and 1825 <= cchi["19E"] <= 2555  # rape
    assert cchi["20A"] == 182  # other sexual offences
    assert cchi["8N"] == 365  # violence with injury
    assert cchi["105A"] == 10 and cchi["8Q"] == 10 and cchi["8L"] == 10


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_shipped_tables_name_their_source_and_say_indicative(scheme: str) -> None:
    note = harm_source_note(scheme)
    assert "INDICATIVE VALUES, CHECK AGAINST THE OFFICIAL SHEET" in note
    if scheme == "cchi":
        assert "Sherman" in note and "doi:10.1093/police/paw003" in note
    else:
        assert "Office for National Statistics (2016)" in note


def test_ons_css_orders_offences_like_the_cchi() -> None:
    ons = {code: w.days for code, w in harm_table("ons_css").items()}
    assert ons["1"] > ons["19C"] > ons["20A"] > ons["105A"] > ons["46"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,basis\n19C,x\n", "t.csv: missing column(s) days"),
        ("code,days\n99Z,5\n", "t.csv: line 2: unknown offence code '99Z'"),
        ("code,days\n19C,5\n19C,6\n", "t.csv: line 3: offence code '19C' appears twice"),
        ("code,days\n19C,five\n", "t.csv: line 2: days 'five' is not a number"),
        ("code,days\n19C,-1\n", "t.csv: line 2: days -1 is negative"),
    ],
)
def test_malformed_harm_table_is_refused_with_its_line(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_harm_csv(text, "t.csv")
    assert str(err.value) == message


def test_custom_table_replaces_the_shipped_one(tmp_path) -> None:
    path = tmp_path / "harm.csv"
    path.write_text("# mine\ncode,days,basis\n19C,3000,local\n", encoding="utf-8")
    cfg = load_assess_config().updated({"harm": {"table": path, "default_days": 2}})
    rows = {r["code"]: r for r in harm_weight_table(cfg).to_pylist()}
    assert rows["19C"]["days"] == 3000 and rows["19C"]["scheme"] == "custom"
    assert rows["20A"]["days"] == 2 and rows["20A"]["basis"].startswith("not in the harm table")


def _classified(con: duckdb.DuckDBPyConnection, cfg: AssessConfig) -> dict[str, bool]:
    write_harm_weights(con, cfg)
    run_steps(con, [crime_sql(cfg, AS_OF)])
    return dict(con.execute("SELECT event_id, is_vawg FROM assess__crime").fetchall())


def test_vawg_by_type_or_by_context_with_a_female_victim() -> None:
    events = [
        crime("stalk", "essex", "2025-01-01", "8Q", "o", "l"),  # VAWG by type, no victim named
        crime("abh_f", "essex", "2025-01-01", "8N", "o", "l"),  # context, female victim
        crime("abh_m", "essex", "2025-01-01", "8N", "o", "l"),  # context, male victim
        crime("theft", "essex", "2025-01-01", "46", "o", "l"),  # never VAWG
        crime("flag", "essex", "2025-01-01", "105A", "o", "l", vawg=True),  # force flagged it
        crime("later", "essex", "2026-02-01", "19C", "o", "l"),  # after the reference date
    ]
    mentions = [
        mention("a", "abh_f", "victim", "essex", gender="F"),
        mention("b", "abh_m", "victim", "essex", gender="M"),
        mention("c", "theft", "victim", "essex", gender="F"),
    ]
    cfg = load_assess_config()
    got = _classified(build_warehouse(events, mentions), cfg)
    assert got == {"stalk": True, "abh_f": True, "abh_m": False, "theft": False, "flag": True}
    no_flag = cfg.updated({"vawg": {"use_source_flag": False}})
    assert _classified(build_warehouse(events, mentions), no_flag)["flag"] is False
