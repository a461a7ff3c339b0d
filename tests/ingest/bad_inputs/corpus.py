"""The bad-input corpus: each :class:`Case` is one kind of broken export file and the exact
outcome ingest must give it.

A case either quarantines the file whole (``error``: the exact message, naming file, row and
field where they apply, and its ``code``), or loads it with every row accounted for:
``counts`` (read, loaded, quarantined), the exact quarantine lines
(``"<file>, row N, field 'F': reason"``), value-issue lines and notes. Files are built from
code (:meth:`Case.data`), so the corpus holds no binary blobs and the same bytes every run.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

from toex.ingest.readers.base import MAX_FIELD_BYTES

from ..exports import ATHENA_CRIME_HEADER as H
from ..exports import crime_line

CRIME = "forces/cambs/crime.csv"
WMP = "forces/wmp/crimes.jsonl"
MISSING = "forces/wmp/missing_persons.xlsx"
PARQUET = "partner/asw/ledger.parquet"

#: a Parquet mapping (no shipped mapping reads Parquet)
PARQUET_MAPPING: dict[str, Any] = {
    "name": "asw_ledger",
    "source_system": "asw",
    "kind": "ledger",
    "reader": {"format": "parquet"},
    "record_id": "entry_id",
    "targets": [
        {
            "table": "staged_event",
            "event": {"type": "payment", "reference": "entry_id"},
            "fields": {"occurred_from": {"column": "paid_on", "cleaner": "date"}},
        }
    ],
}


@dataclass(frozen=True)
class Case:
    """One kind of broken file and what ingest must make of it."""

    name: str
    mapping: str
    file: str
    build: Callable[[], bytes]
    error: str | None = None
    code: str | None = None
    counts: tuple[int, int, int] | None = None
    quarantine: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    markings: tuple[str, ...] = ()
    force: str = "cambs"
    max_field_bytes: int = MAX_FIELD_BYTES
    #: a file of tens of MB: tested on its own, left out of the whole-corpus run
    large: bool = False

    def data(self) -> bytes:
        """The file's bytes."""
        return self.build()


def crime_csv(*rows: str, header: str = H, bom: bool = True, newline: str = "\r\n") -> bytes:
    """An Athena crime export (UTF-8 with BOM, CRLF, as Athena writes it)."""
    text = newline.join([header, *rows]) + newline
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def crimes(n: int, start: int = 1) -> list[str]:
    """``n`` good crime rows CC/start ..."""
    return [crime_line(f"CC/{i}") for i in range(start, start + n)]


def first_control_byte(data: bytes) -> int:
    """Where the binary check finds its first control byte."""
    return next(i for i, b in enumerate(data) if b < 32 and b not in (9, 10, 12, 13))


def _random_bytes() -> bytes:
    rng = random.Random(14)
    return bytes(rng.randrange(256) for _ in range(4096))


def _gzip_csv() -> bytes:
    return gzip.compress(crime_csv(*crimes(50)), mtime=0)


def _jsonl(*records: dict[str, Any] | str) -> bytes:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


def wmp_crime(ref: str, **changes: Any) -> dict[str, Any]:
    """One WMP crime record (JSON Lines)."""
    record = {
        "crimeId": ref,
        "homeOfficeCode": "8L",
        "offenceTitle": "Harassment",
        "committedFrom": "2022-01-02T00:00:00",
        "committedTo": None,
        "reportedOn": "2022-01-03T00:00:00",
        "isVawg": True,
        "npu": "Birmingham East",
        "oicNumber": "W9",
        "status": "Filed",
        "handling": "P",
        "marking": "OFFICIAL",
    }
    record.update(changes)
    return record


MISSING_HEADER = [
    "Report No",
    "Forename",
    "Surname",
    "DOB",
    "Gender",
    "Risk",
    "Missing Date",
    "Found Date",
    "Home Address",
    "Home Postcode",
    "Found Postcode",
    "Phone",
    "NPU",
    "OIC",
    "Handling",
    "Marking",
]


def _xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        ws = book.active if first else book.create_sheet(name)
        ws.title = name
        first = False
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _missing_row(ref: str) -> list[Any]:
    return [
        *[ref, "Amy", "Bell", 37320, "female", "High", 44927, 44928, "2 Low Rd", "b1 1aa"],
        *["B2 2BB", "07700900456", "Birmingham East", "W9", "P", "OFFICIAL-SENSITIVE"],
    ]


def _parquet(rows: int = 3) -> bytes:
    table = pa.table(
        {
            "entry_id": [f"E{i}" for i in range(1, rows + 1)],
            "paid_on": ["2023-02-01"] * rows,
        }
    )
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def _zip_named_csv() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("crime.csv", crime_csv(*crimes(3)))
    return out.getvalue()


