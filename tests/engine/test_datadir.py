"""The data directory on disk: owner-only modes, tightening what older versions left, and
removing what killed runs left (the SIGKILL case is in tests/test_pipeline.py)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from toex.engine import SnapshotStore
from toex.engine.datadir import (
    clean_killed_runs,
    ensure_private_dir,
    private_umask,
    scratch_dir,
    tighten,
)


def modes(root: Path) -> dict[str, str]:
    """Every path under ``root`` (and ``root`` itself as '.') with its permission bits."""
    out = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for p in sorted(root.rglob("*")):
        out[str(p.relative_to(root))] = oct(stat.S_IMODE(p.lstat().st_mode))
    return out


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask 022 (files 0644) while the test runs, as a fresh process has."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_snapshots_and_the_pointer_are_owner_only_whatever_the_umask(
    tmp_path: Path, loose_umask: None
) -> None:
    store = SnapshotStore(tmp_path / "var")
    with store.begin() as snap:
        snap.con.con.execute("CREATE TABLE t AS SELECT 1 AS v")
    found = modes(tmp_path / "var")
    assert {k: v for k, v in found.items() if k != "."} == {
        "run.lock": "0o600",
        "warehouse": "0o700",
        f"warehouse/{snap.run_id}.duckdb": "0o600",
        "warehouse/CURRENT": "0o600",
    }
    assert found["."] == "0o700"  # created by toex
    assert os.umask(0o022) == 0o022  # the block restored the process umask


def test_tighten_fixes_what_an_older_version_left(tmp_path: Path, loose_umask: None) -> None:
    (tmp_path / "warehouse" / "x.webindex").mkdir(parents=True)
    (tmp_path / "warehouse" / "x.duckdb").write_text("")
    (tmp_path / "warehouse" / "x.webindex" / "manifest.json").write_text("")
    (tmp_path / "ops.sqlite").write_text("")
    (tmp_path / "models").mkdir()
    (tmp_path / "notes.txt").write_text("")  # not toex's: left alone
    changed = tighten(tmp_path)
    assert sorted(str(p.relative_to(tmp_path)) for p in changed) == [
        "models",
        "ops.sqlite",
        "warehouse",
        "warehouse/x.duckdb",
        "warehouse/x.webindex",
        "warehouse/x.webindex/manifest.json",
    ]
    assert modes(tmp_path)["warehouse/x.webindex/manifest.json"] == "0o600"
    assert modes(tmp_path)["notes.txt"] == "0o644"
    assert tighten(tmp_path) == []


def test_an_existing_data_directory_open_to_others_is_warned_about_not_changed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "shared"
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)
    with caplog.at_level(logging.WARNING, logger="toex.engine.datadir"):
        ensure_private_dir(root, owned=False)
        ensure_private_dir(root, owned=False)
    assert caplog.messages == [
        f"data directory {root} has mode 0o755: group or others may list it; "
        "chmod 700 it (docs/operations.md)"
    ]
    assert oct(stat.S_IMODE(root.stat().st_mode)) == "0o755"
    ensure_private_dir(root / "warehouse")
    ensure_private_dir(root)  # owned: tightened
    assert oct(stat.S_IMODE(root.stat().st_mode)) == "0o700"


def test_cleaning_spares_the_running_scratch_and_removes_the_rest(tmp_path: Path) -> None:
    wh = tmp_path / "warehouse"
    wh.mkdir()
    left = [
        wh / "20260101T000000000000Z-aaaa.duckdb.partial",
        wh / "20260101T000000000000Z-aaaa.duckdb.partial.wal",
        wh / "20260101T000000000000Z-aaaa.duckdb.partial.tmp",
        wh / "CURRENT.999999.tmp",
        tmp_path / "tmp" / "run-999999-0000abcd",
    ]
    keep = [wh / "20260101T000000000000Z-bbbb.duckdb", wh / "CURRENT", tmp_path / "tmp" / "x"]
    for p in left + keep:
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.name.endswith((".tmp", "abcd")) and "CURRENT" not in p.name:
            p.mkdir()
            (p / "spill.bin").write_text("")
        else:
            p.write_text("")
    with private_umask(), scratch_dir(tmp_path) as mine:
        removed = clean_killed_runs(tmp_path)
        assert mine.exists()
    assert sorted(removed) == sorted(left)
    assert all(p.exists() for p in keep) and not any(p.exists() for p in left)
    assert not mine.exists()  # a scratch directory goes when its run ends
