"""XLSX: read with calamine (Rust), one named sheet, values turned to text.

A workbook with several sheets is an error unless the mapping names the sheet. The first
non-empty row is the header; each later row is a record numbered by its position below the
header (empty rows are skipped but keep their number). Cell values become text the cleaners
read: whole numbers without ``.0`` (so an Excel serial date reads ``32937``), real date cells
as ISO dates (``1990-03-05``) or date-times. A row with values beyond the header's last column
is a ``field_count`` fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from python_calamine import CalamineWorkbook

from toex.errors import ReadError
from toex.ingest.readers.base import (
    BATCH_ROWS,
    ReaderOptions,
    Reading,
    RowFault,
    batch_schema,
    duplicate_header_message,
    truncate,
)


def cell_text(value: Any) -> str | None:
    """An XLSX cell value as text (``None`` for an empty cell)."""
    kind = type(value)
    if kind is str:  # most cells: checked first, by exact type
        return value or None
    if kind is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep="T")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def read_xlsx(path: Path, display: str, options: ReaderOptions, workdir: Path) -> Reading:
    """Open the mapping's sheet (or the only sheet) of an XLSX workbook."""
    if path.stat().st_size == 0:
        raise ReadError("the file is empty", file=display, code="empty_file")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own ZipError/XmlError/CalamineError
        raise ReadError(
            f"not a readable XLSX workbook ({exc})", file=display, code="bad_xlsx"
        ) from None
    names = list(book.sheet_names)
    if options.sheet is None:
        if len(names) != 1:
            raise ReadError(
                f"the workbook has {len(names)} sheets ({', '.join(names)}): "
                "name one with 'sheet:' in the mapping's reader",
                file=display,
                code="bad_xlsx",
            )
        sheet_name = names[0]
    elif options.sheet not in names:
        raise ReadError(
            f"no sheet named {options.sheet!r} (sheets: {', '.join(names)})",
            file=display,
            code="bad_xlsx",
        )
    else:
        sheet_name = options.sheet
    rows = book.get_sheet_by_name(sheet_name).iter_rows()
    header: list[str] | None = None
    for raw in rows:
        cells = [cell_text(v) or "" for v in raw]
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    if header is None:
        raise ReadError(f"sheet {sheet_name!r} is empty", file=display, code="empty_file")
    while header and not header[-1]:
        header.pop()
    message = duplicate_header_message(header)
    if message:
        raise ReadError(message, file=display, code="duplicate_header")
    columns = [h or f"(column {i})" for i, h in enumerate(header, start=1)]
    reading = Reading(columns=columns, batches=iter(()))
    reading.batches = _batches(rows, len(columns), reading)
    return reading


def _batches(rows: Iterator[list[Any]], n: int, reading: Reading) -> Iterator[pa.RecordBatch]:
    schema = batch_schema(n)
    values: list[list[str | None]] = [[] for _ in range(n)]
    numbers: list[int] = []
    for number, raw in enumerate(rows, start=1):
        cells = [cell_text(v) for v in raw]
        if not any(c and not c.isspace() for c in cells):
            continue
        reading.rows_read += 1
        extra = [c for c in cells[n:] if c is not None and c.strip()]
        if extra:
            found = n + len(cells[n:]) - sum(1 for c in reversed(cells[n:]) if c is None)
            reading.faults.append(
                RowFault(
                    number,
                    None,
                    truncate(" | ".join(c or "" for c in cells)),
                    "field_count",
                    f"expected {n} fields, found {found}",
                )
            )
            continue
        cells += [None] * (n - len(cells))
        for i in range(n):
            values[i].append(cells[i])
        numbers.append(number)
        if len(numbers) >= BATCH_ROWS:
            yield _batch(values, numbers, schema)
            values, numbers = [[] for _ in range(n)], []
    if numbers:
        yield _batch(values, numbers, schema)
    if not reading.rows_read:
        reading.notes.append("no records after the header")


def _batch(values: list[list[str | None]], numbers: list[int], schema: pa.Schema) -> pa.RecordBatch:
    arrays = [pa.array(v, pa.string()) for v in values]
    arrays.append(pa.array(numbers, pa.int64()))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
