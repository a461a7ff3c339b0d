"""Running the app: ``toex serve`` calls :func:`serve`."""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from toex.config import Settings, get_settings
from toex.web.app import app_from_settings
from toex.web.warehouse import FixedSnapshot

SNAPSHOT_ENV = "TOEX_WEB_SNAPSHOT"


def app_from_env() -> FastAPI:
    """The app from ``TOEX_*`` settings (the uvicorn factory each worker process calls);
    ``TOEX_WEB_SNAPSHOT`` names a fixed DuckDB file to serve instead of ``CURRENT``."""
    fixed = os.environ.get(SNAPSHOT_ENV)
    source = FixedSnapshot(Path(fixed), run_id=Path(fixed).stem) if fixed else None
    return app_from_settings(get_settings(), source)


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    snapshot: Path | None = None,
    workers: int = 1,
) -> None:
    """Serve the app with uvicorn until interrupted.

    ``snapshot`` serves one DuckDB file instead of the data directory's ``CURRENT`` one.
    ``workers`` > 1 runs that many processes: the first to open a snapshot builds its read
    model and name index once, under a file lock, beside the snapshot, and every worker
    attaches and memory-maps those files (:mod:`toex.web.webindex`); the audit chain is
    serialised in the database. TLS is expected to end at a reverse proxy on this
    host; uvicorn trusts its ``X-Forwarded-Proto`` so cookies are marked ``Secure`` behind it.
    """
    options = {
        "host": host,
        "port": port,
        "proxy_headers": True,
        "log_level": "info",
        # No access log: its lines would repeat what the audit log records (query strings
        # carry stated purposes) to wherever stdout goes, and cost time on every request.
        "access_log": False,
        "server_header": False,
    }
    if workers <= 1:
        source = FixedSnapshot(snapshot, run_id=snapshot.stem) if snapshot else None
        uvicorn.run(app_from_settings(settings, source), **options)  # type: ignore[arg-type]
        return
    os.environ["TOEX_DATA_DIR"] = str(settings.data_dir)
    if settings.ops_database_url:
        os.environ["TOEX_OPS_DATABASE_URL"] = settings.ops_database_url
    if snapshot:
        os.environ[SNAPSHOT_ENV] = str(snapshot)
    uvicorn.run("toex.web.server:app_from_env", factory=True, workers=workers, **options)  # type: ignore[arg-type]
