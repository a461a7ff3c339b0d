"""Accounts: organisations, data-sharing agreements, users and passwords.

Passwords are stored as argon2id hashes (argon2-cffi defaults). API tokens are in
:mod:`toex.ops.tokens` (re-exported here), web sessions in :mod:`toex.ops.login_sessions`.
Functions take an open SQLAlchemy session and leave committing to the caller unless they say
otherwise.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from toex.errors import InputError, NotFoundError
from toex.ops.access import CLASSIFICATIONS, AccessScope, Role, parse_handling_codes, scope_for
from toex.ops.login_sessions import end_user_sessions
from toex.ops.models import Agreement, Organisation, User
from toex.ops.tokens import issue_token as issue_token
from toex.ops.tokens import revoke_tokens as revoke_tokens
from toex.ops.tokens import token_digest as token_digest
from toex.ops.tokens import user_for_token as user_for_token

ORGANISATION_KINDS: tuple[str, ...] = ("force", "regional", "partner")
_HASHER = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _HASHER.hash("toex-dummy-password")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a malformed hash)."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password of 20 URL-safe characters."""
    return secrets.token_urlsafe(15)


def create_organisation(
    session: Session, code: str, name: str, kind: str, force_code: str | None = None
) -> Organisation:
    """Add an organisation (kind: force, regional or partner)."""
    if kind not in ORGANISATION_KINDS:
        raise InputError(
            f"organisation kind must be one of {', '.join(ORGANISATION_KINDS)}, not {kind!r}"
        )
    if not code.strip():
        raise InputError("organisation code must not be empty")
    if session.scalar(select(Organisation).where(Organisation.code == code)) is not None:
        raise InputError(f"organisation {code!r} already exists")
    org = Organisation(code=code, name=name, kind=kind, force_code=force_code)
    session.add(org)
    session.flush()
    return org


def get_organisation(session: Session, code: str) -> Organisation:
    """The organisation with this code; :class:`NotFoundError` if there is none."""
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        raise NotFoundError(f"no organisation {code!r}")
    return org


def add_agreement(
    session: Session,
    org: Organisation,
    force_code: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Agreement:
    """Record that ``org`` may see records owned by ``force_code``."""
    if not force_code.strip():
        raise InputError("agreement force must not be empty")
    if valid_from and valid_to and valid_to < valid_from:
        raise InputError("agreement ends before it starts")
    for existing in org.agreements:
        if existing.force_code == force_code:
            raise InputError(f"{org.code} already has an agreement for {force_code}")
    agreement = Agreement(
        organisation=org, force_code=force_code, valid_from=valid_from, valid_to=valid_to
    )
    session.add(agreement)
    session.flush()
    return agreement


def remove_agreement(session: Session, agreement_id: int) -> Agreement:
    """Delete an agreement by id and return it."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFoundError(f"no agreement {agreement_id}")
    session.delete(agreement)
    session.flush()
    return agreement


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    org: Organisation,
    *,
    display_name: str | None = None,
    clearance: str = "OFFICIAL-SENSITIVE",
    handling_codes: str = "P,C",
) -> User:
    """Add a local account with an argon2 password hash."""
    if role not in {r.value for r in Role}:
        raise InputError(f"role must be one of {', '.join(r.value for r in Role)}, not {role!r}")
    if clearance not in CLASSIFICATIONS:
        raise InputError(
            f"clearance must be one of {', '.join(CLASSIFICATIONS)}, not {clearance!r}"
        )
    codes = parse_handling_codes(handling_codes)
    if not username.strip() or len(password) < 12:
        raise InputError("username must not be empty and password needs 12+ characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise InputError(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        organisation=org,
        clearance=clearance,
        handling_codes=",".join(sorted(codes, reverse=True)),
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    """The user with this username; :class:`NotFoundError` if there is none."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return user


def authenticate_password(session: Session, username: str, password: str) -> User | None:
    """The active user whose password matches, else None (constant work either way)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(session: Session, user: User, password: str) -> int:
    """Replace a user's password and end every session they have; returns how many."""
    if len(password) < 12:
        raise InputError("password needs 12+ characters")
    user.password_hash = hash_password(password)
    session.flush()
    return end_user_sessions(session, user.id, "password changed")


def scope_of(user: User, today: dt.date | None = None) -> AccessScope:
    """The access scope of ``user`` from its organisation's agreements, handling codes and
    clearance."""
    agreements = [(a.force_code, a.valid_from, a.valid_to) for a in user.organisation.agreements]
    return scope_for(user.role, agreements, user.handling_codes, user.clearance, today)


@dataclass(frozen=True)
class DemoAccount:
    """A demo account created by :func:`create_demo_accounts` with its one-time password."""

    username: str
    password: str
    role: str
    organisation: str
    forces: tuple[str, ...]


def create_demo_accounts(
    session: Session,
    forces: list[tuple[str, str]],
    region_forces: list[str],
    partner_code: str = "asw",
) -> list[DemoAccount]:
    """Organisations for every force, the regional TOEX unit and the partner website, with
    agreements, and one user per role; passwords are generated and returned (not stored).

    ``forces`` lists (code, name) of every force. Each force sees its own records; the
    regional unit sees ``region_forces``; the partner has no agreement (STIM submissions
    only). Existing demo users get new passwords.
    """
    accounts: list[DemoAccount] = []

    def org(code: str, name: str, kind: str, force: str | None, forces: list[str]) -> Organisation:
        existing = session.scalar(select(Organisation).where(Organisation.code == code))
        o = existing or create_organisation(session, code, name, kind, force)
        have = {a.force_code for a in o.agreements}
        for f in forces:
            if f not in have:
                add_agreement(session, o, f)
        return o

    def user(username: str, role: str, o: Organisation, clearance: str = "SECRET") -> None:
        password = generate_password()
        existing = session.scalar(select(User).where(User.username == username))
        if existing is None:
            create_user(
                session,
                username,
                password,
                role,
                o,
                clearance=clearance,
                display_name=f"Demo {role} ({o.code})",
            )
        else:
            set_password(session, existing, password)
        accounts.append(
            DemoAccount(
                username, password, role, o.code, tuple(sorted(a.force_code for a in o.agreements))
            )
        )

    regional = org("toex-regional", "Regional TOEX unit", "regional", None, region_forces)
    user("analyst", Role.ANALYST, regional)
    user("supervisor", Role.SUPERVISOR, regional)
    user("admin", Role.ADMIN, regional)
    for code, name in forces:
        force_org = org(f"force-{code}", name, "force", code, [code])
        user(f"analyst-{code}", Role.ANALYST, force_org, clearance="OFFICIAL-SENSITIVE")
    partner = org(f"partner-{partner_code}", "Partner adult services website", "partner", None, [])
    user("partner", Role.PARTNER, partner, clearance="OFFICIAL")
    session.flush()
    return accounts


def setup_demo_accounts(session: Session) -> list[DemoAccount]:
    """Demo organisations, agreements and users for the shipped force catalogue: every force,
    the regional TOEX unit (all forces) and the partner website (none)."""
    from toex.config import load_catalogue

    catalogue = load_catalogue()
    forces = [(f.code, f.name) for f in catalogue.forces]
    partner = catalogue.partners[0].code if catalogue.partners else "asw"
    return create_demo_accounts(session, forces, [f.code for f in catalogue.forces], partner)