NOT_UTF8 = "contains bytes that are not valid utf-8-sig"
GSC_ACCEPTS = "OFFICIAL, OFFICIAL-SENSITIVE, SECRET"


def q(file: str, row: int, field: str | None, reason: str) -> str:
    """A quarantine line as the tests format it."""
    where = f"{file}, row {row}" + (f", field {field!r}" if field else "")
    return f"{where}: {reason}"


CASES: list[Case] = []


def case(**kwargs: Any) -> None:
    """Add a case to :data:`CASES`."""
    CASES.append(Case(**kwargs))


# ---- files quarantined whole ---------------------------------------------------------------

case(
    name="empty file",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: b"",
    error=f"{CRIME}: the file is empty",
    code="empty_file",
)
case(
    name="only blank lines",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: b"\r\n  \r\n\n",
    error=f"{CRIME}: the file is empty",
    code="empty_file",
)
case(
    name="only a byte order mark",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: codecs.BOM_UTF8,
    error=f"{CRIME}: the file is empty",
    code="empty_file",
)
case(
    name="random binary",
    mapping="athena_crime",
    file=CRIME,
    build=_random_bytes,
    error=f"{CRIME}: not a text file (binary data at byte {first_control_byte(_random_bytes())})",
    code="binary",
)
case(
    name="gzip-compressed CSV",
    mapping="athena_crime",
    file=CRIME,
    build=_gzip_csv,
    error=f"{CRIME}: not a text file (binary data at byte {first_control_byte(_gzip_csv())})",
    code="binary",
)
case(
    name="zip archive named .csv",
    mapping="athena_crime",
    file=CRIME,
    build=_zip_named_csv,
    error=f"{CRIME}: not a text file (binary data at byte {first_control_byte(_zip_named_csv())})",
    code="binary",
)
case(
    name="wrong delimiter",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(*(r.replace(",", ";") for r in crimes(2)), header=H.replace(",", ";")),
    error="athena_crime.yaml: forces/cambs/crime.csv: missing columns 'CrimeRef', "
    "'HandlingCode', 'GSC', 'CommittedFrom', 'CommittedTo', 'ReportedDate', 'HOOffenceCode', "
    "'VAWGFlag', 'LPC', 'OIC', 'Status', 'OffenceDesc' (the header reads as one column with "
    "delimiter ',': is that the file's delimiter?)",
    code="mapping_mismatch",
)
case(
    name="a mapped column missing",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        *(r.replace(",05/03/2022", "", 1) for r in crimes(2)),
        header=H.replace(",CommittedFrom", ""),
    ),
    error="athena_crime.yaml: forces/cambs/crime.csv: missing column 'CommittedFrom'",
    code="mapping_mismatch",
)
case(
    name="header in another case",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(*crimes(1), header=H.replace("CrimeRef", "CRIMEREF")),
    error="athena_crime.yaml: forces/cambs/crime.csv: missing column 'CrimeRef'",
    code="mapping_mismatch",
)
case(
    name="duplicate header names",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(*crimes(1), header=H.replace("OIC", "LPC")),
    error=f"{CRIME}: duplicate column name 'LPC' in the header (columns 8 and 9)",
    code="duplicate_header",
)
case(
    name="empty first line",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: b"\r\n" + crime_csv(*crimes(2), bom=False),
    error=f"{CRIME}: the header line is empty",
    code="empty_header",
)
case(
    name="unbalanced quote running to the end",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1"), crime_line("CC/2").replace("Assault", '"Assault'), crime_line("CC/3")
    ),
    error=f"{CRIME}, row 2, field 'OffenceDesc': unbalanced quote: the quoted value runs over "
    "2 lines to the end of the file",
    code="unbalanced_quote",
)
case(
    name="JSON Lines: empty",
    mapping="wmp_crime",
    file=WMP,
    force="wmp",
    build=lambda: b"",
    error=f"{WMP}: the file is empty",
    code="empty_file",
)
case(
    name="XLSX: not a workbook",
    mapping="wmp_missing",
    file=MISSING,
    force="wmp",
    build=lambda: b"PK\x03\x04 this is not a workbook",
    error=f"{MISSING}: not a readable XLSX workbook (invalid Zip archive: Could not find EOCD)",
    code="bad_xlsx",
)
case(
    name="XLSX: truncated",
    mapping="wmp_missing",
    file=MISSING,
    force="wmp",
    build=lambda: _xlsx({"missing": [MISSING_HEADER, _missing_row("M1")]})[:3000],
    error=f"{MISSING}: not a readable XLSX workbook (invalid Zip archive: Could not find EOCD)",
    code="bad_xlsx",
)
case(
    name="XLSX: several sheets, none named",
    mapping="wmp_missing",
    file=MISSING,
    force="wmp",
    build=lambda: _xlsx({"missing": [MISSING_HEADER], "notes": [["x"]]}),
    error=f"{MISSING}: the workbook has 2 sheets (missing, notes): name one with 'sheet:' in "
    "the mapping's reader",
    code="bad_xlsx",
)
case(
    name="XLSX: empty sheet",
    mapping="wmp_missing",
    file=MISSING,
    force="wmp",
    build=lambda: _xlsx({"missing": []}),
    error=f"{MISSING}: sheet 'missing' is empty",
    code="empty_file",
)
case(
    name="Parquet: truncated",
    mapping="asw_ledger",
    file=PARQUET,
    force="asw",
    build=lambda: _parquet()[:-40],
    error=f"{PARQUET}: not a readable Parquet file (Parquet magic bytes not found in footer. "
    "Either the file is corrupted or this is not a parquet file.)",
    code="bad_parquet",
)
case(
    name="Parquet: empty",
    mapping="asw_ledger",
    file=PARQUET,
    force="asw",
    build=lambda: b"",
    error=f"{PARQUET}: the file is empty",
    code="empty_file",
)

