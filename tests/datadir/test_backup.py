"""``toex backup`` / ``toex restore``: restore into an empty directory and serve it (log in,
search, open a profile), on SQLite and PostgreSQL stores; damaged or unexpected archives and
non-empty targets are refused before anything is written."""

from __future__ import annotations

import json
import shutil
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from toex.config import Settings, get_settings
from toex.engine import SnapshotStore
from toex.ops import open_store
from toex.ops.audit import AuditQuery, record, search_entries, verify_chain
from toex.ops.keys import KEY_DIR, create_key_file, key_id, read_key_file, store_dir

from .support import add_analyst, cli, login, profile, search, serve


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings re-read from the environment the test sets."""
    monkeypatch.delenv("TOEX_OPS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _use_store(env: pytest.MonkeyPatch, url: str | None) -> None:
    if url is None:
        env.delenv("TOEX_OPS_DATABASE_URL", raising=False)
    else:
        env.setenv("TOEX_OPS_DATABASE_URL", url)
    get_settings.cache_clear()


def _settings_for(data: Path) -> Settings:
    """The process settings for the data directory ``data`` (as ``--data-dir`` gives them)."""
    return get_settings().model_copy(update={"data_dir": data})


def _keys_of(data: Path, ops_url: str) -> Path:
    """The key directory of the store at ``ops_url`` serving ``data``."""
    return store_dir(ops_url, _settings_for(data)) / KEY_DIR


def _copy_keys(source: Path, source_url: str, target: Path, target_url: str) -> None:
    """Put the source's key files where the restored store looks for them, as an operator
    restoring the separately backed-up keys would."""
    dest = _keys_of(target, target_url)
    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copytree(_keys_of(source, source_url), dest)


def _source(tiny_warehouse: Path, tmp_path: Path, ops_url: str) -> Path:
    """A copy of the tiny set's data directory whose store (at ``ops_url``) has an analyst
    and one audit entry."""
    data = tmp_path / "source"
    shutil.copytree(tiny_warehouse, data)
    store = open_store(ops_url, settings=_settings_for(data))
    add_analyst(store)
    record(store, username="ann", action="search", purpose="before the backup")
    store.dispose()
    return data


def _a_named_person(data: Path) -> tuple[str, str]:
    info = SnapshotStore(data).current()
    assert info is not None
    con = duckdb.connect(str(info.path), read_only=True)
    row = con.execute(
        "SELECT r.person_id, m.forename || ' ' || m.surname FROM resolved_mention_person r "
        "JOIN staged_person_mention m USING (mention_id) WHERE m.forename IS NOT NULL "
        "AND m.surname IS NOT NULL ORDER BY r.person_id LIMIT 1"
    ).fetchone()
    con.close()
    assert row is not None
    return str(row[0]), str(row[1])


def _backup(data: Path, out: Path) -> None:
    code, output = cli("backup", "--out", str(out), "--data-dir", str(data))
    assert code == 0, output
    assert output.startswith("backup of snapshot ")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def _restore(archive: Path, target: Path) -> None:
    code, output = cli("restore", str(archive), "--data-dir", str(target))
    assert code == 0, output
    assert output.endswith("restore the key files separately (docs/operations.md)\n")


def _serve_and_check(target: Path, ops: str, person: str, name: str) -> None:
    with serve(target, ops) as client:
        token = login(client)
        assert person in search(client, token, name)
        status, html = profile(client, token, person)
        assert status == 200 and person in html


def test_a_backup_restores_into_an_empty_directory_and_serves(
    tiny_warehouse: Path, tmp_path: Path, ops_url: str, env: pytest.MonkeyPatch
) -> None:
    data = _source(tiny_warehouse, tmp_path, ops_url)
    _use_store(env, ops_url)
    archive = tmp_path / "backup.tar"
    _backup(data, archive)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    info = SnapshotStore(data).current()
    assert info is not None
    assert names == ["manifest.json", "ops.sqlite", f"warehouse/{info.path.name}"]
    assert manifest["snapshot"]["run_id"] == info.run_id
    assert manifest["ops"]["dialect"] == ops_url.split(":")[0].split("+")[0]
    assert not any(n.startswith("keys") for n in names)

    _use_store(env, None)  # the restored directory keeps its store inside it (SQLite)
    target = tmp_path / "restored"
    ops = f"sqlite:///{target / 'ops.sqlite'}"
    _copy_keys(data, ops_url, target, ops)
    _restore(archive, target)
    assert sorted(p.name for p in (target / "warehouse").iterdir()) == sorted(
        ["CURRENT", info.path.name]
    )
    store = open_store(ops, settings=_settings_for(target))
    actions = [
        (e.action, e.target)
        for action in ("backup", "restore")
        for e in search_entries(store, AuditQuery(action=action))
    ]
    assert actions == [
        ("backup", f"backup of snapshot {info.run_id}"),
        ("restore", f"restore of snapshot {info.run_id}"),
    ]
    assert len(search_entries(store, AuditQuery(text="before the backup"))) == 1
    assert verify_chain(store).ok
    store.dispose()
    person, name = _a_named_person(target)
    _serve_and_check(target, ops, person, name)


def test_a_backup_restores_into_an_empty_postgresql_store(
    tiny_warehouse: Path, tmp_path: Path, postgres_url: str, env: pytest.MonkeyPatch
) -> None:
    sqlite = f"sqlite:///{tmp_path / 'source-ops.sqlite'}"
    data = _source(tiny_warehouse, tmp_path, sqlite)
    _use_store(env, sqlite)
    archive = tmp_path / "backup.tar"
    _backup(data, archive)
    # a server whose time zone is not UTC must not shift the restored times (and hashes)
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        name = make_url(postgres_url).database
        conn.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'America/New_York'"))
    engine.dispose()
    _use_store(env, postgres_url)
    target = tmp_path / "restored"
    _copy_keys(data, sqlite, target, postgres_url)
    _restore(archive, target)
    assert not (target / "ops.sqlite").exists()
    store = open_store(postgres_url, settings=_settings_for(target))
    assert verify_chain(store).checked == 3  # the search, the backup, the restore
    store.dispose()
    person, name = _a_named_person(target)
    _serve_and_check(target, postgres_url, person, name)
    # new rows after a restore get new ids (the sequences moved past the restored rows)
    store = open_store(postgres_url, settings=_settings_for(target))
    record(store, username="ann", action="search", purpose="after the restore")
    assert verify_chain(store).ok
    store.dispose()


def _tamper(archive: Path, member: str, out: Path) -> None:
    """Copy ``archive`` with one byte of ``member`` changed (its header left as it was)."""
    with tarfile.open(archive) as tar:
        info = tar.getmember(member)
        offset = info.offset_data + info.size // 2
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0xFF
    out.write_bytes(bytes(data))


def test_a_damaged_or_foreign_archive_and_a_used_directory_are_refused(
    tiny_warehouse: Path, tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    data = _source(tiny_warehouse, tmp_path, f"sqlite:///{tmp_path / 'ops.sqlite'}")
    _use_store(env, f"sqlite:///{tmp_path / 'ops.sqlite'}")
    archive = tmp_path / "backup.tar"
    _backup(data, archive)
    assert cli("backup", "--out", str(archive), "--data-dir", str(data)) == (
        3,
        f"error: {archive} exists: choose a new file for the backup",
    )
    _use_store(env, None)
    info = SnapshotStore(data).current()
    assert info is not None
    bad = tmp_path / "bad.tar"
    _tamper(archive, f"warehouse/{info.path.name}", bad)
    target = tmp_path / "restored"
    code, output = cli("restore", str(bad), "--data-dir", str(target))
    assert code == 3
    assert output.startswith(f"error: {bad}: warehouse/{info.path.name} fails its checksum")
    assert not (target / "ops.sqlite").exists() and SnapshotStore(target).list() == []
    # without the audit key that signed the backed-up log (none, or another deployment's),
    # the restored log would read as forged: refused before anything is written
    signer = key_id(
        read_key_file(_keys_of(data, f"sqlite:///{tmp_path / 'ops.sqlite'}") / "audit.key")[-1]
    )
    key_file = target / "keys" / "audit.key"
    refusal = (
        3,
        f"error: {archive}: its audit log is signed with audit key {signer}, which {key_file} "
        "does not hold: put the backed-up key files in place first (docs/operations.md); "
        "nothing was restored",
    )
    assert cli("restore", str(archive), "--data-dir", str(target)) == refusal
    create_key_file(key_file)
    assert cli("restore", str(archive), "--data-dir", str(target)) == refusal
    assert not (target / "ops.sqlite").exists() and SnapshotStore(target).list() == []
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(foreign, "w") as tar:
        tar.add(data / "ops.sqlite", arcname="ops.sqlite")
    assert cli("restore", str(foreign), "--data-dir", str(target)) == (
        3,
        f"error: {foreign}: not a toex backup (no manifest.json first)",
    )
    assert cli("restore", str(archive), "--data-dir", str(data)) == (
        3,
        f"error: data directory {data} is not empty ({info.path.name}, CURRENT, ops.sqlite): "
        "restore only into an empty directory",
    )
