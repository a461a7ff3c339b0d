"""Keys: none is a known default; generated key files are private, created once however
many processes race for them, and differ between data directories; key files others may
read, and short keys, are refused."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from toex.config import Settings
from toex.errors import ConfigError
from toex.ops.keys import (
    AuditKeys,
    audit_keys,
    checkpoint_path,
    create_key_file,
    default_key_file,
    key_id,
    parse_keys,
    read_key_file,
    session_keys,
)

KEY_A, KEY_B = "a" * 32, "b" * 40


def test_a_generated_key_file_is_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "session.key"
    (key,) = default_key_file(path)
    assert len(key) == 64 and int(key, 16) >= 0
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert default_key_file(path) == [key]
    assert default_key_file(tmp_path / "other" / "session.key") != [key]


def _race(path: str, queue: multiprocessing.Queue[tuple[bool, str]]) -> None:  # type: ignore[type-arg]
    created = create_key_file(Path(path))
    queue.put((created, read_key_file(Path(path))[0]))


def test_processes_racing_to_create_a_key_agree_on_one(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    path = tmp_path / "keys" / "audit.key"
    procs = [context.Process(target=_race, args=(str(path), queue)) for _ in range(6)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(30)
    assert sum(created for created, _ in results) == 1
    assert len({key for _, key in results}) == 1
    assert [p.name for p in path.parent.iterdir()] == ["audit.key"]  # no temporary left


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "session.key"
    path.write_text(KEY_A + "\n")
    path.chmod(0o644)
    with pytest.raises(ConfigError) as err:
        read_key_file(path)
    assert str(err.value) == (
        f"key file {path} is readable by other users (mode 0644): chmod 600 it"
    )
    path.chmod(0o600)
    assert read_key_file(path) == [KEY_A]


def test_short_or_missing_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        parse_keys(f"{KEY_A}\nshort\n", "key file k")
    assert str(err.value) == "key file k: key 2 is too short: use 32+ characters"
    with pytest.raises(ConfigError, match=r"^key file k holds no key$"):
        parse_keys("\n \n", "key file k")
    with pytest.raises(ConfigError) as err:
        read_key_file(tmp_path / "absent.key")
    assert str(err.value) == f"key file {tmp_path / 'absent.key'} does not exist"


def test_keys_rotate_the_last_signs_all_verify() -> None:
    keys = AuditKeys.of(parse_keys(f"{KEY_A}\n{KEY_B}\n", "k"))
    assert keys.current == key_id(KEY_B) and set(keys.keys) == {key_id(KEY_A), key_id(KEY_B)}
    assert keys.mac(b"m") == keys.mac(b"m", key_id(KEY_B)) != keys.mac(b"m", key_id(KEY_A))


def test_where_keys_come_from(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    sqlite = f"sqlite:///{tmp_path / 'db' / 'ops.sqlite'}"
    postgres = "postgresql+psycopg://u@h/db"
    # Default: generated session key under the data dir, audit key and checkpoint log
    # beside a SQLite store (else under the data dir); all separate files.
    assert session_keys(settings) == read_key_file(tmp_path / "data" / "keys" / "session.key")
    sqlite_key = audit_keys(settings, sqlite)
    assert (
        read_key_file(tmp_path / "db" / "keys" / "audit.key")[0].encode()
        in sqlite_key.keys.values()
    )
    assert audit_keys(settings, postgres).current != sqlite_key.current
    assert (tmp_path / "data" / "keys" / "audit.key").exists()
    assert checkpoint_path(settings, sqlite) == tmp_path / "db" / "audit-checkpoints.log"
    assert checkpoint_path(settings, postgres) == tmp_path / "data" / "audit-checkpoints.log"
    # Configured: the setting wins, whatever the store.
    keyfile = tmp_path / "audit.key"
    keyfile.write_text(f"{KEY_A}\n{KEY_B}\n")
    keyfile.chmod(0o600)
    configured = Settings(
        data_dir=tmp_path,
        secret_key=KEY_B,
        audit_key_file=keyfile,
        audit_checkpoint_file=tmp_path / "cp",
    )
    assert session_keys(configured) == [KEY_B]
    assert audit_keys(configured, sqlite).current == key_id(KEY_B)
    assert checkpoint_path(configured, sqlite) == tmp_path / "cp"
    assert audit_keys(Settings(audit_key=f"{KEY_A},{KEY_B}"), postgres).current == key_id(KEY_B)
