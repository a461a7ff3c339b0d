"""SQLAlchemy models of the operational store.

Each table's rows are the system of record for something analysts or admins decide: who may
log in and see what (organisations, agreements, users, tokens), what they did (audit), and
their judgements on the data (match decisions). Schema changes go through Alembic
(``toex/ops/migrations``); a test checks the migrations and these models agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """The current time in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every operational-store table."""


class Organisation(Base):
    """A force, a regional unit or a partner website whose users log in."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # force | regional | partner
    force_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    agreements: Mapped[list[Agreement]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    users: Mapped[list[User]] = relationship(back_populates="organisation")


class Agreement(Base):
    """A data-sharing agreement: the organisation may see records owned by ``force_code``."""

    __tablename__ = "agreement"
    __table_args__ = (UniqueConstraint("organisation_id", "force_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    force_code: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[dt.date | None] = mapped_column(nullable=True)
    valid_to: Mapped[dt.date | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    organisation: Mapped[Organisation] = relationship(back_populates="agreements")


class User(Base):
    """A local account. Roles: analyst, supervisor, partner, admin."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # Highest classification the user is cleared for, and handling codes they may see.
    clearance: Mapped[str] = mapped_column(String(32), default="OFFICIAL-SENSITIVE")
    handling_codes: Mapped[str] = mapped_column(String(20), default="P,C")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    organisation: Mapped[Organisation] = relationship(back_populates="users")


class ApiToken(Base):
    """A bearer token for the JSON API, issued by its user to themselves; only its SHA-256
    is stored. ``scope`` is ``read`` or ``write`` (write may also record decisions and STIM
    steps)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    scope: Mapped[str] = mapped_column(String(10), default="read", server_default="read")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class LoginSession(Base):
    """A logged-in web session. The cookie names it by a random id of which only the
    SHA-256 is stored; it is live until ``expires_at``, an idle timeout, or ``ended_at``."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    client: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_reason: Mapped[str] = mapped_column(String(100), default="")


class AuditEntry(Base):
    """One append-only audit record. ``entry_hash`` is the HMAC (under key ``key_id``) of
    its fields, its ``seq`` and ``prev_hash``, the previous entry's HMAC; ``key_id`` is null
    only on an entry written before keyed logging and not yet sealed."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    organisation: Mapped[str] = mapped_column(String(64), default="", index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)  # login, search, view...
    target: Mapped[str] = mapped_column(String(300), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    client: Mapped[str] = mapped_column(String(100), default="")
    seq: Mapped[int] = mapped_column(Integer, unique=True, index=True)
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The one-row head of the audit chain: the last entry's sequence number, id and HMAC.

    Appending updates this row first, which serialises appends (a row lock on PostgreSQL,
    the write lock on SQLite) and lets ``toex audit verify`` notice rows cut from the end.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_hash: Mapped[str] = mapped_column(String(64))


class MatchDecision(Base):
    """An analyst's decision that two person mentions are (or are not) the same person.

    Decisions override the resolution model on every run; a revoked decision no longer does.
    """

    __tablename__ = "match_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mention_a: Mapped[str] = mapped_column(String(64), index=True)
    mention_b: Mapped[str] = mapped_column(String(64), index=True)
    same: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


import toex.ops.erasure_models  # noqa: E402  - erasure tables register on Base
import toex.ops.pack_models  # noqa: E402  - force profile pack tables register on Base
import toex.ops.stim_models  # noqa: E402  - STIM referral tables register on Base
import toex.ops.tracker_models  # noqa: E402, F401  - operations tracker tables register on Base
