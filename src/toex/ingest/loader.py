"""Load one file through one mapping into the staged tables of an open warehouse.

The I/O edge of ingest: reads the file (``readers``), runs the SQL steps built by
``staging_sql`` on the DuckDB connection, writes quarantine, value issues and the load log,
and returns the file's :class:`FileReport`. A file whose bytes and mapping were already loaded
is skipped; records already staged with the same hash are left alone; records whose hash
changed replace their earlier version, which moves to ``staged_*_history``.
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

from toex.errors import ReadError
from toex.ingest import staging_sql as q
from toex.ingest.mapping import Mapping
from toex.ingest.readers import Reading, open_reading
from toex.ingest.readers.base import truncate
from toex.model.tables import STAGED_AND_RAW_TABLES

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


def _stage_source(
    con: duckdb.DuckDBPyConnection, reading: Reading, on_rows: RowCallback | None
) -> None:
    n = len(reading.columns)
    cols = ", ".join(f"c{i} VARCHAR" for i in range(n))
    extra = ", record_hash VARCHAR" if reading.has_hash else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {q.SOURCE} ({cols}, source_row BIGINT{extra})")
    for batch in reading.batches:
        con.register("ingest_batch", batch)
        try:
            con.execute(f"INSERT INTO {q.SOURCE} SELECT * FROM ingest_batch")
        finally:
            con.unregister("ingest_batch")
        if on_rows is not None:
            on_rows(batch.num_rows)


def _stage_reader_faults(con: duckdb.DuckDBPyConnection, reading: Reading) -> None:
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
    if reading.renumber and faults:
        con.execute(q.renumber_sql())


def load_file(
    con: duckdb.DuckDBPyConnection,
    mapping: Mapping,
    path: Path,
    source_file: str,
    force: str,
    load_id: str,
    on_rows: RowCallback | None = None,
    keep_temp: bool = False,
) -> FileReport:
    """Load ``path`` (named ``source_file`` in provenance) through ``mapping``.

    ``keep_temp`` leaves the ``ingest_*`` work tables in place (``mapping check`` reads them).
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
            path, source_file, mapping.reader, Path(workdir), wanted=mapping.columns_used()
        )
        mapping.check_columns(reading.columns, source_file, reading.delimiter)
        _stage_source(con, reading, on_rows)
    report.notes += reading.notes
    report.rows_read = reading.rows_read
    _stage_reader_faults(con, reading)
    plan = q.Plan(
        mapping,
        {c: i for i, c in enumerate(reading.columns)},
        force,
        source_file,
        load_id,
        reading.has_hash,
    )
    _run_plan(con, plan, reading)
    _account(con, plan, report)
    if not keep_temp:
        _drop_temp(con)
    return report


def _run_plan(con: duckdb.DuckDBPyConnection, plan: q.Plan, reading: Reading) -> None:
    con.execute(q.values_sql(plan, len(reading.columns)))
    for slot in plan.fields:
        if slot.lookup is not None:
            slot.spec.cleaner.build_lookup(con, q.distinct_sql(slot), slot.lookup)
    con.execute(q.clean_sql(plan))
    faults = ["SELECT * FROM ingest_reader_faults", *q.faults_sql(plan)]
    if reading.replacements:
        faults += q.unreadable_sql(plan, reading.columns, reading.encoding)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ingest_faults AS "
        + " UNION ALL ".join(f"({f})" for f in faults)
    )
    for sql in q.good_sql():
        con.execute(sql)
    (updated,) = con.execute("SELECT count(*) FROM ingest_updated_keys").fetchone() or (0,)
    if updated:
        for sql in q.supersede_sql(plan.load_id):
            con.execute(sql)
    con.execute(q.raw_record_sql(plan))
    for i in range(len(plan.mapping.targets)):
        con.execute(q.insert_sql(plan, i))


def _account(con: duckdb.DuckDBPyConnection, plan: q.Plan, report: FileReport) -> None:
    con.execute(
        "INSERT INTO raw_quarantine SELECT ?, ?, source_row, field, "
        "CASE WHEN length(raw_value) > 200 THEN left(raw_value, 199) || '…' ELSE raw_value END, "
        "reason_code, reason FROM ingest_faults ORDER BY source_row, field",
        [plan.load_id, plan.source_file],
    )
    issues = q.issues_sql(plan)
    if issues:
        rows = con.execute(issues).fetchall()
        for field_name, code, count, example in rows:
            con.execute(
                "INSERT INTO raw_value_issue VALUES (?, ?, ?, ?, ?, ?)",
                [plan.load_id, plan.source_file, field_name, code, count, truncate(example)],
            )
            report.value_issues += int(count)
    (report.rows_quarantined,) = con.execute(
        "SELECT count(DISTINCT source_row) FROM ingest_faults"
    ).fetchone() or (0,)
    counts = dict(
        con.execute("SELECT status, count(*) FROM ingest_good GROUP BY status").fetchall()
    )
    report.rows_new = int(counts.get("new", 0))
    report.rows_unchanged = int(counts.get("unchanged", 0))
    report.rows_updated = int(counts.get("updated", 0))
    (report.rows_loaded,) = con.execute("SELECT count(*) FROM ingest_good").fetchone() or (0,)
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


__all__ = ["FileReport", "ReadError", "ensure_tables", "file_sha256", "load_file"]
