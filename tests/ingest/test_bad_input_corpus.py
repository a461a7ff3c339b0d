"""The bad-input corpus (``bad_inputs/corpus.py``): every kind of broken export file gets a
clear message naming file, row and field where it applies, and either every row is accounted
for (read = loaded + quarantined, each record number exactly once, staged or quarantined) or
the file is quarantined whole, with nothing of it staged and the other files still loaded.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from toex.ingest.discovery import FileTask
from toex.ingest.mapping import Mapping, parse_mapping
from toex.ingest.stage import FileFailure, IngestOptions, IngestResult, ingest_tasks

from .bad_inputs.corpus import CASES, PARQUET_MAPPING, Case, crime_csv, crimes, q

GOOD = "forces/essex/crime.csv"


@pytest.fixture(scope="module")
def corpus_mappings(mappings: dict[str, Mapping]) -> dict[str, Mapping]:
    """The shipped mappings and the corpus's Parquet mapping."""
    return {**mappings, "asw_ledger": parse_mapping(PARQUET_MAPPING, "asw_ledger.yaml")}


def _task(tmp_path: Path, case: Case, mappings: dict[str, Mapping], n: int = 0) -> FileTask:
    path = tmp_path / f"{n:02d}_{Path(case.file).name}"
    path.write_bytes(case.data())
    return FileTask(path, case.file, mappings[case.mapping], case.force)


def _quarantine(con: duckdb.DuckDBPyConnection, file: str) -> list[str]:
    rows = con.execute(
        "SELECT source_row, field, reason FROM raw_quarantine WHERE source_file = ? "
        "ORDER BY source_row, field",
        [file],
    ).fetchall()
    return [q(file, row, field, reason) for row, field, reason in rows]


def _issues(con: duckdb.DuckDBPyConnection, file: str) -> list[str]:
    rows = con.execute(
        "SELECT field, reason_code, rows, example FROM raw_value_issue WHERE source_file = ? "
        "ORDER BY field, reason_code",
        [file],
    ).fetchall()
    return [
        f"{f}: {code}, {n} row{'s' if n > 1 else ''}" + (f", e.g. {ex!r}" if ex else "")
        for f, code, n, ex in rows
    ]


def _markings(con: duckdb.DuckDBPyConnection, file: str) -> list[str]:
    rows = con.execute(
        "SELECT source_row, field, reason, marking FROM raw_marking_issue "
        "WHERE source_file = ? ORDER BY source_row, field",
        [file],
    ).fetchall()
    return [q(file, row, field, f"{reason} -> {marking}") for row, field, reason, marking in rows]


def _staged_rows(con: duckdb.DuckDBPyConnection, file: str) -> list[int]:
    return [
        int(r)
        for (r,) in con.execute(
            "SELECT source_row FROM raw_record WHERE source_file = ? ORDER BY 1", [file]
        ).fetchall()
    ]


def _quarantined_rows(con: duckdb.DuckDBPyConnection, file: str) -> list[int]:
    return [
        int(r)
        for (r,) in con.execute(
            "SELECT DISTINCT source_row FROM raw_quarantine WHERE source_file = ? ORDER BY 1",
            [file],
        ).fetchall()
    ]


def test_the_corpus_has_at_least_25_kinds_of_broken_file() -> None:
    assert len({c.name for c in CASES}) == len(CASES) >= 40
    assert sum(c.error is not None for c in CASES) >= 15
    assert sum(c.error is None for c in CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_broken_file(case: Case, tmp_path: Path, corpus_mappings: dict[str, Mapping]) -> None:
    con = duckdb.connect()
    task = _task(tmp_path, case, corpus_mappings)
    result = ingest_tasks(con, [task], "L1", options=IngestOptions(False, case.max_field_bytes))
    if case.error is not None:
        assert result.failed == [
            FileFailure(case.file, task.mapping.name, str(case.code), case.error)
        ]
        assert result.reports == []
        # nothing of the file is staged, and it is not marked as loaded (a rerun retries it)
        for table in ("raw_record", "staged_event", "raw_load_log", "raw_quarantine"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        assert con.execute(
            "SELECT source_file, reason_code, reason FROM raw_file_quarantine"
        ).fetchall() == [(case.file, case.code, case.error)]
        return
    assert result.failed == []
    (report,) = result.reports
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == case.counts
    assert report.balanced
    assert _quarantine(con, case.file) == list(case.quarantine)
    assert _issues(con, case.file) == list(case.issues)
    assert report.notes == list(case.notes)
    if case.markings:
        assert _markings(con, case.file) == list(case.markings)
    # every record number once: staged or quarantined, never both, none lost
    staged, quarantined = _staged_rows(con, case.file), _quarantined_rows(con, case.file)
    assert sorted(staged + quarantined) == list(range(1, report.rows_read + 1))
    assert con.execute("SELECT count(*) FROM staged_event").fetchone() == (report.rows_loaded,)


def test_the_whole_corpus_in_one_run(tmp_path: Path, corpus_mappings: dict[str, Mapping]) -> None:
    """One load of every broken file and a good one: bad files are quarantined whole, the
    rest (the good file included) load, and every file is accounted for."""
    cases = [c for c in CASES if c.max_field_bytes == CASES[0].max_field_bytes and not c.large]
    tasks = [  # a force of its own each, so that no two files share record keys
        dataclasses.replace(_task(tmp_path, c, corpus_mappings, n), force=f"f{n}")
        for n, c in enumerate(cases)
    ]
    good = tmp_path / "good.csv"
    good.write_bytes(crime_csv(*crimes(5)))
    tasks.insert(len(tasks) // 2, FileTask(good, GOOD, corpus_mappings["athena_crime"], "essex"))
    con = duckdb.connect()
    result: IngestResult = ingest_tasks(con, tasks, "L1")
    failed = {f.source_file: f.reason for f in result.failed}
    assert len(result.failed) == sum(c.error is not None for c in cases)
    assert sorted(f.reason for f in result.failed) == sorted(
        str(c.error) for c in cases if c.error is not None
    )
    assert len(result.reports) + len(result.failed) == len(tasks)
    assert all(r.balanced for r in result.reports)
    assert GOOD not in failed
    assert _staged_rows(con, GOOD) == [1, 2, 3, 4, 5]
    (staged,) = con.execute("SELECT count(*) FROM raw_record").fetchone() or (0,)
    assert staged == sum(r.rows_loaded for r in result.reports)
