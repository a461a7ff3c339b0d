"""The app's shared state and the per-request dependencies routers use.

:class:`AppState` holds what lives as long as the app: the web settings, the operational
store, the warehouse, the login provider and limiter. Routers get the request's
:class:`~toex.web.auth.Principal` from :func:`html_user` (a live server-side session;
redirect to the login page when absent), :func:`api_user` (a live bearer token; 401 when
absent) or :func:`api_writer` (a token with the write scope), open a warehouse cursor with
:func:`warehouse_cursor`, and write audit entries with :func:`audit`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from toex.errors import AccessDeniedError
from toex.ops import audit as audit_log
from toex.ops.db import OpsStore
from toex.ops.login_sessions import SessionPolicy, live_session
from toex.ops.tokens import DEFAULT_DAYS, MAX_DAYS, LiveToken, live_token
from toex.web.auth import (
    AuthProvider,
    LocalAuthProvider,
    LoginLimiter,
    Principal,
    PrincipalCache,
    principal_for_user,
)
from toex.web.sessions import WebSession, session_of
from toex.web.warehouse import OpenSnapshot, Warehouse

MIN_PURPOSE = 5


@dataclass
class WebConfig:
    """Settings of the web app itself (the rest comes from :class:`toex.config.Settings`)."""

    secret_key: str | list[str]  # several: oldest first, the last signs
    cookie_secure: bool | None = None  # None: Secure when the request came over TLS
    session_max_age: int = 8 * 3600  # absolute timeout, seconds since login
    session_idle_seconds: int = 30 * 60
    login_max_failures: int = 5  # per username and client address
    login_max_client_failures: int = 20
    login_window_seconds: float = 900.0
    login_slow_after: int = 10  # failures on one username (any client) before slowing
    login_slow_seconds: float = 1.0
    snapshot_check_interval: float = 2.0
    principal_cache_seconds: float = 5.0
    token_default_days: int = DEFAULT_DAYS
    token_max_days: int = MAX_DAYS
    trusted_proxies: tuple[str, ...] = ()  # IPs/networks whose X-Forwarded-* are believed
    audit_checkpoint_seconds: float = 0.0  # 0: no periodic checkpoint task
    # DuckDB threads per query: concurrent requests already use the cores, and many small
    # queries run faster on their own thread than split across several.
    threads: int = 1

    @property
    def session_policy(self) -> SessionPolicy:
        """The idle and absolute session timeouts."""
        return SessionPolicy(
            dt.timedelta(seconds=self.session_idle_seconds),
            dt.timedelta(seconds=self.session_max_age),
        )


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


def session_principal(state: AppState, web_session: WebSession) -> Principal | None:
    """The principal of the live server-side session ``web_session`` names, else None
    (blocking: call it in the thread pool). Fills in the session's user and row id."""
    live = live_session(state.store, web_session.sid, state.config.session_policy)
    if live is None:
        return None
    web_session.user_id, web_session.session_id = live.user_id, live.id
    return state.principals.get(
        f"u:{live.user_id}", lambda: principal_for_user(state.store, live.user_id)
    )


def token_principal(state: AppState, token: str) -> tuple[Principal, LiveToken] | None:
    """The principal and token record of a live bearer token, else None (blocking)."""
    live = live_token(state.store, token)
    if live is None:
        return None
    principal = state.principals.get(
        f"u:{live.user_id}", lambda: principal_for_user(state.store, live.user_id)
    )
    return (principal, live) if principal is not None else None


async def html_user(request: Request) -> Principal:
    """Dependency: the logged-in user of an HTML page (else :class:`LoginRequired`).

    Checks the session's row on every request (one indexed lookup), so a session ended
    anywhere (logout, disable, password change, admin) is refused at once."""
    state = state_of(request)
    principal = await run_in_threadpool(session_principal, state, session_of(request))
    if principal is None:
        raise LoginRequired()
    request.state.principal = principal
    return principal


_bearer = HTTPBearer(auto_error=False, description="An API token from `toex user token`.")


async def api_user(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """Dependency: the API caller identified by a live bearer token (else 401). Every audit
    entry the call writes names the token (``token_id``, ``token_label`` in its detail)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise TokenRequired()
    state = state_of(request)
    found = await run_in_threadpool(token_principal, state, credentials.credentials)
    if found is None:
        raise TokenRequired()
    principal, token = found
    request.state.principal, request.state.token = principal, token
    audit_log.CREDENTIAL.set({"token_id": token.id, "token_label": token.label})
    return principal


async def api_writer(request: Request, user: Principal = Depends(api_user)) -> Principal:
    """Dependency: an API caller whose token has the ``write`` scope (else 403)."""
    token: LiveToken = request.state.token
    if token.scope != "write":
        raise AccessDeniedError(
            "this token may only read: issue a token with the write scope to make changes"
        )
    return user


def identify(request: Request) -> Principal | None:
    """Who is asking, if anyone, for a request no dependency identified (blocking): the
    bearer token of an API call, else the session of a page."""
    known: Principal | None = getattr(request.state, "principal", None)
    if known is not None:
        return known
    state = state_of(request)
    if request.url.path.startswith("/api/"):
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        found = token_principal(state, token.strip())
        if found is None:
            return None
        audit_log.CREDENTIAL.set({"token_id": found[1].id, "token_label": found[1].label})
        return found[0]
    return session_principal(state, session_of(request))


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
