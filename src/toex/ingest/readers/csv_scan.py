"""A quote-aware scan of a CSV file's bytes, for what Arrow's block parser cannot report.

Arrow parses a CSV file in blocks; a record larger than a block (a 200 MB field) stops it
with an internal message. :func:`find_oversized` walks the records with byte searches (no
per-character Python) and names the first field longer than the cap: its record number
(header not counted, blank lines skipped, as the readers number records), its column and
its size.
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Oversized:
    """A field longer than the cap: record number, 0-based column, size in bytes."""

    row: int
    column: int
    size: int


def find_oversized(path: Path, delimiter: str, quote: str, cap: int) -> Oversized | None:
    """The first field of ``path`` longer than ``cap`` bytes, or ``None``."""
    if path.stat().st_size == 0:
        return None
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
                    return Oversized(record, column, size - field_start)
                if close < 0:
                    return None
                continue
            if ch == q:  # a quote inside an unquoted value is text
                pos = end + 1
                continue
            if end - field_start > cap and record:
                return Oversized(record, column, end - field_start)
            if ch == d:
                column += 1
                field_start = pos = end + 1
                continue
            if end >= size:
                return None
            if data[record_start:end].strip(b"\r"):  # a blank line is not a record
                record += 1
            column = 0
            record_start = field_start = pos = end + 1
