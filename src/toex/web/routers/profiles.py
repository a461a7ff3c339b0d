"""The missing-person and ViSOR force profiles: lists with paging, sorting and CSV export.

Rows are shown only when the viewer may see every record behind them
(:mod:`toex.web.data.profile_lists`); every view and export is audited with its purpose.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from toex.assess.profile_read import MISPER_COLUMNS, VISOR_COLUMNS
from toex.config import load_catalogue
from toex.csv_export import write_csv
from toex.ops.access import DATA_ROLES
from toex.web.auth import Principal
from toex.web.context import audit, html_user, snapshot_of, warehouse_cursor
from toex.web.data.filters import NotAvailable
from toex.web.data.lists import Listing
from toex.web.data.profile_lists import (
    MISPER_SORTS,
    VISOR_SORTS,
    misper_listing,
    visor_listing,
)
from toex.web.rendering import render
from toex.web.routers.search import ask_purpose, require_purpose
from toex.web.sessions import session_of

router = APIRouter(include_in_schema=False)

# The CSV columns: the read API's (toex.assess.profile_read), after the rank and the label,
# with the marking of the listing last (a ViSOR row's force rank is its CSV rank).
MISPER_CSV = ("rank", "person_id", "label", *MISPER_COLUMNS[1:], "classification")
VISOR_CSV = (
    "rank",
    "person_id",
    "label",
    *(c for c in VISOR_COLUMNS[1:] if c != "force_rank"),
    "classification",
)


def _regions(user: Principal) -> list[str]:
    cat = load_catalogue()
    return sorted({f.region for f in cat.forces if f.code in user.scope.forces})


def _csv(listing: Listing, columns: tuple[str, ...], name: str) -> Response:
    buf = io.StringIO()
    buf.write(f"{listing.classification}\n")
    write_csv(buf, list(columns), [{c: r.get(c) for c in columns} for r in listing.rows])
    buf.write(f"{listing.classification}\n")
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "X-Classification": listing.classification,
        },
    )


def _misper(
    request: Request,
    user: Principal,
    force: str,
    region: str,
    sort: str,
    page: int,
    frequent: bool,
    per_page: int | None,
) -> tuple[Listing, str, str, str]:
    snap = snapshot_of(request)
    chosen = force if force in user.scope.forces else ""
    area = region if region in _regions(user) else ""
    try:
        with warehouse_cursor(snap) as cur:
            listing = misper_listing(
                snap, cur, user.scope, chosen or None, area or None, sort, page, frequent, per_page
            )
        missing = ""
    except NotAvailable as exc:
        listing, missing = Listing(), str(exc)
    return listing, missing, chosen, area


@router.get("/misper", response_class=HTMLResponse)
def misper_page(
    request: Request,
    force: str = "",
    region: str = "",
    sort: str = "score",
    page: int = 1,
    frequent: bool = False,
    user: Principal = Depends(html_user),
) -> Response:
    """The missing-person profile of a force or region the user may see."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = session_of(request).purpose
    if not purpose:
        return ask_purpose(request)
    page = max(1, page)
    listing, missing, chosen, area = _misper(request, user, force, region, sort, page, frequent, 50)
    audit(
        request,
        user,
        "view",
        target=f"misper profile {chosen or area or 'all'}",
        purpose=purpose,
        detail={"rows": len(listing.rows), "page": page},
    )
    ctx: dict[str, Any] = {
        "listing": listing,
        "missing": missing,
        "force": chosen,
        "region": area,
        "sort": sort if sort in MISPER_SORTS else "score",
        "sorts": list(MISPER_SORTS),
        "page": page,
        "frequent": frequent,
        "forces": sorted(user.scope.forces),
        "regions": _regions(user),
        "pages": max(1, -(-listing.total // 50)),
    }
    return render(request, "misper.html", ctx, marking=listing.classification)


@router.get("/misper.csv")
def misper_csv(
    request: Request,
    force: str = "",
    region: str = "",
    sort: str = "score",
    frequent: bool = False,
    user: Principal = Depends(html_user),
) -> Response:
    """The whole missing-person profile the user may see, as CSV (audited export)."""
    user.require(DATA_ROLES, "export intelligence records")
    purpose = require_purpose(request, "exporting")
    listing, _, chosen, area = _misper(request, user, force, region, sort, 1, frequent, None)
    audit(
        request,
        user,
        "export",
        target=f"misper profile {chosen or area or 'all'}",
        purpose=purpose,
        detail={"rows": len(listing.rows), "format": "csv"},
    )
    return _csv(listing, MISPER_CSV, f"misper-{chosen or area or 'all'}")


def _visor(
    request: Request, user: Principal, force: str, sort: str, page: int, per_page: int | None
) -> tuple[Listing, str, str]:
    snap = snapshot_of(request)
    chosen = force if force in user.scope.forces else ""
    try:
        with warehouse_cursor(snap) as cur:
            listing = visor_listing(snap, cur, user.scope, chosen or None, sort, page, per_page)
        missing = ""
    except NotAvailable as exc:
        listing, missing = Listing(), str(exc)
    return listing, missing, chosen


@router.get("/visor", response_class=HTMLResponse)
def visor_page(
    request: Request,
    force: str = "",
    sort: str = "score",
    page: int = 1,
    user: Principal = Depends(html_user),
) -> Response:
    """The ViSOR profile of a force the user may see."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = session_of(request).purpose
    if not purpose:
        return ask_purpose(request)
    page = max(1, page)
    listing, missing, chosen = _visor(request, user, force, sort, page, 50)
    audit(
        request,
        user,
        "view",
        target=f"visor profile {chosen or 'all'}",
        purpose=purpose,
        detail={"rows": len(listing.rows), "page": page},
    )
    ctx: dict[str, Any] = {
        "listing": listing,
        "missing": missing,
        "force": chosen,
        "sort": sort if sort in VISOR_SORTS else "score",
        "sorts": list(VISOR_SORTS),
        "page": page,
        "forces": sorted(user.scope.forces),
        "pages": max(1, -(-listing.total // 50)),
    }
    return render(request, "visor.html", ctx, marking=listing.classification)


@router.get("/visor.csv")
def visor_csv(
    request: Request, force: str = "", sort: str = "score", user: Principal = Depends(html_user)
) -> Response:
    """The whole ViSOR profile the user may see, as CSV (audited export)."""
    user.require(DATA_ROLES, "export intelligence records")
    purpose = require_purpose(request, "exporting")
    listing, _, chosen = _visor(request, user, force, sort, 1, None)
    audit(
        request,
        user,
        "export",
        target=f"visor profile {chosen or 'all'}",
        purpose=purpose,
        detail={"rows": len(listing.rows), "format": "csv"},
    )
    return _csv(listing, VISOR_CSV, f"visor-{chosen or 'all'}")
