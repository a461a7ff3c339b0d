"""Audit log search (supervisors: their organisation; admins: everything) and chain check.

Every search or view of the log is itself audited (``audit_search``: the filters, how many
entries were shown, whether the chain was verified)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from toex.errors import InputError
from toex.ops.access import ADMIN_ROLES, AUDIT_ROLES
from toex.ops.audit import ACTIONS, AuditQuery, search_entries, verify_chain
from toex.web.auth import Principal
from toex.web.context import audit, html_user, state_of
from toex.web.rendering import render

router = APIRouter(include_in_schema=False)


def _date(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


@router.get("/audit", response_class=HTMLResponse)
def audit_search(
    request: Request,
    username: str = "",
    action: str = "",
    text: str = "",
    since: str = "",
    until: str = "",
    verify: bool = False,
    user: Principal = Depends(html_user),
) -> Response:
    """Search the audit log; admins may also verify the hash chain."""
    user.require(AUDIT_ROLES, "search the audit log")
    if action and action not in ACTIONS:
        raise InputError(f"unknown action {action!r}")
    org = "" if user.role in ADMIN_ROLES else user.organisation
    query = AuditQuery(
        username=username.strip(),
        action=action,
        text=text.strip(),
        organisation=org,
        since=_date(since),
        until=_date(until),
    )
    store = state_of(request).store
    entries = search_entries(store, query)
    result = verify_chain(store) if verify and user.role in ADMIN_ROLES else None
    detail: dict[str, object] = {"filters": query.described(), "shown": len(entries)}
    if result is not None:
        detail["verified"] = result.message
    audit(request, user, "audit_search", target="/audit", detail=detail)
    return render(
        request,
        "audit.html",
        {
            "entries": entries,
            "query": query,
            "actions": ACTIONS,
            "verify": result,
            "scope_org": org,
        },
        marking="OFFICIAL-SENSITIVE",
    )
