"""The FastAPI application factory.

:func:`create_app` wires the routers, static files, the session/security-header middleware,
the trusted-proxy middleware and the error handlers around an
:class:`~toex.web.context.AppState`. :func:`app_from_settings` builds that state from
:class:`toex.config.Settings` (the operational store at ``ops_url`` with its audit keys, the
session key, the engine's snapshot store under ``data_dir``) and is what ``toex serve`` runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from toex.config import Settings, get_settings
from toex.ops import open_store
from toex.ops.audit_checkpoints import checkpoint
from toex.ops.db import OpsStore
from toex.ops.keys import session_keys
from toex.web import errors
from toex.web.auth import LoginLimiter, PrincipalCache
from toex.web.context import AppState, WebConfig
from toex.web.routers import (
    account,
    admin,
    api,
    audit,
    auth,
    crossforce,
    home,
    loads,
    network,
    packs,
    performance,
    perpetrators,
    person,
    profiles,
    search,
    stim,
    threat_pages,
    tracker,
)
from toex.web.sessions import SessionCodec, SessionMiddleware
from toex.web.warehouse import SnapshotSource, Warehouse, engine_source

log = logging.getLogger(__name__)
API_DESCRIPTION = (
    "Search resolved persons, read profiles, expand networks, export and record decisions. "
    "Every call needs a bearer token (issued by its user to themselves, with an expiry "
    "and a read or write scope; changes need write); results are limited to the records "
    "the token's user may see (data-sharing agreement for the record's force, handling "
    "code, clearance) and every call is written to the audit log, naming the token."
)


async def _checkpoint_every(state: AppState, seconds: float) -> None:
    """Write an audit checkpoint every ``seconds`` when the chain has grown since the last
    one (each worker runs this; the log's lock and sequence check keep one line per head)."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await run_in_threadpool(checkpoint, state.store)
        except Exception:  # a full disk must not stop the app; the next round retries
            log.exception("audit checkpoint failed")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start opening the warehouse snapshot as soon as the app (each worker) starts, so the
    read model is built before the first request rather than during it; checkpoint the
    audit chain periodically when configured."""
    state: AppState = app.state.toex
    state.warehouse.start()
    seconds = state.config.audit_checkpoint_seconds
    task = asyncio.create_task(_checkpoint_every(state, seconds)) if seconds > 0 else None
    yield
    if task is not None:
        task.cancel()


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
            config.login_max_failures,
            config.login_max_client_failures,
            config.login_window_seconds,
            config.login_slow_after,
            config.login_slow_seconds,
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
        profiles,
        threat_pages,
        admin,
        loads,
        account,
        audit,
        api,
        stim,
        packs,
        tracker,
        performance,
    ):
        app.include_router(module.router)
    errors.install(app)
    app.add_middleware(
        SessionMiddleware,
        codec=SessionCodec(config.secret_key, config.session_max_age),
        cookie_secure=config.cookie_secure,
    )
    if config.trusted_proxies:  # outermost: sets the client address and scheme first
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(config.trusted_proxies))
    return app


def app_from_settings(
    settings: Settings | None = None, source: SnapshotSource | None = None
) -> FastAPI:
    """The app configured from ``TOEX_*`` settings (what ``toex serve`` runs)."""
    settings = settings or get_settings()
    store = open_store(settings.ops_url, settings=settings)
    config = WebConfig(
        secret_key=session_keys(settings),
        session_max_age=int(settings.session_max_hours * 3600),
        session_idle_seconds=int(settings.session_idle_minutes * 60),
        token_default_days=settings.token_default_days,
        token_max_days=settings.token_max_days,
        trusted_proxies=tuple(settings.proxy_list()),
        audit_checkpoint_seconds=settings.audit_checkpoint_minutes * 60,
    )
    return create_app(store, source or engine_source(settings.data_dir), config)
