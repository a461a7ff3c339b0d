"""Bad input gets a clear error or quarantine naming file, row and field; never a traceback.

Each case pins the exact message. Structural problems raise a typed error (ReadError or
MappingError); bad rows and values are quarantined with a reason.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from toex.errors import MappingError, ReadError, ToexError
from toex.ingest.loader import FileReport, load_file
from toex.ingest.mapping import Mapping, parse_mapping

from .exports import ATHENA_CRIME_HEADER as H
from .exports import crime_line

R = crime_line("CC/1")
NAME = "forces/cambs/crime.csv"


def _load(
    tmp_path: Path,
    mapping: Mapping,
    data: bytes,
    name: str = NAME,
    con: duckdb.DuckDBPyConnection | None = None,
) -> FileReport:
    path = tmp_path / Path(name).name
    path.write_bytes(data)
    return load_file(con or duckdb.connect(), mapping, path, name, "cambs", "L1")


def _error(tmp_path: Path, mapping: Mapping, data: bytes, name: str = NAME) -> ToexError:
    with pytest.raises(ToexError) as info:
        _load(tmp_path, mapping, data, name)
    return info.value


def test_empty_file(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    err = _error(tmp_path, mappings["athena_crime"], b"")
    assert isinstance(err, ReadError)
    assert str(err) == "forces/cambs/crime.csv: the file is empty"


def test_header_only_loads_nothing_and_says_so(
    tmp_path: Path, mappings: dict[str, Mapping]
) -> None:
    report = _load(tmp_path, mappings["athena_crime"], f"{H}\r\n".encode())
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (0, 0, 0)
    assert report.notes == ["no records after the header"]


def test_wrong_delimiter(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    data = f"{H.replace(',', ';')}\n{R.replace(',', ';')}\n".encode()
    err = _error(tmp_path, mappings["athena_crime"], data)
    assert isinstance(err, MappingError)
    assert str(err) == (
        "athena_crime.yaml: forces/cambs/crime.csv: missing columns 'CrimeRef', 'HandlingCode', "
        "'GSC', 'CommittedFrom', 'CommittedTo', 'ReportedDate', 'HOOffenceCode', 'VAWGFlag', "
        "'LPC', 'OIC', 'Status', 'OffenceDesc' (the header reads as one column with delimiter "
        "',': is that the file's delimiter?)"
    )


def test_missing_required_column(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    data = f"{H.replace(',CommittedFrom', '')}\n{R.replace(',05/03/2022', '', 1)}\n".encode()
    err = _error(tmp_path, mappings["athena_crime"], data)
    assert str(err) == ("athena_crime.yaml: forces/cambs/crime.csv: missing column 'CommittedFrom'")


def test_unknown_mapping_field() -> None:
    data = {
        "source_system": "s",
        "kind": "k",
        "reader": {"format": "csv"},
        "record_id": "Ref",
        "targets": [
            {
                "table": "staged_event",
                "event": {"type": "crime", "reference": "Ref"},
                "fields": {"colour": "Colour"},
            }
        ],
    }
    with pytest.raises(MappingError) as info:
        parse_mapping(data, "new_force.yaml")
    assert str(info.value) == (
        "new_force.yaml, field 'targets[0].fields.colour': staged_event "
        "has no column 'colour' that a mapping may set"
    )


def test_binary_garbage(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4096))
    err = _error(tmp_path, mappings["athena_crime"], data)
    first = next(i for i, b in enumerate(data) if b < 32 and b not in (9, 10, 12, 13))
    assert str(err) == f"forces/cambs/crime.csv: not a text file (binary data at byte {first})"


def test_unbalanced_quotes(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    bad = R.replace("Assault", '"Assault')
    err = _error(tmp_path, mappings["athena_crime"], f"{H}\n{R}\n{bad}\n{R}\n".encode())
    assert str(err) == (
        "forces/cambs/crime.csv, row 2, field 'OffenceDesc': unbalanced quote: "
        "the quoted value runs over 2 lines to the end of the file"
    )


def test_a_100k_character_field_is_a_bad_value_not_a_crash(
    tmp_path: Path, mappings: dict[str, Mapping]
) -> None:
    header = (
        "CrimeRef,NominalRef,Involvement,Forename,Surname,DOB,Sex,Nationality,PNCID,"
        "Address,Postcode,Phone,Email,AgeAtOffence"
    )
    row = "CC/1,N{},Suspect,John,{},05/03/1990,Male,British,,,,,,"
    data = f"{header}\n{row.format(1, 'S' * 100_000)}\n{row.format(2, 'Smith')}\n".encode()
    con = duckdb.connect()
    report = _load(
        tmp_path, mappings["athena_crime_person"], data, "forces/cambs/crime_nominal.csv", con
    )
    assert (report.rows_loaded, report.rows_quarantined, report.value_issues) == (2, 0, 1)
    assert con.execute(
        "SELECT field, reason_code, rows, length(example) FROM raw_value_issue"
    ).fetchall() == [("Surname", "bad_value", 1, 200)]
    assert con.execute(
        "SELECT surname, length(surname_raw) FROM staged_person_mention ORDER BY source_row"
    ).fetchall() == [(None, 100_000), ("SMITH", 5)]


def test_duplicate_header_names(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    err = _error(tmp_path, mappings["athena_crime"], f"{H.replace('OIC', 'LPC')}\n{R}\n".encode())
    assert str(err) == (
        "forces/cambs/crime.csv: duplicate column name 'LPC' in the header (columns 8 and 9)"
    )


def test_impossible_date_in_a_required_field_is_quarantined(
    tmp_path: Path, mappings: dict[str, Mapping]
) -> None:
    con = duckdb.connect()
    data = f"{H}\n{R}\n{crime_line('CC/2', committed='31/02/1990')}\n".encode()
    report = _load(tmp_path, mappings["athena_crime"], data, con=con)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
    (row, field, raw, code, reason) = (
        con.execute(
            "SELECT source_row, field, raw_value, reason_code, reason FROM raw_quarantine"
        ).fetchone()
        or (None,) * 5
    )
    assert f"{NAME}, row {row}, field {field!r}: {reason}" == (
        "forces/cambs/crime.csv, row 2, field 'CommittedFrom': '31/02/1990' is not a date"
    )
    assert (raw, code) == ("31/02/1990", "bad_date")


def test_an_xlsx_with_several_sheets(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Missing"
    book.create_sheet("Notes")
    path = tmp_path / "missing_persons.xlsx"
    book.save(path)
    with pytest.raises(ReadError) as info:
        load_file(
            duckdb.connect(),
            mappings["wmp_missing"],
            path,
            "forces/wmp/missing_persons.xlsx",
            "wmp",
            "L1",
        )
    assert str(info.value) == (
        "forces/wmp/missing_persons.xlsx: the workbook has 2 sheets "
        "(Missing, Notes): name one with 'sheet:' in the mapping's reader"
    )


def test_garbage_named_xlsx(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    path = tmp_path / "missing_persons.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(ReadError) as info:
        load_file(
            duckdb.connect(),
            mappings["wmp_missing"],
            path,
            "forces/wmp/missing_persons.xlsx",
            "wmp",
            "L1",
        )
    assert str(info.value).startswith(
        "forces/wmp/missing_persons.xlsx: not a readable XLSX workbook ("
    )


def test_undecodable_bytes_quarantine_the_row(tmp_path: Path, mappings: dict[str, Mapping]) -> None:
    con = duckdb.connect()
    data = (
        f"{H}\n{R}\n".encode()
        + crime_line("CC/2").replace("Assault", "Ass\xe9ult").encode("cp1252")
        + b"\n"
    )
    report = _load(tmp_path, mappings["athena_crime"], data, con=con)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
    assert con.execute(
        "SELECT source_row, field, reason_code, reason FROM raw_quarantine"
    ).fetchall() == [
        (2, "OffenceDesc", "unreadable", "contains bytes that are not valid utf-8-sig")
    ]


@pytest.mark.parametrize("strict", [False, True])
def test_cli_bad_input_is_reported_with_a_nonzero_exit(
    strict: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from toex.cli.app import main

    bad = tmp_path / "crime.csv"
    bad.write_bytes(b"")
    mapping = Path(__file__).parents[2] / "src/toex/ingest/mappings/athena_crime.yaml"
    argv = [
        "toex",
        "ingest",
        "--no-progress",
        "--mapping",
        str(mapping),
        "--force",
        "cambs",
        "--data-dir",
        str(tmp_path / "var"),
        str(bad),
        *(["--strict"] if strict else []),
    ]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    if strict:  # today's abort: one line, the file's error, no snapshot
        assert info.value.code == 3
        assert err == "error: crime.csv: the file is empty\n"
        assert out == ""
        return
    assert info.value.code == 8
    assert re.search(r"│ crime.csv │ athena_crime │ +- │ +- │", out)
    assert "QUARANTINED (empty_file)" in out
    assert "file quarantined whole (empty_file): crime.csv: the file is empty\n" in out
    assert err.startswith(
        "error: 1 file could not be loaded and was quarantined whole; every other file was "
        "loaded into snapshot "
    )
