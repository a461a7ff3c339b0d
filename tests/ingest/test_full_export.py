"""Records deleted at source: with ``export: full`` a record missing from a re-export is
deleted (current rows, earlier versions, raw index); incremental exports keep it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from toex.errors import MappingError
from toex.ingest.mapping import load_mapping
from toex.ingest.stage import ad_hoc_tasks
from toex.pipeline import RunResult, ingest_files_stage, run

from .exports import ATHENA_CRIME_HEADER, crime_line, write_csv

SHIPPED = Path(__file__).parents[2] / "src/toex/ingest/mappings/athena_crime.yaml"


def _mapping(tmp_path: Path, export: str | None) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    if export is not None:
        text = text.replace("kind: crime\n", f"kind: crime\nexport: {export}\n")
    path = tmp_path / f"athena_crime_{export or 'default'}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path: Path, mapping: Path, lines: list[str], force: str = "cambs") -> RunResult:
    path = write_csv(tmp_path / "crime.csv", [ATHENA_CRIME_HEADER, *lines])
    stage = ingest_files_stage(ad_hoc_tasks(mapping, [path], force))
    return run(None, tmp_path / "var", progress=False, stages=[stage])


def _held(result: RunResult) -> dict[str, list[tuple[str, str]]]:
    con = duckdb.connect(str(result.path), read_only=True)
    try:
        return {
            table: con.execute(
                f"SELECT force, source_record_id FROM {table} ORDER BY ALL"
            ).fetchall()
            for table in ("staged_event", "staged_event_history", "raw_record")
        }
    finally:
        con.close()


def test_a_record_missing_from_a_full_re_export_is_deleted(tmp_path: Path) -> None:
    full = _mapping(tmp_path, "full")
    _load(tmp_path, full, [crime_line("CC/1"), crime_line("CC/2"), crime_line("CC/3")])
    _load(tmp_path, full, [crime_line("CC/1")], force="essex")  # another force's export
    _load(  # CC/2 corrected: its first version moves to the history
        tmp_path,
        full,
        [crime_line("CC/1"), crime_line("CC/2", status="Filed"), crime_line("CC/3")],
    )
    result = _load(tmp_path, full, [crime_line("CC/1"), crime_line("CC/3")])
    (report,) = result.reports
    assert report.notes[-1] == "full export: 1 record(s) no longer in the source were deleted"
    assert report.balanced and (report.rows_read, report.rows_unchanged) == (2, 2)
    assert _held(result) == {
        "staged_event": [("cambs", "CC/1"), ("cambs", "CC/3"), ("essex", "CC/1")],
        "staged_event_history": [],
        "raw_record": [("cambs", "CC/1"), ("cambs", "CC/3"), ("essex", "CC/1")],
    }


def test_a_quarantined_row_still_counts_as_held_by_the_source(tmp_path: Path) -> None:
    full = _mapping(tmp_path, "full")
    _load(tmp_path, full, [crime_line("CC/1"), crime_line("CC/2")])
    result = _load(tmp_path, full, [crime_line("CC/1"), crime_line("CC/2", committed="31/02/2022")])
    assert result.reports[0].rows_quarantined == 1
    assert _held(result)["staged_event"] == [("cambs", "CC/1"), ("cambs", "CC/2")]


def test_incremental_exports_keep_missing_records(tmp_path: Path) -> None:
    default = _mapping(tmp_path, None)
    assert load_mapping(default).export == "incremental"
    _load(tmp_path, default, [crime_line("CC/1"), crime_line("CC/2")])
    result = _load(tmp_path, default, [crime_line("CC/1"), crime_line("CC/3")])
    assert _held(result)["staged_event"] == [
        ("cambs", "CC/1"),
        ("cambs", "CC/2"),
        ("cambs", "CC/3"),
    ]


def test_an_unknown_export_kind_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as info:
        load_mapping(_mapping(tmp_path, "partial"))
    assert str(info.value) == (
        "athena_crime_partial.yaml, field 'export': expected one of "
        "incremental, full, not 'partial'"
    )
