"""Priority perpetrators per force (from the assess stage, when the snapshot has it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from toex.ops.access import DATA_ROLES
from toex.web.auth import Principal
from toex.web.context import audit, html_user, snapshot_of, warehouse_cursor
from toex.web.data.filters import NotAvailable
from toex.web.data.lists import Listing, priority_perpetrators
from toex.web.rendering import render
from toex.web.routers.search import ask_purpose
from toex.web.sessions import session_of

router = APIRouter(include_in_schema=False)


@router.get("/perpetrators", response_class=HTMLResponse)
def perpetrators(
    request: Request, force: str = "", user: Principal = Depends(html_user)
) -> Response:
    """Ranked perpetrators of one force the user has an agreement with (or all of them)."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = session_of(request).purpose
    if not purpose:
        return ask_purpose(request)
    snap = snapshot_of(request)
    missing = ""
    chosen = force if force in user.scope.forces else ""
    try:
        with warehouse_cursor(snap) as cur:
            listing = priority_perpetrators(snap, cur, user.scope, chosen or None)
    except NotAvailable as exc:
        listing, missing = Listing(), str(exc)
    audit(
        request,
        user,
        "view",
        target=f"perpetrators {chosen or 'all'}",
        purpose=purpose,
        detail={"rows": len(listing.rows)},
    )
    return render(
        request,
        "perpetrators.html",
        {
            "listing": listing,
            "missing": missing,
            "force": chosen,
            "forces": sorted(user.scope.forces),
        },
        marking=listing.classification,
    )
