"""API tokens: random bearer strings of which only the SHA-256 is stored, each with an
expiry, a scope (``read`` or ``write``) and a label, revocable one by one.

Who may issue a token for whom is decided by the callers (:mod:`toex.ops.account_actions`):
only the user themselves. Functions take an open SQLAlchemy session and leave committing to
the caller, except :func:`live_token`, the per-request check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from toex.errors import InputError, NotFoundError
from toex.ops.db import OpsStore
from toex.ops.models import ApiToken, User, utcnow

TOKEN_SCOPES: tuple[str, ...] = ("read", "write")
DEFAULT_DAYS = 30
MAX_DAYS = 90


def token_digest(token: str) -> str:
    """SHA-256 hex digest under which an API token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time as an aware UTC datetime (SQLite gives naive values back)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def token_lifetime(days: int | None, default_days: int, max_days: int) -> dt.timedelta:
    """The lifetime of a new token: ``days`` (else the default), checked against 1 and the
    maximum; :class:`InputError` otherwise."""
    chosen = default_days if days is None else days
    if chosen < 1:
        raise InputError(f"a token must live at least 1 day, not {chosen}")
    if chosen > max_days:
        raise InputError(
            f"a token may live at most {max_days} days (TOEX_TOKEN_MAX_DAYS), not {chosen}"
        )
    return dt.timedelta(days=chosen)


def check_scope(scope: str) -> str:
    """``scope`` if it is a token scope, else :class:`InputError`."""
    if scope not in TOKEN_SCOPES:
        raise InputError(f"token scope must be read or write, not {scope!r}")
    return scope


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: the secret (shown once), its id and expiry."""

    id: int
    token: str
    label: str
    scope: str
    expires_at: dt.datetime


def create_token(
    session: Session,
    user: User,
    *,
    label: str = "",
    days: int | None = None,
    scope: str = "read",
    default_days: int = DEFAULT_DAYS,
    max_days: int = MAX_DAYS,
) -> IssuedToken:
    """Create a token for ``user`` (the caller has checked who asks); returns the secret."""
    lifetime = token_lifetime(days, default_days, max_days)
    check_scope(scope)
    if len(label) > 100:
        raise InputError("a token label may have at most 100 characters")
    token = secrets.token_urlsafe(32)
    expires = utcnow() + lifetime
    row = ApiToken(
        user_id=user.id,
        token_hash=token_digest(token),
        label=label.strip(),
        scope=scope,
        expires_at=expires,
        revoked=False,
    )
    session.add(row)
    session.flush()
    return IssuedToken(row.id, token, row.label, scope, expires)


def issue_token(session: Session, user: User, label: str = "", scope: str = "read") -> str:
    """Create a token with the default lifetime for ``user``; returns only the secret (for
    fixtures and benchmarks that act as that user)."""
    return create_token(session, user, label=label, scope=scope).token


@dataclass(frozen=True)
class LiveToken:
    """A live token as a request sees it: which token, whose, and what it may do."""

    id: int
    label: str
    scope: str
    user_id: int


#: The per-request check: one indexed lookup joining the token to its user.
_LIVE_TOKEN = (
    select(
        ApiToken.id,
        ApiToken.label,
        ApiToken.scope,
        ApiToken.user_id,
        ApiToken.expires_at,
        ApiToken.revoked,
        User.active,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("h"))
)


def live_token(store: OpsStore, token: str, now: dt.datetime | None = None) -> LiveToken | None:
    """The token if it is known, unrevoked, unexpired and its user active; else None."""
    with store.engine.connect() as conn:
        row = conn.execute(_LIVE_TOKEN, {"h": token_digest(token)}).first()
    if row is None or row.revoked or not row.active or row.expires_at is None:
        return None
    if as_utc(row.expires_at) <= (now or utcnow()):
        return None
    return LiveToken(row.id, row.label, row.scope, row.user_id)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning a live token, else None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked or row.expires_at is None:
        return None
    if as_utc(row.expires_at) <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def tokens_of(session: Session, user: User, include_dead: bool = False) -> Sequence[ApiToken]:
    """``user``'s tokens, newest first; live ones only unless ``include_dead``."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id)
    if not include_dead:
        stmt = stmt.where(ApiToken.revoked.is_(False), ApiToken.expires_at > utcnow())
    return session.scalars(stmt.order_by(ApiToken.id.desc())).all()


def live_tokens(session: Session) -> Sequence[ApiToken]:
    """Every live token, newest first (for the admin page)."""
    return session.scalars(
        select(ApiToken)
        .where(ApiToken.revoked.is_(False), ApiToken.expires_at > utcnow())
        .order_by(ApiToken.id.desc())
    ).all()


def revoke_token(session: Session, token_id: int, by: str, owner: User | None = None) -> ApiToken:
    """Revoke one live token (only ``owner``'s when given); :class:`NotFoundError` when there
    is no such live token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked or (owner is not None and row.user_id != owner.id):
        raise NotFoundError(f"no live token {token_id}")
    row.revoked, row.revoked_at, row.revoked_by = True, utcnow(), by[:100]
    session.flush()
    return row


def revoke_tokens(session: Session, user: User, by: str = "") -> int:
    """Revoke every token of ``user``; returns how many were unrevoked."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked, row.revoked_at, row.revoked_by = True, now, by[:100]
    session.flush()
    return len(rows)
