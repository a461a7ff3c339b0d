"""Readers: record numbers, encodings, delimiters, faults, and each format's values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toex.errors import ReadError
from toex.ingest.readers import ReaderOptions, Reading, open_reading
from toex.ingest.readers.csv_reader import sniff_delimiter
from toex.ingest.readers.text_decoding import detect_encoding

from ..exports import write_jsonl, write_xlsx


def _rows(reading: Reading) -> list[tuple[object, ...]]:
    out = []
    for batch in reading.batches:
        cols = batch.to_pydict()
        names = [f"c{i}" for i in range(len(reading.columns))]
        out += list(zip(cols["source_row"], *(cols[n] for n in names), strict=True))
    return out


def _csv(tmp_path: Path, data: bytes, **options: str) -> Reading:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    return open_reading(path, "f.csv", ReaderOptions("csv", **options), tmp_path)


def test_csv_records_are_numbered_around_bad_rows(tmp_path: Path) -> None:
    reading = _csv(tmp_path, b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    rows = _rows(reading)  # positions among good rows; the loader renumbers
    assert reading.renumber and reading.rows_read == 4
    assert [(f.source_row, f.reason_code, f.reason, f.raw_value) for f in reading.faults] == [
        (2, "field_count", "expected 3 fields, found 2", "4,5"),
        (3, "field_count", "expected 3 fields, found 4", "6,7,8,9"),
    ]
    assert [r[1:] for r in rows] == [("1", "2", "3"), ("10", "11", "12")]


def test_csv_numbering_with_quoted_newlines_uses_the_full_parse(tmp_path: Path) -> None:
    data = b'a,b,c\n"x\ny",1,2\n4,5\n6,7,8\n'
    reading = _csv(tmp_path, data)
    _rows(reading)
    assert [(f.source_row, f.reason_code) for f in reading.faults] == [(2, "field_count")]


def test_csv_bom_crlf_and_quoting(tmp_path: Path) -> None:
    data = b'\xef\xbb\xbfRef,Name\r\nA1,"Smith, John"\r\nA2,"He said ""hi"""\r\n'
    reading = _csv(tmp_path, data)
    assert reading.columns == ["Ref", "Name"] and reading.encoding == "utf-8-sig"
    assert _rows(reading) == [(1, "A1", "Smith, John"), (2, "A2", 'He said "hi"')]


def test_cp1252_is_detected_and_delimiter_sniffed(tmp_path: Path) -> None:
    data = "Ref;Name;Note\nA1;Zoë;£5 – paid\nA2;Renée;ok\n".encode("cp1252")
    reading = _csv(tmp_path, data)
    assert (reading.encoding, reading.delimiter) == ("cp1252", ";")
    assert _rows(reading) == [(1, "A1", "Zoë", "£5 – paid"), (2, "A2", "Renée", "ok")]
    assert detect_encoding("Zoë".encode()) == "utf-8"
    assert sniff_delimiter(["a|b|c", "1|2|3"]) == "|"
    assert sniff_delimiter(["a\tb", "1\t2"]) == "\t"


def test_an_unknown_encoding_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        _csv(tmp_path, b"a,b\n1,2\n", encoding="klingon")
    assert str(info.value) == "f.csv: unknown encoding 'klingon'"


def test_jsonl_values_and_unreadable_lines(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "f.jsonl", [{"id": "A", "n": 3, "ok": True, "tags": ["x"], "none": None}]
    )
    with path.open("ab") as fh:
        fh.write(b'{"id": "B", \n[1, 2]\n\n{"id": "C", "extra": 1}\n\xff\xfe\n')
    reading = open_reading(path, "f.jsonl", ReaderOptions("jsonl"), tmp_path, wanted=["id"])
    assert reading.columns == ["id", "n", "ok", "tags", "none", "extra"]
    assert [r[:6] for r in _rows(reading)] == [
        (1, "A", "3", "true", '["x"]', None),
        (5, "C", None, None, None, None),
    ]
    assert [(f.source_row, f.reason_code, f.reason) for f in reading.faults] == [
        (
            2,
            "unreadable",
            "not valid JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 13 (char 12)",
        ),
        (3, "unreadable", "not a JSON object but list"),
        (6, "unreadable", "the line is not valid UTF-8"),
    ]
    assert reading.rows_read == 5


def test_xlsx_serials_date_cells_and_extra_cells(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        ["Ref", "Serial", "Date", "Amount"],
        [
            ["A1", 32937, dt.date(1990, 3, 5), 1.5],
            [None, None, None, None],
            ["A2", 32938, dt.datetime(1991, 1, 2, 10, 30), 2],
            ["A3", 1, None, None, "stray"],
        ],
    )
    reading = open_reading(path, "f.xlsx", ReaderOptions("xlsx"), tmp_path)
    assert _rows(reading) == [
        (1, "A1", "32937", "1990-03-05", "1.5"),
        (3, "A2", "32938", "1991-01-02T10:30:00", "2"),
    ]
    assert [(f.source_row, f.reason_code, f.reason) for f in reading.faults] == [
        (4, "field_count", "expected 4 fields, found 5")
    ]


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", ["Ref"], [["A1"]], sheet="Data")
    with pytest.raises(ReadError) as info:
        open_reading(path, "f.xlsx", ReaderOptions("xlsx", sheet="Other"), tmp_path)
    assert str(info.value) == "f.xlsx: no sheet named 'Other' (sheets: Data)"
    reading = open_reading(path, "f.xlsx", ReaderOptions("xlsx", sheet="Data"), tmp_path)
    assert _rows(reading) == [(1, "A1")]


def test_parquet_columns_become_text(tmp_path: Path) -> None:
    path = tmp_path / "f.parquet"
    pq.write_table(
        pa.table({"ref": ["A1", "A2"], "n": [1, None], "d": [dt.date(1990, 3, 5), None]}), path
    )
    reading = open_reading(path, "f.parquet", ReaderOptions("parquet"), tmp_path)
    assert _rows(reading) == [(1, "A1", "1", "1990-03-05"), (2, "A2", None, None)]
    assert reading.rows_read == 2


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        open_reading(tmp_path / "nope.csv", "nope.csv", ReaderOptions("csv"), tmp_path)
    assert str(info.value) == "nope.csv: no such file"
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(ReadError) as info:
        open_reading(tmp_path / "f.txt", "f.txt", ReaderOptions("fixed"), tmp_path)
    assert str(info.value) == "f.txt: unknown format 'fixed' (known: csv, jsonl, xlsx, parquet)"


def test_jsonl_switches_to_line_by_line_at_the_first_bad_block(tmp_path: Path) -> None:
    records = [{"id": f"R{i}", "note": "x" * 60} for i in range(1, 30_001)]
    path = write_jsonl(tmp_path / "big.jsonl", records)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[24_999] = b'{"id": "R25000", broken\n'
    path.write_bytes(b"".join(lines))
    reading = open_reading(path, "big.jsonl", ReaderOptions("jsonl"), tmp_path)
    rows = _rows(reading)
    assert reading.rows_read == 30_000 and len(rows) == 29_999
    assert [(f.source_row, f.reason_code) for f in reading.faults] == [(25_000, "unreadable")]
    assert rows[0][:2] == (1, "R1") and rows[24_998][:2] == (24_999, "R24999")
    assert rows[24_999][:2] == (25_001, "R25001") and rows[-1][:2] == (30_000, "R30000")
