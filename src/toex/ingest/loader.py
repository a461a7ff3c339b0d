"""Load one file through one mapping into the staged tables of an open warehouse.

The I/O edge of ingest: reads the file (``readers``), runs the SQL steps built by
``staging_sql`` on the DuckDB connection, writes quarantine, value issues and the load log,
and returns the file's :class:`FileReport`. A file whose bytes and mapping were already loaded
is skipped; records already staged with the same hash are left alone; records whose hash
changed replace their earlier version, which moves to ``staged_*_history``. Given a
:class:`StagingBuffer` (as ``toex ingest`` does), staged rows are collected in memory and
appended to the tables in large blocks.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from toex.errors import ReadError
from toex.ingest import staging_sql as q
from toex.ingest.full_export import delete_absent_records
from toex.ingest.mapping import Mapping
from toex.ingest.readers import Reading, open_reading
from toex.ingest.readers.base import MAX_FIELD_BYTES, ReadRestart, truncate
from toex.model.tables import STAGED_AND_RAW_TABLES, STAGED_TABLES

RowCallback = Callable[[int], None]


@dataclass
class FileReport:
    """The row accounting of one file's load."""

    source_file: str
    mapping: str
    file_hash: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_new: int = 0
    rows_unchanged: int = 0
    rows_updated: int = 0
    value_issues: int = 0
    notes: list[str] = field(default_factory=list)
    skipped_as: str | None = None

    @property
    def balanced(self) -> bool:
        """Rows read equal rows loaded plus rows quarantined."""
        return self.rows_read == self.rows_loaded + self.rows_quarantined


BUFFER_PREFIX = "buffer_"
BUFFERED = (*(t.name for t in STAGED_TABLES), "raw_record")
FLUSH_ROWS = 200_000  # staged records held in memory before they are appended to the tables


class StagingBuffer:
    """In-memory copies of the staged tables and ``raw_record`` that loads append to.

    Appending a few thousand rows at a time to a table in a database file makes DuckDB
    rewrite and recompress the table's partly filled last row group at each commit; a buffer
    collects many files' rows and appends them in large blocks (see docs/decisions.md).
    :meth:`flush` moves the rows to the real tables; a load flushes first when the buffer
    already holds one of its record keys, so history and idempotence see every earlier row.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, flush_rows: int = FLUSH_ROWS) -> None:
        self.con = con
        self.flush_rows = flush_rows
        self.rows = 0
        self.flushes = 0
        self._create()

    def _create(self) -> None:
        self.con.execute(
            "; ".join(
                f"CREATE OR REPLACE TEMP TABLE {BUFFER_PREFIX}{name} AS "
                f"SELECT * FROM {name} LIMIT 0"
                for name in BUFFERED
            )
        )

    def make_room(self, records: int) -> None:
        """Flush first if ``records`` more would overfill the buffer (bounds peak memory)."""
        if self.rows and self.rows + records > self.flush_rows:
            self.flush()

    def added(self, records: int) -> None:
        """Count ``records`` staged into the buffer; flush when it holds enough."""
        self.rows += records
        if self.rows >= self.flush_rows:
            self.flush()

    def state(self) -> tuple[int, int]:
        """What :meth:`restore` needs to undo a rolled-back file's effect on the counters."""
        return self.rows, self.flushes

    def restore(self, state: tuple[int, int]) -> None:
        """Counters as they were at :meth:`state` (after a ``ROLLBACK`` undid the tables)."""
        self.rows, self.flushes = state

    def flush(self) -> None:
        """Append the buffered rows to the real tables and empty the buffer."""
        if not self.rows:
            return
        for name in BUFFERED:
            self.con.execute(f"INSERT INTO {name} SELECT * FROM {BUFFER_PREFIX}{name}")
        self._create()
        self.rows = 0
        self.flushes += 1

    def drop(self) -> None:
        """Drop the buffer tables (after :meth:`flush`, or to discard a failed load)."""
        self.con.execute("; ".join(f"DROP TABLE IF EXISTS {BUFFER_PREFIX}{n}" for n in BUFFERED))


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and staged tables that do not exist yet."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
        ).fetchall()
    }
    for spec in STAGED_AND_RAW_TABLES:
        if spec.name not in have:
            con.execute(q.create_table_sql(spec))


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _previous_load(
    con: duckdb.DuckDBPyConnection, file_hash: str, mapping: str
) -> tuple[str, int, int, int] | None:
    row = con.execute(
        "SELECT load_id, rows_read, rows_loaded, rows_quarantined FROM raw_load_log "
        "WHERE file_hash = ? AND mapping = ? ORDER BY loaded_at LIMIT 1",
        [file_hash, mapping],
    ).fetchone()
    return None if row is None else (str(row[0]), int(row[1]), int(row[2]), int(row[3]))


