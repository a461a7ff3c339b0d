"""Who is asking: login providers, login rate limiting, and the request's principal.

``AuthProvider`` is the seam for ways of logging in. :class:`LocalAuthProvider` checks a
username and password against the argon2 hashes in the operational store. An OIDC provider
(the production option) would implement the same protocol's ``start``/``finish`` pair with a
redirect to the identity provider and a callback mapping its claims to a local user; see
``docs/web.md``. Whatever the provider, the result is a local :class:`~toex.ops.models.User`
whose organisation's agreements decide what they see.

HTML pages know the user from the session cookie; the JSON API only from a bearer token
(never from the cookie, so the API needs no CSRF protection).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session, selectinload

from toex.errors import AccessDeniedError
from toex.ops.access import AccessScope
from toex.ops.accounts import authenticate_password, scope_of, user_for_token
from toex.ops.db import OpsStore
from toex.ops.models import Organisation, User


class AuthProvider(Protocol):
    """A way of logging in that ends with a local user (or None)."""

    name: str

    def authenticate(self, session: Session, username: str, password: str) -> User | None:
        """The user these credentials identify, or None."""


class LocalAuthProvider:
    """Local accounts: username and password checked against the stored argon2 hash."""

    name = "local"

    def authenticate(self, session: Session, username: str, password: str) -> User | None:
        """The active user whose password matches, else None."""
        return authenticate_password(session, username, password)


class TooManyAttempts(AccessDeniedError):
    """Too many failed logins for this username or client address; try again later."""

    http_status = 429


class LoginLimiter:
    """Counts failed logins per username and per client address in a sliding window."""

    def __init__(
        self, max_per_user: int = 5, max_per_client: int = 20, window_seconds: float = 900.0
    ) -> None:
        self.max_per_user, self.max_per_client = max_per_user, max_per_client
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> int:
        q = self._failures.get(key)
        if q is None:
            return 0
        while q and now - q[0] > self.window:
            q.popleft()
        return len(q)

    def check(self, username: str, client: str) -> None:
        """Raise :class:`TooManyAttempts` when either key has used up its failures."""
        now = time.monotonic()
        with self._lock:
            if (
                self._recent(f"u:{username.lower()}", now) >= self.max_per_user
                or self._recent(f"c:{client}", now) >= self.max_per_client
            ):
                raise TooManyAttempts("too many failed logins: wait 15 minutes and try again")

    def failed(self, username: str, client: str) -> None:
        """Record a failed login."""
        now = time.monotonic()
        with self._lock:
            for key in (f"u:{username.lower()}", f"c:{client}"):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        """Forget the username's failures after a successful login."""
        with self._lock:
            self._failures.pop(f"u:{username.lower()}", None)


@dataclass(frozen=True)
class Principal:
    """The authenticated user of one request, with their access scope."""

    user_id: int
    username: str
    display_name: str
    role: str
    organisation: str
    organisation_kind: str
    clearance: str
    handling_codes: str
    scope: AccessScope

    def require(self, roles: frozenset[str], what: str) -> None:
        """Raise :class:`AccessDeniedError` unless the role is one of ``roles``."""
        if self.role not in roles:
            raise AccessDeniedError(f"the {self.role} role may not {what}")


def principal_of(user: User) -> Principal:
    """The principal of a loaded user."""
    return Principal(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.organisation.code,
        user.organisation.kind,
        user.clearance,
        user.handling_codes,
        scope_of(user),
    )


class PrincipalCache:
    """Principals by key (session user id or token digest) for ``ttl`` seconds.

    Saves the operational-store round trip on every request; a disabled user, a revoked
    token or a changed agreement takes effect within ``ttl`` seconds (0 disables caching).
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def peek(self, key: str) -> tuple[bool, Principal | None]:
        """(True, principal) when ``key`` is cached and fresh, else (False, None)."""
        if self.ttl <= 0:
            return False, None
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return True, hit[1]
        return False, None

    def get(self, key: str, load: Callable[[], Principal | None]) -> Principal | None:
        """The cached principal for ``key``, else ``load()`` (cached, even when None)."""
        if self.ttl <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        principal = load()
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (now, principal)
        return principal

    def clear(self) -> None:
        """Forget every cached principal (after an admin change)."""
        with self._lock:
            self._entries.clear()


def _load_user(session: Session, user_id: int) -> User | None:
    from sqlalchemy import select

    return session.scalar(
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.organisation).selectinload(Organisation.agreements))
    )


def principal_for_session(store: OpsStore, user_id: int | None) -> Principal | None:
    """The principal of a session's user id, or None if logged out or the user is inactive."""
    if not user_id:
        return None
    with store.session() as session:
        user = _load_user(session, user_id)
        return principal_of(user) if user is not None and user.active else None


def principal_for_token(store: OpsStore, token: str) -> Principal | None:
    """The principal of a bearer token, or None if it is unknown, revoked or expired."""
    with store.session() as session:
        user = user_for_token(session, token)
        if user is None:
            return None
        loaded = _load_user(session, user.id)
        return principal_of(loaded) if loaded is not None else None
