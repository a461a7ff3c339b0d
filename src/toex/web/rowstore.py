"""The read model's hot tables as memory-mapped Arrow files with sorted key arrays.

A profile reads a person's mentions, their events, the persons on those events, objects,
match pairs, links and a score: about ten lookups by key. Answered by DuckDB, each costs a
query's fixed overhead (parsing, binding, planning: a few tenths of a millisecond) and, for
wide rows, an index scan that decompresses a block of every column for every row it fetches
(milliseconds for a person's mentions). This store answers the same lookups without a
query: each table of :data:`KEYED` is written once per snapshot (with the web index,
:mod:`toex.web.webindex`) as an Arrow IPC file in the read-model table's own row order, and
each key column as two arrays: the keys sorted, as fixed-width bytes, and the row number of
each. A lookup is a binary search per key (``numpy.searchsorted``), the matching row numbers
in row order, and a zero-copy slice (contiguous rows) or a ``take`` of the wanted columns
from each record batch: tens of microseconds, independent of the table's size. The files
are memory-mapped read-only, so every worker shares one copy through the OS page cache.

Rows come back exactly as DuckDB gives them (dicts of the same Python values: ``str``,
``int``, ``float``, ``bool``, ``datetime.date``, lists) and in the table's row order. The
store holds rows, not rules: :func:`toex.web.data.filters.lookup` applies the access rule to
what it returns, as it does to DuckDB's rows. A key column that is not text, or whose keys
are longer than :data:`MAX_KEY_BYTES`, is not stored, and its lookups stay with DuckDB.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

IntArray = npt.NDArray[np.int64]

#: Read-model table -> the key columns looked up on the hot paths (profile, search
#: summaries, network, priority). Other lookups (phone, email, PNC ID) stay with DuckDB.
KEYED: dict[str, tuple[str, ...]] = {
    "web_mention": ("person_id", "event_id", "mention_id"),
    "web_event": ("event_id",),
    "web_person": ("person_id",),
    "web_object": ("mention_id",),
    "web_match_pair": ("mention_a",),
    "web_priority": ("person_id",),
    "web_link": ("person_id",),
    "web_link_evidence": ("centre",),
}
MAX_KEY_BYTES = 64
_ROWID = "__toex_rowid"
BATCH_ROWS = 100_000
#: Batches read from DuckDB are written together up to this size: a lookup of rows spread
#: over a table (a search's result persons, an event's persons) costs a slice or ``take``
#: per record batch it touches, so fewer, larger batches make it cheaper.
BATCH_BYTES = 64 << 20
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LEFT = re.compile(r"^left\(([A-Za-z_][A-Za-z0-9_]*), (\d+)\) AS ([A-Za-z_][A-Za-z0-9_]*)$")


def table_file(table: str) -> str:
    """The Arrow IPC file of a table."""
    return f"{table}.arrow"


def key_files(table: str, column: str) -> tuple[str, str]:
    """The sorted-keys and row-number files of a key column."""
    return f"{table}.{column}.keys.npy", f"{table}.{column}.rows.npy"


def _create(path: Path) -> Any:
    """A new owner-only file opened for writing (the cache syncs it afterwards)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _as_bytes(values: npt.NDArray[Any], width: int) -> npt.NDArray[np.bytes_]:
    """Text values as a fixed-width bytes array (UTF-8)."""
    try:
        out = values.astype(f"S{width}")  # ASCII: the common case for ids, fast
    except UnicodeEncodeError:
        out = np.char.encode(values.astype(np.str_), "utf-8").astype(f"S{width}")
    return out


def _write_table(con: Any, table: str, path: Path) -> None:
    """Stream ``table`` to an Arrow IPC file in row-number (``rowid``) order, the order the
    key arrays number the rows in, in record batches of about :data:`BATCH_BYTES`. A plain
    scan keeps that order (DuckDB preserves insertion order) and is checked batch by batch;
    should it ever differ, the table is written again sorted by ``rowid`` (slower: a sort
    of the whole table)."""
    for order in ("", " ORDER BY rowid"):
        sql = f"SELECT rowid AS {_ROWID}, * FROM {table}{order}"
        reader = con.execute(sql).to_arrow_reader(BATCH_ROWS)
        schema = reader.schema.remove(0)
        in_order, done = True, 0
        with _create(path) as fh, pa.ipc.new_file(fh, schema) as writer:
            pending: list[pa.RecordBatch] = []
            for batch in reader:
                numbers = batch.column(0).to_numpy()
                if not np.array_equal(numbers, np.arange(done, done + len(numbers))):
                    in_order = False
                    break
                done += len(numbers)
                pending.append(pa.RecordBatch.from_arrays(batch.columns[1:], schema=schema))
                if sum(b.nbytes for b in pending) >= BATCH_BYTES:
                    writer.write_batch(pa.concat_batches(pending))
                    pending = []
            if pending and in_order:
                writer.write_batch(pa.concat_batches(pending))
        if in_order:
            return
        path.unlink()
    raise ValueError(f"{table} could not be read in row order")  # pragma: no cover