INSERT_ROWS = 131_072  # reader batches are gathered into blocks this big before an INSERT


def _stage_source(
    con: duckdb.DuckDBPyConnection,
    reading: Reading,
    on_rows: RowCallback | None,
    max_field_bytes: int = MAX_FIELD_BYTES,
) -> set[int]:
    """Insert the reader's batches into ``ingest_src``; return the columns holding a value
    longer than ``max_field_bytes`` (their rows are quarantined as ``field_too_large``).

    A reader that must start again (:class:`ReadRestart`) gets a fresh ``ingest_src``.
    """
    n = len(reading.columns)
    cols = ", ".join(f"c{i} VARCHAR" for i in range(n))
    extra = ", record_hash VARCHAR" if reading.has_hash else ""
    while True:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {q.SOURCE} ({cols}, source_row BIGINT{extra})")
        try:
            over = _insert_batches(con, reading, on_rows, max_field_bytes)
        except ReadRestart:
            continue
        return over | reading.capped


def _insert_batches(
    con: duckdb.DuckDBPyConnection,
    reading: Reading,
    on_rows: RowCallback | None,
    max_field_bytes: int,
) -> set[int]:
    n = len(reading.columns)
    over: set[int] = set()
    pending: list[pa.RecordBatch] = []
    held = 0

    def insert() -> None:
        con.register("ingest_batch", pa.Table.from_batches(pending))
        try:
            con.execute(f"INSERT INTO {q.SOURCE} SELECT * FROM ingest_batch")
        finally:
            con.unregister("ingest_batch")
        pending.clear()

    for batch in reading.batches:
        for i in range(n):
            if i not in over and batch.num_rows:
                longest = pc.max(pc.binary_length(batch.column(i))).as_py()
                if longest is not None and longest > max_field_bytes:
                    over.add(i)
        pending.append(batch)
        held += batch.num_rows
        if held >= INSERT_ROWS:
            insert()
            held = 0
        if on_rows is not None:
            on_rows(batch.num_rows)
    if pending:
        insert()
    return over


def _strip_boms(con: duckdb.DuckDBPyConnection, row: str) -> list[str]:
    """Remove byte order marks at the start of rows (mid-file BOMs); a note naming the rows."""
    rows = [int(r) for (r,) in con.execute(q.bom_rows_sql(row)).fetchall()]
    if not rows:
        return []
    con.execute(q.strip_bom_sql())
    shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
    return [
        f"removed a byte order mark in the middle of the file, at the start of "
        f"row{'s' if len(rows) > 1 else ''} {shown} (exports joined together?)"
    ]


MAX_CASE_RENUMBER = 256  # more left-out rows than this: renumber with an ASOF join instead


def _stage_reader_faults(con: duckdb.DuckDBPyConnection, reading: Reading) -> str:
    """Write the reader's faults to ``ingest_reader_faults``; return the record number SQL.

    When the reader left rows out (``renumber``), good rows carry their position among good
    rows: few left-out rows are renumbered by an expression while ``ingest_values`` is built,
    many by rewriting ``ingest_src`` once.
    """
    faults = reading.faults
    table = pa.table(
        {
            "source_row": pa.array([f.source_row for f in faults], pa.int64()),
            "field": pa.array([f.field for f in faults], pa.string()),
            "raw_value": pa.array([f.raw_value for f in faults], pa.string()),
            "reason_code": pa.array([f.reason_code for f in faults], pa.string()),
            "reason": pa.array([f.reason for f in faults], pa.string()),
        }
    )
    con.register("ingest_reader_faults_arrow", table)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE ingest_reader_faults AS "
            "SELECT * FROM ingest_reader_faults_arrow"
        )
    finally:
        con.unregister("ingest_reader_faults_arrow")
    if not (reading.renumber and faults):
        return "source_row"
    skipped = [f.source_row for f in faults]
    if len(set(skipped)) <= MAX_CASE_RENUMBER:
        return q.renumber_expr(skipped)
    con.execute(q.renumber_sql())
    return "source_row"


