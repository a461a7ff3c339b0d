"""The app's shared state and the per-request dependencies routers use.

:class:`AppState` holds what lives as long as the app: the web settings, the operational
store, the warehouse, the login provider and limiter. Routers get the request's
:class:`~toex.web.auth.Principal` from :func:`html_user` (session cookie; redirect to the
login page when absent) or :func:`api_user` (bearer token; 401 when absent), open a
warehouse cursor with :func:`warehouse_cursor`, and write audit entries with :func:`audit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from toex.ops import audit as audit_log
from toex.ops.accounts import token_digest
from toex.ops.db import OpsStore
from toex.web.auth import (
    AuthProvider,
    LocalAuthProvider,
    LoginLimiter,
    Principal,
    PrincipalCache,
    principal_for_session,
    principal_for_token,
)
from toex.web.sessions import session_of
from toex.web.warehouse import OpenSnapshot, Warehouse

MIN_PURPOSE = 5


@dataclass
class WebConfig:
    """Settings of the web app itself (the rest comes from :class:`toex.config.Settings`)."""

    secret_key: str
    cookie_secure: bool | None = None  # None: Secure when the request came over TLS
    session_max_age: int = 8 * 3600
    login_max_failures: int = 5
    login_max_client_failures: int = 20
    login_window_seconds: float = 900.0
    snapshot_check_interval: float = 2.0
    principal_cache_seconds: float = 5.0
    # DuckDB threads per query: concurrent requests already use the cores, and many small
    # queries run faster on their own thread than split across several.
    threads: int = 1


@dataclass
class AppState:
    """Everything the app shares between requests."""

    config: WebConfig
    store: OpsStore
    warehouse: Warehouse
    auth: AuthProvider = field(default_factory=LocalAuthProvider)
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    principals: PrincipalCache = field(default_factory=PrincipalCache)


class LoginRequired(Exception):
    """No logged-in user: HTML pages answer with a redirect to the login page."""


class TokenRequired(Exception):
    """The API was called without a valid bearer token."""


def state_of(request: Request) -> AppState:
    """The app's shared state."""
    state: AppState = request.app.state.toex
    return state


def client_of(request: Request) -> str:
    """The client address recorded in the audit log."""
    return request.client.host if request.client else ""


async def _principal(
    state: AppState, key: str, load: Callable[[], Principal | None]
) -> Principal | None:
    """The cached principal for ``key``; loaded from the operational store in the thread
    pool when missing or stale (every ``principal_cache_seconds``), so the usual request
    spends no thread on it."""
    hit, principal = state.principals.peek(key)
    if hit:
        return principal
    return await run_in_threadpool(state.principals.get, key, load)


async def html_user(request: Request) -> Principal:
    """Dependency: the logged-in user of an HTML page (else :class:`LoginRequired`)."""
    state, user_id = state_of(request), session_of(request).user_id
    if not user_id:
        raise LoginRequired()
    principal = await _principal(
        state, f"u:{user_id}", lambda: principal_for_session(state.store, user_id)
    )
    if principal is None:
        raise LoginRequired()
    request.state.principal = principal
    return principal


_bearer = HTTPBearer(auto_error=False, description="An API token from `toex user token`.")


async def api_user(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """Dependency: the API caller identified by a bearer token (else 401)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise TokenRequired()
    state, token = state_of(request), credentials.credentials
    principal = await _principal(
        state, f"t:{token_digest(token)}", lambda: principal_for_token(state.store, token)
    )
    if principal is None:
        raise TokenRequired()
    request.state.principal = principal
    return principal


def snapshot_of(request: Request) -> OpenSnapshot:
    """The current warehouse snapshot (:class:`~toex.errors.SnapshotError` when none)."""
    snap = state_of(request).warehouse.snapshot()
    request.state.snapshot = snap
    return snap


class LazyCursor:
    """A cursor on a snapshot, opened on first use: most requests are answered by the row
    store and the name index alone and never need one."""

    def __init__(self, snapshot: OpenSnapshot) -> None:
        self._snapshot = snapshot
        self._cursor: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._cursor is None:
            self._cursor = self._snapshot.cursor()
        return getattr(self._cursor, name)

    def close(self) -> None:
        """Close the cursor if one was opened."""
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None


@contextmanager
def warehouse_cursor(snapshot: OpenSnapshot) -> Iterator[Any]:
    """A cursor on ``snapshot`` for the duration of a block, opened when first used (for
    the web data layer, which only executes queries on it)."""
    cur = LazyCursor(snapshot)
    try:
        yield cur
    finally:
        cur.close()


@contextmanager
def duckdb_cursor(snapshot: OpenSnapshot) -> Iterator[Any]:
    """A DuckDB cursor proper on ``snapshot`` for the duration of a block (for code that
    checks its type, such as the STIM core)."""
    cur = snapshot.cursor()
    try:
        yield cur
    finally:
        cur.close()


def audit(
    request: Request,
    principal: Principal | None,
    action: str,
    *,
    target: str = "",
    purpose: str = "",
    detail: dict[str, object] | None = None,
    username: str | None = None,
    organisation: str | None = None,
) -> int:
    """Append an audit entry for this request; returns its id.

    ``username`` and ``organisation`` name the actor when there is no principal yet (login).
    """
    return audit_log.record(
        state_of(request).store,
        username=username if username is not None else (principal.username if principal else ""),
        organisation=organisation
        if organisation is not None
        else (principal.organisation if principal else ""),
        action=action,
        target=target,
        purpose=purpose,
        detail=detail,
        client=client_of(request),
    )
