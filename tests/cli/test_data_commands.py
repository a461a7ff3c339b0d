"""``toex snapshots``, ``toex retention review``, ``toex erase`` (its refusals; the erasure
itself is tests/datadir/test_erase.py) and the modes of what a CLI run writes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from datadir.support import cli
from ingest.exports import write_mini_export
from toex import pipeline
from toex.assess.retention import run_retention_stage
from toex.config import get_settings
from toex.engine import SnapshotStore


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data directory named by TOEX_DATA_DIR (its store SQLite inside it)."""
    monkeypatch.setenv("TOEX_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("TOEX_OPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def test_everything_a_cli_run_writes_is_owner_only(tmp_path: Path, data: Path) -> None:
    write_mini_export(tmp_path / "in")
    old = os.umask(0o022)  # a fresh shell's umask
    try:
        code, out = cli("ingest", str(tmp_path / "in"), "--no-progress")
    finally:
        os.umask(old)
    assert code == 0, out
    paths = [data, *data.rglob("*")]
    modes = {str(p.relative_to(data)): stat.S_IMODE(p.stat().st_mode) for p in paths}
    assert {
        k for k, m in modes.items() if m != (0o700 if Path(data, k).is_dir() else 0o600)
    } == set()
    assert {"run.lock", "warehouse", "warehouse/CURRENT", "tmp"} <= set(modes)


def test_snapshots_list_prune_and_use(data: Path) -> None:
    runs = [pipeline.run(None, data, progress=False, stages=[lambda ctx: None]) for _ in range(3)]
    ids = [r.run_id for r in runs]
    code, out = cli("snapshots", "list")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ids
    assert lines[-1].endswith("ok  current") and lines[0].endswith("ok")
    assert cli("snapshots", "use", ids[0]) == (0, f"snapshot {ids[0]} is current\n")
    assert cli("snapshots", "prune", "--keep", "1") == (
        0,
        f"1 snapshot(s) deleted\n  {ids[1]}.duckdb\n",  # never the current one
    )
    assert [i.run_id for i in SnapshotStore(data).list()] == [ids[0], ids[2]]
    assert cli("snapshots", "use", "nope") == (
        4,
        f"error: no snapshot nope under {data / 'warehouse'}",
    )


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from toex.engine.lock import data_dir_lock

    with data_dir_lock(sys.argv[1], command="toex erase person P1"):
        Path(sys.argv[2]).write_text("")
        while not Path(sys.argv[3]).exists():
            time.sleep(0.05)
    """
)


def test_a_busy_data_directory_exits_7_naming_the_holder(tmp_path: Path, data: Path) -> None:
    started, release = tmp_path / "started", tmp_path / "release"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data), str(started), str(release)])
    try:
        while not started.exists():
            assert proc.poll() is None
            time.sleep(0.05)
        for args in (["snapshots", "prune"], ["run", str(tmp_path)], ["backup", "--out", "b"]):
            code, out = cli(*args)
            assert code == 7
            assert out.startswith(
                f"error: data directory {data} is in use by 'toex erase person P1' "
                f"(pid {proc.pid} on host "
            )
    finally:
        release.write_text("")
        proc.wait(timeout=60)


def test_retention_review_lists_what_is_due(tmp_path: Path, data: Path) -> None:
    write_mini_export(tmp_path / "in")
    pipeline.run(
        tmp_path / "in", data, progress=False, stages=[pipeline.ingest, run_retention_stage]
    )
    code, out = cli("retention", "review", "--as-of", "2032-01-02", "--limit", "2")
    assert code == 0, out
    assert out.splitlines()[0] == "MoPI review as of 2032-01-02"
    code, out = cli("retention", "review", "--force", "wmp", "--as-of", "2028-01-02")
    assert out.splitlines() == [
        "MoPI review as of 2028-01-02, force wmp",
        "  group 2 (Other sexual, violent or serious offences): 0 of 1 record(s) due for review",
        "  group 3 (All other offences and records): 0 of 1 record(s) due for review",
    ]
    code, out = cli("retention", "review", "--force", "wmp", "--as-of", "2029-01-04")
    assert out.splitlines()[2:] == [
        "  group 3 (All other offences and records): 1 of 1 record(s) due for review",
        "wmp  wmp:M1  missing_episode  -  event 2023-01-01  group 3  review 2029-01-01",
    ]


def test_erase_refuses_without_a_reason_or_a_snapshot(data: Path) -> None:
    assert cli("erase", "person", "P1", "--reason", " ") == (
        3,
        "error: an erasure needs a reason (--reason)",
    )
    assert cli("erase", "record", "athena:CC/1", "--reason", "source deleted it") == (
        4,
        f"error: no warehouse snapshot under {data}: nothing to erase",
    )
    assert cli("erase", "list") == (0, "no erasures\n")