def load_file(
    con: duckdb.DuckDBPyConnection,
    mapping: Mapping,
    path: Path,
    source_file: str,
    force: str,
    load_id: str,
    on_rows: RowCallback | None = None,
    keep_temp: bool = False,
    buffer: StagingBuffer | None = None,
    max_field_bytes: int = MAX_FIELD_BYTES,
) -> FileReport:
    """Load ``path`` (named ``source_file`` in provenance) through ``mapping``.

    ``keep_temp`` leaves the ``ingest_*`` work tables in place (``mapping check`` reads them).
    With a ``buffer`` the staged rows go to it; the caller flushes it. A record with a field
    longer than ``max_field_bytes`` is quarantined (``field_too_large``).
    """
    ensure_tables(con)
    file_hash = file_sha256(path) if path.is_file() else ""
    report = FileReport(source_file, mapping.name, file_hash)
    previous = _previous_load(con, file_hash, mapping.name) if file_hash else None
    if previous is not None:
        report.skipped_as = previous[0]
        report.rows_read, report.rows_loaded, report.rows_quarantined = previous[1:]
        report.rows_unchanged = report.rows_loaded
        report.notes.append(f"already loaded by load {previous[0]}: nothing added")
        return report
    with tempfile.TemporaryDirectory(prefix="toex-ingest-") as workdir:
        reading = open_reading(
            path,
            source_file,
            mapping.reader,
            Path(workdir),
            wanted=mapping.columns_used(),
            max_field_bytes=max_field_bytes,
        )
        mapping.check_columns(reading.columns, source_file, reading.delimiter)
        over = _stage_source(con, reading, on_rows, max_field_bytes)
    if buffer is not None:
        buffer.make_room(reading.rows_read)
    report.notes += reading.notes
    report.rows_read = reading.rows_read
    row = _stage_reader_faults(con, reading)
    report.notes += _strip_boms(con, row)
    plan = q.Plan(
        mapping,
        {c: i for i, c in enumerate(reading.columns)},
        force,
        source_file,
        load_id,
        reading.has_hash,
        BUFFER_PREFIX if buffer is not None else "",
    )
    oversized = q.oversized_sql(reading.columns, sorted(over), max_field_bytes, row)
    with_status = _run_plan(con, plan, reading, row, buffer, oversized)
    if mapping.export == "full":
        report.notes += delete_absent_records(con, plan, buffer)
    _account(con, plan, report, with_status)
    if buffer is not None:
        buffer.added(report.rows_loaded - report.rows_unchanged)
    if keep_temp:
        con.execute(q.clean_sql(plan))
    else:
        _drop_temp(con)
    return report


