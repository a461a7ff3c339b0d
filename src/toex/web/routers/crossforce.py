"""Cross-force links: persons whose visible records come from two or more forces."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from toex.ops.access import DATA_ROLES
from toex.web.auth import Principal
from toex.web.context import audit, html_user, snapshot_of, warehouse_cursor
from toex.web.data.filters import NotAvailable
from toex.web.data.lists import Listing, cross_force
from toex.web.rendering import render
from toex.web.routers.search import ask_purpose
from toex.web.sessions import session_of

router = APIRouter(include_in_schema=False)


@router.get("/crossforce", response_class=HTMLResponse)
def crossforce(request: Request, user: Principal = Depends(html_user)) -> Response:
    """Persons linked across forces, widest spread first."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = session_of(request).purpose
    if not purpose:
        return ask_purpose(request)
    snap = snapshot_of(request)
    missing = ""
    try:
        with warehouse_cursor(snap) as cur:
            listing = cross_force(snap, cur, user.scope)
    except NotAvailable as exc:
        listing, missing = Listing(), str(exc)
    audit(
        request,
        user,
        "view",
        target="cross-force links",
        purpose=purpose,
        detail={"rows": len(listing.rows)},
    )
    return render(
        request,
        "crossforce.html",
        {"listing": listing, "missing": missing},
        marking=listing.classification,
    )
