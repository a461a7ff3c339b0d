"""Admin pages: organisations, data-sharing agreements, users, their sessions and tokens.

An administrator may disable users, end their sessions and revoke their tokens, but not
issue a token for anyone: each user issues their own (``/account``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from toex.config import load_catalogue
from toex.errors import InputError, NotFoundError
from toex.ops import account_actions, accounts
from toex.ops.access import ADMIN_ROLES, CLASSIFICATIONS, Role
from toex.ops.login_sessions import sessions_of
from toex.ops.models import Organisation, User
from toex.ops.tokens import live_tokens
from toex.web.auth import Principal
from toex.web.context import audit, client_of, html_user, state_of
from toex.web.rendering import render
from toex.web.routers.csrf import verify_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def _page(request: Request, notice: str = "", secret: str = "", status: int = 200) -> Response:
    if notice:  # something changed: cached principals may hold old roles or agreements
        state_of(request).principals.clear()
    with state_of(request).store.session() as session:
        orgs = session.scalars(
            select(Organisation)
            .options(selectinload(Organisation.agreements))
            .order_by(Organisation.code)
        ).all()
        users = session.scalars(
            select(User).options(selectinload(User.organisation)).order_by(User.username)
        ).all()
        live = {u.id: len(sessions_of(session, u.id)) for u in users}
        names = {u.id: u.username for u in users}
        tokens = [(t, names.get(t.user_id, "?")) for t in live_tokens(session)]
    forces = [f.code for f in load_catalogue().forces]
    return render(
        request,
        "admin.html",
        {
            "orgs": orgs,
            "users": users,
            "live_sessions": live,
            "tokens": tokens,
            "notice": notice,
            "secret": secret,
            "roles": [r.value for r in Role],
            "clearances": CLASSIFICATIONS,
            "kinds": accounts.ORGANISATION_KINDS,
            "forces": forces,
        },
        status=status,
    )


@router.get("", response_class=HTMLResponse)
def admin_page(request: Request, user: Principal = Depends(html_user)) -> Response:
    """Organisations with their agreements, and users."""
    user.require(ADMIN_ROLES, "administer accounts")
    return _page(request)


@router.post("/organisations", response_class=HTMLResponse)
def add_organisation(
    request: Request,
    user: Principal = Depends(html_user),
    code: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add an organisation."""
    user.require(ADMIN_ROLES, "administer accounts")
    with state_of(request).store.session() as session:
        accounts.create_organisation(session, code.strip(), name.strip() or code, kind)
        session.commit()
    audit(request, user, "admin", target=f"organisation {code}", detail={"op": "add", "kind": kind})
    return _page(request, f"Organisation {code} added.")


@router.post("/agreements", response_class=HTMLResponse)
def add_agreement(
    request: Request,
    user: Principal = Depends(html_user),
    organisation: Annotated[str, Form(max_length=64)] = "",
    force: Annotated[str, Form(max_length=32)] = "",
    valid_from: Annotated[str, Form(max_length=10)] = "",
    valid_to: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Add a data-sharing agreement: the organisation may see the force's records."""
    user.require(ADMIN_ROLES, "administer accounts")
    with state_of(request).store.session() as session:
        org = accounts.get_organisation(session, organisation)
        accounts.add_agreement(session, org, force.strip(), _date(valid_from), _date(valid_to))
        session.commit()
    audit(
        request,
        user,
        "admin",
        target=f"agreement {organisation} {force}",
        detail={"op": "add", "valid_from": valid_from, "valid_to": valid_to},
    )
    return _page(request, f"{organisation} may now see {force} records.")


@router.post("/agreements/{agreement_id}/delete", response_class=HTMLResponse)
def delete_agreement(
    request: Request, agreement_id: int, user: Principal = Depends(html_user)
) -> Response:
    """End an agreement."""
    user.require(ADMIN_ROLES, "administer accounts")
    with state_of(request).store.session() as session:
        gone = accounts.remove_agreement(session, agreement_id)
        label = f"{gone.organisation.code} {gone.force_code}"
        session.commit()
    audit(request, user, "admin", target=f"agreement {label}", detail={"op": "delete"})
    return _page(request, f"Agreement {label} removed.")


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    user: Principal = Depends(html_user),
    username: Annotated[str, Form(max_length=100)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    organisation: Annotated[str, Form(max_length=64)] = "",
    clearance: Annotated[str, Form(max_length=32)] = "OFFICIAL-SENSITIVE",
    handling_codes: Annotated[str, Form(max_length=20)] = "P",
) -> Response:
    """Add a user with a generated password, shown once."""
    user.require(ADMIN_ROLES, "administer accounts")
    password = accounts.generate_password()
    with state_of(request).store.session() as session:
        org = accounts.get_organisation(session, organisation)
        accounts.create_user(
            session,
            username.strip(),
            password,
            role,
            org,
            display_name=display_name.strip() or None,
            clearance=clearance,
            handling_codes=handling_codes,
        )
        session.commit()
    audit(
        request,
        user,
        "admin",
        target=f"user {username}",
        detail={
            "op": "add",
            "role": role,
            "organisation": organisation,
            "clearance": clearance,
            "handling_codes": handling_codes,
        },
    )
    return _page(request, f"User {username} added; give them this password once:", secret=password)


def _actor(request: Request, user: Principal) -> account_actions.Actor:
    return account_actions.Actor(user.username, user.organisation, client_of(request))


def _username(request: Request, user_id: int) -> str:
    with state_of(request).store.session() as session:
        target = session.get(User, user_id)
        if target is None:
            raise NotFoundError(f"no user {user_id}")
        return target.username


@router.post("/users/{user_id}/active", response_class=HTMLResponse)
def toggle_active(request: Request, user_id: int, user: Principal = Depends(html_user)) -> Response:
    """Disable an active user (ending their sessions, revoking their tokens) or re-enable a
    disabled one (who must log in again)."""
    user.require(ADMIN_ROLES, "administer accounts")
    name = _username(request, user_id)
    with state_of(request).store.session() as session:
        active = not accounts.get_user(session, name).active
    ended, revoked = account_actions.set_active(
        state_of(request).store, name, active, _actor(request, user)
    )
    if active:
        return _page(request, f"User {name} enabled.")
    return _page(
        request, f"User {name} disabled; {ended} session(s) ended, {revoked} token(s) revoked."
    )


@router.post("/users/{user_id}/end-sessions", response_class=HTMLResponse)
def end_sessions(request: Request, user_id: int, user: Principal = Depends(html_user)) -> Response:
    """End every session of a user (they must log in again)."""
    user.require(ADMIN_ROLES, "administer accounts")
    name = _username(request, user_id)
    ended = account_actions.end_sessions(state_of(request).store, name, _actor(request, user))
    return _page(request, f"{ended} session(s) of {name} ended.")


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, token_id: int, user: Principal = Depends(html_user)) -> Response:
    """Revoke one API token of any user."""
    user.require(ADMIN_ROLES, "administer accounts")
    owner = account_actions.revoke_one_token(
        state_of(request).store, token_id, _actor(request, user)
    )
    return _page(request, f"Token {token_id} of {owner} revoked.")
