"""``toex ingest``, ``toex run`` and ``toex mapping check`` from the command line."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from ingest.exports import ATHENA_CRIME_HEADER, crime_line, write_csv, write_mini_export
from toex.cli.app import app
from toex.engine import SnapshotStore
from toex.errors import IngestIncompleteError, ReadError
from toex.pipeline import ingest, run

MAPPINGS = Path(__file__).parents[2] / "src/toex/ingest/mappings"
TOEX = str(Path(sys.executable).with_name("toex"))


def test_ingest_directory_prints_the_reconciliation(tmp_path: Path) -> None:
    write_mini_export(tmp_path / "in")
    result = CliRunner().invoke(
        app,
        ["ingest", str(tmp_path / "in"), "--no-progress", "--data-dir", str(tmp_path / "var")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "forces/cambs/crime.csv" in result.output
    assert "│ total " in result.output and "balanced" in result.output
    assert SnapshotStore(tmp_path / "var").current() is not None


def test_ingest_with_a_mapping_names_files_as_given(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export_2024.csv", [ATHENA_CRIME_HEADER, crime_line("CC/9")])
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            "--no-progress",
            "--mapping",
            str(MAPPINGS / "athena_crime.yaml"),
            "--force",
            "essex",
            "--data-dir",
            str(tmp_path / "var"),
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    con = SnapshotStore(tmp_path / "var").open_current()
    assert con.con.execute("SELECT force, source_file, reference FROM staged_event").fetchall() == [
        ("essex", "export_2024.csv", "CC/9")
    ]
    con.disconnect()


def test_mapping_check_shows_coverage_samples_and_quarantine(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "crime.csv",
        [
            ATHENA_CRIME_HEADER + ",Extra",
            crime_line("CC/1") + ",x",
            crime_line("CC/2", committed="31/02/1990") + ",y",
        ],
    )
    result = CliRunner().invoke(
        app,
        ["mapping", "check", str(MAPPINGS / "athena_crime.yaml"), str(path)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "unmapped (ignored)            │ Extra" in out
    assert re.search(r"│ CommittedFrom +│ 05/03/2022 +│ 2022-03-05 +│", out)
    assert re.search(r"│ CommittedFrom +│ 31/02/1990 +│ \(null\) +│", out)
    assert "rows read 2 = loaded 1 + quarantined 1; value issues 0" in out
    assert "'31/02/1990' is not a date" in out


def test_mapping_check_reports_missing_columns_without_loading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "crime.csv", ["CrimeRef,Other", "CC/1,x"])
    result = CliRunner().invoke(
        app,
        ["mapping", "check", str(MAPPINGS / "athena_crime.yaml"), str(path)],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 3
    assert "error: athena_crime.yaml: crime.csv: missing columns 'HandlingCode'" in result.output


def test_sigterm_during_ingest_leaves_current_readable_and_unchanged(tmp_path: Path) -> None:
    small = tmp_path / "in"
    write_mini_export(small)
    first = run(small, tmp_path / "var", progress=False, stages=[ingest])
    big = write_csv(
        tmp_path / "big.csv",
        [ATHENA_CRIME_HEADER] + [crime_line(f"CC/{i}") for i in range(400_000)],
    )
    proc = subprocess.Popen(
        [
            TOEX,
            "ingest",
            "--no-progress",
            "--mapping",
            str(MAPPINGS / "athena_crime.yaml"),
            "--force",
            "cambs",
            "--data-dir",
            str(tmp_path / "var"),
            str(big),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    warehouse = tmp_path / "var" / "warehouse"
    deadline = time.monotonic() + 60
    while not list(warehouse.glob("*.partial")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(warehouse.glob("*.partial")), "the run never started writing"
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 4
    assert err.strip() == "error: interrupted by SIGTERM; the current snapshot is unchanged"
    store = SnapshotStore(tmp_path / "var")
    assert store.current().run_id == first.run_id  # type: ignore[union-attr]
    assert not list(warehouse.glob("*.partial*"))
    con = store.open_current()
    assert con.con.execute("SELECT count(*) FROM staged_event").fetchone() == (8,)
    con.disconnect()


def test_one_bad_file_does_not_stop_a_directory_run(tmp_path: Path) -> None:
    rows = write_mini_export(tmp_path / "in")
    bad = "forces/cambs/crime_nominal.csv"
    (tmp_path / "in" / bad).write_bytes(b"\x00\x01binary\x02\x03" * 100)
    args = ["ingest", str(tmp_path / "in"), "--no-progress", "--data-dir", str(tmp_path / "var")]
    strict = CliRunner().invoke(app, [*args, "--strict"], env={"COLUMNS": "200"})
    message = f"{bad}: not a text file (binary data at byte 0)"
    # today's abort: the file's error (exit code 3), no snapshot
    assert isinstance(strict.exception, ReadError) and str(strict.exception) == message
    assert SnapshotStore(tmp_path / "var").current() is None

    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert isinstance(result.exception, IngestIncompleteError), result.output
    assert result.exception.exit_code == 8
    assert f"file quarantined whole (binary): {message}" in result.output
    con = SnapshotStore(tmp_path / "var").open_current()
    assert con.con.execute("SELECT source_file, reason FROM raw_file_quarantine").fetchall() == [
        (bad, message)
    ]
    loaded = con.con.execute("SELECT source_file, rows_read FROM raw_load_log").fetchall()
    assert sorted(loaded) == sorted((f, n) for f, n in rows.items() if f != bad)
    con.disconnect()
