"""Protective markings fail closed: an empty or unknown marking never becomes OFFICIAL / P.

Every such record gets the most restrictive value its mapping names (``unknown: restrict``)
or is quarantined (``unknown: quarantine``), and is logged in ``raw_marking_issue`` naming
file, row and field; restricted ones are also counted as value issues.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from toex.errors import MappingError
from toex.ingest.loader import load_file
from toex.ingest.mapping import Mapping, parse_mapping
from toex.ops.access import AccessScope

from .exports import ATHENA_CRIME_HEADER, crime_line, write_csv

FILE = "forces/cambs/crime.csv"
# (handling code, classification) as written, one record each
MARKED = [
    ("P", "OFFICIAL"),  # 1: accepted
    ("", "OFFICIAL"),  # 2: empty handling code
    ("X", ""),  # 3: unknown handling code, empty classification
    ("p", "RESTRICTED"),  # 4: lower-case p, an unknown classification
    ("C", "official"),  # 5: another case is not accepted either
    ("P", "top secret"),  # 6: above the mapping's most restrictive value: never lowered
]


def _load(tmp_path: Path, con: duckdb.DuckDBPyConnection, mapping: Mapping) -> None:
    lines = [ATHENA_CRIME_HEADER]
    for i, (handling, gsc) in enumerate(MARKED, start=1):
        lines.append(crime_line(f"CC/{i}").replace(",P,OFFICIAL", f",{handling},{gsc}"))
    path = write_csv(tmp_path / "crime.csv", lines)
    report = load_file(con, mapping, path, FILE, "cambs", "L1")
    assert report.balanced


def _with_policy(mapping: Mapping, policy: str) -> Mapping:
    provenance = {}
    for key, spec in mapping.provenance.items():
        cleaner = type(spec.cleaner)({**spec.cleaner.args, "unknown": policy})
        provenance[key] = dataclasses.replace(spec, cleaner=cleaner)
    return dataclasses.replace(mapping, provenance=provenance)


def test_unknown_and_empty_markings_are_restricted_and_logged(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    _load(tmp_path, con, mappings["athena_crime"])  # values [P, C], [... SECRET]; restrict
    assert con.execute(
        "SELECT source_row, handling_code, classification FROM staged_event ORDER BY 1"
    ).fetchall() == [
        (1, "P", "OFFICIAL"),
        (2, "C", "OFFICIAL"),
        (3, "C", "SECRET"),
        (4, "C", "SECRET"),
        (5, "C", "SECRET"),
        (6, "P", "TOP SECRET"),
    ]
    logged = con.execute(
        "SELECT source_file, source_row, field, reason, marking, action "
        "FROM raw_marking_issue ORDER BY source_row, field"
    ).fetchall()
    assert [
        f"{f}, row {r}, field {fld!r}: {why} -> {m} ({a})" for f, r, fld, why, m, a in logged
    ] == [
        "forces/cambs/crime.csv, row 2, field 'HandlingCode': the handling code is empty -> C "
        "(restricted)",
        "forces/cambs/crime.csv, row 3, field 'GSC': the classification is empty -> SECRET "
        "(restricted)",
        "forces/cambs/crime.csv, row 3, field 'HandlingCode': 'X' is not a handling code this "
        "mapping accepts (P, C) -> C (restricted)",
        "forces/cambs/crime.csv, row 4, field 'GSC': 'RESTRICTED' is not a classification this "
        "mapping accepts (OFFICIAL, OFFICIAL-SENSITIVE, SECRET) -> SECRET (restricted)",
        "forces/cambs/crime.csv, row 4, field 'HandlingCode': 'p' is not a handling code this "
        "mapping accepts (P, C) -> C (restricted)",
        "forces/cambs/crime.csv, row 5, field 'GSC': 'official' is not a classification this "
        "mapping accepts (OFFICIAL, OFFICIAL-SENSITIVE, SECRET) -> SECRET (restricted)",
        "forces/cambs/crime.csv, row 6, field 'GSC': 'top secret' is not a classification this "
        "mapping accepts (OFFICIAL, OFFICIAL-SENSITIVE, SECRET) -> TOP SECRET (restricted)",
    ]
    assert con.execute(
        "SELECT field, reason_code, rows, example FROM raw_value_issue ORDER BY ALL"
    ).fetchall() == [
        ("GSC", "missing_marking", 1, None),
        ("GSC", "unknown_marking", 3, "RESTRICTED"),
        ("HandlingCode", "missing_marking", 1, None),
        ("HandlingCode", "unknown_marking", 2, "X"),
    ]


def test_an_official_viewer_sees_none_of_the_unknown_markings(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    _load(tmp_path, con, mappings["athena_crime"])
    viewer = AccessScope(frozenset({"cambs"}), frozenset({"P"}), "OFFICIAL")
    rows = con.execute("SELECT source_row, force, handling_code, classification FROM staged_event")
    visible = [r[0] for r in rows.fetchall() if viewer.permits(*r[1:])]
    assert visible == [1]


def test_quarantine_policy_quarantines_the_rows(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    _load(tmp_path, con, _with_policy(mappings["athena_crime"], "quarantine"))
    assert con.execute("SELECT source_row FROM staged_event").fetchall() == [(1,)]
    assert con.execute(
        "SELECT source_row, field, raw_value, reason_code FROM raw_quarantine ORDER BY 1, 2"
    ).fetchall() == [
        (2, "HandlingCode", None, "missing_marking"),
        (3, "GSC", None, "missing_marking"),
        (3, "HandlingCode", "X", "unknown_marking"),
        (4, "GSC", "RESTRICTED", "unknown_marking"),
        (4, "HandlingCode", "p", "unknown_marking"),
        (5, "GSC", "official", "unknown_marking"),
        (6, "GSC", "top secret", "unknown_marking"),
    ]
    assert con.execute("SELECT DISTINCT action, marking FROM raw_marking_issue").fetchall() == [
        ("quarantined", None)
    ]
    assert con.execute("SELECT count(*) FROM raw_value_issue").fetchone() == (0,)


def test_an_empty_handling_code_takes_the_grade_letter(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    mapping = parse_mapping(
        {
            "source_system": "s",
            "kind": "intel",
            "reader": {"format": "csv"},
            "record_id": "Ref",
            "provenance": {
                "handling_code": {"column": "H", "unknown": "restrict"},
                "classification": {"column": "M", "unknown": "restrict"},
                "grading": {"column": "G"},
            },
            "targets": [
                {"table": "staged_event", "event": {"type": "intelligence", "reference": "Ref"}}
            ],
        },
        "m.yaml",
    )
    lines = ["Ref,H,M,G", "I1,,OFFICIAL,1AP", "I2,,OFFICIAL,", "I3,P,OFFICIAL,1AC"]
    path = write_csv(tmp_path / "intel.csv", lines)
    load_file(con, mapping, path, "intel.csv", "cambs", "L1")
    assert con.execute(
        "SELECT source_row, handling_code, grading FROM staged_event ORDER BY 1"
    ).fetchall() == [(1, "P", "1AP"), (2, "C", None), (3, "P", "1AC")]
    assert con.execute("SELECT source_row, field FROM raw_marking_issue").fetchall() == [(2, "H")]


@pytest.mark.parametrize(
    ("marking", "message"),
    [
        (
            {"column": "GSC"},
            "m.yaml, field 'provenance.classification': say what an empty or unknown marking "
            "becomes: 'unknown: restrict' (the most restrictive of 'values') or "
            "'unknown: quarantine' (the row is quarantined)",
        ),
        (
            {"column": "GSC", "default": "OFFICIAL", "unknown": "restrict"},
            "m.yaml, field 'provenance.classification': a protective marking has no 'default': "
            "an empty value is unknown, and 'unknown: restrict' gives it the most restrictive "
            "of 'values'",
        ),
        (
            {"column": "GSC", "unknown": "OFFICIAL"},
            "m.yaml, field 'provenance.classification': option 'unknown' of cleaner "
            "'classification' must be restrict or quarantine, not 'OFFICIAL'",
        ),
    ],
)
def test_mappings_must_declare_what_unknown_markings_become(
    marking: dict[str, str], message: str
) -> None:
    data = {
        "source_system": "s",
        "kind": "k",
        "reader": {"format": "csv"},
        "record_id": "Ref",
        "provenance": {"classification": marking},
        "targets": [{"table": "staged_event", "event": {"type": "crime", "reference": "Ref"}}],
    }
    with pytest.raises(MappingError) as info:
        parse_mapping(data, "m.yaml")
    assert str(info.value) == message
