"""The CSRF dependency shared by every HTML router that accepts forms."""

from __future__ import annotations

from fastapi import Request

from toex.web.sessions import UNSAFE_METHODS, check_csrf


async def verify_csrf(request: Request) -> None:
    """For POST and other unsafe methods, require the session's CSRF token in the form field
    ``csrf_token`` or the ``X-CSRF-Token`` header."""
    if request.method not in UNSAFE_METHODS:
        return
    token = request.headers.get("x-csrf-token")
    if token is None:
        form = await request.form()
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    check_csrf(request, token)
