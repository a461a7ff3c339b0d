"""Copying the operational store to and from a SQLite file (for backups).

A SQLite store is copied with SQLite's online backup API (a consistent copy while the web app
keeps writing). Any other store (PostgreSQL) is copied table by table through SQLAlchemy,
inside one repeatable-read transaction, into a SQLite file migrated to the same schema; a
restore copies such a file back into an empty store the same way and moves PostgreSQL's id
sequences past the restored rows.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import Connection, DateTime, delete, func, insert, select, text
from sqlalchemy.engine import make_url

from toex.errors import InputError
from toex.ops import open_store
from toex.ops.models import Base

BATCH = 10_000


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (``None`` for other databases or ``:memory:``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def revision(conn: Connection) -> str | None:
    """The Alembic revision the store is at."""
    return MigrationContext.configure(conn).get_current_revision()


def _aware(row: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """SQLite gives back naive times; they were stored as UTC, so say so (PostgreSQL would
    otherwise read them in its own time zone and the audit hashes would no longer match)."""
    for c in columns:
        value = row[c]
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            row[c] = value.replace(tzinfo=dt.UTC)
    return row


def copy_tables(src: Connection, dst: Connection) -> dict[str, int]:
    """Replace every model table's rows in ``dst`` with those of ``src``; rows per table."""
    tables = Base.metadata.sorted_tables
    for table in reversed(tables):
        dst.execute(delete(table))
    counts: dict[str, int] = {}
    for table in tables:
        zoned = [c.name for c in table.columns if isinstance(c.type, DateTime) and c.type.timezone]
        result = src.execution_options(stream_results=True, yield_per=BATCH).execute(
            select(table).order_by(*table.primary_key.columns)
        )
        n = 0
        for part in result.mappings().partitions(BATCH):
            dst.execute(insert(table), [_aware(dict(r), zoned) for r in part])
            n += len(part)
        counts[table.name] = n
    return counts


def _fix_sequences(conn: Connection) -> None:
    """Move each PostgreSQL ``id`` sequence past the largest restored id."""
    for table in Base.metadata.sorted_tables:
        if "id" not in table.columns:
            continue
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
        ).scalar()
        if seq is None:
            continue
        top = conn.execute(select(func.max(table.c.id))).scalar()
        if top is None:
            conn.execute(text("SELECT setval(:s, 1, false)"), {"s": seq})
        else:
            conn.execute(text("SELECT setval(:s, :v, true)"), {"s": seq, "v": int(top)})


def dump_ops(url: str, dest: Path) -> str | None:
    """Copy the store at ``url`` into the new SQLite file ``dest``; returns its revision."""
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise InputError(f"no operational store at {path}")
        live = sqlite3.connect(path)
        copy = sqlite3.connect(dest)
        try:
            live.backup(copy)
        finally:
            copy.close()
            live.close()
        store = open_store(f"sqlite:///{dest}", upgrade=False)
        try:
            with store.engine.connect() as conn:
                return revision(conn)
        finally:
            store.dispose()
    source = open_store(url)
    target = open_store(f"sqlite:///{dest}")
    try:
        with (
            source.engine.connect().execution_options(isolation_level="REPEATABLE READ") as src,
            src.begin(),
            target.engine.begin() as dst,
        ):
            copy_tables(src, dst)
            return revision(src)
    finally:
        source.dispose()
        target.dispose()


def load_ops(src_file: Path, url: str) -> dict[str, int]:
    """Copy the SQLite backup ``src_file`` into the empty store at ``url`` (migrated first);
    refuses a store that already has users or audit entries."""
    target = open_store(url)
    source = open_store(f"sqlite:///{src_file}")  # brings an older backup up to this schema
    try:
        with target.engine.begin() as dst:
            from toex.ops.models import AuditEntry, User

            used = dst.execute(select(func.count()).select_from(User)).scalar_one()
            used += dst.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
            if used:
                raise InputError(
                    "the operational store to restore into is not empty "
                    "(it has users or audit entries): restore into a new database"
                )
            with source.engine.connect() as src:
                counts = copy_tables(src, dst)
            if dst.dialect.name == "postgresql":
                _fix_sequences(dst)
        return counts
    finally:
        source.dispose()
        target.dispose()
