"""Ingest as a whole: load a directory or a list of files into an open warehouse.

The functions here take a raw DuckDB connection (``snapshot.con.con``) and a progress
reporter; ``toex.pipeline`` wraps them as its ``ingest`` stage and the CLI calls that.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb

from toex.ingest.discovery import FileTask, discover
from toex.ingest.loader import FileReport, StagingBuffer, ensure_tables, load_file
from toex.ingest.mapping import Mapping, load_mapping, shipped_mappings


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


@dataclass
class IngestResult:
    """Every file's report, and the files no mapping matched (pattern discovery only)."""

    reports: list[FileReport] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def ingest_tasks(
    con: duckdb.DuckDBPyConnection,
    tasks: Sequence[FileTask],
    load_id: str,
    progress: Progress | None = None,
) -> list[FileReport]:
    """Load each task's file in turn; return the reports in task order.

    Staged rows collect in a :class:`StagingBuffer` and reach the tables in large appends.
    """
    progress = progress or NoProgress()
    ensure_tables(con)
    reports = []
    buffer = StagingBuffer(con)
    try:
        with progress.track("ingest files", total=len(tasks)) as advance_files:
            for task in tasks:
                with progress.track(f"  {task.source_file} (rows)") as advance_rows:
                    reports.append(
                        load_file(
                            con,
                            task.mapping,
                            task.path,
                            task.source_file,
                            task.force,
                            load_id,
                            on_rows=advance_rows,
                            buffer=buffer,
                        )
                    )
                advance_files(1)
        buffer.flush()
    finally:
        buffer.drop()
    return reports


def ingest_directory(
    con: duckdb.DuckDBPyConnection,
    input_dir: Path,
    load_id: str,
    progress: Progress | None = None,
    mappings: list[Mapping] | None = None,
) -> IngestResult:
    """Load every file of a generator-style directory with the shipped (or given) mappings."""
    tasks, unmatched = discover(Path(input_dir), mappings or shipped_mappings())
    return IngestResult(ingest_tasks(con, tasks, load_id, progress), unmatched)


def ad_hoc_tasks(mapping_path: Path, files: Sequence[Path], force: str | None) -> list[FileTask]:
    """Tasks for ``toex ingest --mapping m.yaml FILE...``: provenance names files as given."""
    from toex.errors import MappingError

    mapping = load_mapping(mapping_path)
    chosen = force or mapping.force
    if not chosen:
        raise MappingError(
            "no force for these files: give --force or set 'force:' in the mapping",
            mapping=mapping.source,
        )
    return [FileTask(Path(f), Path(f).name, mapping, chosen) for f in files]
