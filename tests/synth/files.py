"""Readers for the generated files, written independently of the generator's writers."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from toex.synth.formats import FileFormat, file_format

WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}


def fmt_of(entry: dict[str, Any]) -> FileFormat:
    """The declared format of a manifest entry."""
    return file_format(entry["system"], entry["kind"])


def read_raw(root: Path, entry: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and data rows of a file as its format stores them (CSV fields as strings)."""
    path = root / entry["path"]
    fmt = fmt_of(entry)
    if entry["file_type"] == "csv":
        with path.open(encoding=entry["encoding"], errors="strict", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=fmt.delimiter or ","))
        return rows[0], rows[1:]
    if entry["file_type"] == "jsonl":
        lines = path.read_text(encoding=entry["encoding"], errors="strict").splitlines()
        objects = [json.loads(line) for line in lines]
        header = fmt.header()
        for o in objects:
            assert list(o) == header, f"{entry['path']}: keys {list(o)} != {header}"
        return header, [[o[h] for h in header] for o in objects]
    wb = load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return [str(h) for h in rows[0]], rows[1:]


def records(root: Path, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Data rows as canonical field -> value (blank CSV fields become None)."""
    fmt = fmt_of(entry)
    header, rows = read_raw(root, entry)
    by_column = {v: k for k, v in fmt.columns.items()}
    out = []
    for r in rows:
        rec = {by_column[h]: (None if v == "" else v) for h, v in zip(header, r, strict=False)}
        out.append(rec)
    return out


def parse_date(value: Any, fmt: FileFormat) -> dt.date | None:
    """A date as the format writes it; None when blank. Raises ValueError when invalid."""
    if value is None or value == "":
        return None
    if fmt.date_format == "excel_serial":
        if not isinstance(value, (int, float)):
            raise ValueError(f"not an Excel serial: {value!r}")
        return from_excel(value).date()
    if fmt.date_format == "excel_date":
        if not isinstance(value, dt.datetime):
            raise ValueError(f"not an Excel date cell: {value!r}")
        return value.date()
    return dt.datetime.strptime(str(value), fmt.date_format).date()


def norm_name(text: Any) -> str:
    """Upper case, ASCII, single spaces."""
    if text is None:
        return ""
    folded = unicodedata.normalize(
        "NFKD",
        str(text).translate(
            str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "ı": "i"})
        ),
    )
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(ascii_text.upper().split())


def phone_digits(text: Any) -> str:
    """A written phone as E.164 digits without "+" ("07700 900123" -> 447700900123);
    digits written as words ("07seven00") are read back."""
    if text is None:
        return ""
    s = str(text).lower()
    for word, digit in WORDS.items():
        s = s.replace(word, digit)
    digits = re.sub(r"\D", "", s)
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0") and len(digits) == 11:
        return "44" + digits[1:]
    return digits


def norm_postcode(text: Any) -> str:
    """A postcode without spaces, upper case."""
    return "" if text is None else str(text).replace(" ", "").upper()
