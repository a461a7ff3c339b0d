"""The performance dashboard and the impact evaluation (supervisors and admins: "leads").

``/dashboard``: the briefing's performance slide for any period and all forces, one force or
one region, computed from the tracker (:mod:`toex.ops.tracker_dashboard`), with jobs by
exploitation type and by scale (counts, %, including multiples) and monthly trends as SVG
charts; exported as CSV or PDF (WeasyPrint). ``/impact``: the impact evaluation
(:mod:`toex.assess.impact`) with its method, assumptions and caveats, also as a PDF section.
Figures are aggregates (no personal data) but every view and export is audited. JSON under
``/api/v1/performance``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from toex.assess.impact import ImpactReport, evaluate_impact, load_costs, report_rows
from toex.config import get_settings, load_catalogue
from toex.csv_export import write_csv
from toex.errors import ConfigError, InputError, NotFoundError
from toex.ops.tracker_dashboard import CSV_COLUMNS, FIGURES, Dashboard, dashboard, dashboard_rows
from toex.ops.tracker_queries import last_recorded_day, threat_rows, tracker_version
from toex.ops.tracker_store import DASHBOARD_ROLES
from toex.publish.charts import bar_chart_svg, column_chart_svg
from toex.web.auth import Principal
from toex.web.context import api_user, audit, html_user, state_of
from toex.web.rendering import ENV, render
from toex.web.routers.csrf import verify_csrf
from toex.web.sessions import session_of

html = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/performance", tags=["performance"])
router = APIRouter()
MARKING = "OFFICIAL"
DateQuery = Annotated[str | None, Query(max_length=10)]
ScopeQuery = Annotated[str | None, Query(max_length=64)]
_IMPACT_CACHE: dict[str, ImpactReport] = {}
_IMPACT_LOCK = threading.Lock()
#: Dashboards by (period, forces, tracker version): a write to the tracker changes the
#: version, so a cached dashboard is never stale.
_BOARD_CACHE: dict[tuple[Any, ...], Dashboard] = {}
_BOARD_LOCK = threading.Lock()


def _day(text: str | None, default: dt.date, name: str) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name} must be a date (YYYY-MM-DD), not {text!r}") from None


def _scope(force: str | None, region: str | None) -> tuple[list[str] | None, str]:
    """The forces of the scope asked for, and its name."""
    catalogue = load_catalogue(get_settings().force_catalogue)
    if force and region:
        raise InputError("choose a force or a region, not both")
    if force:
        try:
            f = catalogue.force(force)
        except ConfigError:
            raise NotFoundError(f"no force {force!r}") from None
        return [f.code], f.short_name
    if region:
        codes = [f.code for f in catalogue.forces if f.region == region]
        if not codes:
            raise NotFoundError(f"no region {region!r}")
        return codes, catalogue.regions[region]
    return None, "all forces"


def _board(
    request: Request,
    user: Principal,
    start: str | None,
    end: str | None,
    force: str | None,
    region: str | None,
) -> tuple[Dashboard, str]:
    user.require(DASHBOARD_ROLES, "read the performance dashboard")
    today = dt.date.today()
    last = _day(end, today, "to")
    first = _day(start, last.replace(year=last.year - 1) + dt.timedelta(days=1), "from")
    if first > last:
        raise InputError("the period starts after it ends")
    forces, name = _scope(force, region)
    store = state_of(request).store
    key = (first, last, tuple(forces) if forces else None, tracker_version(store))
    with _BOARD_LOCK:
        board = _BOARD_CACHE.get(key)
    if board is None:
        board = dashboard(store, first, last, forces)
        with _BOARD_LOCK:
            if len(_BOARD_CACHE) > 256:
                _BOARD_CACHE.clear()
            _BOARD_CACHE[key] = board
    return board, name


def charts(board: Dashboard) -> dict[str, Markup]:
    """The dashboard's SVG charts: jobs by type and by scale, monthly trends."""
    labels = [m[2:] for m in board.months]
    out = {
        "by_type": bar_chart_svg(
            [(s.label, s.count) for s in board.by_type], label="Jobs by exploitation type"
        ),
        "by_scale": bar_chart_svg(
            [(s.label, s.count) for s in board.by_scale], label="Jobs by geographic scale"
        ),
    }
    for name, values in board.trends.items():
        out[name] = column_chart_svg(labels, values, label=f"{name} per month")
    return out


def _context(board: Dashboard, scope_name: str) -> dict[str, Any]:
    catalogue = load_catalogue(get_settings().force_catalogue)
    return {
        "board": board,
        "scope_name": scope_name,
        "labels": FIGURES,
        "charts": charts(board),
        "forces": catalogue.forces,
        "regions": catalogue.regions,
    }


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    page = ENV.get_template(template).render({"marking": MARKING, **context})
    out = io.BytesIO()
    HTML(string=page).write_pdf(out)
    return out.getvalue()


