"""Mapping helpers for a partner export: dotted paths, value maps, drop-down flags, one
record per key with a conflict report, derived values."""

from __future__ import annotations

import pandas as pd
import pytest

from toex.ingest.shape import (
    choice_flags,
    dedup_by_key,
    derive,
    flatten,
    get_path,
    map_values,
    pence_to_pounds,
    sex_of_title,
    title_in_name,
)


def test_dotted_paths_into_nested_json() -> None:
    rec = {"txn": "T1", "billing": {"name": "MR F POP", "phone": None, "cards": [{"id": "c1"}]}}
    assert get_path(rec, "billing.name") == "MR F POP"
    assert get_path(rec, "billing.phone") is None
    assert get_path(rec, "billing.cards.0.id") == "c1"
    assert get_path(rec, "billing.cards.3.id") is None
    assert get_path(rec, "nothing.here") is None
    frame = flatten([rec, {"txn": "T2"}], {"id": "txn", "card": "billing.cards.0.id"})
    assert frame.to_dict("records") == [{"id": "T1", "card": "c1"}, {"id": "T2", "card": None}]


def test_value_map_and_strict_unknowns() -> None:
    s = pd.Series(["Leeds", " leeds ", "Paris", None, ""])
    got = map_values(s, {"Leeds": "Yorkshire"}, default="?")
    assert got.tolist() == ["Yorkshire", "Yorkshire", "?", "?", "?"]
    with pytest.raises(ValueError, match="paris"):
        map_values(s, {"Leeds": "Yorkshire"}, strict=True)


def test_drop_down_column_becomes_one_flag_per_code() -> None:
    s = pd.Series(
        ["Suspected under 18", "possible  trafficking", "", None, "Other; Suspected under 18"]
    )
    flags = choice_flags(
        s,
        {"underage": "Suspected under 18", "trafficking": "Possible trafficking", "other": "Other"},
        sep=";",
    )
    assert flags["underage"].tolist() == [True, False, False, False, True]
    assert flags["trafficking"].tolist() == [False, True, False, False, False]
    assert flags["other"].tolist() == [False, False, False, False, True]


def test_one_record_per_key_with_the_disagreeing_copies_reported() -> None:
    rows = pd.DataFrame(
        {
            "account": ["A", "A", "A", "B", "C"],
            "name": ["Roxy", "Roxy", "roxyx", "Kiki", None],
            "email": ["r@x.com", "r@x.com", "r@x.com", "k@x.com", ""],
        }
    )
    kept, conflicts = dedup_by_key(rows, "account")
    assert kept["account"].tolist() == ["A", "B", "C"]
    assert kept.set_index("account")["name"].to_dict() == {"A": "Roxy", "B": "Kiki", "C": None}
    assert conflicts.to_dict("records") == [
        {"key": "A", "column": "name", "values": "Roxy | roxyx", "rows": 3}
    ]


def test_derived_values() -> None:
    assert title_in_name("MR F POPESCU") == "Mr"
    assert title_in_name("Popescu F (Mrs)") == "Mrs"
    assert title_in_name("M SMITH") is None
    assert sex_of_title("Mr.") == "M" and sex_of_title("MISS") == "F" and sex_of_title("Dr") is None
    assert pence_to_pounds(2550) == 25.5 and pence_to_pounds("x") is None
    assert derive(pd.Series([100, None]), "pence_to_pounds").tolist() == [1.0, None]
    with pytest.raises(ValueError, match="unknown derivation"):
        derive(pd.Series([1]), "nope")