# ---- files loaded, every row accounted for ---------------------------------------------------

case(
    name="header only",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(),
    counts=(0, 0, 0),
    notes=("no records after the header",),
)
case(
    name="UTF-16 with a byte order mark",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: ("\ufeff" + "\r\n".join([H, *crimes(2)]) + "\r\n").encode("utf-16-le"),
    counts=(2, 2, 0),
    notes=("the file is UTF-16 text though the mapping says utf-8-sig: read as UTF-16",),
)
case(
    name="UTF-16 without a byte order mark",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: ("\r\n".join([H, *crimes(2)]) + "\r\n").encode("utf-16-le"),
    counts=(2, 2, 0),
    notes=("the file is UTF-16-LE text though the mapping says utf-8-sig: read as UTF-16-LE",),
)
case(
    name="UTF-16 big-endian",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: ("\ufeff" + "\n".join([H, *crimes(3)]) + "\n").encode("utf-16-be"),
    counts=(3, 3, 0),
    notes=("the file is UTF-16 text though the mapping says utf-8-sig: read as UTF-16",),
)
case(
    name="JSON Lines in UTF-16",
    mapping="wmp_crime",
    file=WMP,
    force="wmp",
    build=lambda: (
        "\ufeff".encode("utf-16-le")
        + _jsonl(wmp_crime("W1"), wmp_crime("W2")).decode().encode("utf-16-le")
    ),
    counts=(2, 2, 0),
    notes=("the file is UTF-16 text: read as UTF-16",),
)
case(
    name="cp1252 bytes in a UTF-8 file",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: (
        crime_csv(crime_line("CC/1"))
        + crime_line("CC/2").replace("Assault", "Ass\xe9ult").encode("cp1252")
        + b"\r\n"
    ),
    counts=(2, 1, 1),
    quarantine=(q(CRIME, 2, "OffenceDesc", NOT_UTF8),),
)
case(
    name="NUL bytes in a value",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(crime_line("CC/1"), crime_line("CC/2").replace("Assault", "As\0sault")),
    counts=(2, 1, 1),
    quarantine=(q(CRIME, 2, "OffenceDesc", NOT_UTF8),),
)
case(
    name="two exports joined (mid-file BOM and header)",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(*crimes(2)) + crime_csv(*crimes(2)),
    counts=(5, 2, 3),
    quarantine=(
        q(CRIME, 3, None, "the header line repeats here (exports joined together?)"),
        q(CRIME, 4, "CrimeRef", "record id 'CC/1' repeats row 1 (the same values)"),
        q(CRIME, 5, "CrimeRef", "record id 'CC/2' repeats row 2 (the same values)"),
    ),
    notes=(
        "removed a byte order mark in the middle of the file, at the start of row 3 "
        "(exports joined together?)",
    ),
)
case(
    name="a BOM before a record in the middle",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: (
        crime_csv(crime_line("CC/1"))
        + codecs.BOM_UTF8
        + (crime_line("CC/1") + "\r\n" + crime_line("CC/2") + "\r\n").encode()
    ),
    counts=(3, 2, 1),
    quarantine=(q(CRIME, 2, "CrimeRef", "record id 'CC/1' repeats row 1 (the same values)"),),
    notes=(
        "removed a byte order mark in the middle of the file, at the start of row 2 "
        "(exports joined together?)",
    ),
)
case(
    name="a record id repeated with other values",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1"), crime_line("CC/2"), crime_line(" CC/1 ", status="Filed")
    ),
    counts=(3, 2, 1),
    quarantine=(
        q(CRIME, 3, "CrimeRef", "record id 'CC/1' repeats row 1 with other values (row 1 is kept)"),
    ),
)
case(
    name="a row with an extra field",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(crime_line("CC/1"), crime_line("CC/2") + ",extra", crime_line("CC/3")),
    counts=(3, 2, 1),
    quarantine=(q(CRIME, 2, None, "expected 12 fields, found 13"),),
)
case(
    name="a row with a field missing",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1"), crime_line("CC/2").rsplit(",", 1)[0], crime_line("CC/3")
    ),
    counts=(3, 2, 1),
    quarantine=(q(CRIME, 2, None, "expected 12 fields, found 11"),),
)
case(
    name="truncated in the last row",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(*crimes(2)) + crime_line("CC/3").encode()[:30],
    counts=(3, 2, 1),
    quarantine=(
        q(
            CRIME,
            3,
            None,
            "expected 12 fields, found 6 (the last record, with no "
            "line end: is the file truncated?)",
        ),
    ),
)
case(
    name="a trailing delimiter on every row",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(*(r + "," for r in crimes(2))),
    counts=(2, 0, 2),
    quarantine=(
        q(CRIME, 1, None, "expected 12 fields, found 13"),
        q(CRIME, 2, None, "expected 12 fields, found 13"),
    ),
)
case(
    name="blank lines between records",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1"), "", "", crime_line("CC/2"), "", crime_line("CC/3").replace("8N", "99Z")
    ),
    counts=(3, 2, 1),
    quarantine=(q(CRIME, 3, "HOOffenceCode", "'99Z' is not a known Home Office offence code"),),
)
case(
    name="the header repeated",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(crime_line("CC/1"), H, crime_line("CC/2"), bom=False),
    counts=(3, 2, 1),
    quarantine=(q(CRIME, 2, None, "the header line repeats here (exports joined together?)"),),
)
case(
    name="record id empty",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(crime_line("CC/1"), crime_line("")),
    counts=(2, 1, 1),
    quarantine=(q(CRIME, 2, "CrimeRef", "required field is empty"),),
)
case(
    name="required date empty, impossible, and not a date",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1", committed=""),
        crime_line("CC/2", committed="31/02/2022"),
        crime_line("CC/3", committed="yesterday"),
        crime_line("CC/4"),
    ),
    counts=(4, 1, 3),
    quarantine=(
        q(CRIME, 1, "CommittedFrom", "required field is empty"),
        q(CRIME, 2, "CommittedFrom", "'31/02/2022' is not a date"),
        q(CRIME, 3, "CommittedFrom", "'yesterday' is not a date"),
    ),
)
case(
    name="unknown offence code",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(crime_line("CC/1", offence="ZZ9"), crime_line("CC/2")),
    counts=(2, 1, 1),
    quarantine=(q(CRIME, 1, "HOOffenceCode", "'ZZ9' is not a known Home Office offence code"),),
)
case(
    name="bad optional values",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1").replace(",06/03/2022,N,", ",soon,maybe,"), crime_line("CC/2")
    ),
    counts=(2, 2, 0),
    issues=(
        "ReportedDate: bad_date, 1 row, e.g. 'soon'",
        "VAWGFlag: bad_value, 1 row, e.g. 'maybe'",
    ),
)
case(
    name="unknown and empty markings",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1").replace(",P,OFFICIAL", ",p,RESTRICTED"),
        crime_line("CC/2").replace(",P,OFFICIAL", ",,"),
        crime_line("CC/3"),
    ),
    counts=(3, 3, 0),
    issues=(
        "GSC: missing_marking, 1 row",
        "GSC: unknown_marking, 1 row, e.g. 'RESTRICTED'",
        "HandlingCode: missing_marking, 1 row",
        "HandlingCode: unknown_marking, 1 row, e.g. 'p'",
    ),
    markings=(
        q(
            CRIME,
            1,
            "GSC",
            f"'RESTRICTED' is not a classification this mapping accepts ({GSC_ACCEPTS}) -> SECRET",
        ),
        q(CRIME, 1, "HandlingCode", "'p' is not a handling code this mapping accepts (P, C) -> C"),
        q(CRIME, 2, "GSC", "the classification is empty -> SECRET"),
        q(CRIME, 2, "HandlingCode", "the handling code is empty -> C"),
    ),
)
case(
    name="a field over the size cap",
    mapping="athena_crime",
    file=CRIME,
    max_field_bytes=1024,
    build=lambda: crime_csv(crime_line("CC/1").replace("Assault", "x" * 5000), crime_line("CC/2")),
    counts=(2, 1, 1),
    quarantine=(
        q(
            CRIME,
            1,
            "OffenceDesc",
            "the value is 5,000 bytes, over the field size cap "
            "of 1,024 bytes (TOEX_INGEST_MAX_FIELD_BYTES)",
        ),
    ),
)
case(
    name="JSON Lines: a line that is not JSON",
    mapping="wmp_crime",
    file=WMP,
    force="wmp",
    build=lambda: _jsonl(wmp_crime("W1"), "{crimeId: W2,", wmp_crime("W3")),
    counts=(3, 2, 1),
    quarantine=(
        q(
            WMP,
            2,
            None,
            "not valid JSON: Expecting property name enclosed in double quotes: line 1 "
            "column 2 (char 1)",
        ),
    ),
)
case(
    name="JSON Lines: an array, not an object",
    mapping="wmp_crime",
    file=WMP,
    force="wmp",
    build=lambda: _jsonl(wmp_crime("W1"), '["W2", "8L"]'),
    counts=(2, 1, 1),
    quarantine=(q(WMP, 2, None, "not a JSON object but list"),),
)
case(
    name="JSON Lines: truncated last line",
    mapping="wmp_crime",
    file=WMP,
    force="wmp",
    build=lambda: (
        _jsonl(wmp_crime("W1"), wmp_crime("W2")) + json.dumps(wmp_crime("W3")).encode()[:50]
    ),
    counts=(3, 2, 1),
    quarantine=(
        q(
            WMP,
            3,
            None,
            "not valid JSON: Unterminated string starting at: line 1 column 43 "
            "(char 42) (the last line, with no line end: is the file truncated?)",
        ),
    ),
)
case(
    name="JSON Lines: a value of another type",
    mapping="wmp_crime",
    file=WMP,
    force="wmp",
    build=lambda: _jsonl(
        wmp_crime("W1", isVawg="sometimes"), wmp_crime("W2", committedFrom=20220102)
    ),
    counts=(2, 1, 1),
    quarantine=(q(WMP, 2, "committedFrom", "'20220102' is not a date"),),
    issues=("isVawg: bad_value, 1 row, e.g. 'sometimes'",),
)