@html.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    start: DateQuery = None,
    end: DateQuery = None,
    force: ScopeQuery = None,
    region: ScopeQuery = None,
    user: Principal = Depends(html_user),
) -> Response:
    """The performance slide for a period (default the last 12 months) and scope."""
    board, name = _board(request, user, start, end, force, region)
    audit(
        request,
        user,
        "view",
        target=f"dashboard {name}",
        purpose=session_of(request).purpose,
        detail={"from": board.start.isoformat(), "to": board.end.isoformat()},
    )
    query = request.url.query
    return render(
        request,
        "dashboard.html",
        {**_context(board, name), "query": query, "force": force or "", "region": region or ""},
        marking=MARKING,
    )


@html.get("/dashboard/export")
def dashboard_export(
    request: Request,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|pdf)$")] = "csv",
    start: DateQuery = None,
    end: DateQuery = None,
    force: ScopeQuery = None,
    region: ScopeQuery = None,
    user: Principal = Depends(html_user),
) -> Response:
    """The dashboard as CSV or PDF (audited export)."""
    board, name = _board(request, user, start, end, force, region)
    stem = f"performance-{board.start}-{board.end}"
    if fmt == "csv":
        buf = io.StringIO()
        write_csv(buf, CSV_COLUMNS, dashboard_rows(board))
        data, media = buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    else:
        data, media = _pdf("performance_pdf.html", _context(board, name)), "application/pdf"
    audit(
        request,
        user,
        "export",
        target=f"dashboard {name}",
        purpose=session_of(request).purpose,
        detail={"format": fmt, "from": board.start.isoformat(), "to": board.end.isoformat()},
    )
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{stem}.{fmt}"',
            "X-Classification": MARKING,
            "Cache-Control": "no-store",
        },
    )


def impact_report(request: Request, as_of: str | None) -> ImpactReport:
    """The evaluation as of ``as_of`` (default the tracker's last recorded day), cached
    while the tracker's threats and the cost model are unchanged."""
    store = state_of(request).store
    rows = threat_rows(store)
    last = last_recorded_day(store) or dt.date.today()
    day = _day(as_of, min(last, dt.date.today()), "as_of")
    costs = load_costs(get_settings().impact_costs)
    key = hashlib.sha256(repr((day, rows, costs)).encode()).hexdigest()
    with _IMPACT_LOCK:
        cached = _IMPACT_CACHE.get(key)
    if cached is not None:
        return cached
    report = evaluate_impact(rows, day, costs)
    with _IMPACT_LOCK:
        if len(_IMPACT_CACHE) > 16:
            _IMPACT_CACHE.clear()
        _IMPACT_CACHE[key] = report
    return report


@html.get("/impact", response_class=HTMLResponse)
def impact_page(
    request: Request,
    as_of: DateQuery = None,
    fmt: Annotated[str, Query(alias="format", pattern="^(html|pdf)$")] = "html",
    user: Principal = Depends(html_user),
) -> Response:
    """The impact evaluation: times faster with 95% CIs, days and money saved, caveats."""
    user.require(DASHBOARD_ROLES, "read the impact evaluation")
    report = impact_report(request, as_of)
    context = {"report": report, "rows": report_rows(report)}
    action = "export" if fmt == "pdf" else "view"
    audit(
        request,
        user,
        action,
        target="impact evaluation",
        purpose=session_of(request).purpose,
        detail={"as_of": report.as_of.isoformat(), "format": fmt},
    )
    if fmt == "pdf":
        return Response(
            _pdf("impact_pdf.html", context),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="impact-{report.as_of}.pdf"',
                "X-Classification": MARKING,
                "Cache-Control": "no-store",
            },
        )
    return render(request, "impact.html", context, marking=MARKING)


@api.get("/dashboard")
def api_dashboard(
    request: Request,
    start: DateQuery = None,
    end: DateQuery = None,
    force: ScopeQuery = None,
    region: ScopeQuery = None,
    user: Principal = Depends(api_user),
) -> dict[str, Any]:
    """The dashboard's figures, jobs tables and trends."""
    board, name = _board(request, user, start, end, force, region)
    audit(request, user, "view", target=f"dashboard {name}", detail={"api": True})
    return {
        "from": board.start,
        "to": board.end,
        "scope": name,
        "figures": board.figures,
        "by_type": [s.__dict__ for s in board.by_type],
        "by_scale": [s.__dict__ for s in board.by_scale],
        "months": board.months,
        "trends": board.trends,
    }


@api.get("/impact")
def api_impact(
    request: Request, as_of: DateQuery = None, user: Principal = Depends(api_user)
) -> dict[str, Any]:
    """The impact evaluation's ratios, savings, method and caveats."""
    user.require(DASHBOARD_ROLES, "read the impact evaluation")
    report = impact_report(request, as_of)
    audit(request, user, "view", target="impact evaluation", detail={"api": True})
    return {
        "as_of": report.as_of,
        "threats": report.threats,
        "events": report_rows(report),
        "savings": report.savings.__dict__ if report.savings else None,
        "method": report.method,
        "caveats": list(report.costs.caveats) if report.costs else [],
    }


router.include_router(html)
router.include_router(api)
