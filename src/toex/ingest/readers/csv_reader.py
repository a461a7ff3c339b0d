"""CSV: sniffed delimiter, detected encoding, streamed through Arrow's parser in blocks.

The file is read as it is when it is clean UTF-8, else transcoded to UTF-8 first (see
:mod:`text_decoding`); its header is parsed with the standard library, and the records are
streamed by ``pyarrow.csv.open_csv`` in blocks, so memory stays bounded for files larger than
memory. Rows with the wrong number of fields are left out of the batches and reported as
``field_count`` faults; their record numbers are found afterwards (by their line when no
record spans lines, else by a second pass with the standard library's parser), and the loader
renumbers the good rows around them.
"""

from __future__ import annotations

import csv
import mmap
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from toex.errors import ReadError
from toex.ingest.readers.base import (
    MAX_FIELD_BYTES,
    ReaderOptions,
    Reading,
    ReadRestart,
    RowFault,
    batch_schema,
    column_names,
    duplicate_header_message,
    truncate,
)
from toex.ingest.readers.csv_scan import find_oversized, iter_oversized, write_without
from toex.ingest.readers.text_decoding import (
    Transcoded,
    choose_encoding,
    sample,
    transcode,
    utf8_as_is,
)

DELIMITERS = (",", ";", "|", "\t")
BLOCK_BYTES = 16 * 1024 * 1024
csv.field_size_limit(sys.maxsize)


def sniff_delimiter(lines: list[str], quote: str = '"') -> str:
    """The delimiter that splits the header and the next lines into the same field count."""
    best, best_score = ",", 0
    for d in DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=d, quotechar=quote), [])) for ln in lines]
        if not counts or counts[0] < 2:
            continue
        score = counts[0] * 10 + sum(1 for c in counts[1:] if c == counts[0])
        if score > best_score:
            best, best_score = d, score
    return best


def _head_lines(path: Path, n: int = 6) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        text = fh.read(65_536)
    return [ln for ln in text.splitlines()[:n] if ln.strip()]


def read_header(path: Path, delimiter: str, quote: str, display: str) -> list[str]:
    """The header's column names (stripped); :class:`ReadError` if empty or duplicated."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.reader(fh, delimiter=delimiter, quotechar=quote), [])
    names = [c.strip() for c in row]
    if not any(names):
        raise ReadError("the header line is empty", file=display, code="empty_header")
    message = duplicate_header_message(names)
    if message:
        raise ReadError(message, file=display, code="duplicate_header")
    return [n or f"(column {i})" for i, n in enumerate(names, start=1)]


def read_csv(
    path: Path,
    display: str,
    options: ReaderOptions,
    workdir: Path,
    max_field_bytes: int = MAX_FIELD_BYTES,
) -> Reading:
    """Open a CSV file for streaming; see the module docstring."""
    head = sample(path, display)
    encoding, notes = choose_encoding(options.encoding, head, display)
    if utf8_as_is(path, encoding):
        tx = Transcoded(path, encoding, 0)  # a UTF-8 BOM is skipped with the header line
    else:
        tx = transcode(path, encoding, workdir / "source.utf8.csv")
    delimiter = options.delimiter or sniff_delimiter(_head_lines(tx.path), options.quote)
    names = read_header(tx.path, delimiter, options.quote, display)
    reading = Reading(
        columns=names,
        batches=iter(()),
        encoding=encoding,
        delimiter=delimiter,
        replacements=tx.replacements,
        notes=notes,
    )
    reading.batches = _batches(
        tx.path, names, delimiter, options.quote, display, reading, max_field_bytes, workdir
    )
    return reading


def _restart_capped(
    path: Path,
    names: list[str],
    delimiter: str,
    quote: str,
    display: str,
    reading: Reading,
    cap: int,
    workdir: Path | None,
) -> ReadError:
    """Arrow hit a record larger than its block: re-read a copy with every value over the
    cap replaced by a placeholder (:class:`ReadRestart`); the error if there is none."""
    fields = list(iter_oversized(path, delimiter, quote, cap))
    if not fields or workdir is None:
        return _too_large(path, names, delimiter, quote, display, cap)
    copy = workdir / f"capped.{path.name}"
    write_without(path, copy, fields)
    reading.capped = {f.column for f in fields if f.column < len(names)}
    reading.batches = _batches(copy, names, delimiter, quote, display, reading, cap, None)
    raise ReadRestart


def _too_large(
    path: Path, names: list[str], delimiter: str, quote: str, display: str, cap: int
) -> ReadError:
    """The error for a record Arrow's block parser could not hold, naming row and field."""
    found = find_oversized(path, delimiter, quote, cap)
    if found is None:
        return ReadError(
            f"a record is longer than the parser's block of {_blocks(cap):,} bytes",
            file=display,
            code="field_too_large",
        )
    return ReadError(
        f"the value is {found.size:,} bytes, over the field size cap of {cap:,} bytes "
        "(TOEX_INGEST_MAX_FIELD_BYTES)",
        file=display,
        row=found.row,
        field=names[found.column] if found.column < len(names) else None,
        code="field_too_large",
    )


def _blocks(cap: int) -> int:
    """Arrow's block size: a record must fit in one block; twice the field cap at least."""
    return max(BLOCK_BYTES, 2 * cap)


