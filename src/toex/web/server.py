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


def uvicorn_options(settings: Settings, host: str, port: int) -> dict[str, object]:
    """The options ``toex serve`` gives uvicorn. Proxy headers are handled inside the app
    (:func:`toex.web.app.create_app`, ``TOEX_TRUSTED_PROXIES``), so uvicorn's own handling,
    which trusts 127.0.0.1 by default, is off; its allow-list is the same list regardless."""
    return {
        "host": host,
        "port": port,
        "proxy_headers": False,
        "forwarded_allow_ips": ",".join(settings.proxy_list()) or None,
        "log_level": "info",
        # No access log: its lines would repeat what the audit log records (query strings
        # carry stated purposes) to wherever stdout goes, and cost time on every request.
        "access_log": False,
        "server_header": False,
    }


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
    serialised in the database. TLS is expected to end at a reverse proxy: list its
    address in ``TOEX_TRUSTED_PROXIES`` and the app believes its ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` (uvicorn's ``ProxyHeadersMiddleware`` inside the app, with that
    list; see :func:`uvicorn_options`), so one rule decides the client address everywhere.
    """
    options = uvicorn_options(settings, host, port)
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
