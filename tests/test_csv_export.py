"""The one CSV writer: cells that a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from toex.csv_export import safe_cell, write_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("SMITH", "SMITH"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (2.5, 2.5),
        (None, None),
        (dt.date(2020, 1, 2), dt.date(2020, 1, 2)),
    ],
)
def test_safe_cell(value: object, written: object) -> None:
    assert safe_cell(value) == written


def test_write_csv_neutralises_every_cell_and_reads_back() -> None:
    buf = io.StringIO()
    rows = [
        {"=name": "=cmd", "n": -1, "when": dt.date(2024, 5, 6)},
        {"=name": "plain, with comma", "n": None, "when": None},
    ]
    write_csv(buf, ["=name", "n", "when"], rows)
    assert list(csv.reader(io.StringIO(buf.getvalue()))) == [
        ["'=name", "n", "when"],
        ["'=cmd", "-1", "2024-05-06"],
        ["plain, with comma", "", ""],
    ]
