"""The operational store migrates on SQLite and PostgreSQL and matches its models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from toex.ops import open_store
from toex.ops.db import alembic_config
from toex.ops.models import Base


def test_migrations_create_every_table_and_match_models(ops_url: str) -> None:
    store = open_store(ops_url)
    try:
        names = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= names
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        store.dispose()


def test_upgrade_twice_is_a_no_op(ops_url: str) -> None:
    store = open_store(ops_url)
    try:
        store.upgrade()
        with store.engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config(ops_url)).get_current_head()
            assert MigrationContext.configure(conn).get_current_revision() == head
    finally:
        store.dispose()
