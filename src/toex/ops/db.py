"""Opening the operational store and bringing its schema up to date with Alembic.

A store carries its :class:`~toex.ops.keys.AuditConfig` (audit keys, checkpoint log), which
every session it makes hands to the audit log (``session.info["toex_audit"]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from toex.ops.keys import AuditConfig

if TYPE_CHECKING:
    from toex.config.settings import Settings


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the shipped migrations and the given database URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("toex.ops").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    """WAL (readers never wait for the writer) with ``synchronous=NORMAL``: a commit is
    durable once it is in the WAL, which is fsynced at each checkpoint rather than at every
    commit. A crash of the process loses nothing; a power cut can lose the last commits
    (never corrupt the database or the chain). Writers wait up to 10 s for the write lock."""
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


@dataclass
class OpsStore:
    """A connection to the operational store: the engine, a session factory and the audit
    log's configuration."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    audit: AuditConfig

    def session(self) -> Session:
        """A new session (use as a context manager)."""
        return self.sessions()

    def upgrade(self) -> None:
        """Apply every Alembic migration not yet applied, then MAC any audit entries written
        before the log was keyed (:func:`toex.ops.audit_verify.seal_legacy`)."""
        cfg = alembic_config(self.url)
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        from toex.ops.audit_verify import seal_legacy

        seal_legacy(self)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_store(
    url: str,
    *,
    upgrade: bool = True,
    audit: AuditConfig | None = None,
    settings: Settings | None = None,
) -> OpsStore:
    """Open the store at ``url`` (SQLite path directories are created); migrate by default.

    ``audit`` defaults to what ``settings`` (default: the process settings) give this URL:
    keys and checkpoint log beside a SQLite file store, else under the data directory.
    """
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if audit is None:
        from toex.config import get_settings

        audit = AuditConfig.from_settings(settings or get_settings(), url)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    sessions = sessionmaker(engine, expire_on_commit=False, info={"toex_audit": audit})
    store = OpsStore(url, engine, sessions, audit)
    if upgrade:
        store.upgrade()
    return store
