"""Browser sessions, CSRF tokens and security headers, in one pure ASGI middleware.

A session is a small signed cookie (itsdangerous, keyed by ``TOEX_SECRET_KEY``) holding a
random session id, the CSRF token, the user id once logged in, the last stated purpose and
the issue time. The cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` whenever the
request came over TLS (or ``cookie_secure`` forces it). Logging in issues a new session id
and CSRF token (no session fixation). The CSRF check is a synchroniser token: every HTML form
carries the session's token in ``csrf_token`` (or HTMX sends ``X-CSRF-Token``) and
:func:`check_csrf` compares them in constant time.

Every response gets the security headers in :data:`SECURITY_HEADERS`, including a Content
Security Policy that allows no inline script or style.
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


@dataclass
class WebSession:
    """The contents of the session cookie."""

    sid: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    user_id: int | None = None
    purpose: str = ""
    issued: float = field(default_factory=time.time)
    dirty: bool = False

    def login(self, user_id: int) -> None:
        """Start an authenticated session: new id and CSRF token, purpose cleared."""
        self.sid, self.csrf = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
        self.user_id, self.purpose, self.issued, self.dirty = user_id, "", time.time(), True

    def logout(self) -> None:
        """End the session (a fresh anonymous one replaces it)."""
        self.login(0)
        self.user_id = None

    def set_purpose(self, purpose: str) -> None:
        """Remember the purpose the user last stated (recorded with their views)."""
        if purpose != self.purpose:
            self.purpose, self.dirty = purpose, True


class SessionCodec:
    """Signs and reads session cookies; sessions older than ``max_age`` seconds are void."""

    def __init__(self, secret_key: str, max_age: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="toex-session")
        self.max_age = max_age

    def dumps(self, session: WebSession) -> str:
        """The signed cookie value."""
        data = asdict(session)
        data.pop("dirty")
        return self._serializer.dumps(data)

    def loads(self, value: str | None) -> WebSession:
        """The session in ``value``, or a new anonymous one if it is missing, forged or old."""
        if value:
            try:
                data: dict[str, Any] = self._serializer.loads(value, max_age=self.max_age)
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
