"""Person profile, its export, match explanations and same / not-the-same decisions."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from toex.csv_export import write_csv
from toex.errors import InputError, NotFoundError
from toex.ops.access import DATA_ROLES, DECISION_ROLES
from toex.web.auth import Principal
from toex.web.charts import network_svg
from toex.web.context import (
    audit,
    client_of,
    html_user,
    snapshot_of,
    state_of,
    warehouse_cursor,
)
from toex.web.data.filters import highest_marking
from toex.web.data.lists import person_priority
from toex.web.data.network import expand
from toex.web.data.persons import export_rows, mentions_visible, person_profile
from toex.web.data.profile_lists import visible_warnings
from toex.web.decisions import decisions_touching, record_decision, visible_decisions
from toex.web.explain import explain_mentions
from toex.web.rendering import render
from toex.web.routers.csrf import verify_csrf
from toex.web.routers.search import ask_purpose, check_purpose, require_purpose
from toex.web.sessions import session_of
from toex.web.task_scope import person_scope
from toex.web.warehouse import OpenSnapshot

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def profile_context(
    request: Request, snap: OpenSnapshot, user: Principal, person_id: str
) -> dict[str, Any]:
    """Everything the profile page shows (all access-filtered)."""
    store = request.app.state.toex.store
    with warehouse_cursor(snap) as cur:
        own, operations = person_scope(store, snap, cur, user, person_id)
        profile = person_profile(snap, cur, user.scope, person_id, own_scope=own)
        network = expand(
            snap,
            cur,
            user.scope,
            person_id,
            centre=profile.summary,
            mine=profile.mentions,
            known=profile.summaries,
        )
        priority = person_priority(snap, cur, user.scope, person_id)
        warnings = visible_warnings(snap, cur, user.scope, [person_id]).get(person_id, [])
        decisions = decisions_touching(store, profile.mention_ids)
        ends = sorted({d.mention_a for d in decisions} | {d.mention_b for d in decisions})
        visible = set(mentions_visible(snap, cur, user.scope, ends)) if ends else set()
    return {
        "profile": profile,
        "network": network,
        "priority": priority,
        "warnings": warnings,
        "chart": network_svg(network, profile.forces),
        "decisions": visible_decisions(decisions, visible),
        "can_decide": user.role in DECISION_ROLES,
        "task_operations": operations,
    }


@router.get("/person/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, person_id: str, user: Principal = Depends(html_user)) -> Response:
    """The profile of one person, as the user may see it (audited as a view)."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = session_of(request).purpose
    if not purpose:
        return ask_purpose(request)
    snap = snapshot_of(request)
    ctx = profile_context(request, snap, user, person_id)
    profile = ctx["profile"]
    audit(
        request,
        user,
        "view",
        target=f"person {person_id}",
        purpose=purpose,
        detail={
            "mentions": len(profile.mentions),
            "forces": profile.forces,
            "snapshot": snap.ref.run_id,
            **({"task_grants": ctx["task_operations"]} if ctx["task_operations"] else {}),
        },
    )
    marking = highest_marking(
        [
            profile.classification,
            ctx["network"].classification,
            (ctx["priority"] or {}).get("classification"),
            *(w["classification"] for w in ctx["warnings"]),
        ]
    )
    return render(request, "person.html", ctx, marking=marking)


@router.post("/purpose")
def set_purpose(
    request: Request,
    purpose: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=300)] = "/",
    user: Principal = Depends(html_user),
) -> Response:
    """Record the purpose the user states before opening a record directly."""
    session_of(request).set_purpose(check_purpose(purpose))
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


@router.get("/person/{person_id}/export.csv")
def export_csv(request: Request, person_id: str, user: Principal = Depends(html_user)) -> Response:
    """The person's visible mentions as CSV; the first line is the highest marking."""
    user.require(DATA_ROLES, "export intelligence records")
    purpose = require_purpose(request, "exporting")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        own, operations = person_scope(state_of(request).store, snap, cur, user, person_id)
        profile = person_profile(snap, cur, user.scope, person_id, own_scope=own)
    rows = export_rows(profile)
    audit(
        request,
        user,
        "export",
        target=f"person {person_id}",
        purpose=purpose,
        detail={
            "rows": len(rows),
            "format": "csv",
            "snapshot": snap.ref.run_id,
            **({"task_grants": operations} if operations else {}),
        },
    )
    buf = io.StringIO()
    buf.write(f"{profile.classification}\n")
    write_csv(buf, list(rows[0]) if rows else ["person_id"], rows)
    buf.write(f"{profile.classification}\n")
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="person-{person_id[:40]}.csv"',
            "X-Classification": profile.classification,
        },
    )


@router.get("/person/{person_id}/explain", response_class=HTMLResponse)
def explain(
    request: Request, person_id: str, a: str, b: str, user: Principal = Depends(html_user)
) -> Response:
    """Why the model matched two visible mentions (an HTMX fragment)."""
    user.require(DATA_ROLES, "view intelligence records")
    purpose = require_purpose(request, "opening a match explanation")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        visible = mentions_visible(snap, cur, user.scope, [a, b])
        if a not in visible or b not in visible:
            raise NotFoundError("no such pair of mentions")
        explanation = explain_mentions(snap, cur, user.scope, a, b)
    audit(
        request,
        user,
        "view",
        target=f"explain {a} {b}",
        purpose=purpose,
        detail={"person": person_id},
    )
    return render(request, "_explain.html", {"a": a, "b": b, "explanation": explanation})


@router.post("/person/{person_id}/decision")
def decide(
    request: Request,
    person_id: str,
    user: Principal = Depends(html_user),
    mention_a: Annotated[str, Form(max_length=64)] = "",
    mention_b: Annotated[str, Form(max_length=64)] = "",
    same: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record a same / not-the-same decision on two visible mentions (audited once, by the
    decision store)."""
    user.require(DECISION_ROLES, "record match decisions")
    if same not in ("same", "not_same"):
        raise InputError("choose 'same' or 'not the same'")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        visible = mentions_visible(snap, cur, user.scope, [mention_a, mention_b])
    if mention_a not in visible or mention_b not in visible:
        raise NotFoundError("no such pair of mentions")
    record_decision(
        request.app.state.toex.store,
        mention_a=mention_a,
        mention_b=mention_b,
        same=same == "same",
        reason=reason,
        decided_by=user.username,
        organisation=user.organisation,
        client=client_of(request),
        purpose=session_of(request).purpose,
        context={"person": person_id},
    )
    return RedirectResponse(f"/person/{person_id}#decisions", status_code=303)
