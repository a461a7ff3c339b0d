"""``toex assess stim run``: STIM recomputed on the current snapshot, the same cases every
time (a copy of the tiny pipeline's data directory; the shared one stays untouched)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
from typer.testing import CliRunner

from toex.cli.app import app
from toex.engine import SnapshotStore

runner = CliRunner()
CASE_COLUMNS = "case_id, account_id, linked_by"
LINK_COLUMNS = "case_id, kind, account_a, account_b, value"


def _tables(data_dir: Path) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    info = SnapshotStore(data_dir).current()
    assert info is not None
    con = duckdb.connect(str(info.path), read_only=True)
    try:
        members = con.execute(
            f"SELECT {CASE_COLUMNS} FROM stim_case_member ORDER BY account_id"
        ).df()
        links = con.execute(
            f"SELECT {LINK_COLUMNS} FROM stim_case_link ORDER BY {LINK_COLUMNS}"
        ).df()
    finally:
        con.close()
    return info.run_id, members, links


def test_stim_run_twice_gives_the_pipelines_cases(tiny_warehouse: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(tiny_warehouse, data_dir)
    first_run, members, links = _tables(data_dir)
    assert (links["kind"] == "template").any()
    runs = []
    for _ in range(2):
        result = runner.invoke(app, ["assess", "stim", "run", "--data-dir", str(data_dir)])
        assert result.exit_code == 0, result.output
        assert "cases=" in result.output
        run_id, again, again_links = _tables(data_dir)
        runs.append(run_id)
        pd.testing.assert_frame_equal(again, members)
        pd.testing.assert_frame_equal(again_links, links)
    assert len({first_run, *runs}) == 3  # each run wrote a new snapshot