def _write_key(con: Any, table: str, column: str, out: Path) -> bool:
    """Write one key column's sorted keys and row numbers, streamed in batches (the keys of
    tens of millions of rows never exist as Python strings all at once); False when its keys
    are too long to store (its lookups then stay with DuckDB)."""
    (width,) = con.execute(f"SELECT max(strlen({column})) FROM {table}").fetchone()
    if width is not None and width > MAX_KEY_BYTES:
        return False
    width = max(int(width or 0), 1)
    reader = con.execute(
        f"SELECT {column} AS k, rowid AS r FROM {table} WHERE {column} IS NOT NULL "
        f"ORDER BY {column}, rowid"
    ).to_arrow_reader(BATCH_ROWS)
    keys_parts, rows_parts = [], []
    for batch in reader:
        keys_parts.append(_as_bytes(batch.column(0).to_numpy(zero_copy_only=False), width))
        rows_parts.append(batch.column(1).to_numpy().astype(np.int64))
    keys = np.concatenate(keys_parts) if keys_parts else np.zeros(0, dtype=f"S{width}")
    rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, dtype=np.int64)
    if len(keys) > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
        order = np.lexsort((rows, keys))  # DuckDB's collation differs: sort here
        keys, rows = keys[order], rows[order]
    keys_name, rows_name = key_files(table, column)
    for name, arr in ((keys_name, keys), (rows_name, rows)):
        with _create(out / name) as fh:
            np.save(fh, arr, allow_pickle=False)
    return True


def build(con: Any, tables: Iterable[str], out: Path) -> dict[str, list[str]]:
    """Write the row store of the read-model ``tables`` (on ``con``) into ``out``, streaming
    in batches; returns table -> stored key columns (the manifest's ``rowstore``)."""
    stored: dict[str, list[str]] = {}
    for table in tables:
        if table not in KEYED:
            continue
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_catalog = current_database() AND table_name = ?",
                [table],
            ).fetchall()
        )
        _write_table(con, table, out / table_file(table))
        stored[table] = []
        for column in KEYED[table]:
            if types.get(column) == "VARCHAR" and _write_key(con, table, column, out):
                stored[table].append(column)
    return stored


