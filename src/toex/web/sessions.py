"""Browser sessions, CSRF tokens and security headers, in one pure ASGI middleware.

The cookie is small and signed (itsdangerous, keyed by the session key,
:func:`toex.ops.keys.session_keys`): a random session id, the CSRF token, the last stated
purpose and the issue time. Who is logged in is not in the cookie: the session id names a
row of the operational store (:mod:`toex.ops.login_sessions`) that the request's auth
dependency checks, so a session ends everywhere when that row ends. The cookie is
``HttpOnly``, ``SameSite=Lax`` and ``Secure`` over TLS. Logging in issues a new session id
and CSRF token (no session fixation); :func:`check_csrf` compares a form's token with the
session's in constant time. Every response gets :data:`SECURITY_HEADERS`.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from toex.errors import AccessDeniedError

SESSION_COOKIE = "toex_session"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


COOKIE_FIELDS = ("sid", "csrf", "purpose", "issued")


@dataclass
class WebSession:
    """The contents of the session cookie, plus what the auth dependency found for it
    (``user_id``, ``session_id``: never read from the cookie)."""

    sid: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    purpose: str = ""
    issued: float = field(default_factory=time.time)
    dirty: bool = False
    user_id: int | None = None
    session_id: int | None = None

    def login(self, sid: str) -> None:
        """Carry the id of a newly started server-side session, with a new CSRF token."""
        self.sid, self.csrf = sid, secrets.token_urlsafe(24)
        self.purpose, self.issued, self.dirty = "", time.time(), True
        self.user_id = self.session_id = None

    def logout(self) -> None:
        """Replace the session with a fresh anonymous one."""
        self.login(secrets.token_urlsafe(32))

    def set_purpose(self, purpose: str) -> None:
        """Remember the purpose the user last stated (recorded with their views)."""
        if purpose != self.purpose:
            self.purpose, self.dirty = purpose, True


class SessionCodec:
    """Signs and reads session cookies; cookies older than ``max_age`` seconds are void.

    ``secret_keys`` lists keys oldest first: the last signs, every one verifies (rotation).
    """

    def __init__(self, secret_keys: str | list[str], max_age: int) -> None:
        keys = [secret_keys] if isinstance(secret_keys, str) else list(secret_keys)
        self._serializer = URLSafeTimedSerializer(keys, salt="toex-session")
        self.max_age = max_age

    def dumps(self, session: WebSession) -> str:
        """The signed cookie value."""
        data = asdict(session)
        return self._serializer.dumps({k: data[k] for k in COOKIE_FIELDS})

    def loads(self, value: str | None) -> WebSession:
        """The session in ``value``, or a new anonymous one if it is missing, forged, old or
        of another shape."""
        if value:
            try:
                data: dict[str, Any] = self._serializer.loads(value, max_age=self.max_age)
                if isinstance(data, dict) and set(data) == set(COOKIE_FIELDS):
                    return WebSession(**data)
            except (BadSignature, TypeError, ValueError):
                pass
        return WebSession(dirty=True)


def session_of(request: Request) -> WebSession:
    """The session the middleware attached to this request."""
    session: WebSession = request.scope["toex_session"]
    return session


def check_csrf(request: Request, token: str | None) -> None:
    """Raise :class:`AccessDeniedError` unless ``token`` is this session's CSRF token."""
    expected = session_of(request).csrf
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise AccessDeniedError("missing or invalid CSRF token: reload the page and try again")


class SessionMiddleware:
    """Attach the session to each HTTP request, write it back when changed, add headers."""

    def __init__(self, app: ASGIApp, codec: SessionCodec, cookie_secure: bool | None) -> None:
        self.app, self.codec, self.cookie_secure = app, codec, cookie_secure

    def _cookie_value(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:
                    return None
                if SESSION_COOKIE in jar:
                    return jar[SESSION_COOKIE].value
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope.get("path", "").startswith("/api/")
        session = WebSession() if api else self.codec.loads(self._cookie_value(scope))
        scope["toex_session"] = session
        secure = (
            self.cookie_secure
            if self.cookie_secure is not None
            else (scope.get("scheme") == "https")
        )

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                if secure:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                if not api and not scope.get("path", "").startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                if session.dirty and not api:
                    attrs = (
                        f"{SESSION_COOKIE}={self.codec.dumps(session)}; Path=/; HttpOnly; "
                        f"SameSite=Lax; Max-Age={self.codec.max_age}"
                    )
                    if secure:
                        attrs += "; Secure"
                    headers.append((b"set-cookie", attrs.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)
