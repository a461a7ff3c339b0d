"""JSON Lines: one JSON object per line, streamed in blocks.

Each line is a record; its record number is its line number. Fast path: Arrow's streaming
JSON reader (``pyarrow.json.open_json``), with every column the first block infers as a date
or time forced to text so values stay as written; it is used while lines parse and the file
has no blank lines. From the first block it cannot read (a line that is not valid UTF-8 JSON
or not an object, a type that changes between blocks) the rest of the file is read line by
line in Python, and the bad lines are ``unreadable`` faults. Values are kept as text:
strings as they are, ``true``/``false``, numbers as digits, nested values as compact JSON.
A line-by-line read picks up after the rows Arrow already delivered. The record hash
(computed by the loader, as for every format) is the SHA-256 of the record's fields.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.json as pajson

from toex.errors import ReadError
from toex.ingest.readers.base import (
    BATCH_ROWS,
    ReaderOptions,
    Reading,
    RowFault,
    batch_schema,
    truncate,
)
from toex.ingest.readers.text_decoding import sample, transcode, wide_encoding

SCAN_LINES = 1_000


def json_text(value: Any) -> str | None:
    """A JSON value as the text the cleaners see."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _parse(line: bytes) -> tuple[dict[str, Any] | None, str | None]:
    line = line.removeprefix(b"\xef\xbb\xbf")  # a byte order mark (files joined together)
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "the line is not valid UTF-8"
    except ValueError as exc:
        return None, f"not valid JSON: {exc.args[0] if exc.args else exc}"
    if not isinstance(obj, dict):
        return None, f"not a JSON object but {type(obj).__name__}"
    return obj, None


def read_jsonl(
    path: Path, display: str, options: ReaderOptions, workdir: Path, wanted: list[str] | None = None
) -> Reading:
    """Open a JSON Lines file; columns are the keys of the first lines plus ``wanted``.

    A UTF-16 or UTF-32 file is transcoded to UTF-8 first (JSON Lines is UTF-8).
    """
    head = sample(path, display)
    notes = []
    wide = wide_encoding(head)
    if wide is not None:
        path = transcode(path, wide, workdir / "source.utf8.jsonl").path
        notes.append(f"the file is {wide.upper()} text: read as {wide.upper()}")
    columns: list[str] = []
    with path.open("rb") as fh:
        for line in islice(fh, SCAN_LINES):
            obj, _ = _parse(line)
            for key in obj or {}:
                if key not in columns:
                    columns.append(key)
    for key in wanted or []:
        if key not in columns:
            columns.append(key)
    reading = Reading(columns=columns, batches=iter(()), encoding=wide or "utf-8", notes=notes)
    reading.batches = _stream(path, display, columns, reading)
    return reading


def _line_count(path: Path) -> tuple[int, bool]:
    """Lines in the file, and whether any is blank."""
    lines, blank, last = 0, False, b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            lines += chunk.count(b"\n")
            blank = (
                blank
                or b"\n\n" in chunk
                or b"\n\r\n" in chunk
                or (last == b"\n" and chunk[:1] in (b"\n", b"\r"))
            )
            last = chunk[-1:]
    return lines + (0 if last == b"\n" else 1), blank


def _probe_schema(path: Path) -> pa.Schema | None:
    """Types Arrow infers from the first MB, dates and times turned to text; ``None`` if none."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    head = head[: head.rfind(b"\n") + 1] or head
    try:
        probe = pajson.read_json(io.BytesIO(head))
    except (pa.ArrowInvalid, OSError):
        return None
    return pa.schema(
        [pa.field(f.name, pa.string()) if _temporal(f.type) else f for f in probe.schema]
    )


def _stream(
    path: Path, display: str, columns: list[str], reading: Reading
) -> Iterator[pa.RecordBatch]:
    """Arrow's streaming reader while it can; from the first block it cannot, line by line."""
    out = batch_schema(len(columns))
    lines, blank = _line_count(path)
    schema = None if blank else _probe_schema(path)
    seq = 0
    if schema is not None:
        options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
        try:
            for batch in pajson.open_json(path, parse_options=options):
                rows = batch.num_rows
                arrays = [_text_column(batch, name, rows) for name in columns]
                numbers = pa.array(np.arange(seq + 1, seq + rows + 1, dtype=np.int64))
                yield pa.RecordBatch.from_arrays([*arrays, numbers], schema=out)
                seq += rows
        except (pa.ArrowInvalid, OSError):
            pass  # this block has a bad line or a changed type: carry on line by line
        else:
            if seq != lines:  # e.g. whitespace-only lines Arrow skipped: numbers would be off
                raise ReadError(
                    f"{lines} lines but {seq} records: remove blank lines",
                    file=display,
                    code="bad_jsonl",
                )
            reading.rows_read = seq
            if not seq:
                reading.notes.append("no records in the file")
            return
    yield from _batches(path, columns, reading, skip=seq)


def _temporal(t: pa.DataType) -> bool:
    return bool(pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_time(t))


def _text_column(batch: pa.RecordBatch, name: str, rows: int) -> pa.Array:
    index = batch.schema.get_field_index(name)
    if index < 0:
        return pa.nulls(rows, pa.string())
    array = batch.column(index)
    if pa.types.is_string(array.type):
        return array
    if pa.types.is_null(array.type):
        return pa.nulls(rows, pa.string())
    if pa.types.is_nested(array.type):
        return pa.array(
            [None if v is None else json_text(v) for v in array.to_pylist()], pa.string()
        )
    return array.cast(pa.string())


def _batches(
    path: Path, columns: list[str], reading: Reading, skip: int = 0
) -> Iterator[pa.RecordBatch]:
    """Line by line in Python, after the first ``skip`` lines (already read by Arrow)."""
    schema = batch_schema(len(columns))
    values: list[list[str | None]] = [[] for _ in columns]
    rows: list[int] = []
    reading.rows_read = skip
    number = 0
    with path.open("rb") as fh:
        for number, line in enumerate(islice(fh, skip, None), start=skip + 1):
            cut = not line.endswith(b"\n")
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            reading.rows_read += 1
            obj, problem = _parse(line)
            if obj is None:
                raw = line.decode("utf-8", errors="replace")
                if cut:
                    problem = f"{problem} (the last line, with no line end: is the file truncated?)"
                reading.faults.append(
                    RowFault(number, None, truncate(raw), "unreadable", problem or "unreadable")
                )
                continue
            for i, key in enumerate(columns):
                values[i].append(json_text(obj.get(key)))
            rows.append(number)
            if len(rows) >= BATCH_ROWS:
                yield _batch(values, rows, schema)
                values, rows = [[] for _ in columns], []
    if rows:
        yield _batch(values, rows, schema)
    if not reading.rows_read:
        reading.notes.append("no records in the file")


def _batch(values: list[list[str | None]], rows: list[int], schema: pa.Schema) -> pa.RecordBatch:
    arrays = [pa.array(v, pa.string()) for v in values]
    arrays.append(pa.array(rows, pa.int64()))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
