"""The operational store: users, organisations, data-sharing agreements, API tokens, the
hash-chained audit log, analyst match decisions (and later referrals, operations, STIM cases).

SQLAlchemy 2 models with Alembic migrations; SQLite by default, PostgreSQL in production and
in CI (``TOEX_OPS_DATABASE_URL``). May import ``toex.model``, ``toex.config`` and
``toex.errors`` only.
"""

from toex.ops.db import OpsStore, open_store

__all__ = ["OpsStore", "open_store"]