def _run_plan(
    con: duckdb.DuckDBPyConnection,
    plan: q.Plan,
    reading: Reading,
    row: str,
    buffer: StagingBuffer | None,
    oversized: list[str],
) -> bool:
    """Values, lookups, faults, status and the staged rows; ``True`` if a status was needed.

    Status (new / unchanged / updated) is only computed when some of the file's record keys
    were staged before; on a first load every good row is new and no status table is built.
    """
    con.execute(q.values_sql(plan, len(reading.columns), row))
    for slot in plan.fields:
        if slot.lookup is not None:
            slot.spec.cleaner.build_lookup(con, q.distinct_sql(slot), slot.lookup)
    faults = ["SELECT * FROM ingest_reader_faults", *q.faults_sql(plan)]
    if reading.replacements:
        faults += q.unreadable_sql(plan, reading.columns, reading.encoding, row)
    faults += oversized
    faults.append(q.repeated_header_sql(reading.columns, row))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ingest_faults AS "
        + " UNION ALL ".join(f"({f})" for f in faults)
    )
    # a repeated header line is quarantined for that alone, not also for each of its values
    con.execute(
        "DELETE FROM ingest_faults WHERE reason_code <> 'repeated_header' AND source_row IN "
        "(SELECT source_row FROM ingest_faults WHERE reason_code = 'repeated_header')"
    )
    if con.execute(q.has_duplicates_sql()).fetchone():
        con.execute(q.duplicates_sql(plan))
    con.execute(f"DROP TABLE {q.SOURCE}")  # everything later reads ingest_values
    if buffer is not None and buffer.rows:
        (buffered,) = con.execute(q.keys_in_sql(plan, BUFFER_PREFIX + "raw_record")).fetchone() or (
            0,
        )
        if buffered:
            buffer.flush()
    con.execute(q.existing_sql(plan))
    (existing,) = con.execute("SELECT count(*) FROM ingest_existing").fetchone() or (0,)
    with_status = bool(existing)
    if with_status:
        for sql in q.status_sql():
            con.execute(sql)
        (updated,) = con.execute("SELECT count(*) FROM ingest_updated_keys").fetchone() or (0,)
        if updated:
            for sql in q.supersede_sql(plan.load_id):
                con.execute(sql)
    con.execute(q.drop_sql(with_status))
    con.execute(q.raw_record_sql(plan))
    for i in range(len(plan.mapping.targets)):
        con.execute(q.insert_sql(plan, i))
    return with_status


def _account(
    con: duckdb.DuckDBPyConnection, plan: q.Plan, report: FileReport, with_status: bool
) -> None:
    con.execute(
        "INSERT INTO raw_quarantine SELECT ?, ?, source_row, field, "
        "CASE WHEN length(raw_value) > 200 THEN left(raw_value, 199) || '…' ELSE raw_value END, "
        "reason_code, reason FROM ingest_faults ORDER BY source_row, field",
        [plan.load_id, plan.source_file],
    )
    markings = q.marking_issues_sql(plan)
    rows: list[tuple[str, str, int, str | None]] = []
    if markings:
        con.execute(f"INSERT INTO raw_marking_issue {markings}")
        rows += con.execute(
            "SELECT field, reason_code, count(*), min(raw_value) FROM raw_marking_issue "
            "WHERE load_id = ? AND source_file = ? AND action = 'restricted' "
            "GROUP BY ALL ORDER BY ALL",
            [plan.load_id, plan.source_file],
        ).fetchall()
    issues = q.issues_sql(plan)
    if issues:
        rows += con.execute(issues).fetchall()
    if rows:
        for field_name, code, count, example in rows:
            con.execute(
                "INSERT INTO raw_value_issue VALUES (?, ?, ?, ?, ?, ?)",
                [plan.load_id, plan.source_file, field_name, code, count, truncate(example)],
            )
            report.value_issues += int(count)
    quarantined, loaded, unchanged, updated = con.execute(q.counts_sql(with_status)).fetchone() or (
        0,
        0,
        0,
        0,
    )
    report.rows_quarantined = int(quarantined)
    report.rows_loaded = int(loaded)
    report.rows_unchanged = int(unchanged)
    report.rows_updated = int(updated)
    report.rows_new = report.rows_loaded - report.rows_unchanged - report.rows_updated
    con.execute(
        "INSERT INTO raw_load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            plan.load_id,
            plan.source_file,
            report.file_hash,
            plan.mapping.name,
            report.rows_read,
            report.rows_loaded,
            report.rows_quarantined,
            report.rows_unchanged,
            report.rows_updated,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE 'ingest%'"
        ).fetchall()
    ]
    con.execute(
        "; ".join(
            [
                "DROP VIEW IF EXISTS ingest_clean",
                *(f"DROP TABLE IF EXISTS {name}" for name in names),
            ]
        )
    )


__all__ = [
    "FileReport",
    "ReadError",
    "StagingBuffer",
    "ensure_tables",
    "file_sha256",
    "load_file",
]
