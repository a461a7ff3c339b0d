"""The data-directory lock, with real processes: two writers on one data directory never both
run; the second fails at once naming the first, or waits and then builds on its snapshot."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from toex.engine import SnapshotStore
from toex.engine.lock import LOCK_FILE, data_dir_lock, held, read_holder
from toex.errors import DataDirBusyError

#: A process that writes a snapshot adding table ``t_<name>``, through the pipeline
#: (``toex run``) or, lighter to start, the engine's lock and snapshot store alone. It signals
#: that it started (file ``<dir>/<name>.started``) and, if asked, holds the run until
#: ``<dir>/release`` exists. Prints the run id, or the error and its exit code.
RUNNER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from toex.errors import ToexError

    data_dir, name, hold, wait, how = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "hold", \
        float(sys.argv[4]), sys.argv[5]

    def stage(con):
        (data_dir / f"{name}.started").write_text("")
        while hold and not (data_dir / "release").exists():
            time.sleep(0.05)
        con.execute(f"CREATE TABLE t_{name} AS SELECT 1 AS x")

    try:
        if how == "pipeline":
            from toex.pipeline import run

            result = run(None, data_dir, progress=False, stages=[lambda ctx: stage(ctx.con.con)],
                         wait=wait, command=f"toex run {name}")
            print(result.run_id)
        else:
            from toex.engine import SnapshotStore
            from toex.engine.lock import data_dir_lock

            with data_dir_lock(data_dir, wait=wait, command=f"toex run {name}"):
                with SnapshotStore(data_dir).begin() as snap:
                    stage(snap.con.con)
            print(snap.run_id)
    except ToexError as exc:
        print(f"error {exc.exit_code}: {exc}")
        sys.exit(exc.exit_code)
    """
)


def _start(
    data_dir: Path, name: str, hold: bool, wait: float = 0.0, how: str = "engine"
) -> subprocess.Popen[str]:
    args = [str(data_dir), name, "hold" if hold else "go", str(wait), how]
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended early: {proc.communicate()}")
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _tables(data_dir: Path) -> set[str]:
    info = SnapshotStore(data_dir).current()
    assert info is not None
    con = duckdb.connect(str(info.path), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()


def test_a_second_run_fails_at_once_naming_the_first(tmp_path: Path) -> None:
    first = _start(tmp_path, "a", hold=True)
    _wait_for(tmp_path / "a.started", first)
    second = _start(tmp_path, "b", hold=False)
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 7
    assert out == (
        f"error 7: data directory {tmp_path} is in use by 'toex run a' (pid {first.pid} on "
        f"host {socket.gethostname()}, since {read_holder(tmp_path).started_at}); "  # type: ignore[union-attr]
        "wait for it to finish, or pass --wait SECONDS to queue behind it\n"
    )
    (tmp_path / "release").write_text("")
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert _tables(tmp_path) == {"t_a"}
    assert not (tmp_path / "b.started").exists()  # the second run never began


def test_a_waiting_run_builds_on_the_first_runs_snapshot(tmp_path: Path) -> None:
    """Without the lock both runs copied the same CURRENT and the later switch dropped the
    earlier run's table; with ``--wait`` the second starts from the first's snapshot."""
    first = _start(tmp_path, "a", hold=True, how="pipeline")
    _wait_for(tmp_path / "a.started", first)
    second = _start(tmp_path, "b", hold=False, wait=60, how="pipeline")
    time.sleep(1.0)
    assert second.poll() is None and not (tmp_path / "b.started").exists()  # queued
    (tmp_path / "release").write_text("")
    _, err_a = first.communicate(timeout=60)
    out_b, err_b = second.communicate(timeout=60)
    assert (first.returncode, second.returncode) == (0, 0), (err_a, err_b)
    assert SnapshotStore(tmp_path).current().run_id == out_b.strip()  # type: ignore[union-attr]
    assert _tables(tmp_path) == {"t_a", "t_b"}


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    first = _start(tmp_path, "a", hold=True)
    _wait_for(tmp_path / "a.started", first)
    holder = read_holder(tmp_path)
    assert holder is not None and holder.pid == first.pid and holder.command == "toex run a"
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    with data_dir_lock(tmp_path, command="next"):  # the kernel released it: no wait
        assert held(tmp_path)
        again = read_holder(tmp_path)
        assert again is not None and again.pid == os.getpid() and again.command == "next"
    assert not held(tmp_path)
    assert (tmp_path / LOCK_FILE).read_text() == ""  # released: nobody is named


def test_the_lock_is_reentrant_and_names_its_holder_in_the_file(tmp_path: Path) -> None:
    with data_dir_lock(tmp_path, command="outer"):
        with data_dir_lock(tmp_path, command="inner"):
            data = json.loads((tmp_path / LOCK_FILE).read_text())
            assert data["pid"] == os.getpid() and data["command"] == "outer"
        assert held(tmp_path)
    assert not held(tmp_path)
    assert oct((tmp_path / LOCK_FILE).stat().st_mode & 0o777) == "0o600"


def test_wait_gives_up_after_the_time_given(tmp_path: Path) -> None:
    first = _start(tmp_path, "a", hold=True)
    try:
        _wait_for(tmp_path / "a.started", first)
        started = time.monotonic()
        with pytest.raises(DataDirBusyError) as info, data_dir_lock(tmp_path, wait=0.6):
            pass
        assert time.monotonic() - started >= 0.6
        assert " after waiting 0.6 s; " in str(info.value)
        assert info.value.exit_code == 7 and info.value.http_status == 409
    finally:
        (tmp_path / "release").write_text("")
        first.communicate(timeout=60)
