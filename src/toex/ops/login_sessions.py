"""Server-side web sessions: revocable, with idle and absolute timeouts.

The browser's cookie names a session by a random id; the store keeps only its SHA-256, the
user, when it started, was last seen and expires, and when and why it ended. Every
authenticated request checks the row (:func:`live_session`, one indexed lookup), so ending a
session (logout, the user disabled, a password change, an administrator) takes effect on
the next request in every worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from toex.ops.db import OpsStore
from toex.ops.models import LoginSession, User, utcnow
from toex.ops.tokens import as_utc

#: ``last_seen_at`` is written at most this often per session (the idle timeout's grain).
TOUCH_EVERY = dt.timedelta(seconds=60)
#: Ended and expired session rows are deleted this long after they expired.
KEEP_ENDED = dt.timedelta(days=30)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: ``idle`` since its last request, ``absolute`` since login."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    absolute: dt.timedelta = dt.timedelta(hours=8)


def sid_digest(sid: str) -> str:
    """SHA-256 hex digest under which a session id is stored."""
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def start_session(store: OpsStore, user_id: int, client: str, policy: SessionPolicy) -> str:
    """Record a new session for ``user_id``; returns its id for the cookie (not stored)."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session() as session:
        session.execute(delete(LoginSession).where(LoginSession.expires_at < now - KEEP_ENDED))
        session.add(
            LoginSession(
                sid_hash=sid_digest(sid),
                user_id=user_id,
                client=client[:100],
                created_at=now,
                last_seen_at=now,
                expires_at=now + policy.absolute,
                ended_reason="",
            )
        )
        session.commit()
    return sid


@dataclass(frozen=True)
class LiveSession:
    """A live session as a request sees it."""

    id: int
    user_id: int


_LIVE_SESSION = (
    select(
        LoginSession.id,
        LoginSession.user_id,
        LoginSession.last_seen_at,
        LoginSession.expires_at,
        LoginSession.ended_at,
        User.active,
    )
    .join(User, User.id == LoginSession.user_id)
    .where(LoginSession.sid_hash == bindparam("h"))
)
_TOUCH = (
    update(LoginSession)
    .where(LoginSession.id == bindparam("sid_id"))
    .values(last_seen_at=bindparam("now"))
)
_END_IDLE = (
    update(LoginSession)
    .where(LoginSession.id == bindparam("sid_id"), LoginSession.ended_at.is_(None))
    .values(ended_at=bindparam("now"), ended_reason="idle timeout")
)


def live_session(
    store: OpsStore, sid: str, policy: SessionPolicy, now: dt.datetime | None = None
) -> LiveSession | None:
    """The session ``sid`` names if it is live and its user active, else None.

    Marks a session idle for longer than ``policy.idle`` as ended, and records the request
    time when the last one recorded is older than :data:`TOUCH_EVERY`.
    """
    if not sid:
        return None
    now = now or utcnow()
    with store.engine.connect() as conn:
        row = conn.execute(_LIVE_SESSION, {"h": sid_digest(sid)}).first()
        if row is None or row.ended_at is not None or not row.active:
            return None
        if as_utc(row.expires_at) <= now:
            return None
        last_seen = as_utc(row.last_seen_at)
        if now - last_seen > policy.idle:
            conn.execute(_END_IDLE, {"sid_id": row.id, "now": now})
            conn.commit()
            return None
        if now - last_seen > TOUCH_EVERY:
            conn.execute(_TOUCH, {"sid_id": row.id, "now": now})
            conn.commit()
    return LiveSession(row.id, row.user_id)


def end_session(store: OpsStore, sid: str, reason: str) -> int | None:
    """End the session ``sid`` names; returns its user id (None if it was not live)."""
    with store.session() as session:
        row = session.scalar(select(LoginSession).where(LoginSession.sid_hash == sid_digest(sid)))
        if row is None or row.ended_at is not None:
            return None
        row.ended_at, row.ended_reason = utcnow(), reason[:100]
        session.commit()
        return row.user_id


def end_user_sessions(session: Session, user_id: int, reason: str, keep: int | None = None) -> int:
    """End every live session of ``user_id`` (but session ``keep``); returns how many."""
    stmt = (
        update(LoginSession)
        .where(
            LoginSession.user_id == user_id,
            LoginSession.ended_at.is_(None),
            LoginSession.expires_at > utcnow(),
        )
        .values(ended_at=utcnow(), ended_reason=reason[:100])
    )
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep)
    result = session.execute(stmt)
    session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]


def sessions_of(session: Session, user_id: int) -> Sequence[LoginSession]:
    """The live (not ended, not expired) sessions of ``user_id``, newest first."""
    return session.scalars(
        select(LoginSession)
        .where(
            LoginSession.user_id == user_id,
            LoginSession.ended_at.is_(None),
            LoginSession.expires_at > utcnow(),
        )
        .order_by(LoginSession.id.desc())
    ).all()


def end_own_session(session: Session, user_id: int, session_id: int, reason: str) -> bool:
    """End ``user_id``'s session ``session_id`` if it is theirs and live."""
    row = session.get(LoginSession, session_id)
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    row.ended_at, row.ended_reason = utcnow(), reason[:100]
    session.flush()
    return True
