"""Ingest as a whole: load a directory or a list of files into an open warehouse.

The functions here take a raw DuckDB connection (``snapshot.con.con``) and a progress
reporter; ``toex.pipeline`` wraps them as its ``ingest`` stage and the CLI calls that. Each
file loads in its own transaction: one bad file is quarantined whole (``raw_file_quarantine``)
and the others still load, unless the load is strict.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa

from toex.errors import InputError, MappingError, ReadError, ToexError
from toex.ingest.discovery import FileTask, discover
from toex.ingest.loader import (
    FileReport,
    StagingBuffer,
    ensure_tables,
    file_sha256,
    load_file,
)
from toex.ingest.mapping import Mapping, load_mapping, shipped_mappings
from toex.ingest.readers.base import MAX_FIELD_BYTES


class Progress(Protocol):
    """What ingest needs of a progress display."""

    def track(
        self,
        description: str,
        total: int | None = None,
    ) -> contextlib.AbstractContextManager[Callable[[int], None]]:
        """A task shown while the block runs; call the yielded function to advance it."""
        ...


class NoProgress:
    """A progress reporter that shows nothing."""

    @contextlib.contextmanager
    def track(
        self,
        description: str,
        total: int | None = None,
    ) -> Iterator[Callable[[int], None]]:
        """Yield a no-op advance function."""
        yield lambda n: None


@dataclass(frozen=True)
class FileFailure:
    """A file quarantined whole: nothing of it was staged, and why."""

    source_file: str
    mapping: str
    reason_code: str
    reason: str


@dataclass
class IngestResult:
    """Every loaded file's report, the files quarantined whole, and the files no mapping
    matched (pattern discovery only)."""

    reports: list[FileReport] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)


@dataclass(frozen=True)
class IngestOptions:
    """The failure policy and limits of a load.

    ``strict``: the first file that cannot be loaded aborts the load (its error is raised);
    otherwise it is quarantined whole and the other files are loaded.
    ``max_field_bytes``: a record with a longer field value is quarantined.
    """

    strict: bool = False
    max_field_bytes: int = MAX_FIELD_BYTES


#: What a bad *file* raises: quarantine it and go on. Anything else (a full disk, memory, a
#: bug) aborts the run, as before: the current snapshot is kept.
FILE_FAULTS: tuple[type[BaseException], ...] = (
    InputError,
    pa.ArrowException,
    ValueError,  # UnicodeError, json and csv parse errors among them
    PermissionError,
    duckdb.ConversionException,
    duckdb.InvalidInputException,
)


def _reason_code(exc: BaseException) -> str:
    if isinstance(exc, ReadError):
        return exc.code
    if isinstance(exc, MappingError):
        return "mapping_mismatch"
    return "load_failed"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ToexError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def quarantine_file(
    con: duckdb.DuckDBPyConnection, task: FileTask, load_id: str, exc: BaseException
) -> FileFailure:
    """Log ``task``'s file as quarantined whole by ``exc`` in ``raw_file_quarantine``."""
    failure = FileFailure(task.source_file, task.mapping.name, _reason_code(exc), _reason(exc))
    try:
        file_hash = file_sha256(task.path) if task.path.is_file() else ""
    except OSError:
        file_hash = ""
    con.execute(
        "INSERT INTO raw_file_quarantine VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            failure.source_file,
            file_hash,
            failure.mapping,
            failure.reason_code,
            failure.reason,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )
    return failure


def ingest_tasks(
    con: duckdb.DuckDBPyConnection,
    tasks: Sequence[FileTask],
    load_id: str,
    progress: Progress | None = None,
    options: IngestOptions | None = None,
) -> IngestResult:
    """Load each task's file in turn, each in a transaction of its own.

    A file that cannot be loaded (:data:`FILE_FAULTS`: unreadable, missing columns, a parse
    error) is rolled back -- nothing of it stays staged -- and quarantined whole in
    ``raw_file_quarantine``; the other files are loaded. With ``options.strict`` its error is
    raised instead, as is any other error (a full disk) always. Staged rows
    collect in a :class:`StagingBuffer` and reach the tables in large appends.
    """
    progress = progress or NoProgress()
    options = options or IngestOptions()
    ensure_tables(con)
    result = IngestResult()
    buffer = StagingBuffer(con)
    try:
        with progress.track("ingest files", total=len(tasks)) as advance_files:
            for task in tasks:
                held = buffer.state()
                con.execute("BEGIN TRANSACTION")
                try:
                    with progress.track(f"  {task.source_file} (rows)") as advance_rows:
                        report = load_file(
                            con,
                            task.mapping,
                            task.path,
                            task.source_file,
                            task.force,
                            load_id,
                            on_rows=advance_rows,
                            buffer=buffer,
                            max_field_bytes=options.max_field_bytes,
                        )
                except BaseException as exc:
                    con.execute("ROLLBACK")
                    buffer.restore(held)
                    if options.strict or not isinstance(exc, FILE_FAULTS):
                        raise
                    result.failed.append(quarantine_file(con, task, load_id, exc))
                else:
                    con.execute("COMMIT")
                    result.reports.append(report)
                advance_files(1)
        buffer.flush()
    finally:
        buffer.drop()
    return result


def ingest_directory(
    con: duckdb.DuckDBPyConnection,
    input_dir: Path,
    load_id: str,
    progress: Progress | None = None,
    mappings: list[Mapping] | None = None,
    options: IngestOptions | None = None,
) -> IngestResult:
    """Load every file of a generator-style directory with the shipped (or given) mappings."""
    tasks, unmatched = discover(Path(input_dir), mappings or shipped_mappings())
    result = ingest_tasks(con, tasks, load_id, progress, options)
    result.unmatched = unmatched
    return result


def ad_hoc_tasks(mapping_path: Path, files: Sequence[Path], force: str | None) -> list[FileTask]:
    """Tasks for ``toex ingest --mapping m.yaml FILE...``: provenance names files as given."""
    mapping = load_mapping(mapping_path)
    chosen = force or mapping.force
    if not chosen:
        raise MappingError(
            "no force for these files: give --force or set 'force:' in the mapping",
            mapping=mapping.source,
        )
    return [FileTask(Path(f), Path(f).name, mapping, chosen) for f in files]
