"""Login and logout pages (local accounts through the configured AuthProvider)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from toex.ops.login_sessions import end_session, start_session
from toex.web.auth import TooManyAttempts
from toex.web.context import AppState, audit, client_of, session_principal, state_of
from toex.web.rendering import render
from toex.web.routers.csrf import verify_csrf
from toex.web.sessions import session_of

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _safe_next(target: str) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    """The login form."""
    return render(request, "login.html", {"next": _safe_next(next), "error": ""})


def _authenticate(state: AppState, username: str, password: str) -> tuple[int, str] | None:
    with state.store.session() as session:
        user = state.auth.authenticate(session, username, password)
        found = (user.id, user.organisation.code) if user is not None else None
        session.commit()
    return found


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials (rate-limited per client; slowed, never refused, per
    username), audit the attempt, start a server-side session."""
    state = state_of(request)
    client = client_of(request)
    provider: dict[str, object] = {"provider": state.auth.name}

    def audit_failed(detail: dict[str, object]) -> None:
        audit(request, None, "login_failed", username=username, detail=detail)

    try:
        delay = state.limiter.check(username, client)
    except TooManyAttempts:
        await run_in_threadpool(audit_failed, {**provider, "refused": "rate limit"})
        raise
    if delay:
        await asyncio.sleep(delay)
    found = await run_in_threadpool(_authenticate, state, username, password)
    if found is None:
        state.limiter.failed(username, client)
        await run_in_threadpool(audit_failed, provider)
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": "Unknown user or wrong password."},
            status=401,
        )
    user_id, org = found
    state.limiter.succeeded(username, client)
    sid = await run_in_threadpool(
        start_session, state.store, user_id, client, state.config.session_policy
    )
    session_of(request).login(sid)
    await run_in_threadpool(
        lambda: audit(request, None, "login", username=username, organisation=org, detail=provider)
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session here and on the server: the cookie no longer works anywhere."""
    state, web_session = state_of(request), session_of(request)
    principal = session_principal(state, web_session)
    if principal is not None:
        end_session(state.store, web_session.sid, "logout")
        audit(request, principal, "logout")
    web_session.logout()
    return RedirectResponse("/login", status_code=303)
