"""``/admin/loads``: the ingest report of the current snapshot (administrators).

What the last ``toex ingest`` / ``toex run`` did with each file: rows read, loaded and
quarantined, the files quarantined whole with their reasons, quarantined rows by reason,
and the records whose protective marking was empty or unknown (restricted or quarantined).
Counts and file-level messages only; every view is audited."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from toex.ops.access import ADMIN_ROLES
from toex.web.auth import Principal
from toex.web.context import audit, html_user, snapshot_of, warehouse_cursor
from toex.web.data.loads import load_report
from toex.web.rendering import render

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("/loads", response_class=HTMLResponse)
def loads_page(request: Request, user: Principal = Depends(html_user)) -> Response:
    """The newest load of the current snapshot, file by file."""
    user.require(ADMIN_ROLES, "see ingest reports")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        report = load_report(cur, set(snap.columns))
    audit(request, user, "view", target=f"ingest report of load {report.load_id or '-'}")
    return render(request, "loads.html", {"report": report})
