"""A quote-aware scan of a CSV file's bytes, for what Arrow's block parser cannot hold.

Arrow parses a CSV file in blocks; a record larger than a block (a 200 MB field) stops it
with an internal message. :func:`iter_oversized` walks the records with byte searches (no
per-character Python) and finds every field longer than the cap: its record number (header
not counted, blank lines skipped, as the readers number records), its column, its size and
its bytes. :func:`write_without` copies the file with those fields replaced by a short
placeholder, so Arrow can parse it and the loader quarantines just those rows.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Oversized:
    """A field longer than the cap: record number, 0-based column, size in bytes, and
    where its bytes are (``start``, ``end``: quotes included)."""

    row: int
    column: int
    size: int
    start: int = 0
    end: int = 0


#: What :func:`write_without` puts in place of a field over the cap: a noncharacter no
#: export holds, then the field's size (the loader quarantines the row with that size).
PLACEHOLDER = "\ufffetoex-field-too-large:"


def find_oversized(path: Path, delimiter: str, quote: str, cap: int) -> Oversized | None:
    """The first field of ``path`` longer than ``cap`` bytes, or ``None``."""
    return next(iter_oversized(path, delimiter, quote, cap), None)


def write_without(path: Path, out: Path, fields: list[Oversized]) -> None:
    """Copy ``path`` to ``out`` with each field of ``fields`` replaced by a placeholder."""
    with path.open("rb") as src, out.open("wb") as dst:
        at = 0
        for f in fields:
            _copy(src, dst, f.start - at)
            dst.write(f"{PLACEHOLDER}{f.size}".encode())
            src.seek(f.end)
            at = f.end
        _copy(src, dst, None)


def _copy(src: BinaryIO, dst: BinaryIO, n: int | None) -> None:
    while n is None or n > 0:
        chunk = src.read(1 << 22 if n is None else min(n, 1 << 22))
        if not chunk:
            return
        dst.write(chunk)
        if n is not None:
            n -= len(chunk)


def iter_oversized(path: Path, delimiter: str, quote: str, cap: int) -> Iterator[Oversized]:
    """Every field of ``path`` longer than ``cap`` bytes, in file order."""
    if path.stat().st_size == 0:
        return
    d, q = delimiter.encode("utf-8"), quote.encode("utf-8")
    special = re.compile(b"[" + re.escape(d) + re.escape(q) + b"\n]")
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        size = len(data)
        record, column = 0, 0  # record 0 is the header
        record_start = field_start = pos = 0
        while True:
            m = special.search(data, pos)
            end = m.start() if m else size
            ch = data[end : end + 1]
            if ch == q and end == field_start:
                close = end + 1
                while True:  # to the closing quote; a doubled quote is an escaped one
                    close = data.find(q, close)
                    if close < 0 or data[close + 1 : close + 2] != q:
                        break
                    close += 2
                pos = size if close < 0 else close + 1
                if close < 0 and size - field_start > cap and record:
                    yield Oversized(record, column, size - field_start, field_start, size)
                if close < 0:
                    return
                continue
            if ch == q:  # a quote inside an unquoted value is text
                pos = end + 1
                continue
            if end - field_start > cap and record:
                yield Oversized(record, column, end - field_start, field_start, end)
            if ch == d:
                column += 1
                field_start = pos = end + 1
                continue
            if end >= size:
                return
            if data[record_start:end].strip(b"\r"):  # a blank line is not a record
                record += 1
            column = 0
            record_start = field_start = pos = end + 1
