"""Threats: the ranked list per force or region ("agency top 10"), the tables by
exploitation type and geographic scale, and one threat's labels and score history, over the
threats the user may see (audited)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from toex.config import get_settings, load_catalogue
from toex.errors import NotFoundError
from toex.model import ExploitationType, GeographicScale
from toex.ops.access import DATA_ROLES
from toex.web.auth import Principal
from toex.web.context import audit, html_user, snapshot_of, warehouse_cursor
from toex.web.data.filters import NotAvailable, highest_marking
from toex.web.data.threat_lists import ThreatView, threat_detail, visible_threats
from toex.web.rendering import render
from toex.web.routers.search import ask_purpose
from toex.web.sessions import session_of

router = APIRouter(include_in_schema=False)
TOP = 10


@router.get("/threats", response_class=HTMLResponse)
def threats(
    request: Request,
    force: str = "",
    region: str = "",
    top: int = TOP,
    user: Principal = Depends(html_user),
) -> Response:
    """Scored threats of a force or region the user may see, with the briefing's tables."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = session_of(request).purpose
    if not purpose:
        return ask_purpose(request)
    snap = snapshot_of(request)
    chosen = force if force in user.scope.forces else ""
    catalogue = load_catalogue(get_settings().force_catalogue)
    known = {f.code for f in catalogue.forces}
    regions = sorted({catalogue.region_of(f) for f in user.scope.forces if f in known})
    area_region = region if not chosen and region in regions else ""
    missing = ""
    try:
        with warehouse_cursor(snap) as cur:
            view = visible_threats(snap, cur, user.scope, chosen or None, area_region or None)
    except NotAvailable as exc:
        view, missing = ThreatView(), str(exc)
    audit(
        request,
        user,
        "view",
        target=f"threats {chosen or area_region or 'all'}",
        purpose=purpose,
        detail={"rows": len(view.rows), "withheld": view.withheld},
    )
    return render(
        request,
        "threat_list.html",
        {
            "view": view,
            "top": max(1, min(int(top), 500)),
            "missing": missing,
            "force": chosen,
            "region": area_region,
            "forces": sorted(user.scope.forces),
            "regions": regions,
            "types": {t.value: t.label for t in ExploitationType},
            "scales": [(s.value, s.label) for s in GeographicScale],
        },
        marking=view.classification,
    )


@router.get("/threats/{threat_id}", response_class=HTMLResponse)
def threat(request: Request, threat_id: str, user: Principal = Depends(html_user)) -> Response:
    """One threat: its score and reason, its exploitation labels with the records they cite,
    and its dated score history; only when the user may see every record it draws on."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = session_of(request).purpose
    if not purpose:
        return ask_purpose(request)
    snap = snapshot_of(request)
    try:
        with warehouse_cursor(snap) as cur:
            found = threat_detail(snap, cur, user.scope, threat_id)
    except NotAvailable:
        found = None
    audit(
        request,
        user,
        "view",
        target=f"threat {threat_id}",
        purpose=purpose,
        detail={"shown": found is not None},
    )
    if found is None:
        raise NotFoundError(f"no threat {threat_id} you may see")
    return render(
        request,
        "threat_detail.html",
        {**found, "types": {t.value: t.label for t in ExploitationType}},
        marking=highest_marking(
            [found["threat"]["classification"], *(e["classification"] for e in found["evidence"])]
        ),
    )