case(
    name="truncated inside a quoted value",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: (
        crime_csv(*crimes(2))
        + crime_line("CC/3").replace("Assault", '"Assault, then').encode()[:40]
    ),
    counts=(3, 2, 1),
    quarantine=(
        q(
            CRIME,
            3,
            None,
            "expected 12 fields, found 3 (the last record, with no line end: is the file "
            "truncated?)",
        ),
    ),
)
case(
    name="a 20 MB field",
    large=True,
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1"), crime_line("CC/2").replace("Assault", "A" * 20_000_000)
    ),
    counts=(2, 1, 1),
    quarantine=(
        q(
            CRIME,
            2,
            "OffenceDesc",
            "the value is 20,000,000 bytes, over the field size cap of 1,048,576 bytes "
            "(TOEX_INGEST_MAX_FIELD_BYTES)",
        ),
    ),
)
case(
    name="a 40 MB quoted field (larger than the parser's block)",
    large=True,
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(
        crime_line("CC/1"),
        crime_line("CC/2").replace("Assault", '"' + "A, " * 13_333_333 + '"'),
        crime_line("CC/3"),
    ),
    counts=(3, 2, 1),
    quarantine=(
        q(
            CRIME,
            2,
            "OffenceDesc",
            "the value is 40,000,001 bytes, over the field size cap of 1,048,576 bytes "
            "(TOEX_INGEST_MAX_FIELD_BYTES)",
        ),
    ),
)
case(
    name="old Mac line ends (CR only)",
    mapping="athena_crime",
    file=CRIME,
    build=lambda: crime_csv(*crimes(3), newline="\r"),
    counts=(3, 3, 0),
)
case(
    name="XLSX: a row wider than the header",
    mapping="wmp_missing",
    file=MISSING,
    force="wmp",
    build=lambda: _xlsx(
        {
            "missing": [
                MISSING_HEADER,
                _missing_row("M1"),
                [*_missing_row("M2"), "extra"],
                _missing_row("M3"),
            ]
        }
    ),
    counts=(3, 2, 1),
    quarantine=(q(MISSING, 2, None, "expected 16 fields, found 17"),),
)
