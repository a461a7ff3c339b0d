"""File writers for the export formats: CSV, JSON Lines and XLSX, byte-for-byte repeatable.

Each writer takes rows as lists of values in the file's column order (None for blank) and
counts them. CSV uses the system's delimiter and encoding (a row may carry a planted wrong
number of fields); JSON Lines writes one object per line with the file's column names; XLSX
uses openpyxl's write-only mode and then rewrites the archive with fixed timestamps, because
openpyxl stamps the save time into ``docProps/core.xml`` and every zip entry.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook

from toex.synth.formats import FileFormat
from toex.synth.names import cp1252_fold

FIXED_ZIP_TIME = (2025, 12, 31, 0, 0, 0)
FIXED_ISO = "2025-12-31T00:00:00Z"
#: Line ending per system (older Windows-based systems write CRLF).
LINE_ENDINGS = {"athena": "\r\n", "connect": "\r\n"}


class RowSink(Protocol):
    """Something rows are written to."""

    rows: int

    def write(self, rows: list[list[Any]]) -> None:
        """Append rows (values in column order)."""

    def close(self) -> None:
        """Finish the file."""


class CsvSink:
    """A delimited text file in the format's encoding, header first."""

    def __init__(self, path: Path, fmt: FileFormat) -> None:
        self.rows = 0
        self._fh = path.open("w", encoding=fmt.encoding or "utf-8", newline="")
        self._writer = csv.writer(
            self._fh,
            delimiter=fmt.delimiter or ",",
            lineterminator=LINE_ENDINGS.get(fmt.system, "\n"),
        )
        self._writer.writerow(fmt.header())
        self._cp1252 = (fmt.encoding or "").lower() == "cp1252"

    def write(self, rows: list[list[Any]]) -> None:
        """Append rows; None is written as an empty field.

        In a cp1252 file, characters the code page lacks (in free text) are folded to ASCII,
        as the exporting system would have stored them.
        """
        if self._cp1252:
            rows = [
                [cp1252_fold(v) if isinstance(v, str) and not v.isascii() else v for v in r]
                for r in rows
            ]
        self._writer.writerows([["" if v is None else v for v in r] for r in rows])
        self.rows += len(rows)

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


class JsonlSink:
    """JSON Lines: one object per row keyed by the file's column names."""

    def __init__(self, path: Path, fmt: FileFormat) -> None:
        self.rows = 0
        self._header = fmt.header()
        self._fh = path.open("w", encoding=fmt.encoding or "utf-8", newline="\n")

    def write(self, rows: list[list[Any]]) -> None:
        """Append rows as JSON objects (None is null)."""
        dumps = json.dumps
        header = self._header
        self._fh.write(
            "".join(
                dumps(dict(zip(header, r, strict=True)), ensure_ascii=False) + "\n" for r in rows
            )
        )
        self.rows += len(rows)

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


class XlsxSink:
    """An XLSX workbook with one sheet, written with openpyxl's write-only mode."""

    def __init__(self, path: Path, fmt: FileFormat, sheet: str) -> None:
        self.rows = 0
        self._path = path
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet(sheet)
        self._ws.append(fmt.header())

    def write(self, rows: list[list[Any]]) -> None:
        """Append rows (dates as date cells, numbers as numbers, None as empty cells)."""
        for r in rows:
            self._ws.append(r)
        self.rows += len(rows)

    def close(self) -> None:
        """Save, then make the archive repeatable (fixed timestamps)."""
        self._wb.save(self._path)
        normalise_xlsx(self._path)


_CORE_TIMES = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_xlsx(path: Path) -> None:
    """Rewrite an XLSX archive with fixed entry times and fixed core created/modified times."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _CORE_TIMES.sub(
                    lambda m: m.group(1) + FIXED_ISO + m.group(3), data.decode("utf-8")
                ).encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
    path.write_bytes(buf.getvalue())


def open_sink(path: Path, fmt: FileFormat) -> RowSink:
    """The writer for ``fmt``'s file type at ``path`` (parent directories created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt.file_type == "csv":
        return CsvSink(path, fmt)
    if fmt.file_type == "jsonl":
        return JsonlSink(path, fmt)
    if fmt.file_type == "xlsx":
        return XlsxSink(path, fmt, sheet=fmt.kind)
    raise ValueError(f"unknown file type {fmt.file_type!r}")
