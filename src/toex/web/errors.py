"""The one handler turning :mod:`toex.errors` into responses, plus the two auth redirects.

API paths (``/api/...``) answer JSON ``{"error": message, "status": code}``; pages answer the
error template with the error's ``http_status``. A missing login redirects a page to
``/login`` and answers 401 on the API. Every 403 and 404 answered to someone logged in or
holding a token (a probe for what they may not see) is audited as ``denied``, once per
request; missing static files are not.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from toex.errors import ToexError
from toex.web.context import LoginRequired, TokenRequired, audit, identify
from toex.web.rendering import render

DENIED_STATUSES = frozenset({403, 404})


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def audit_denied(request: Request, status: int) -> None:
    """Audit a 403 or 404 answered to an identified user (blocking: run in the thread
    pool); anonymous requests and static files are not audited."""
    path = request.url.path
    if status not in DENIED_STATUSES or path.startswith("/static/") or path == "/favicon.ico":
        return
    principal = identify(request)
    if principal is None:
        return
    audit(
        request,
        principal,
        "denied",
        target=path[:300],
        detail={"status": status, "method": request.method},
    )


async def toex_error_response(request: Request, exc: Exception) -> Response:
    """The response for any :class:`ToexError`: status from the error, message shown."""
    assert isinstance(exc, ToexError)
    status = exc.http_status
    message = str(exc) or type(exc).__name__
    await run_in_threadpool(audit_denied, request, status)
    if _is_api(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


async def http_error_response(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (an unknown path, a wrong method): audited as above, then
    answered as FastAPI would."""
    assert isinstance(exc, StarletteHTTPException)
    await run_in_threadpool(audit_denied, request, exc.status_code)
    return await http_exception_handler(request, exc)


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
    app.add_exception_handler(StarletteHTTPException, http_error_response)
    app.add_exception_handler(LoginRequired, login_required_response)
    app.add_exception_handler(TokenRequired, token_required_response)
