"""The hash-chained audit log: appends chain, tampering is detected and named, appends are
serialised under concurrency (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from toex.ops import open_store
from toex.ops.audit import (
    GENESIS_HASH,
    AuditQuery,
    append_entry,
    canonical_time,
    compute_hash,
    record,
    search_entries,
    verify_chain,
)
from toex.ops.db import OpsStore
from toex.ops.models import AuditEntry


@pytest.fixture
def store(ops_url: str) -> Iterator[OpsStore]:
    s = open_store(ops_url)
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


def test_hash_is_sha256_of_prev_hash_and_canonical_json() -> None:
    fields = {"b": 1, "a": "x"}
    import hashlib

    assert compute_hash("ab", fields) == hashlib.sha256(b'ab{"a":"x","b":1}').hexdigest()


def test_canonical_time_treats_naive_as_utc() -> None:
    aware = dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert canonical_time(aware) == "2024-01-02T03:04:05.000006Z"
    assert canonical_time(aware.replace(tzinfo=None)) == canonical_time(aware)


def test_entries_chain_from_genesis_and_verify(store: OpsStore) -> None:
    _fill(store)
    with store.session() as s:
        rows = s.query(AuditEntry).order_by(AuditEntry.id).all()
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(rows))
    result = verify_chain(store)
    assert result.ok and result.checked == 5 and result.message == "audit chain intact"


def test_empty_log_verifies(store: OpsStore) -> None:
    assert verify_chain(store).ok


def _sql(store: OpsStore, sql: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql))


@pytest.mark.parametrize("column", ["purpose", "username", "target", "action", "client"])
def test_editing_a_field_names_the_row(store: OpsStore, column: str) -> None:
    _fill(store)
    _sql(store, f"UPDATE audit_entry SET {column} = 'tampered' WHERE id = 3")
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        3,
        "row 3: contents do not match its hash (altered)",
    )


def test_editing_the_time_names_the_row(store: OpsStore) -> None:
    _fill(store)
    with store.session() as s:
        row = s.get(AuditEntry, 2)
        row.at = row.at + dt.timedelta(seconds=1)
        s.commit()
    assert verify_chain(store).broken_id == 2


def test_rehashing_an_edited_row_breaks_the_next_link(store: OpsStore) -> None:
    _fill(store)
    with store.session() as s:
        row = s.get(AuditEntry, 2)
        row.purpose = "innocent"
        row.entry_hash = compute_hash(
            row.prev_hash,
            {
                "id": row.id,
                "at": canonical_time(row.at),
                "username": row.username,
                "organisation": row.organisation,
                "action": row.action,
                "target": row.target,
                "purpose": row.purpose,
                "detail": row.detail,
                "client": row.client,
            },
        )
        s.commit()
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        3,
        "row 3: prev_hash does not match the hash of row 2 (an entry was deleted or altered)",
    )


def test_deleting_a_middle_row_names_it(store: OpsStore) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_entry WHERE id = 3")
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        3,
        "row 3 is missing (deleted): row 4's prev_hash does not match the hash of row 2",
    )


def test_deleting_the_first_row_names_it(store: OpsStore) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_entry WHERE id = 1")
    result = verify_chain(store)
    assert result.broken_id == 1
    assert result.message.startswith("row 1 is missing (deleted)")


def test_deleting_the_last_rows_is_caught_by_the_head(store: OpsStore) -> None:
    _fill(store)
    _sql(store, "DELETE FROM audit_entry WHERE id >= 4")
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        5,
        "row 5: the chain head records row 5 but the chain ends at row 3 "
        "(rows deleted from the end)",
    )


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
