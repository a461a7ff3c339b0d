"""Open a warehouse file as an Ibis backend, configured from settings.

DuckDB is the embedded engine. ``TOEX_ENGINE=spark`` is refused here for now: the ingest and
snapshot code is written against DuckDB files (see docs/decisions.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
from ibis.backends.duckdb import Backend as DuckDBBackend

from toex.config import get_settings
from toex.errors import ConfigError, SnapshotError


def engine_config() -> dict[str, Any]:
    """DuckDB configuration (threads, memory limit) taken from the settings."""
    settings = get_settings()
    if settings.engine != "duckdb":
        raise ConfigError(
            f"engine {settings.engine!r} is not yet supported for ingest and snapshots; "
            "set TOEX_ENGINE=duckdb"
        )
    return {"threads": settings.threads, "memory_limit": settings.memory_limit}


def connect(path: str | Path, read_only: bool = True) -> DuckDBBackend:
    """An Ibis DuckDB backend on the warehouse file ``path`` (read-only by default).

    ``backend.con`` is the raw DuckDB connection. Raises :class:`SnapshotError` when a
    read-only open finds no file, and :class:`ConfigError` for an unsupported engine.
    """
    config = engine_config()
    path = Path(path)
    if read_only and not path.exists():
        raise SnapshotError(f"{path}: warehouse file does not exist")
    try:
        return ibis.duckdb.connect(database=str(path), read_only=read_only, **config)
    except Exception as exc:  # duckdb raises its own IOException / InvalidInputException
        raise SnapshotError(f"{path}: cannot open warehouse: {exc}") from exc
