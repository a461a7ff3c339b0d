"""Account changes the web app and the CLI both make, each audited in its own transaction.

Issuing a token needs the user themselves: a logged-in session (web) or their password
(CLI), so nobody (an administrator included) can mint a token for someone else and read as
them. Disabling a user, changing or resetting a password, and an administrator's "end
sessions" all end the user's sessions; disabling also revokes their tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from toex.errors import AccessDeniedError, InputError, NotFoundError
from toex.ops.accounts import (
    authenticate_password,
    generate_password,
    get_user,
    set_password,
    verify_password,
)
from toex.ops.audit import claim_head, record, write_entry
from toex.ops.db import OpsStore
from toex.ops.login_sessions import end_user_sessions
from toex.ops.models import User
from toex.ops.tokens import IssuedToken, create_token, revoke_token, revoke_tokens


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the audit log records them."""

    username: str
    organisation: str = ""
    client: str = ""


def _audit(
    session: Session, actor: Actor, action: str, target: str, detail: dict[str, object]
) -> None:
    write_entry(
        session,
        claim_head(session),
        username=actor.username,
        organisation=actor.organisation,
        action=action,
        target=target,
        detail=detail,
        client=actor.client,
    )


def audit_admin_change(
    session: Session, actor: Actor, target: str, detail: dict[str, object]
) -> None:
    """Append an administrative change (an account, organisation or agreement added) to the
    audit log inside ``session``'s transaction: the change and its entry commit together."""
    _audit(session, actor, "admin", target, detail)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    return user


def prove_password(store: OpsStore, username: str, password: str, client: str) -> int:
    """The id of ``username`` if ``password`` is theirs and they are active; otherwise the
    failure is audited (``login_failed``) and :class:`AccessDeniedError` raised."""
    with store.session() as session:
        user = authenticate_password(session, username, password)
        user_id = user.id if user is not None else None
        session.commit()
    if user_id is None:
        record(
            store,
            username=username,
            action="login_failed",
            detail={"via": "token issue"},
            client=client,
        )
        raise AccessDeniedError(
            f"wrong password for {username!r}, or the user is disabled: a token is issued "
            "only to its own user"
        )
    return user_id


def issue_own_token(
    store: OpsStore,
    user_id: int,
    client: str,
    *,
    label: str,
    days: int | None,
    scope: str,
    default_days: int,
    max_days: int,
) -> IssuedToken:
    """Issue a token to user ``user_id``, who has proved who they are (session or
    password); audited as theirs."""
    with store.session() as session:
        user = _user(session, user_id)
        actor = Actor(user.username, user.organisation.code, client)
        issued = create_token(
            session,
            user,
            label=label,
            days=days,
            scope=scope,
            default_days=default_days,
            max_days=max_days,
        )
        _audit(
            session,
            actor,
            "token",
            f"token {issued.id}",
            {
                "op": "issue",
                "label": issued.label,
                "scope": issued.scope,
                "expires": issued.expires_at.isoformat(timespec="seconds"),
            },
        )
        session.commit()
    return issued


def revoke_one_token(
    store: OpsStore, token_id: int, actor: Actor, owner_id: int | None = None
) -> str:
    """Revoke token ``token_id`` (only ``owner_id``'s when given); returns its user's name."""
    with store.session() as session:
        owner = _user(session, owner_id) if owner_id is not None else None
        row = revoke_token(session, token_id, actor.username, owner)
        name = _user(session, row.user_id).username
        _audit(session, actor, "token", f"token {token_id}", {"op": "revoke", "user": name})
        session.commit()
    return name


def end_sessions(store: OpsStore, username: str, actor: Actor) -> int:
    """End every session of ``username`` (an administrator's action); returns how many."""
    with store.session() as session:
        user = get_user(session, username)
        ended = end_user_sessions(session, user.id, f"ended by {actor.username}")
        _audit(session, actor, "session", f"user {username}", {"op": "end", "ended": ended})
        session.commit()
    return ended


def set_active(store: OpsStore, username: str, active: bool, actor: Actor) -> tuple[int, int]:
    """Enable or disable ``username``; disabling ends their sessions and revokes their
    tokens. Returns (sessions ended, tokens revoked)."""
    with store.session() as session:
        user = get_user(session, username)
        if user.username == actor.username and not active:
            raise InputError("you cannot disable yourself")
        user.active = active
        ended = revoked = 0
        if not active:
            ended = end_user_sessions(session, user.id, "user disabled")
            revoked = revoke_tokens(session, user, actor.username)
        _audit(
            session,
            actor,
            "admin",
            f"user {username}",
            {
                "op": "enable" if active else "disable",
                "sessions_ended": ended,
                "tokens_revoked": revoked,
            },
        )
        session.commit()
    return ended, revoked


def change_own_password(store: OpsStore, user_id: int, current: str, new: str, client: str) -> int:
    """Change a user's own password (the current one proves it is them); every session
    they had ends. Returns how many ended."""
    if len(new) < 12:
        raise InputError("password needs 12+ characters")
    with store.session() as session:
        user = _user(session, user_id)
        if not verify_password(user.password_hash, current):
            raise AccessDeniedError("the current password is wrong")
        ended = set_password(session, user, new)
        actor = Actor(user.username, user.organisation.code, client)
        _audit(session, actor, "password", f"user {user.username}", {"op": "change"})
        session.commit()
    return ended


def reset_password(store: OpsStore, username: str, actor: Actor) -> tuple[str, int]:
    """Give ``username`` a new generated password (shown once) and end their sessions;
    returns (password, sessions ended). Audited, so the user and auditors see it happened."""
    password = generate_password()
    with store.session() as session:
        user = get_user(session, username)
        ended = set_password(session, user, password)
        _audit(session, actor, "password", f"user {username}", {"op": "reset", "ended": ended})
        session.commit()
    return password, ended
