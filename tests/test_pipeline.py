"""The pipeline: stages run in one snapshot that becomes current only when all succeed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.exports import write_mini_export
from toex import pipeline
from toex.engine import SnapshotStore
from toex.errors import ReconciliationError
from toex.ingest import loader
from toex.ingest.loader import FileReport
from toex.pipeline import PipelineContext, run

INGEST = [pipeline.ingest]  # the later stages have their own tests


def test_run_ingests_a_generator_style_directory(tmp_path: Path) -> None:
    expected = write_mini_export(tmp_path / "in")
    result = run(tmp_path / "in", tmp_path / "var", progress=False, stages=INGEST)
    assert {r.source_file: r.rows_read for r in result.reports} == expected
    assert all(r.balanced and r.rows_quarantined == 0 for r in result.reports)
    current = SnapshotStore(tmp_path / "var").current()
    assert current is not None and current.run_id == result.run_id
    con = duckdb.connect(str(result.path), read_only=True)
    assert con.execute(
        "SELECT count(*), count(DISTINCT load_id), min(load_id) FROM staged_person_mention"
    ).fetchone() == (7, 1, result.run_id)
    assert con.execute("SELECT sum(rows_read) FROM raw_load_log").fetchone() == (11,)


def test_rerun_on_the_same_input_adds_nothing(tmp_path: Path) -> None:
    write_mini_export(tmp_path / "in")
    first = run(tmp_path / "in", tmp_path / "var", progress=False, stages=INGEST)
    second = run(tmp_path / "in", tmp_path / "var", progress=False, stages=INGEST)
    assert all(r.skipped_as == first.run_id for r in second.reports)
    con = duckdb.connect(str(second.path), read_only=True)
    assert con.execute("SELECT count(*) FROM staged_event").fetchone() == (8,)
    assert con.execute("SELECT count(*) FROM raw_load_log").fetchone() == (9,)


def test_injected_failure_mid_load_leaves_current_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_mini_export(tmp_path / "in")
    first = run(tmp_path / "in", tmp_path / "var", progress=False, stages=INGEST)
    write_mini_export(tmp_path / "in2", crimes=5)
    real = loader.load_file
    calls = []

    def failing(*args: object, **kwargs: object) -> FileReport:
        calls.append(args[3])
        if len(calls) == 3:
            raise OSError("disk on fire")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("toex.ingest.stage.load_file", failing)
    with pytest.raises(OSError, match="disk on fire"):
        run(tmp_path / "in2", tmp_path / "var", progress=False, stages=INGEST)
    store = SnapshotStore(tmp_path / "var")
    assert store.current().run_id == first.run_id  # type: ignore[union-attr]
    assert [s.run_id for s in store.list()] == [first.run_id]
    assert not list((tmp_path / "var" / "warehouse").glob("*.partial"))
    con = store.open_current()
    assert con.con.execute("SELECT count(*) FROM staged_event").fetchone() == (8,)
    con.disconnect()


def test_unbalanced_file_fails_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_mini_export(tmp_path / "in")
    real = loader.load_file

    def lossy(*args: object, **kwargs: object) -> FileReport:
        report = real(*args, **kwargs)  # type: ignore[arg-type]
        if report.source_file == "forces/cambs/crime.csv":
            report.rows_loaded -= 1
        return report

    monkeypatch.setattr("toex.ingest.stage.load_file", lossy)
    with pytest.raises(ReconciliationError) as info:
        run(tmp_path / "in", tmp_path / "var", progress=False, stages=INGEST)
    assert str(info.value) == (
        "1 file(s) do not balance: forces/cambs/crime.csv: read 2, loaded 1, quarantined 0"
    )
    assert SnapshotStore(tmp_path / "var").current() is None


def test_stages_run_in_order_with_the_context(tmp_path: Path) -> None:
    seen: list[tuple[str, object]] = []

    def first(ctx: PipelineContext) -> None:
        ctx.con.con.execute("CREATE TABLE marker AS SELECT 1 AS x")
        seen.append(("first", ctx.previous))

    def second(ctx: PipelineContext) -> None:
        seen.append(("second", ctx.con.con.execute("SELECT x FROM marker").fetchone()))
        ctx.results["second"] = ctx.run_id

    result = run(None, tmp_path / "var", progress=False, stages=[first, second])
    assert seen == [("first", None), ("second", (1,))]
    assert result.results == {"second": result.run_id}
    assert pipeline.STAGES[0] is pipeline.ingest
