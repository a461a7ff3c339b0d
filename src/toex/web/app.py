"""The FastAPI application factory.

:func:`create_app` wires the routers, static files, the session/security-header middleware
and the error handlers around an :class:`~toex.web.context.AppState`.
:func:`app_from_settings` builds that state from :class:`toex.config.Settings` (the
operational store at ``ops_url``, the engine's snapshot store under ``data_dir``) and is
what ``toex serve`` runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from toex.config import Settings, get_settings
from toex.ops import open_store
from toex.ops.db import OpsStore
from toex.web import errors
from toex.web.auth import LoginLimiter, PrincipalCache
from toex.web.context import AppState, WebConfig
from toex.web.routers import (
    admin,
    api,
    audit,
    auth,
    crossforce,
    home,
    network,
    packs,
    perpetrators,
    person,
    search,
    stim,
)
from toex.web.sessions import SessionCodec, SessionMiddleware
from toex.web.warehouse import SnapshotSource, Warehouse, engine_source

API_DESCRIPTION = (
    "Search resolved persons, read profiles, expand networks, export and record decisions. "
    "Every call needs a bearer token; results are limited to the records the token's user "
    "may see (data-sharing agreement for the record's force, handling code, clearance) and "
    "every call is written to the audit log."
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start opening the warehouse snapshot as soon as the app (each worker) starts, so the
    read model is built before the first request rather than during it."""
    app.state.toex.warehouse.start()
    yield


def create_app(store: OpsStore, source: SnapshotSource, config: WebConfig) -> FastAPI:
    """The web app over this operational store and snapshot source."""
    app = FastAPI(
        lifespan=_lifespan,
        title="toex",
        version="1",
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    state = AppState(
        config=config,
        store=store,
        warehouse=Warehouse(source, config.snapshot_check_interval, config.threads),
        limiter=LoginLimiter(
            config.login_max_failures, config.login_max_client_failures, config.login_window_seconds
        ),
        principals=PrincipalCache(config.principal_cache_seconds),
    )
    app.state.toex = state
    static_dir = Path(str(resources.files("toex.web").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static_dir), name="static")
    for module in (
        auth,
        home,
        search,
        person,
        network,
        perpetrators,
        crossforce,
        admin,
        audit,
        api,
        stim,
        packs,
    ):
        app.include_router(module.router)
    errors.install(app)
    app.add_middleware(
        SessionMiddleware,
        codec=SessionCodec(config.secret_key, config.session_max_age),
        cookie_secure=config.cookie_secure,
    )
    return app


def app_from_settings(
    settings: Settings | None = None, source: SnapshotSource | None = None
) -> FastAPI:
    """The app configured from ``TOEX_*`` settings (what ``toex serve`` runs)."""
    settings = settings or get_settings()
    store = open_store(settings.ops_url)
    config = WebConfig(secret_key=settings.secret_key)
    return create_app(store, source or engine_source(settings.data_dir), config)
