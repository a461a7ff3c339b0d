"""Login and logout pages (local accounts through the configured AuthProvider)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from toex.web.context import audit, client_of, state_of
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


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials (rate-limited), audit the attempt, start the session."""
    state = state_of(request)
    client = client_of(request)
    state.limiter.check(username, client)
    with state.store.session() as session:
        user = state.auth.authenticate(session, username, password)
        user_id = user.id if user is not None else None
        org = user.organisation.code if user is not None else ""
        session.commit()
    if user_id is None:
        state.limiter.failed(username, client)
        audit(
            request, None, "login_failed", username=username, detail={"provider": state.auth.name}
        )
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": "Unknown user or wrong password."},
            status=401,
        )
    state.limiter.succeeded(username)
    session_of(request).login(user_id)
    audit(
        request,
        None,
        "login",
        username=username,
        organisation=org,
        detail={"provider": state.auth.name},
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    session = session_of(request)
    if session.user_id:
        from toex.web.auth import principal_for_session

        principal = principal_for_session(state_of(request).store, session.user_id)
        audit(request, principal, "logout")
    session.logout()
    return RedirectResponse("/login", status_code=303)
