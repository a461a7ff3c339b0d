"""The shared web index: built once per snapshot, reused, rebuilt when damaged, and
answering searches exactly as a fresh build does."""

from __future__ import annotations

import gc
import json
import shutil
import stat
import threading
from pathlib import Path

import duckdb
import numpy as np
import pytest

from toex.ops.access import AccessScope
from toex.web import webindex
from toex.web.data.search import SearchCriteria, search_persons
from toex.web.names import split_name
from toex.web.searchindex import ARRAYS, SearchIndex
from toex.web.warehouse import FixedSnapshot, OpenSnapshot, SnapshotRef, Warehouse

ALL = AccessScope(
    frozenset({"cambs", "norfolk", "essex", "suffolk"}), frozenset({"P", "C"}), "TOP SECRET"
)


@pytest.fixture
def snapshot(mini_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the inline warehouse named as the engine names snapshots."""
    root = tmp_path / "warehouse"
    root.mkdir()
    path = root / "20240101T000000000000Z-aaaa.duckdb"
    shutil.copy(mini_warehouse, path)
    return path


def _open(path: Path) -> OpenSnapshot:
    return Warehouse(FixedSnapshot(path, run_id=path.stem)).snapshot()


def _state(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}


def test_a_second_open_reuses_the_cache(snapshot: Path) -> None:
    before = webindex.builds
    first = _open(snapshot)
    directory = webindex.cache_dir(snapshot)
    assert directory == snapshot.with_name(snapshot.stem + ".webindex")
    assert first.cache.path == directory and webindex.builds == before + 1
    files = _state(directory)
    second = _open(snapshot)
    assert webindex.builds == before + 1  # not built again
    assert second.cache.build_id == first.cache.build_id and _state(directory) == files
    assert second.search.names.surnames == first.search.names.surnames


def test_the_cache_is_owner_only(snapshot: Path) -> None:
    directory = _open(snapshot).cache.path
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    modes = {stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir()}
    assert modes == {0o600}
    assert {p.name for p in directory.iterdir()} >= {
        "manifest.json",
        "readmodel.duckdb",
        "persons.arrow",
        "names.json",
        *(f"{a}.npy" for a in ARRAYS),
    }


def test_workers_opening_together_build_once(snapshot: Path) -> None:
    before = webindex.builds
    built: list[str] = []
    threads = [
        threading.Thread(target=lambda: built.append(webindex.ensure(snapshot, 1).build_id))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert webindex.builds == before + 1 and len(set(built)) == 1 and len(built) == 3


def test_a_new_snapshot_gets_a_new_cache_and_gone_ones_are_removed(snapshot: Path) -> None:
    first = _open(snapshot)
    newer = snapshot.with_name("20240102T000000000000Z-bbbb.duckdb")
    shutil.copy(snapshot, newer)
    before = webindex.builds
    second = _open(newer)
    assert webindex.builds == before + 1
    assert second.cache.path == webindex.cache_dir(newer) != first.cache.path
    assert second.cache.manifest["snapshot"]["file"] == newer.name
    # The old snapshot's cache is still valid; once its snapshot is gone, a build prunes it.
    assert webindex.validate(first.cache.path, snapshot).build_id == first.cache.build_id
    snapshot.unlink()
    third = snapshot.with_name("20240103T000000000000Z-cccc.duckdb")
    shutil.copy(newer, third)
    _open(third)
    assert not first.cache.path.exists() and second.cache.path.exists()


def test_pruning_keeps_the_cache_of_a_snapshot_file_not_named_duckdb(snapshot: Path) -> None:
    served = snapshot.with_name("served.db")  # as `toex serve --snapshot served.db` names it
    shutil.copy(snapshot, served)
    kept = _open(served).cache
    assert kept.path.name == "served.webindex"
    _open(snapshot)  # a build, then pruning
    assert webindex.validate(kept.path, served).build_id == kept.build_id


def test_a_snapshot_file_replaced_under_the_same_name_is_rebuilt(snapshot: Path) -> None:
    first = _open(snapshot).cache.build_id
    con = duckdb.connect(str(snapshot))
    con.execute("DELETE FROM staged_event WHERE event_id = 'e1'")
    con.close()
    before = webindex.builds
    assert _open(snapshot).cache.build_id != first and webindex.builds == before + 1


@pytest.mark.parametrize(
    "damage",
    [
        "manifest missing",
        "array truncated",
        "names overwritten",
        "read model truncated",
        "row count wrong",
        "array garbage",
    ],
)
def test_a_damaged_cache_is_rebuilt_not_trusted(snapshot: Path, damage: str) -> None:
    good = _open(snapshot)
    directory = good.cache.path
    expected = search_persons(good, good.cursor(), ALL, SearchCriteria(name="Billy Smith"))
    if damage == "manifest missing":  # as a build that died before its rename would leave it
        (directory / "manifest.json").unlink()
    elif damage == "array truncated":
        (directory / "s.npy").write_bytes((directory / "s.npy").read_bytes()[:-8])
    elif damage == "names overwritten":
        size = (directory / "names.json").stat().st_size
        (directory / "names.json").write_bytes(b"x" * size)
    elif damage == "read model truncated":
        with (directory / "readmodel.duckdb").open("r+b") as fh:
            fh.truncate(4096)
    elif damage == "row count wrong":  # validates, then fails to open: rebuilt all the same
        manifest = json.loads((directory / "manifest.json").read_text())
        manifest["tables"]["web_mention"] += 1
        (directory / "manifest.json").write_text(json.dumps(manifest))
    else:  # same size, a valid header, but not the array recorded (checksum)
        arr = np.load(directory / "p.npy")
        (directory / "p.npy").unlink()
        np.save(directory / "p.npy", arr[::-1].copy())
    before = webindex.builds
    again = _open(snapshot)
    assert webindex.builds == before + 1
    assert again.cache.build_id != good.cache.build_id
    assert webindex.validate(directory, snapshot).build_id == again.cache.build_id
    found = search_persons(again, again.cursor(), ALL, SearchCriteria(name="Billy Smith"))
    assert found == expected


def test_leftovers_of_a_dead_build_are_ignored(snapshot: Path) -> None:
    partial = snapshot.with_name(f".{snapshot.stem}.webindex.tmp-1-dead")
    partial.mkdir()
    (partial / "s.npy").write_bytes(b"partial")
    snap = _open(snapshot)
    assert snap.cache.path != partial and snap.search.names.surnames


def test_an_unwritable_data_directory_gets_a_private_cache(
    snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(directory: Path) -> None:
        raise PermissionError(13, "read-only data directory")

    monkeypatch.setattr(webindex, "_locked", refused)
    snap = _open(snapshot)
    private = snap.cache.path.parent
    assert snap.cache.private and private.name.startswith(webindex.PRIVATE_PREFIX)
    assert not webindex.cache_dir(snapshot).exists() and snap.search.names.surnames
    del snap
    gc.collect()
    assert not private.exists()


def _queries(index: SearchIndex) -> list[str]:
    names = [f"{f} {s}" for f in index.names.forenames for s in index.names.surnames[:3]]
    return [*names, *index.names.surnames, "Billy Smith", "Bill", "Smyth", "Jon Smith", "Zz"]


def test_search_from_the_cache_equals_a_fresh_build(tiny_snapshot: Path, tmp_path: Path) -> None:
    copy = tmp_path / "tiny.duckdb"
    shutil.copy(tiny_snapshot, copy)
    cached = _open(copy)
    assert webindex.builds and cached.cache.has_search
    con = duckdb.connect(str(cached.cache.read_model), read_only=True)
    fresh = SearchIndex.build(con.cursor())
    con.close()
    loaded = cached.search
    for name in ARRAYS:
        assert np.array_equal(getattr(fresh, name), getattr(loaded, name)), name
    assert fresh.person_ids.equals(loaded.person_ids) and fresh.markings == loaded.markings
    assert fresh.names == loaded.names
    permitted = np.ones(len(fresh.markings), dtype=bool)
    permitted[::2] = False
    for query in _queries(fresh)[:300]:
        forename, surname = split_name(query)
        f = {c: 1.0 for c in fresh.names.forename_candidates(forename)}
        s = {c: 0.9 for c in fresh.names.surname_candidates(surname)}
        w = {c: 0.8 for c in fresh.names.forename_candidates(surname)}
        for p in (permitted, ~permitted):
            a, b = fresh.name_scores(p, f, s, w), loaded.name_scores(p, f, s, w)
            assert np.array_equal(a.persons, b.persons) and np.array_equal(a.scores, b.scores)
            assert fresh.ids(a.persons) == loaded.ids(b.persons)
            assert fresh.suggest(p, query[:3].upper()) == loaded.suggest(p, query[:3].upper())
    # And through the data layer: the cached snapshot against one opened on a fresh build.
    forces = cached.cursor().execute("SELECT DISTINCT force FROM web_mention").fetchall()
    scope = AccessScope(frozenset(str(f) for (f,) in forces), frozenset({"P", "C"}), "TOP SECRET")
    shutil.rmtree(cached.cache.path)
    rebuilt = OpenSnapshot(SnapshotRef("again", copy, cached.ref.created_at), 1)
    rows = (
        cached.cursor()
        .execute(
            "SELECT DISTINCT forename || ' ' || surname FROM web_mention "
            "WHERE forename <> '' AND surname <> '' ORDER BY 1 LIMIT 30"
        )
        .fetchall()
    )
    totals = 0
    for query in [r[0] for r in rows] + fresh.names.surnames[:10]:
        c = SearchCriteria(name=query)
        result = search_persons(cached, cached.cursor(), scope, c)
        assert result == search_persons(rebuilt, rebuilt.cursor(), scope, c)
        totals += result.total
    assert totals > 0
