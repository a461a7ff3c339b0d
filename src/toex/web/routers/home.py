"""The start page: what the snapshot holds and where the user's role may go."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from toex.errors import ToexError
from toex.web.auth import Principal
from toex.web.context import html_user, state_of
from toex.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: Principal = Depends(html_user)) -> Response:
    """Links by role, the user's agreements and the snapshot's stages."""
    try:
        snap = state_of(request).warehouse.snapshot()
        request.state.snapshot = snap
        tables = sorted(snap.columns)
    except ToexError as exc:
        tables, problem = [], str(exc)
    else:
        problem = ""
    return render(
        request,
        "home.html",
        {"tables": tables, "problem": problem, "forces": sorted(user.scope.forces)},
    )