@dataclass
class KeyIndex:
    """One key column: its keys sorted (fixed-width bytes) and the row number of each."""

    keys: npt.NDArray[np.bytes_]
    rows: IntArray

    def find(self, values: Iterable[object]) -> IntArray:
        """Row numbers (ascending, no repeats) of the rows whose key is one of ``values``."""
        width = self.keys.dtype.itemsize
        wanted = []
        for v in values:
            b = str(v).encode("utf-8")
            if len(b) <= width and not b.endswith(b"\x00"):  # longer keys cannot be stored
                wanted.append(b)
        if not wanted:
            return np.zeros(0, dtype=np.int64)
        probe = np.array(wanted, dtype=self.keys.dtype)
        lo = np.searchsorted(self.keys, probe, side="left")
        hi = np.searchsorted(self.keys, probe, side="right")
        parts = [self.rows[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        if len(parts) == 1:  # one key's rows: stored in row order already
            return parts[0]
        found: IntArray = np.unique(np.concatenate(parts))
        return found


_EPOCH = dt.date(1970, 1, 1).toordinal()


def _pylist(values: pa.Array) -> list[Any]:
    """An Arrow array as Python values, as ``to_pylist`` gives them; dates through their
    day numbers (``to_pylist`` builds a scalar object per date: ten times slower)."""
    if pa.types.is_date32(values.type):
        days = values.cast(pa.int32()).to_pylist()
        return [None if d is None else dt.date.fromordinal(_EPOCH + d) for d in days]
    return values.to_pylist()


class RowTable:
    """One table's rows (memory-mapped Arrow record batches) and its key columns."""

    def __init__(self, batches: list[pa.RecordBatch], keys: dict[str, KeyIndex]) -> None:
        self.batches = batches
        self.keys = keys
        self.column_names: list[str] = batches[0].schema.names if batches else []
        self._position = {name: i for i, name in enumerate(self.column_names)}
        sizes = [b.num_rows for b in batches]
        self.starts: IntArray = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self._parsed: dict[str, list[tuple[str, str, int | None]] | None] = {}

    @property
    def num_rows(self) -> int:
        """How many rows the table has."""
        return int(self.starts[-1])

    def columns_for(self, columns: str) -> list[tuple[str, str, int | None]] | None:
        """(source column, output name, characters kept or None) for a SELECT list of plain
        column names and ``left(col, n) AS name``; None when the list holds anything else
        or a column the table lacks (the caller then asks DuckDB). Parsed once per list
        (the data layer asks with a few fixed lists)."""
        if columns in self._parsed:
            return self._parsed[columns]
        parsed = self._parse(columns)
        if len(self._parsed) < 1000:
            self._parsed[columns] = parsed
        return parsed

    def _parse(self, columns: str) -> list[tuple[str, str, int | None]] | None:
        have = self._position
        if columns.strip() == "*":
            return [(c, c, None) for c in self.column_names]
        out: list[tuple[str, str, int | None]] = []
        for item in re.split(r",\s*(?![^()]*\))", columns):
            item = item.strip()
            if _IDENT.match(item) and item in have:
                out.append((item, item, None))
            elif (m := _LEFT.match(item)) and m.group(1) in have:
                out.append((m.group(1), m.group(3), int(m.group(2))))
            else:
                return None
        return out

    def rows(
        self, key: str, values: Iterable[object], columns: list[tuple[str, str, int | None]]
    ) -> list[dict[str, Any]]:
        """The rows whose ``key`` is one of ``values``, in row order, as dicts of
        ``columns`` (see :meth:`columns_for`)."""
        found = self.keys[key].find(values)
        data: list[list[Any]] = [[] for _ in columns]
        if not len(found):
            return []
        # Take from each record batch in turn (a take on the whole chunked column would
        # first concatenate its chunks: a copy of the column per lookup).
        batch_of = np.searchsorted(self.starts, found, side="right") - 1
        positions = [self._position[source] for source, _, _ in columns]
        for b in np.unique(batch_of).tolist():
            local = found[batch_of == b] - self.starts[b]
            first, n = int(local[0]), len(local)
            batch = self.batches[b].select(positions)
            if int(local[-1]) - first + 1 == n:  # contiguous rows: a zero-copy slice
                picked = batch.slice(first, n)
            else:
                picked = batch.take(pa.array(local))
            for i, (_, _, keep) in enumerate(columns):
                values = _pylist(picked.column(i))
                if keep is not None:
                    values = [v[:keep] if isinstance(v, str) else v for v in values]
                data[i].extend(values)
        names = [name for _, name, _ in columns]
        return [dict(zip(names, row, strict=True)) for row in zip(*data, strict=True)]


class RowStore:
    """The stored tables of one snapshot's web index, by read-model table name."""

    def __init__(self, tables: dict[str, RowTable] | None = None) -> None:
        self.tables = tables or {}

    @classmethod
    def load(cls, directory: Path, stored: dict[str, list[str]]) -> RowStore:
        """The store saved in ``directory`` (``stored``: the manifest's ``rowstore``), its
        files memory-mapped read-only."""
        tables: dict[str, RowTable] = {}
        for table, columns in stored.items():
            source = pa.memory_map(str(directory / table_file(table)), "r")
            reader = pa.ipc.open_file(source)
            batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
            keys = {}
            for column in columns:
                keys_name, rows_name = key_files(table, column)
                # Plain arrays over the mapped pages (np.memmap's subclass hooks cost time
                # on every slice).
                k = np.asarray(np.load(directory / keys_name, mmap_mode="r", allow_pickle=False))
                r = np.asarray(np.load(directory / rows_name, mmap_mode="r", allow_pickle=False))
                if k.dtype.kind != "S" or r.dtype != np.int64 or len(k) != len(r):
                    raise ValueError(f"{keys_name} and {rows_name} do not agree")
                if len(r) and int(r.max(initial=0)) >= sum(b.num_rows for b in batches):
                    raise ValueError(f"{rows_name} points past the end of {table}")
                keys[column] = KeyIndex(k, r)
            tables[table] = RowTable(batches, keys)
        return cls(tables)

    def table(self, table: str, key: str) -> RowTable | None:
        """The stored table when its ``key`` column is stored, else None."""
        found = self.tables.get(table)
        return found if found is not None and key in found.keys else None

    def lookup(
        self, table: str, key: str, values: Iterable[object], columns: str = "*"
    ) -> list[dict[str, Any]] | None:
        """The rows of ``table`` whose ``key`` is one of ``values`` (``columns``: a SELECT
        list, see :meth:`RowTable.columns_for`), or None when the store cannot answer (the
        caller then asks DuckDB)."""
        found = self.table(table, key)
        if found is None:
            return None
        cols = found.columns_for(columns)
        if cols is None:
            return None
        return found.rows(key, values, cols)
