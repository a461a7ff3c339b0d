"""Coded values, contacts and numbers."""

from __future__ import annotations

import pytest

from toex.ingest.cleaners import CleanerOptionError, make_cleaner

from .conftest import values


def test_offence_codes_against_the_model_table() -> None:
    assert values("offence_code", ["019c", " 8N", "4/1", "99Z", "8n "]) == [
        "19C",
        "8N",
        "4.1",
        None,
        "8N",
    ]


def test_grading_handling_and_classification() -> None:
    assert values("grading", ["1A P", "2/b/c", "3-E-P", "4AP"]) == ["1AP", "2BC", "3EP", None]


def test_markings_accept_only_exact_spellings_and_the_mappings_map() -> None:
    # fail closed: no case folding or guessing; the mapping names any other spelling
    assert values("handling_code", ["P", "C", "p", "Conditions", "X"]) == ["P", "C"] + [None] * 3
    assert values("handling_code", ["Permitted", "P"], map={"Permitted": "P"}) == ["P", "P"]
    assert values(
        "classification",
        ["OFFICIAL", "OFFICIAL-SENSITIVE", "TOP SECRET", "official", "OS", "RESTRICTED"],
    ) == ["OFFICIAL", "OFFICIAL-SENSITIVE", "TOP SECRET", None, None, None]
    assert values(
        "classification",
        ["OS", "SECRET", "OFFICIAL"],
        values=["OFFICIAL", "OFFICIAL-SENSITIVE"],
        map={"OS": "OFFICIAL-SENSITIVE"},
    ) == ["OFFICIAL-SENSITIVE", None, "OFFICIAL"]


def test_marking_options_are_checked() -> None:
    with pytest.raises(CleanerOptionError) as info:
        make_cleaner("classification", {"values": ["OFFICIAL", "RESTRICTED"]})
    assert str(info.value) == (
        "option 'values' of cleaner 'classification': 'RESTRICTED' is not a classification "
        "(known: OFFICIAL, OFFICIAL-SENSITIVE, SECRET, TOP SECRET)"
    )
    with pytest.raises(CleanerOptionError) as info:
        make_cleaner("handling_code", {"values": ["P"], "map": {"Cond": "C"}})
    assert str(info.value) == (
        "option 'map' of cleaner 'handling_code': 'Cond' maps to 'C', which is not among "
        "its values (P)"
    )
    with pytest.raises(CleanerOptionError) as info:
        make_cleaner("handling_code", {"unknown": "P"})
    assert str(info.value) == (
        "option 'unknown' of cleaner 'handling_code' must be restrict or quarantine, not 'P'"
    )


def test_code_maps_and_booleans() -> None:
    assert values("code", ["Male", "FEMALE", "other"], map={"Male": "M", "Female": "F"}) == [
        "M",
        "F",
        None,
    ]
    assert values("code", ["x"], map={"a": "A"}, other="keep") == ["x"]
    assert values("bool", ["Y", "n", "maybe"], **{"true": ["Y"], "false": ["N"]}) == [
        True,
        False,
        None,
    ]
    assert values("bool", ["true", "No", "1"]) == [True, False, True]


def test_identifiers_contacts_and_numbers() -> None:
    assert values("pnc", ["01/12345X", "2001/0012345x", "95/1A", "junk"]) == [
        "2001/0012345X",
        "2001/0012345X",
        "1995/0000001A",
        None,
    ]
    assert values("cro", ["123456/90 x", "12-34"]) == ["123456/90X", None]
    assert values(
        "email",
        ["J.Smith@Example.COM", "roxy at mail dot com", "jo [at] x (dot) org", "no-at-sign"],
    ) == ["j.smith@example.com", "roxy@mail.com", "jo@x.org", None]
    assert values("postcode", ["cb12ab", "CB1 2AB", "sw1a 1aa", "XX", "CB1 2CI"]) == [
        "CB1 2AB",
        "CB1 2AB",
        "SW1A 1AA",
        None,
        None,
    ]
    assert values("integer", ["32", "32.0", "1,024", "3.5", "x"]) == [32, 32, 1024, None, None]
    assert values("number", ["£1,250.50", "45", "x"]) == [1250.5, 45.0, None]


def test_unknown_cleaner_and_options_are_refused() -> None:
    with pytest.raises(CleanerOptionError) as info:
        make_cleaner("date", {"format": "%d"})
    assert str(info.value) == (
        "unknown option 'format' for cleaner 'date' (options: formats, partial)"
    )
    with pytest.raises(CleanerOptionError) as info:
        make_cleaner("code", {})
    assert str(info.value) == "cleaner 'code' needs a non-empty option 'map'"
    with pytest.raises(CleanerOptionError) as info:
        make_cleaner("date", {"formats": "%d"})
    assert str(info.value) == "option 'formats' of cleaner 'date' has the wrong type (str)"