def _batches(
    path: Path,
    names: list[str],
    delimiter: str,
    quote: str,
    display: str,
    reading: Reading,
    cap: int = MAX_FIELD_BYTES,
    workdir: Path | None = None,
) -> Iterator[pa.RecordBatch]:
    n = len(names)
    bad: list[tuple[int, str]] = []  # (good rows before it, raw text)
    seq = 0

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad.append((row.actual_columns, row.text))
        return "skip"

    cols = column_names(n)
    try:
        stream = _open(path, cols, delimiter, quote, cap, on_invalid)
    except pa.ArrowInvalid as exc:
        if "straddling" in str(exc):
            error = _restart_capped(path, names, delimiter, quote, display, reading, cap, workdir)
            raise error from None
        raise ReadError(f"cannot parse as CSV: {exc}", file=display, code="bad_csv") from None
    schema = batch_schema(n)
    while True:
        try:
            batch = stream.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as exc:
            if "straddling" in str(exc):
                error = _restart_capped(
                    path, names, delimiter, quote, display, reading, cap, workdir
                )
                raise error from None
            raise ReadError(f"cannot parse as CSV: {exc}", file=display, code="bad_csv") from None
        rows = batch.num_rows
        if rows:
            numbers = pa.array(np.arange(seq + 1, seq + rows + 1, dtype=np.int64))
            yield pa.RecordBatch.from_arrays([*batch.columns, numbers], schema=schema)
            seq += rows
    reading.rows_read = seq + len(bad)
    if not seq and not bad:
        reading.notes.append("no records after the header")
    if bad:
        texts = [t for _, t in bad]
        numbers = _locate(path, texts, seq) or _number_by_parsing(path, delimiter, quote, n)
        if len(numbers) != len(bad):
            raise ReadError(
                f"found {len(bad)} malformed rows but could only place {len(numbers)} of them",
                file=display,
                code="bad_csv",
            )
        cut = _ends_without_newline(path)
        for number, (found, text) in zip(numbers, bad, strict=True):
            if "\n" in text:
                raise ReadError(
                    _unbalanced(text, quote),
                    file=display,
                    row=number,
                    field=_quoted_field(text, names, delimiter, quote),
                    code="unbalanced_quote",
                )
            reading.faults.append(
                RowFault(
                    number,
                    None,
                    truncate(text),
                    "field_count",
                    f"expected {n} fields, found {found}"
                    + (TRUNCATED if cut and number == reading.rows_read else ""),
                )
            )
        reading.renumber = True


def _open(
    path: Path,
    cols: list[str],
    delimiter: str,
    quote: str,
    cap: int,
    on_invalid: Callable[[pacsv.InvalidRow], str],
) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=cols, skip_rows=1, block_size=_blocks(cap)),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char=quote,
            double_quote=True,
            newlines_in_values=True,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(cols, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


TRUNCATED = " (the last record, with no line end: is the file truncated?)"


def _ends_without_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) != b"\n"


def _unbalanced(text: str, quote: str) -> str:
    lines = text.count("\n") + 1
    return (
        f"unbalanced quote: the quoted value runs over {lines} lines"
        f"{' to the end of the file' if not text.endswith(quote) else ''}"
    )


def _quoted_field(text: str, names: list[str], delimiter: str, quote: str) -> str | None:
    first = text.split("\n", 1)[0]
    fields = next(csv.reader([first], delimiter=delimiter, quotechar=quote), [])
    index = max(0, len(fields) - 1)
    return names[index] if index < len(names) else None


def _locate(path: Path, texts: list[str], good_rows: int) -> list[int] | None:
    """Record numbers of the rows ``texts`` by their line, or ``None`` if lines != records."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = data.find(b"\n") + 1
        if start == 0:
            return None
        size = len(data)
        lines = _count_newlines(data, start, size)
        lines += 1 if size > start and data[-1:] != b"\n" else 0
        if (
            lines != good_rows + len(texts)
            or data.find(b"\n\n", start - 1) != -1
            or data.find(b"\n\r\n", start - 1) != -1
        ):
            return None
        numbers, cursor, line = [], start, 1
        for text in texts:
            needle = text.encode("utf-8")
            at = cursor
            while True:
                at = data.find(needle, at)
                if at < 0:
                    return None
                end = at + len(needle)
                at_line_start = at == start or data[at - 1 : at] == b"\n"
                at_line_end = end == size or data[end : end + 1] in (b"\n", b"\r")
                if at_line_start and at_line_end:
                    break
                at += 1
            line += _count_newlines(data, cursor, at)
            numbers.append(line)
            cursor = at
        return numbers


def _count_newlines(data: mmap.mmap, start: int, end: int) -> int:
    step, total = 8 * 1024 * 1024, 0
    for i in range(start, end, step):
        total += data[i : min(end, i + step)].count(b"\n")
    return total


def _number_by_parsing(path: Path, delimiter: str, quote: str, n: int) -> list[int]:
    """Record numbers of rows whose field count is not ``n``, by a full standard-library parse."""
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, quotechar=quote)
        next(reader, None)
        number = 0
        for record in reader:
            if not record:
                continue
            number += 1
            if len(record) != n:
                out.append(number)
    return out
