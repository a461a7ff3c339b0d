"""What every reader produces: string columns, 1-based record numbers and row faults.

A reader turns one file into a :class:`Reading`: the source column names in file order and a
stream of Arrow record batches whose columns are ``c0 .. c<n-1>`` (strings, ``None`` where a
value is absent) plus ``source_row`` (1-based record number, header not counted) and,
optionally, ``record_hash``. Rows that cannot be read as records at all (a wrong field count,
an unparseable JSON line) are not in the batches; they are reported as :class:`RowFault`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa

BATCH_ROWS = 65_536
RAW_VALUE_LIMIT = 200
#: Default cap on one field value's UTF-8 bytes (``TOEX_INGEST_MAX_FIELD_BYTES``).
MAX_FIELD_BYTES = 1_048_576


@dataclass(frozen=True)
class RowFault:
    """A record that is quarantined: where, which field, the raw value and why."""

    source_row: int
    field: str | None
    raw_value: str | None
    reason_code: str
    reason: str


@dataclass
class Reading:
    """A file being read: its columns, the record batches, and what was found on the way.

    ``faults``, ``rows_read`` and ``notes`` are complete only once ``batches`` is exhausted.
    When ``renumber`` is set the batches' ``source_row`` values are positions among the good
    rows only, and the faults' rows are the true record numbers of the rows left out: the
    loader turns the positions into record numbers (see ``renumber_sql``).
    """

    columns: list[str]
    batches: Iterator[pa.RecordBatch]
    encoding: str | None = None
    delimiter: str | None = None
    faults: list[RowFault] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0
    replacements: int = 0
    renumber: bool = False
    has_hash: bool = False
    #: columns where the reader put a placeholder for a value over the field size cap
    capped: set[int] = field(default_factory=set)


class ReadRestart(Exception):
    """Raised by a reader's batches when it must start again from the first record.

    The reader has replaced :attr:`Reading.batches` (e.g. the CSV reader, after finding a
    value too large for Arrow's blocks, reads a copy with that value replaced); the loader
    discards the rows it received and reads the new batches.
    """


def column_names(n: int) -> list[str]:
    """The positional column names the readers use: ``c0 .. c<n-1>``."""
    return [f"c{i}" for i in range(n)]


def batch_schema(n: int, with_hash: bool = False) -> pa.Schema:
    """Schema of a reader batch with ``n`` source columns."""
    fields = [pa.field(c, pa.string()) for c in column_names(n)]
    fields.append(pa.field("source_row", pa.int64()))
    if with_hash:
        fields.append(pa.field("record_hash", pa.string()))
    return pa.schema(fields)


def truncate(value: str | None) -> str | None:
    """A raw value cut to the length kept in quarantine and issue tables."""
    if value is None:
        return None
    return value if len(value) <= RAW_VALUE_LIMIT else value[: RAW_VALUE_LIMIT - 1] + "…"


def duplicate_header_message(names: list[str]) -> str | None:
    """The error for repeated column names in a header, or ``None`` if all are distinct."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if name in seen:
            return f"duplicate column name {name!r} in the header (columns {seen[name]} and {i})"
        seen[name] = i
    return None


@dataclass(frozen=True)
class ReaderOptions:
    """How to read a file: format and, where they apply, encoding, delimiter, quote, sheet.

    ``None`` means detect (encoding, delimiter) or require a single sheet (XLSX).
    """

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    quote: str = '"'
    sheet: str | None = None
