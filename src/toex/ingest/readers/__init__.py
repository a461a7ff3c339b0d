"""Readers: CSV, JSON Lines, XLSX and Parquet into text columns with record numbers.

:func:`open_reading` picks the reader for ``options.format``; each returns a
:class:`~toex.ingest.readers.base.Reading` whose batches stream the file.
"""

from __future__ import annotations

from pathlib import Path

from toex.errors import ReadError
from toex.ingest.readers.base import (
    MAX_FIELD_BYTES,
    RAW_VALUE_LIMIT,
    ReaderOptions,
    Reading,
    RowFault,
)
from toex.ingest.readers.csv_reader import read_csv
from toex.ingest.readers.jsonl_reader import read_jsonl
from toex.ingest.readers.parquet_reader import read_parquet
from toex.ingest.readers.xlsx_reader import read_xlsx

FORMATS = ("csv", "jsonl", "xlsx", "parquet")


def open_reading(
    path: Path,
    display: str,
    options: ReaderOptions,
    workdir: Path,
    wanted: list[str] | None = None,
    max_field_bytes: int = MAX_FIELD_BYTES,
) -> Reading:
    """Open ``path`` with the reader for ``options.format``.

    ``display`` is the file name used in messages; ``workdir`` a directory for temporary
    files; ``wanted`` the columns a JSON Lines mapping needs; ``max_field_bytes`` the field
    size cap (the loader quarantines longer values; the CSV reader names them when Arrow
    cannot parse around them).
    """
    if not path.is_file():
        raise ReadError("no such file", file=display, code="no_such_file")
    if options.format == "csv":
        return read_csv(path, display, options, workdir, max_field_bytes)
    if options.format == "jsonl":
        return read_jsonl(path, display, options, workdir, wanted)
    if options.format == "xlsx":
        return read_xlsx(path, display, options, workdir)
    if options.format == "parquet":
        return read_parquet(path, display, options, workdir)
    raise ReadError(
        f"unknown format {options.format!r} (known: {', '.join(FORMATS)})",
        file=display,
        code="unknown_format",
    )


__all__ = ["FORMATS", "RAW_VALUE_LIMIT", "ReaderOptions", "Reading", "RowFault", "open_reading"]
