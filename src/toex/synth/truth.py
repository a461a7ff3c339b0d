"""Ground-truth tables (``truth/``), written with pyarrow; never read by the pipeline.

Mentions and events are streamed to Parquet a batch at a time (:class:`TableSink`); persons
and objects are written once at the end from the population's columns. docs/synthetic-data.md
documents every column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MENTION_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
        ("reference", pa.string()),
        ("slot", pa.string()),
        ("force", pa.string()),
        ("system", pa.string()),
        ("role", pa.string()),
        ("person_id", pa.string()),
        ("variations", pa.list_(pa.string())),
        ("placeholder_fields", pa.list_(pa.string())),
        ("scenario_id", pa.string()),
    ]
)

EVENT_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_row", pa.int64()),
        ("reference", pa.string()),
        ("event_type", pa.string()),
        ("force", pa.string()),
        ("system", pa.string()),
        ("occurred_from", pa.date32()),
        ("occurred_to", pa.date32()),
        ("reported_date", pa.date32()),
        ("offence_code", pa.string()),
        ("vawg", pa.bool_()),
        ("lpc", pa.string()),
        ("oic", pa.string()),
        ("risk_level", pa.string()),
        ("scenario_id", pa.string()),
        ("malformed", pa.string()),
        ("text_person_ids", pa.list_(pa.string())),
    ]
)

QUARANTINE_COLUMNS = ("source_file", "source_row", "field", "column", "reason_code")


def list_array(matrix: np.ndarray, names: tuple[str, ...] | list[str]) -> pa.Array:
    """A list<string> array: for each row of a bool matrix, the names of its true columns."""
    matrix = np.asarray(matrix, dtype=bool)
    counts = matrix.sum(axis=1) if matrix.size else np.zeros(len(matrix), dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    _, cols = np.nonzero(matrix)
    values = np.array(names, dtype=object)[cols] if len(cols) else np.array([], dtype=object)
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values, pa.string()))


def days_array(days: np.ndarray, missing: int) -> pa.Array:
    """A date32 array of day numbers (``missing`` becomes null)."""
    arr = np.asarray(days, dtype=np.int64)
    mask = arr == missing
    return pa.array(np.where(mask, 0, arr).astype(np.int32), pa.date32(), mask=mask)


class TableSink:
    """A Parquet file written a batch at a time with a fixed schema."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def write(self, columns: dict[str, Any]) -> None:
        """Append one batch given as column name -> array or list."""
        arrays = [
            col if isinstance(col := columns[f.name], pa.Array) else pa.array(col, f.type)
            for f in self.schema
        ]
        batch = pa.Table.from_arrays(arrays, schema=self.schema)
        if batch.num_rows:
            self._writer.write_table(batch)
            self.rows += batch.num_rows

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()


def write_table(path: Path, columns: dict[str, Any], schema: pa.Schema | None = None) -> None:
    """Write one Parquet table from columns (lists or arrays)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table(columns, schema=schema) if schema is not None else pa.table(columns)
    pq.write_table(table, path, compression="zstd")
