"""The one handler turning :mod:`toex.errors` into responses, plus the two auth redirects.

API paths (``/api/...``) answer JSON ``{"error": message, "status": code}``; pages answer the
error template with the error's ``http_status``. A missing login redirects a page to
``/login`` and answers 401 on the API.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from toex.errors import ToexError
from toex.web.context import LoginRequired, TokenRequired
from toex.web.rendering import render


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def toex_error_response(request: Request, exc: Exception) -> Response:
    """The response for any :class:`ToexError`: status from the error, message shown."""
    assert isinstance(exc, ToexError)
    status = exc.http_status
    message = str(exc) or type(exc).__name__
    if _is_api(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


async def login_required_response(request: Request, exc: Exception) -> Response:
    """Redirect a page to the login form, remembering where the user was going."""
    target = request.url.path if request.method == "GET" else "/"
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def token_required_response(request: Request, exc: Exception) -> Response:
    """401 for an API call without a valid bearer token."""
    return JSONResponse(
        {"error": "a valid bearer token is required", "status": 401},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(ToexError, toex_error_response)
    app.add_exception_handler(LoginRequired, login_required_response)
    app.add_exception_handler(TokenRequired, token_required_response)
