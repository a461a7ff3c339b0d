"""Whole-load behaviour: each file in its own transaction, a bad file quarantined whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

import toex.ingest.loader as loader
import toex.ingest.stage as stage
from toex.errors import ReadError
from toex.ingest.discovery import FileTask
from toex.ingest.mapping import Mapping
from toex.ingest.stage import FileFailure, IngestOptions, ingest_tasks

from .exports import ATHENA_CRIME_HEADER, crime_line, write_csv


def _tasks(tmp_path: Path, mapping: Mapping) -> list[FileTask]:
    out = []
    for force, first in (("cambs", 1), ("essex", 10), ("norfolk", 20)):
        lines = [ATHENA_CRIME_HEADER, *(crime_line(f"CC/{i}") for i in range(first, first + 3))]
        path = write_csv(tmp_path / force / "crime.csv", lines)
        out.append(FileTask(path, f"forces/{force}/crime.csv", mapping, force))
    return out


def test_a_file_failing_after_its_rows_were_written_leaves_nothing_behind(
    tmp_path: Path,
    con: duckdb.DuckDBPyConnection,
    mappings: dict[str, Mapping],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every file flushes the buffer to the real tables, so the failing file has written rows
    monkeypatch.setattr(stage, "StagingBuffer", lambda c: loader.StagingBuffer(c, flush_rows=1))
    account = loader._account

    def failing(c: Any, plan: Any, report: Any, with_status: bool) -> None:
        if plan.force == "essex":
            raise ValueError("a parser gave up")
        account(c, plan, report, with_status)

    monkeypatch.setattr(loader, "_account", failing)
    result = ingest_tasks(con, _tasks(tmp_path, mappings["athena_crime"]), "L1")
    assert [r.source_file for r in result.reports] == [
        "forces/cambs/crime.csv",
        "forces/norfolk/crime.csv",
    ]
    assert result.failed == [
        FileFailure(
            "forces/essex/crime.csv",
            "athena_crime",
            "load_failed",
            "unexpected ValueError: a parser gave up",
        )
    ]
    for table in ("staged_event", "raw_record"):
        assert con.execute(f"SELECT DISTINCT force FROM {table} ORDER BY 1").fetchall() == [
            ("cambs",),
            ("norfolk",),
        ], table
    assert con.execute("SELECT source_file FROM raw_load_log ORDER BY 1").fetchall() == [
        ("forces/cambs/crime.csv",),
        ("forces/norfolk/crime.csv",),
    ]
    assert con.execute("SELECT count(*) FROM staged_event").fetchone() == (6,)


def test_strict_raises_the_first_bad_file(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, mappings: dict[str, Mapping]
) -> None:
    tasks = _tasks(tmp_path, mappings["athena_crime"])
    tasks[1].path.write_bytes(b"")
    with pytest.raises(ReadError) as info:
        ingest_tasks(con, tasks, "L1", options=IngestOptions(strict=True))
    assert str(info.value) == "forces/essex/crime.csv: the file is empty"
    result = ingest_tasks(con, tasks, "L2")
    assert [f.reason for f in result.failed] == ["forces/essex/crime.csv: the file is empty"]
    assert con.execute(
        "SELECT load_id, source_file, reason_code FROM raw_file_quarantine"
    ).fetchall() == [("L2", "forces/essex/crime.csv", "empty_file")]
    # fixed and loaded again: the file is not marked as loaded, so the next load takes it
    write_csv(tasks[1].path, [ATHENA_CRIME_HEADER, crime_line("CC/10")])
    again = ingest_tasks(con, tasks, "L3")
    assert again.failed == [] and [r.rows_new for r in again.reports] == [0, 1, 0]


def test_an_error_that_is_not_the_files_fault_stops_the_load(
    tmp_path: Path,
    con: duckdb.DuckDBPyConnection,
    mappings: dict[str, Mapping],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(stage, "load_file", full)
    with pytest.raises(OSError, match="No space left"):
        ingest_tasks(con, _tasks(tmp_path, mappings["athena_crime"]), "L1")
