"""The operational store migrates on SQLite and PostgreSQL and matches its models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from toex.config import Settings
from toex.ops import open_store
from toex.ops.db import alembic_config
from toex.ops.models import Base


def test_migrations_create_every_table_and_match_models(ops_url: str, tmp_path: Path) -> None:
    store = open_store(ops_url, settings=Settings(data_dir=tmp_path))
    try:
        names = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= names
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        store.dispose()


def test_upgrade_twice_is_a_no_op(ops_url: str, tmp_path: Path) -> None:
    store = open_store(ops_url, settings=Settings(data_dir=tmp_path))
    try:
        store.upgrade()
        with store.engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config(ops_url)).get_current_head()
            assert MigrationContext.configure(conn).get_current_revision() == head
    finally:
        store.dispose()


def test_upgrading_to_0004_revokes_older_tokens(ops_url: str, tmp_path: Path) -> None:
    # Tokens from before 0004 may have been issued by an admin for someone else and may
    # never expire: the migration revokes them.
    import sqlalchemy as sa
    from alembic import command

    store = open_store(ops_url, upgrade=False, settings=Settings(data_dir=tmp_path))
    cfg = alembic_config(ops_url)
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.execute(
            sa.text("INSERT INTO organisation (id, code, name, kind) VALUES (1, 'o', 'O', 'force')")
        )
        conn.execute(
            sa.text(
                "INSERT INTO app_user (id, username, display_name, password_hash, role, "
                "organisation_id, clearance, handling_codes, active, created_at) VALUES "
                "(1, 'ann', 'Ann', 'x', 'analyst', 1, 'SECRET', 'P', :t, :now)"
            ),
            {"t": True, "now": "2025-01-01 00:00:00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO api_token (user_id, token_hash, label, created_at, revoked) "
                "VALUES (1, 'h', 'issued by admin', :now, :f)"
            ),
            {"f": False, "now": "2025-01-01 00:00:00"},
        )
    store.upgrade()
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT revoked, revoked_by, scope FROM api_token")).one()
    assert (bool(row[0]), row[1], row[2]) == (True, "migration 0004", "read")
    store.dispose()
