"""Who is asking: login providers, login rate limiting, and the request's principal.

``AuthProvider`` is the seam for ways of logging in. :class:`LocalAuthProvider` checks a
username and password against the argon2 hashes in the operational store. An OIDC provider
(the production option) would implement the same protocol's ``start``/``finish`` pair with a
redirect to the identity provider and a callback mapping its claims to a local user; see
``docs/web.md``. Whatever the provider, the result is a local :class:`~toex.ops.models.User`
whose organisation's agreements decide what they see.

HTML pages know the user from the server-side session the cookie names; the JSON API only
from a bearer token (never from the cookie, so the API needs no CSRF protection).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from toex.errors import AccessDeniedError
from toex.ops.access import AccessScope
from toex.ops.accounts import authenticate_password, scope_of
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
    """Too many failed logins from this client address; try again later."""

    http_status = 429


class LoginLimiter:
    """Failed logins in a sliding window, counted three ways so that nobody can lock a
    user out (which counting per username alone would let anyone do):

    * per username and client address: ``max_per_user`` failures refuse that client's
      further attempts on that username (429) until the window passes;
    * per client address: ``max_per_client`` failures refuse that client everything;
    * per username from all clients: past ``slow_after`` failures, every attempt on that
      username waits ``slow_seconds`` first. It is never refused, so the right password
      from another client still works; a guesser spread over many addresses is slowed.
    """

    def __init__(
        self,
        max_per_user: int = 5,
        max_per_client: int = 20,
        window_seconds: float = 900.0,
        slow_after: int = 10,
        slow_seconds: float = 1.0,
    ) -> None:
        self.max_per_user, self.max_per_client = max_per_user, max_per_client
        self.window, self.slow_after, self.slow_seconds = window_seconds, slow_after, slow_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, client: str) -> tuple[str, str, str]:
        name = username.strip().lower()
        return f"uc:{name}\0{client}", f"c:{client}", f"u:{name}"

    def _recent(self, key: str, now: float) -> int:
        q = self._failures.get(key)
        if q is None:
            return 0
        while q and now - q[0] > self.window:
            q.popleft()
        return len(q)

    def check(self, username: str, client: str) -> float:
        """Raise :class:`TooManyAttempts` when this client used up its failures (for this
        username or in all); else the seconds to wait before checking the password."""
        now = time.monotonic()
        user_client, by_client, by_user = self._keys(username, client)
        with self._lock:
            if (
                self._recent(user_client, now) >= self.max_per_user
                or self._recent(by_client, now) >= self.max_per_client
            ):
                raise TooManyAttempts("too many failed logins: wait 15 minutes and try again")
            return self.slow_seconds if self._recent(by_user, now) >= self.slow_after else 0.0

    def failed(self, username: str, client: str) -> None:
        """Record a failed login."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > 100_000:  # bound memory: forget what has aged out
                for key in [k for k in self._failures if not self._recent(k, now)]:
                    del self._failures[key]
            for key in self._keys(username, client):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str, client: str) -> None:
        """Forget the username's failures after a successful login (the client's own
        count stays: it still bounds guessing at other usernames)."""
        user_client, _, by_user = self._keys(username, client)
        with self._lock:
            self._failures.pop(user_client, None)
            self._failures.pop(by_user, None)


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
    """Principals by user id for ``ttl`` seconds.

    Saves loading the user, organisation and agreements on every request. Whether the
    request's session or token is still live is checked on every request regardless; a
    changed role or agreement takes effect within ``ttl`` seconds in other workers (the
    admin's own worker clears its cache at once; 0 disables caching).
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

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


def principal_for_user(store: OpsStore, user_id: int) -> Principal | None:
    """The principal of an active user, else None."""
    with store.session() as session:
        user = session.scalar(
            select(User)
            .where(User.id == user_id)
            .options(selectinload(User.organisation).selectinload(Organisation.agreements))
        )
        return principal_of(user) if user is not None and user.active else None
