"""Entries written before the log was keyed (revision 0003) are numbered by the migration
and sealed with the key when the store is next opened, if their unkeyed chain is intact;
a broken one, or unkeyed entries in a log the checkpoints show was keyed (a downgrade),
are left for ``toex audit verify`` to report (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from toex.ops import open_store
from toex.ops.audit import GENESIS_HASH, canonical_time, legacy_hash, record
from toex.ops.audit_checkpoints import checkpoint
from toex.ops.audit_verify import verify_chain
from toex.ops.db import OpsStore, alembic_config
from toex.ops.keys import AuditConfig, key_id

KEY = "k" * 40
_ENTRY = sa.table(
    "audit_entry",
    *(sa.column(c) for c in ("id", "at", "username", "organisation", "action", "target")),
    *(sa.column(c) for c in ("purpose", "client", "prev_hash", "entry_hash")),
    sa.column("detail", sa.JSON()),
)


def _legacy_store(url: str, tmp_path: Path, n: int = 3, broken: int | None = None) -> None:
    """A store at revision 0003 holding ``n`` entries of the old unkeyed chain."""
    store = open_store(url, upgrade=False, audit=AuditConfig.fixed([KEY], tmp_path / "cp.log"))
    cfg = alembic_config(url)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        prev = GENESIS_HASH
        for i in range(1, n + 1):
            at = dt.datetime(2025, 1, 1, 12, 0, i, tzinfo=dt.UTC)
            fields = {
                "id": i,
                "at": canonical_time(at),
                "username": "ann",
                "organisation": "org",
                "action": "search",
                "target": f"t{i}",
                "purpose": f"p{i}",
                "detail": {"n": i},
                "client": "127.0.0.1",
            }
            digest = legacy_hash(prev, fields)
            values = {**fields, "at": at, "prev_hash": prev, "entry_hash": digest}
            if i == broken:
                values["purpose"] = "altered"
            conn.execute(_ENTRY.insert().values(**values))
            prev = digest
        conn.execute(sa.text(f"UPDATE audit_head SET last_id = {n}, last_hash = '{prev}'"))
        if conn.dialect.name == "postgresql":  # ids were given: move the id sequence on
            conn.execute(
                sa.text(f"SELECT setval(pg_get_serial_sequence('audit_entry', 'id'), {n})")
            )
    store.dispose()


def _open(url: str, tmp_path: Path) -> OpsStore:
    return open_store(url, audit=AuditConfig.fixed([KEY], tmp_path / "cp.log"))


def test_an_intact_legacy_chain_is_numbered_and_sealed(ops_url: str, tmp_path: Path) -> None:
    _legacy_store(ops_url, tmp_path)
    store = _open(ops_url, tmp_path)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, key_id FROM audit_entry ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, key_id(KEY)), (2, key_id(KEY)), (3, key_id(KEY))]
    record(store, username="bob", action="view")
    result = verify_chain(store)
    assert (result.ok, result.checked) == (True, 4)
    store.dispose()


def test_a_broken_legacy_chain_is_left_unsealed_and_reported(ops_url: str, tmp_path: Path) -> None:
    _legacy_store(ops_url, tmp_path, broken=2)
    store = _open(ops_url, tmp_path)
    result = verify_chain(store)
    assert (result.broken_id, result.message) == (
        1,
        "entry 1 (seq 1): not keyed (forged, or written before keyed logging and never sealed)",
    )
    store.dispose()


def test_unkeyed_entries_in_a_checkpointed_log_are_never_sealed(
    ops_url: str, tmp_path: Path
) -> None:
    # The downgrade attack: rewrite the whole chain as "legacy" entries and hope the next
    # start seals the forgery with the key. The checkpoint log shows the chain was keyed.
    store = _open(ops_url, tmp_path)
    record(store, username="ann", action="search", purpose="true")
    checkpoint(store)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entry SET key_id = NULL, purpose = 'forged'"))
    store.dispose()
    reopened = _open(ops_url, tmp_path)
    assert verify_chain(reopened).message.startswith("entry 1 (seq 1): not keyed")
    reopened.dispose()
