"""The keyed audit chain: entries are HMAC'd under a key outside the database, numbered and
linked; every rewrite an attacker with write access to the database can make (edit and
rehash, delete and renumber, truncate, empty) is detected and named; appends stay
serialised under concurrency (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from toex.ops import open_store
from toex.ops.audit import (
    GENESIS_HASH,
    AuditQuery,
    append_entry,
    canonical_time,
    entry_fields,
    entry_mac,
    legacy_hash,
    record,
    search_entries,
)
from toex.ops.audit_checkpoints import checkpoint, read_checkpoints
from toex.ops.audit_verify import verify_chain
from toex.ops.db import OpsStore
from toex.ops.keys import AuditConfig, AuditKeys, key_id
from toex.ops.models import AuditEntry

KEY = "k" * 40
OTHER_KEY = "o" * 40


def _config(tmp_path: Path, keys: list[str] | None = None, every: int = 1000) -> AuditConfig:
    return AuditConfig.fixed(keys or [KEY], tmp_path / "checkpoints.log", every)


@pytest.fixture
def store(ops_url: str, tmp_path: Path) -> Iterator[OpsStore]:
    s = open_store(ops_url, audit=_config(tmp_path))
    yield s
    s.dispose()


def _fill(store: OpsStore, n: int = 5) -> None:
    for i in range(n):
        record(
            store,
            username=f"user{i % 2}",
            organisation="org",
            action="search",
            target=f"name=Smith {i}",
            purpose=f"op test {i}",
            detail={"n": i, "é": "ü"},
            client="127.0.0.1",
        )


def _sql(store: OpsStore, *statements: str) -> None:
    with store.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))


def _rows(store: OpsStore) -> list[AuditEntry]:
    with store.session() as s:
        return s.query(AuditEntry).order_by(AuditEntry.id).all()


def test_entry_mac_is_hmac_sha256_of_label_and_canonical_json() -> None:
    keys = AuditKeys.of([KEY])
    kid = key_id(KEY)
    body = b'{"a":"x","b":1,"key_id":"' + kid.encode() + b'","prev":"ab","seq":3}'
    expected = hmac.new(KEY.encode(), b"toex audit entry v2\n" + body, hashlib.sha256)
    assert entry_mac(keys, kid, {"b": 1, "a": "x"}, 3, "ab") == expected.hexdigest()
    assert len(kid) == 12 and kid != key_id(OTHER_KEY)


def test_canonical_time_treats_naive_as_utc() -> None:
    aware = dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert canonical_time(aware) == "2024-01-02T03:04:05.000006Z"
    assert canonical_time(aware.replace(tzinfo=None)) == canonical_time(aware)


def test_entries_are_numbered_keyed_and_chained_from_genesis(store: OpsStore) -> None:
    _fill(store)
    rows = _rows(store)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert {r.key_id for r in rows} == {key_id(KEY)}
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(rows))
    keys = AuditKeys.of([KEY])
    for r in rows:
        assert r.entry_hash == entry_mac(keys, key_id(KEY), entry_fields(r), r.seq, r.prev_hash)
    result = verify_chain(store)
    assert (result.ok, result.checked, result.message) == (True, 5, "audit chain intact")


def test_empty_log_verifies(store: OpsStore) -> None:
    assert verify_chain(store).ok


@pytest.mark.parametrize("column", ["purpose", "username", "target", "action", "client"])
def test_editing_a_field_names_the_entry(store: OpsStore, column: str) -> None:
    _fill(store)
    _sql(store, f"UPDATE audit_entry SET {column} = 'tampered' WHERE id = 3")
    result = verify_chain(store)
    assert (result.ok, result.broken_id, result.message) == (
        False,
        3,
        "entry 3 (seq 3): its HMAC does not match its contents (altered or forged)",
    )


def test_editing_the_time_names_the_entry(store: OpsStore) -> None:
    _fill(store)
    with store.session() as s:
        row = s.get(AuditEntry, 2)
        assert row is not None
        row.at = row.at + dt.timedelta(seconds=1)
        s.commit()
    assert verify_chain(store).broken_id == 2


def _rehash_forward(store: OpsStore, start: int, digest: object) -> None:
    """What an attacker without the key can do: recompute every hash from ``start`` on with
    ``digest(prev, fields, row)`` and move the head to the new last hash."""
    with store.session() as s:
        rows = s.query(AuditEntry).order_by(AuditEntry.id).all()
        prev = rows[start - 2].entry_hash if start > 1 else GENESIS_HASH
        for row in rows[start - 1 :]:
            row.prev_hash = prev
            row.entry_hash = digest(prev, entry_fields(row), row)  # type: ignore[operator]
            prev = row.entry_hash
        s.commit()
    _sql(store, f"UPDATE audit_head SET last_hash = '{prev}' WHERE id = 1")


def test_edit_and_rehash_forward_unkeyed_is_detected(store: OpsStore) -> None:
    # The attack that passed before: edit a row, recompute SHA-256 hashes forward.
    _fill(store)
    _sql(store, "UPDATE audit_entry SET purpose = 'innocent' WHERE id = 2")
    _rehash_forward(store, 2, lambda prev, fields, row: legacy_hash(prev, fields))
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        2,
        "entry 2 (seq 2): its HMAC does not match its contents (altered or forged)",
    )


def test_rehash_under_a_key_of_the_attackers_own_is_detected(store: OpsStore) -> None:
    _fill(store)
    _sql(store, "UPDATE audit_entry SET purpose = 'innocent' WHERE id = 2")
    mine = AuditKeys.of([OTHER_KEY])
    _rehash_forward(
        store, 2, lambda prev, fields, row: entry_mac(mine, mine.current, fields, row.seq, prev)
    )
    assert verify_chain(store).message == (
        "entry 2 (seq 2): its HMAC does not match its contents (altered or forged)"
    )
    _sql(store, f"UPDATE audit_entry SET key_id = '{mine.current}' WHERE id >= 2")
    assert verify_chain(store).message == (
        f"entry 2 (seq 2): signed with unknown key {mine.current} "
        "(forged, or its key is missing from the audit key file)"
    )


def test_deleting_a_middle_entry_names_the_gap(store: OpsStore) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_entry WHERE id = 3")
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        4,
        "seq 3 missing before entry 4 (entries deleted)",
    )


def test_deleting_the_first_entries_names_them(store: OpsStore) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_entry WHERE id <= 2")
    assert verify_chain(store).message == "seq 1..2 missing before entry 3 (entries deleted)"


def test_delete_and_renumber_is_detected(store: OpsStore) -> None:
    # Delete entry 3, move ids and sequence numbers of the later ones down, fix the head.
    _fill(store)
    _sql(
        store,
        "DELETE FROM audit_entry WHERE id = 3",
        "UPDATE audit_entry SET id = id - 1, seq = seq - 1 WHERE id > 3",
        "UPDATE audit_head SET seq = 4, last_id = 4 WHERE id = 1",
    )
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        3,
        "entry 3 (seq 3): does not follow entry 2 "
        "(an entry was removed, inserted or altered before it)",
    )
    # Relinking the renumbered entry (without the key) only moves the failure to its HMAC.
    rows = _rows(store)
    _sql(store, f"UPDATE audit_entry SET prev_hash = '{rows[1].entry_hash}' WHERE id = 3")
    assert verify_chain(store).message == (
        "entry 3 (seq 3): its HMAC does not match its contents (altered or forged)"
    )


def test_truncation_without_moving_the_head_is_caught_by_the_head(store: OpsStore) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_entry WHERE id >= 4")
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        5,
        "the chain head records seq 5 (entry 5) but the chain ends at seq 3 (entry 3) "
        "(entries deleted from the end)",
    )


def test_truncation_with_the_head_moved_is_caught_by_the_checkpoint(store: OpsStore) -> None:
    _fill(store)
    cp = checkpoint(store)
    assert cp is not None and (cp.line, cp.seq, cp.last_id) == (1, 5, 5)
    third = _rows(store)[2].entry_hash
    _sql(
        store,
        "DELETE FROM audit_entry WHERE id >= 4",
        f"UPDATE audit_head SET seq = 3, last_id = 3, last_hash = '{third}' WHERE id = 1",
    )
    result = verify_chain(store)
    assert (result.ok, result.broken_id, result.message) == (
        False,
        5,
        f"the chain ends at seq 3 (entry 3) but checkpoint line 1 of {cp.at} records seq 5 "
        "(entries deleted from the end)",
    )


def test_deleting_everything_is_caught_by_the_checkpoint(store: OpsStore) -> None:
    _fill(store)
    cp = checkpoint(store)
    assert cp is not None
    _sql(
        store,
        "DELETE FROM audit_entry",
        f"UPDATE audit_head SET seq = 0, last_id = NULL, last_hash = '{GENESIS_HASH}' WHERE id = 1",
    )
    result = verify_chain(store)
    assert (result.checked, result.message) == (
        0,
        f"the audit log is empty but checkpoint line 1 of {cp.at} records seq 5 (entries deleted)",
    )


def test_a_chain_rewritten_with_the_key_differs_from_the_checkpoint(
    store: OpsStore, tmp_path: Path
) -> None:
    # Even a holder of the key who rewrites history is caught by an earlier checkpoint.
    _fill(store, 3)
    cp = checkpoint(store)
    assert cp is not None
    _sql(store, "UPDATE audit_entry SET purpose = 'innocent' WHERE id = 2")
    keys = AuditKeys.of([KEY])
    _rehash_forward(
        store, 2, lambda prev, fields, row: entry_mac(keys, keys.current, fields, row.seq, prev)
    )
    assert verify_chain(store).message == (
        f"entry 3 (seq 3) differs from checkpoint line 1 of {cp.at} (the chain was rewritten)"
    )


def test_a_forged_checkpoint_line_is_reported(store: OpsStore) -> None:
    _fill(store, 3)
    checkpoint(store)
    path = store.audit.checkpoint_file
    path.write_text(path.read_text().replace('"seq": 3', '"seq": 2'))
    result = verify_chain(store)
    assert (result.ok, result.message) == (
        False,
        "checkpoint log line 1 is not authentic (altered or forged)",
    )


def test_checkpoints_are_written_every_n_entries_and_not_repeated(
    ops_url: str, tmp_path: Path
) -> None:
    store = open_store(ops_url, audit=_config(tmp_path, every=2))
    try:
        _fill(store, 5)
        log = read_checkpoints(store.audit.checkpoint_file, store.audit.keys)
        assert [(c.line, c.seq, c.last_id) for c in log.checkpoints] == [(1, 2, 2), (2, 4, 4)]
        assert checkpoint(store) is not None and checkpoint(store) is None
        assert checkpoint(store, force=True) is not None
        assert store.audit.checkpoint_file.stat().st_mode & 0o777 == 0o600
        result = verify_chain(store)
        assert result.ok and result.checkpoint is not None and result.checkpoint.seq == 5
    finally:
        store.dispose()


def test_keys_rotate_old_entries_verify_with_old_keys(ops_url: str, tmp_path: Path) -> None:
    first = open_store(ops_url, audit=_config(tmp_path, [KEY]))
    _fill(first, 2)
    first.dispose()
    rotated = open_store(ops_url, audit=_config(tmp_path, [KEY, OTHER_KEY]))
    _fill(rotated, 2)
    assert [r.key_id for r in _rows(rotated)] == [key_id(KEY)] * 2 + [key_id(OTHER_KEY)] * 2
    assert verify_chain(rotated).ok
    rotated.dispose()
    dropped = open_store(ops_url, audit=_config(tmp_path, [OTHER_KEY]))
    assert verify_chain(dropped).message.startswith(
        f"entry 1 (seq 1): signed with unknown key {key_id(KEY)}"
    )
    dropped.dispose()


def test_concurrent_appends_from_separate_sessions_keep_one_chain(store: OpsStore) -> None:
    # Bypasses the in-process lock: the head-row update alone must serialise the appends.
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(8):
                with store.session() as s:
                    append_entry(s, username=f"t{k}", action="view", target=str(i))
                    s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify_chain(store)
    assert result.ok and result.checked == 32


def _append_in_process(url: str, log: str, k: int) -> None:
    store = open_store(url, upgrade=False, audit=AuditConfig.fixed([KEY], Path(log)))
    for i in range(15):
        record(store, username=f"p{k}", action="view", target=str(i))
    store.dispose()


def test_appends_from_several_processes_keep_one_chain(store: OpsStore) -> None:
    context = multiprocessing.get_context("fork")  # children open their own store and lock
    log = str(store.audit.checkpoint_file)
    procs = [context.Process(target=_append_in_process, args=(store.url, log, k)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    result = verify_chain(store)
    assert (result.ok, result.checked) == (True, 45)
    assert [r.seq for r in _rows(store)] == list(range(1, 46))


def test_search_entries_filters(store: OpsStore) -> None:
    _fill(store)
    record(store, username="other", organisation="org2", action="view", purpose="x y z")
    assert [e.id for e in search_entries(store, AuditQuery(username="user1"))] == [4, 2]
    assert [e.id for e in search_entries(store, AuditQuery(action="view"))] == [6]
    assert [e.id for e in search_entries(store, AuditQuery(text="SMITH 3"))] == [4]
    assert [e.id for e in search_entries(store, AuditQuery(organisation="org2"))] == [6]
    today = dt.datetime.now(dt.UTC).date()
    assert len(search_entries(store, AuditQuery(since=today, until=today))) == 6
    assert search_entries(store, AuditQuery(until=today - dt.timedelta(days=1))) == []
