"""Warehouse snapshots: atomic switch of CURRENT, failures leave it unchanged, prune."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import duckdb
import pytest

from toex.config import get_settings
from toex.engine import SnapshotStore, connect
from toex.engine.snapshots import SnapshotInterrupted, new_run_id, run_id_time
from toex.errors import ConfigError, SnapshotError


def _write(store: SnapshotStore, value: int) -> str:
    with store.begin() as snap:
        snap.con.con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])
        return snap.run_id


def _value(store: SnapshotStore) -> int:
    con = store.open_current()
    try:
        return int(con.con.execute("SELECT v FROM t").fetchone()[0])  # type: ignore[index]
    finally:
        con.disconnect()


def test_no_snapshot_before_the_first_run(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    assert store.current() is None
    assert store.list() == []
    with pytest.raises(SnapshotError) as info:
        store.open_current()
    assert str(info.value) == (
        f"no warehouse snapshot under {tmp_path / 'warehouse'}: run `toex run` first"
    )


def test_a_completed_run_becomes_current_and_copies_the_previous(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    first = _write(store, 1)
    with store.begin() as snap:
        assert snap.previous is not None and snap.previous.run_id == first
        assert snap.partial_path.name == f"{snap.run_id}.duckdb.partial"
        assert snap.con.con.execute("SELECT v FROM t").fetchone() == (1,)  # copied
        snap.con.con.execute("UPDATE t SET v = 2")
        second = snap.run_id
    info = store.current()
    assert info is not None and info.run_id == second
    assert info.path == tmp_path / "warehouse" / f"{second}.duckdb"
    assert json.loads((tmp_path / "warehouse" / "CURRENT").read_text())["file"] == info.path.name
    assert _value(store) == 2
    assert [s.run_id for s in store.list()] == [first, second]
    assert sorted(p.name for p in (tmp_path / "warehouse").iterdir()) == sorted(
        ["CURRENT", f"{first}.duckdb", f"{second}.duckdb"]
    )


def test_a_failure_mid_run_leaves_current_readable_and_unchanged(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    first = _write(store, 1)
    with pytest.raises(RuntimeError, match="boom"), store.begin() as snap:
        snap.con.con.execute("UPDATE t SET v = 99")
        partial = snap.partial_path
        assert partial.exists()
        raise RuntimeError("boom")
    assert not partial.exists()
    info = store.current()
    assert info is not None and info.run_id == first
    assert _value(store) == 1
    assert [s.run_id for s in store.list()] == [first]


def test_a_signal_mid_run_discards_the_snapshot(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    first = _write(store, 1)
    with pytest.raises(SnapshotInterrupted) as info, store.begin() as snap:
        os.kill(os.getpid(), signal.SIGTERM)
        snap.con.con.execute("UPDATE t SET v = 99")  # not reached
    assert str(info.value) == "interrupted by SIGTERM; the current snapshot is unchanged"
    assert store.current().run_id == first  # type: ignore[union-attr]
    assert _value(store) == 1
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_prune_keeps_the_newest_and_never_current(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    ids = [_write(store, i) for i in range(4)]
    removed = store.prune(keep=2)
    assert [p.name for p in removed] == [f"{ids[0]}.duckdb", f"{ids[1]}.duckdb"]
    assert [s.run_id for s in store.list()] == ids[2:]
    assert _value(store) == 3


def test_run_ids_sort_by_time() -> None:
    a, b = new_run_id(), new_run_id()
    assert a < b or run_id_time(a) == run_id_time(b)
    assert run_id_time(a).tzinfo is not None


def test_connect_read_only_refuses_writes(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _write(store, 1)
    info = store.current()
    assert info is not None
    con = connect(info.path)
    with pytest.raises(Exception, match="read-only"):
        con.con.execute("UPDATE t SET v = 5")
    con.disconnect()


def test_connect_applies_settings_and_refuses_spark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOEX_THREADS", "1")
    monkeypatch.setenv("TOEX_MEMORY_LIMIT", "512MB")
    get_settings.cache_clear()
    try:
        con = connect(tmp_path / "w.duckdb", read_only=False)
        assert con.con.execute("SELECT current_setting('threads')").fetchone() == (1,)
        con.disconnect()
        monkeypatch.setenv("TOEX_ENGINE", "spark")
        get_settings.cache_clear()
        with pytest.raises(ConfigError) as info:
            connect(tmp_path / "w.duckdb")
        assert str(info.value) == (
            "engine 'spark' is not yet supported for ingest and snapshots; set TOEX_ENGINE=duckdb"
        )
    finally:
        get_settings.cache_clear()


def test_a_damaged_pointer_is_a_snapshot_error(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _write(store, 1)
    store.pointer.write_text("{not json")
    with pytest.raises(SnapshotError) as info:
        store.current()
    assert str(info.value).startswith(f"{store.pointer}: unreadable pointer file: ")
    store.pointer.write_text(
        '{"run_id": "x", "file": "gone.duckdb", "created_at": "2024-01-01T00:00:00+00:00"}'
    )
    with pytest.raises(SnapshotError) as info:
        store.current()
    assert str(info.value) == f"{store.pointer}: names gone.duckdb, which does not exist"


def test_prune_deletes_each_snapshots_derived_files(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    ids = [_write(store, i) for i in range(3)]
    wh = tmp_path / "warehouse"
    for run_id in ids:  # what the web app and resolve leave beside each snapshot
        (wh / f"{run_id}.webindex").mkdir()
        (wh / f"{run_id}.webindex" / "readmodel.duckdb").write_text("x")
        (wh / f".{run_id}.webindex.lock").write_text("")
        (wh / f"{run_id}.duckdb.wal").write_text("")
        (tmp_path / "models").mkdir(exist_ok=True)
        (tmp_path / "models" / f"{run_id}.json").write_text("{}")
    removed = store.prune(keep=1)
    assert [p.name for p in removed] == [f"{ids[0]}.duckdb", f"{ids[1]}.duckdb"]
    assert sorted(p.name for p in wh.iterdir()) == sorted(
        [
            "CURRENT",
            f"{ids[2]}.duckdb",
            f"{ids[2]}.duckdb.wal",
            f"{ids[2]}.webindex",
            f".{ids[2]}.webindex.lock",
        ]
    )
    assert [p.name for p in (tmp_path / "models").iterdir()] == [f"{ids[2]}.json"]


def test_a_pointer_may_name_only_a_snapshot_file_beside_it(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _write(store, 1)
    (tmp_path / "secret.duckdb").write_text("")
    store.pointer.write_text(
        '{"run_id": "x", "file": "../secret.duckdb", "created_at": "2024-01-01T00:00:00+00:00"}'
    )
    with pytest.raises(SnapshotError) as info:
        store.current()
    assert str(info.value) == (
        f"{store.pointer}: names '../secret.duckdb', which is not a snapshot file"
    )


def test_compaction_leaves_no_bytes_of_deleted_rows(tmp_path: Path) -> None:
    """A deleted row stays in its row group (only marked deleted) until the file is rewritten:
    after compaction the file stores only the live rows."""
    import hashlib

    deleted = hashlib.md5(b"15000").hexdigest().encode()  # row 15000's value
    store = SnapshotStore(tmp_path)
    with store.begin() as snap:
        snap.con.con.execute("PRAGMA force_compression = 'uncompressed'")  # bytes as they are
        snap.con.con.execute(
            "CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(20000)"
        )
    assert deleted in snap.path.read_bytes()
    stored = {}
    for compact in (False, True):
        with store.begin() as snap:
            snap.con.con.execute("DELETE FROM t WHERE i >= 10")
            snap.compact = compact
        con = duckdb.connect(str(snap.path), read_only=True)
        stored[compact] = con.execute(
            "SELECT sum(count) FROM pragma_storage_info('t') WHERE column_name = 's' "
            "AND segment_type = 'VARCHAR'"
        ).fetchone()
        con.close()
        assert (deleted in snap.path.read_bytes()) is not compact
    assert stored == {False: (20000,), True: (10,)}
    assert _value_rows(store) == 10


def _value_rows(store: SnapshotStore) -> int:
    con = store.open_current()
    try:
        return int(con.con.execute("SELECT count(*) FROM t").fetchone()[0])  # type: ignore[index]
    finally:
        con.disconnect()


def test_a_truncated_snapshot_is_named_and_never_copied(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    good = _write(store, 1)
    bad = _write(store, 2)
    path = tmp_path / "warehouse" / f"{bad}.duckdb"
    os.truncate(path, path.stat().st_size // 2)
    info = store.current()
    assert info is not None and info.run_id == bad
    assert store.check(info) is not None and f"{bad}.duckdb" in store.check(info)  # type: ignore[operator]
    assert str(tmp_path) not in store.check(info)  # type: ignore[operator]
    assert store.last_good().run_id == good  # type: ignore[union-attr]
    with pytest.raises(SnapshotError) as err, store.begin():
        pass
    assert str(err.value).startswith(f"the current snapshot {bad} cannot be opened (")
    assert str(err.value).endswith(
        "); point CURRENT at an earlier one with `toex snapshots use RUN_ID` or restore a backup"
    )
    assert store.use(good).run_id == good
    assert _value(store) == 1
    with pytest.raises(SnapshotError) as err:
        store.use(bad)
    assert str(err.value).startswith(f"snapshot {bad} cannot be opened: ")
