"""The logged-in user's own account: their sessions, their API tokens, their password.

A token is issued here only to the user who is logged in, shown once, and audited as
theirs; this page is the one way to get a token in the web app.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from toex.errors import InputError, NotFoundError
from toex.ops import account_actions
from toex.ops.login_sessions import end_own_session, sessions_of, start_session
from toex.ops.models import User
from toex.ops.tokens import TOKEN_SCOPES, tokens_of
from toex.web.auth import Principal
from toex.web.context import audit, client_of, html_user, session_principal, state_of
from toex.web.rendering import render
from toex.web.routers.csrf import verify_csrf
from toex.web.sessions import session_of

router = APIRouter(prefix="/account", dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _page(
    request: Request, user: Principal, notice: str = "", secret: str = "", status: int = 200
) -> Response:
    config = state_of(request).config
    with state_of(request).store.session() as session:
        me = session.get(User, user.user_id)
        if me is None:
            raise NotFoundError("your account no longer exists")
        sessions = sessions_of(session, me.id)
        tokens = tokens_of(session, me)
    return render(
        request,
        "account.html",
        {
            "sessions": sessions,
            "current_session": session_of(request).session_id,
            "tokens": tokens,
            "scopes": TOKEN_SCOPES,
            "default_days": config.token_default_days,
            "max_days": config.token_max_days,
            "idle_minutes": config.session_idle_seconds // 60,
            "max_hours": f"{config.session_max_age / 3600:g}",
            "notice": notice,
            "secret": secret,
        },
        status=status,
    )


@router.get("", response_class=HTMLResponse)
def account_page(request: Request, user: Principal = Depends(html_user)) -> Response:
    """Your sessions and API tokens, and a form to change your password."""
    return _page(request, user)


def _days(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(f"days must be a whole number, not {text!r}") from None


@router.post("/tokens", response_class=HTMLResponse)
def issue_token(
    request: Request,
    user: Principal = Depends(html_user),
    label: Annotated[str, Form(max_length=100)] = "",
    days: Annotated[str, Form(max_length=12)] = "",
    scope: Annotated[str, Form(max_length=10)] = "read",
) -> Response:
    """Issue an API token to yourself, shown once."""
    config = state_of(request).config
    issued = account_actions.issue_own_token(
        state_of(request).store,
        user.user_id,
        client_of(request),
        label=label,
        days=_days(days),
        scope=scope,
        default_days=config.token_default_days,
        max_days=config.token_max_days,
    )
    expires = issued.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    return _page(
        request,
        user,
        f"Token {issued.id} ({issued.scope}, expires {expires}); copy it now, it is not "
        "shown again:",
        secret=issued.token,
    )


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, token_id: int, user: Principal = Depends(html_user)) -> Response:
    """Revoke one of your tokens."""
    actor = account_actions.Actor(user.username, user.organisation, client_of(request))
    account_actions.revoke_one_token(state_of(request).store, token_id, actor, user.user_id)
    return _page(request, user, f"Token {token_id} revoked.")


@router.post("/sessions/{session_id}/end", response_class=HTMLResponse)
def end_session(
    request: Request, session_id: int, user: Principal = Depends(html_user)
) -> Response:
    """End one of your other sessions (log out elsewhere)."""
    if session_id == session_of(request).session_id:
        raise InputError("use Log out to end this session")
    with state_of(request).store.session() as session:
        if not end_own_session(session, user.user_id, session_id, "ended by its user"):
            raise NotFoundError(f"no live session {session_id}")
        session.commit()
    audit(request, user, "session", target=f"session {session_id}", detail={"op": "end"})
    return _page(request, user, f"Session {session_id} ended.")


@router.post("/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    user: Principal = Depends(html_user),
    current: Annotated[str, Form(max_length=200)] = "",
    new: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Change your password: every session you had ends, this browser gets a new one."""
    if new != confirm:
        raise InputError("the new password and its confirmation differ")
    state, client = state_of(request), client_of(request)
    ended = account_actions.change_own_password(state.store, user.user_id, current, new, client)
    web_session = session_of(request)
    web_session.login(start_session(state.store, user.user_id, client, state.config.session_policy))
    session_principal(state, web_session)  # note the new session's id for the page
    return _page(
        request, user, f"Password changed; {ended} session(s) ended, including the old one here."
    )
