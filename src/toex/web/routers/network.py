"""Network view: a chart centred on one person and a list that expands on click (HTMX)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from toex.ops.access import DATA_ROLES
from toex.web.auth import Principal
from toex.web.charts import network_svg
from toex.web.context import audit, html_user, snapshot_of, warehouse_cursor
from toex.web.data.filters import highest_marking
from toex.web.data.network import expand
from toex.web.data.profile_lists import visible_warnings
from toex.web.data.search import person_summaries
from toex.web.rendering import render
from toex.web.routers.search import ask_purpose, require_purpose
from toex.web.sessions import session_of

router = APIRouter(include_in_schema=False)


@router.get("/network/{person_id}", response_class=HTMLResponse)
def network_page(
    request: Request, person_id: str, user: Principal = Depends(html_user)
) -> Response:
    """The network chart and first-hop list of a visible person."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = session_of(request).purpose
    if not purpose:
        return ask_purpose(request)
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        known: dict[str, dict[str, Any] | None] = {}
        expansion = expand(snap, cur, user.scope, person_id, known=known)
        centre = person_summaries(snap, cur, user.scope, [person_id], known)[person_id]
        warnings = neighbour_warnings(snap, cur, user, expansion)
    audit(
        request,
        user,
        "network",
        target=f"person {person_id}",
        purpose=purpose,
        detail={"neighbours": len(expansion.neighbours), "snapshot": snap.ref.run_id},
    )
    return render(
        request,
        "network.html",
        {
            "expansion": expansion,
            "chart": network_svg(expansion, centre["forces"]),
            "warnings": warnings,
        },
        marking=highest_marking([expansion.classification, *warning_markings(warnings)]),
    )


@router.get("/network/{person_id}/expand", response_class=HTMLResponse)
def network_expand(
    request: Request, person_id: str, user: Principal = Depends(html_user)
) -> Response:
    """The neighbours of one person as a nested list fragment (expand-on-click)."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = require_purpose(request, "expanding a network")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        expansion = expand(snap, cur, user.scope, person_id)
        warnings = neighbour_warnings(snap, cur, user, expansion)
    audit(
        request,
        user,
        "network",
        target=f"person {person_id}",
        purpose=purpose,
        detail={"neighbours": len(expansion.neighbours), "expand": True},
    )
    return render(
        request,
        "_neighbours.html",
        {"expansion": expansion, "warnings": warnings},
        marking=highest_marking([expansion.classification, *warning_markings(warnings)]),
    )


def neighbour_warnings(
    snap: Any, cur: Any, user: Principal, expansion: Any
) -> dict[str, list[dict[str, Any]]]:
    """The visible warnings of the neighbours listed."""
    ids = [n.person_id for n in expansion.neighbours]
    return visible_warnings(snap, cur, user.scope, ids)


def warning_markings(warnings: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The markings of the warnings shown."""
    return [w["classification"] for ws in warnings.values() for w in ws]
