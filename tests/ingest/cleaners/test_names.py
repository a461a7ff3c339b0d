"""Names: normalised beside the original; one-column name splitters."""

from __future__ import annotations

from toex.ingest.cleaners.names import normalise_name, split_forename_surname

from .conftest import clean, values


def test_normalise_name() -> None:
    assert [
        normalise_name(v) for v in ["  Zoë  O'Brien-Smith ", "Łukasz Straße", "ÆSIR", "123", None]
    ] == ["ZOE OBRIEN SMITH", "LUKASZ STRASSE", "AESIR", None, None]


def test_forename_splits_first_and_middle_names() -> None:
    out = clean("forename", ["william james", "Anne-Marie", "  Jo "])
    assert {k: (v["value"], v["middle"]) for k, v in out.items()} == {
        "william james": ("WILLIAM", "JAMES"),
        "Anne-Marie": ("ANNE", "MARIE"),
        "  Jo ": ("JO", None),
    }


def test_surname_forename_column() -> None:
    out = clean("surname_forename", ["SMITH, John Paul", "O'Neil,Mary", "Madonna"])
    got = {
        k: (v["surname_raw"], v["forename_raw"], v["surname"], v["forename"], v["middle"])
        for k, v in out.items()
    }
    assert got == {
        "SMITH, John Paul": ("SMITH", "John Paul", "SMITH", "JOHN", "PAUL"),
        "O'Neil,Mary": ("O'Neil", "Mary", "ONEIL", "MARY", None),
        "Madonna": ("Madonna", None, "MADONNA", None, None),
    }


def test_forename_surname_column_drops_titles() -> None:
    assert split_forename_surname("Mr John Paul Smith") == ("Smith", "John Paul")
    assert split_forename_surname("J Smith") == ("Smith", "J")
    assert split_forename_surname("Dr") == ("Dr", None)
    assert values("surname", ["smith ", "De La Cruz"]) == ["SMITH", "DE LA CRUZ"]
