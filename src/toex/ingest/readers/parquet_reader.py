"""Parquet: streamed by row group batches, every column cast to text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toex.errors import ReadError
from toex.ingest.readers.base import (
    BATCH_ROWS,
    ReaderOptions,
    Reading,
    batch_schema,
    duplicate_header_message,
)


def read_parquet(path: Path, display: str, options: ReaderOptions, workdir: Path) -> Reading:
    """Open a Parquet file; record numbers follow the file's row order."""
    if path.stat().st_size == 0:
        raise ReadError("the file is empty", file=display, code="empty_file")
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise ReadError(
            f"not a readable Parquet file ({exc})", file=display, code="bad_parquet"
        ) from None
    names = list(pf.schema_arrow.names)
    message = duplicate_header_message(names)
    if message:
        raise ReadError(message, file=display, code="duplicate_header")
    reading = Reading(columns=names, batches=iter(()))
    reading.batches = _batches(pf, len(names), display, reading)
    return reading


def _text(array: pa.Array) -> pa.Array:
    if pa.types.is_string(array.type):
        return array
    if pa.types.is_large_string(array.type):
        return array.cast(pa.string())
    if pa.types.is_timestamp(array.type):
        return pc.strftime(array, format="%Y-%m-%dT%H:%M:%S")
    return array.cast(pa.string())


def _batches(
    pf: pq.ParquetFile, n: int, display: str, reading: Reading
) -> Iterator[pa.RecordBatch]:
    schema = batch_schema(n)
    seq = 0
    try:
        for batch in pf.iter_batches(batch_size=BATCH_ROWS):
            rows = batch.num_rows
            numbers = pa.array(np.arange(seq + 1, seq + rows + 1, dtype=np.int64))
            arrays = [_text(col) for col in batch.columns]
            yield pa.RecordBatch.from_arrays([*arrays, numbers], schema=schema)
            seq += rows
    except pa.ArrowException as exc:
        raise ReadError(
            f"cannot read Parquet data ({exc})", file=display, code="bad_parquet"
        ) from None
    reading.rows_read = seq
