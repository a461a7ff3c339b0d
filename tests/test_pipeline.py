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


def test_every_stage_sees_the_run_data_dir_and_its_ops_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``toex run --data-dir D`` with TOEX_DATA_DIR elsewhere: stages (STIM's partner records
    among them) read D's operational store, not the environment's (issue 22's STIM bug)."""
    from toex.assess.stim import stage as stim_stage
    from toex.config import get_settings

    monkeypatch.setenv("TOEX_DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("TOEX_OPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    seen: list[str] = []

    def capture(ctx: PipelineContext) -> None:
        seen.append(ctx.settings.ops_url)
        stim_stage._ops_records(ctx.settings)  # opens (and creates) the store it would read

    data = tmp_path / "D"
    try:
        run(None, data, progress=False, stages=[capture])
    finally:
        get_settings.cache_clear()
    assert seen == [f"sqlite:///{data / 'ops.sqlite'}"]
    assert (data / "ops.sqlite").exists()
    assert not (tmp_path / "elsewhere" / "ops.sqlite").exists()


KILLED_RUN = """
import sys, tempfile, time
from pathlib import Path
from toex.pipeline import run

data_dir = Path(sys.argv[1])

def stage(ctx):
    ctx.con.con.execute("CREATE TABLE big AS SELECT range AS i FROM range(100000)")
    Path(tempfile.mkdtemp(prefix="toex-ingest-")).joinpath("rows.csv").write_text("x")
    (data_dir / "started").write_text(str(ctx.work_dir))
    time.sleep(600)

run(None, data_dir, progress=False, stages=[stage])
"""


def test_what_a_killed_run_left_is_removed_by_the_next_run(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    data = tmp_path / "var"
    first = run(None, data, progress=False, stages=[lambda ctx: None])
    proc = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(data)])
    deadline = time.monotonic() + 120
    while not (data / "started").exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    scratch = Path((data / "started").read_text())
    left = sorted(p.name for p in (data / "warehouse").iterdir())
    assert [n for n in left if n.endswith(".partial")], left  # the killed run's snapshot
    # its temporary files went to its scratch directory, not /tmp
    assert scratch.parent == data / "tmp"
    assert [p.name[:12] for p in scratch.iterdir()] == ["toex-ingest-"]
    assert SnapshotStore(data).current().run_id == first.run_id  # type: ignore[union-attr]

    second = run(None, data, progress=False, stages=[lambda ctx: None])
    assert sorted(p.name for p in (data / "warehouse").iterdir()) == sorted(
        ["CURRENT", f"{first.run_id}.duckdb", f"{second.run_id}.duckdb"]
    )
    assert list((data / "tmp").iterdir()) == []


def test_runs_keep_the_newest_snapshots_as_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toex.config import get_settings

    monkeypatch.setenv("TOEX_KEEP_SNAPSHOTS", "2")
    get_settings.cache_clear()
    try:
        ids = [run(None, tmp_path, progress=False, stages=[lambda ctx: None]) for _ in range(4)]
    finally:
        get_settings.cache_clear()
    assert [s.run_id for s in SnapshotStore(tmp_path).list()] == [r.run_id for r in ids[2:]]
    assert [p.name for p in ids[2].pruned] == [f"{ids[0].run_id}.duckdb"]
    assert [p.name for p in ids[3].pruned] == [f"{ids[1].run_id}.duckdb"]


def test_the_erasure_stage_follows_every_ingest_stage() -> None:
    from toex.datadir.erase import erasure_stage

    def other(ctx: PipelineContext) -> None:
        pass

    files = pipeline.ingest_files_stage([])
    assert pipeline.plan_stages([pipeline.ingest, other], False) == [
        pipeline.ingest,
        erasure_stage,
        other,
    ]
    assert pipeline.plan_stages([files], False) == [files, erasure_stage]
    assert pipeline.plan_stages([other], False) == [other]
    # erasures not yet applied: everything derived from the staged rows is rebuilt
    assert pipeline.plan_stages([pipeline.ingest], True) == [
        pipeline.ingest,
        erasure_stage,
        *pipeline.DERIVED_STAGES,
    ]


def test_a_data_directory_named_with_an_apostrophe_runs_every_stage(tmp_path: Path) -> None:
    """Paths reach SQL only quoted (issue 22: ``ParserException ... near "brien"``): the whole
    pipeline, a second run reading the previous snapshot, and compaction work under o'brien."""
    write_mini_export(tmp_path / "in")
    data = tmp_path / "o'brien" / "var"
    first = run(tmp_path / "in", data, progress=False)
    second = run(tmp_path / "in", data, progress=False)
    assert second.previous is not None and second.previous.run_id == first.run_id
    con = duckdb.connect(str(second.path), read_only=True)
    persons = con.execute("SELECT count(DISTINCT person_id) FROM resolved_mention_person")
    assert persons.fetchone()[0] > 0  # type: ignore[index]
