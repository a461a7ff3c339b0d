"""STIM pages and API: the report, cases, accounts, partner-recorded indicators, referrals.

Analysts and supervisors see every partner's cases and the cross-matches to force data they
may see (:mod:`toex.web.data.stim`); partner users their own accounts and cases only, never
force data. Referral steps are for the owner and recipient (:mod:`toex.ops.referrals`,
which audits every step and indicator). Views are audited here; the API takes bearer tokens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from toex.assess.stim.indicators import load_indicators
from toex.assess.stim.read import CaseView, account_view, available, case_view, list_cases
from toex.errors import AccessDeniedError, InputError
from toex.ops import referrals as workflow
from toex.ops.referrals import Actor
from toex.web.auth import Principal
from toex.web.context import (
    api_user,
    api_writer,
    audit,
    duckdb_cursor,
    html_user,
    snapshot_of,
    state_of,
)
from toex.web.data.filters import highest_marking
from toex.web.data.stim import crossmatch_forces, visible_crossmatch
from toex.web.rendering import render
from toex.web.routers.csrf import verify_csrf
from toex.web.sessions import session_of

STIM_ROLES: frozenset[str] = frozenset({"analyst", "supervisor", "partner"})
STEP_NAMES: tuple[str, ...] = ("triaged", "referred", "outcome")
#: The marking of STIM pages (partner data); a case page's cross-matches may raise it.
STIM_MARKING = "OFFICIAL-SENSITIVE"

html = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/stim", tags=["stim"])
router = APIRouter()


def _service() -> Any:
    """:mod:`toex.assess.stim.service`, imported on first use: it pulls in the STIM core
    (pandas, igraph, phonenumbers...), which web app start-up should not pay for."""
    from toex.assess.stim import service

    return service


def _actor(request: Request, user: Principal) -> Actor:
    user.require(STIM_ROLES, "use STIM")
    return _service().actor_for(
        state_of(request).store, user.username, request.client.host if request.client else ""
    )


def _partner(actor: Actor) -> str | None:
    """A partner user's partner code ('' when their organisation has none: no account)."""
    return (actor.partner or "") if actor.role == "partner" else None


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _case_payload(request: Request, user: Principal, case_id: str) -> dict[str, Any]:
    """A case as the user may see it (:func:`case_view`, :func:`visible_crossmatch`)."""
    actor = _actor(request, user)
    snap = snapshot_of(request)
    with duckdb_cursor(snap) as cur:
        view = case_view(cur, case_id, _partner(actor), with_crossmatch=False)
        crossmatch = visible_crossmatch(snap, cur, user.scope, [case_id]).get(case_id, [])
    if "crossmatch_forces" in view.case:
        view.case["crossmatch_forces"] = crossmatch_forces(crossmatch)
    refs = workflow.list_referrals(state_of(request).store, actor, case_id=case_id)
    return {
        "view": view,
        "crossmatch": crossmatch,
        "referrals": refs,
        "actor": actor,
        "marking": highest_marking([STIM_MARKING, *(r["classification"] for r in crossmatch)]),
    }


def _cases(request: Request, user: Principal, actor: Actor, **filters: Any) -> list[dict[str, Any]]:
    """The cases the user may see, each with the forces of its matches the user may see."""
    snap = snapshot_of(request)
    with duckdb_cursor(snap) as cur:
        rows = list_cases(cur, _partner(actor), **filters)
        seen = visible_crossmatch(snap, cur, user.scope, [r["case_id"] for r in rows])
    for row in rows:
        if "crossmatch_forces" in row:
            row["crossmatch_forces"] = crossmatch_forces(seen.get(row["case_id"], []))
    return rows


# ---------------------------------------------------------------- HTML pages


@html.get("/stim", response_class=HTMLResponse)
def stim_home(
    request: Request, start: str = "", end: str = "", user: Principal = Depends(html_user)
) -> Response:
    """The STIM report for a period and the cases of concern."""
    actor = _actor(request, user)
    snap = snapshot_of(request)
    with duckdb_cursor(snap) as cur:
        ready = available(cur)
        report = _service().report_for(
            cur, state_of(request).store, _date(start), _date(end), actor
        )
    cases = _cases(request, user, actor, limit=100) if ready else []
    audit(
        request,
        user,
        "view",
        target=f"stim report {report.window}",
        purpose=session_of(request).purpose,
        detail={"cases": len(cases)},
    )
    return render(
        request,
        "stim/index.html",
        {
            "report": report,
            "cases": cases,
            "start": start,
            "end": end,
            "ready": ready,
            "actor": actor,
        },
        marking="OFFICIAL-SENSITIVE",
    )


@html.get("/stim/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, user: Principal = Depends(html_user)) -> Response:
    """One case: accounts, indicators with evidence, links, text signals, cross-matches."""
    payload = _case_payload(request, user, case_id)
    audit(
        request,
        user,
        "view",
        target=f"stim-case:{case_id}",
        purpose=session_of(request).purpose,
        detail={"crossmatches": len(payload["crossmatch"])},
    )
    return render(
        request,
        "stim/case.html",
        {**payload, "levels": workflow.PRIORITIES},
        marking=payload["marking"],
    )


@html.get("/stim/accounts/{account_id}", response_class=HTMLResponse)
def account_page(
    request: Request, account_id: str, user: Principal = Depends(html_user)
) -> Response:
    """One account's indicators with evidence, and the form to record an indicator."""
    actor = _actor(request, user)
    with duckdb_cursor(snapshot_of(request)) as cur:
        entity, evidence = account_view(cur, account_id, _partner(actor))
    records = workflow.indicator_records(state_of(request).store, entity.get("partner"), account_id)
    audit(
        request,
        user,
        "view",
        target=f"stim-account:{account_id}",
        purpose=session_of(request).purpose,
    )
    return render(
        request,
        "stim/account.html",
        {
            "entity": entity,
            "evidence": evidence,
            "records": records,
            "recordable": [
                i for i in load_indicators().ordered() if i.code in workflow.RECORDABLE_INDICATORS
            ],
        },
        marking="OFFICIAL-SENSITIVE",
    )


@html.post("/stim/accounts/{account_id}/indicators")
def record_indicator_form(
    request: Request,
    account_id: str,
    indicator: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=2000)] = "",
    present: Annotated[str, Form(max_length=5)] = "yes",
    user: Principal = Depends(html_user),
) -> Response:
    """Record an indicator for an account (partner's own accounts only)."""
    actor = _actor(request, user)
    with duckdb_cursor(snapshot_of(request)) as cur:
        entity, _ = account_view(cur, account_id, _partner(actor))
    workflow.record_indicator(
        state_of(request).store,
        actor,
        str(entity.get("partner")),
        account_id,
        indicator,
        present != "no",
        note,
    )
    return RedirectResponse(f"/stim/accounts/{account_id}", status_code=303)


@html.post("/stim/cases/{case_id}/referral")
def raise_referral_form(
    request: Request,
    case_id: str,
    summary: Annotated[str, Form(max_length=4000)] = "",
    user: Principal = Depends(html_user),
) -> Response:
    """Raise the case as a new referral."""
    actor = _actor(request, user)
    with duckdb_cursor(snapshot_of(request)) as cur:
        snap = _service().case_snapshot(cur, case_id, _partner(actor))
    ref = workflow.raise_referral(state_of(request).store, actor, snap, summary)
    return RedirectResponse(f"/stim/referrals/{ref.id}", status_code=303)


@html.get("/stim/referrals", response_class=HTMLResponse)
def referrals_page(
    request: Request, status: str = "", user: Principal = Depends(html_user)
) -> Response:
    """Referrals the user may see, newest first."""
    actor = _actor(request, user)
    refs = workflow.list_referrals(state_of(request).store, actor, status=status or None)
    audit(
        request,
        user,
        "view",
        target="stim referrals",
        purpose=session_of(request).purpose,
        detail={"rows": len(refs)},
    )
    return render(
        request,
        "stim/referrals.html",
        {
            "referrals": refs,
            "status": status,
            "statuses": workflow.STATUSES,
            "outcomes": workflow.OUTCOMES,
        },
        marking="OFFICIAL-SENSITIVE",
    )


@html.get("/stim/referrals/{referral_id}", response_class=HTMLResponse)
def referral_page(
    request: Request, referral_id: int, user: Principal = Depends(html_user)
) -> Response:
    """One referral, its audited steps, and the form for the next step."""
    actor = _actor(request, user)
    ref = workflow.get_referral(state_of(request).store, referral_id, actor)
    audit(
        request,
        user,
        "view",
        target=f"stim-referral:{referral_id}",
        purpose=session_of(request).purpose,
    )
    return render(
        request,
        "stim/referral.html",
        {
            "ref": ref,
            "can_move": workflow.may_step(state_of(request).store, actor, ref),
            "outcomes": workflow.OUTCOMES,
            "priorities": workflow.PRIORITIES,
            "kinds": workflow.REFER_KINDS,
        },
        marking="OFFICIAL-SENSITIVE",
    )


def _move(
    request: Request,
    actor: Actor,
    referral_id: int,
    step: str,
    priority: str,
    to_kind: str,
    to: str,
    outcome: str,
    note: str,
) -> workflow.StimReferral:
    store = state_of(request).store
    if step == "triaged":
        return workflow.triage(store, actor, referral_id, priority, note)
    if step == "referred":
        return workflow.refer(store, actor, referral_id, to_kind, to, note)
    if step == "outcome":
        return workflow.record_outcome(store, actor, referral_id, outcome, note)
    raise InputError(f"step must be one of {', '.join(STEP_NAMES)}, not {step!r}")


@html.post("/stim/referrals/{referral_id}/step")
def step_form(
    request: Request,
    referral_id: int,
    step: Annotated[str, Form(max_length=20)],
    priority: Annotated[str, Form(max_length=10)] = "medium",
    to_kind: Annotated[str, Form(max_length=10)] = "force",
    to: Annotated[str, Form(max_length=64)] = "",
    outcome: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    user: Principal = Depends(html_user),
) -> Response:
    """Move a referral on: triage, refer or record the outcome."""
    actor = _actor(request, user)
    if actor.role == "partner":
        raise AccessDeniedError("partner users may not triage, refer or close referrals")
    _move(request, actor, referral_id, step, priority, to_kind, to, outcome, note)
    return RedirectResponse(f"/stim/referrals/{referral_id}", status_code=303)


# ---------------------------------------------------------------- JSON API


class IndicatorIn(BaseModel):
    """An indicator recorded for an account."""

    indicator: str = Field(max_length=40)
    present: bool = True
    note: str = Field("", max_length=2000)


class ReferralIn(BaseModel):
    """A case raised as a referral."""

    summary: str = Field("", max_length=4000)


class StepIn(BaseModel):
    """The next step of a referral."""

    step: str = Field(max_length=20)
    priority: str = Field("medium", max_length=10)
    to_kind: str = Field("force", max_length=10)
    to: str = Field("", max_length=64)
    outcome: str = Field("", max_length=40)
    note: str = Field("", max_length=4000)


def _referral_out(ref: workflow.StimReferral) -> dict[str, Any]:
    return {
        "id": ref.id,
        "case_id": ref.case_id,
        "partner": ref.partner,
        "status": ref.status,
        "risk_level": ref.risk_level,
        "accounts": ref.accounts,
        "n_adverts": ref.n_adverts,
        "priority": ref.priority,
        "referred_to_kind": ref.referred_to_kind,
        "referred_to": ref.referred_to,
        "outcome": ref.outcome,
        "created_at": ref.created_at.isoformat(),
        "steps": [
            {"step": s.step, "at": s.at.isoformat(), "by": s.by, "note": s.note} for s in ref.steps
        ],
    }


@api.get("/report")
def api_report(
    request: Request, start: str = "", end: str = "", user: Principal = Depends(api_user)
) -> dict[str, Any]:
    """The STIM report for a period (a partner's own accounts only)."""
    actor = _actor(request, user)
    with duckdb_cursor(snapshot_of(request)) as cur:
        report = _service().report_for(
            cur, state_of(request).store, _date(start), _date(end), actor
        )
    audit(request, user, "view", target=f"stim report {report.window}")
    return asdict(report)


@api.get("/cases")
def api_cases(
    request: Request,
    risk: str = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    user: Principal = Depends(api_user),
) -> list[dict[str, Any]]:
    """Cases of concern the caller may see, highest risk first."""
    actor = _actor(request, user)
    rows = _cases(request, user, actor, risk=risk or None, limit=min(limit, 1000))
    audit(request, user, "view", target="stim cases", detail={"rows": len(rows)})
    return rows


@api.get("/cases/{case_id}")
def api_case(request: Request, case_id: str, user: Principal = Depends(api_user)) -> dict[str, Any]:
    """One case with what the caller may see of it."""
    payload = _case_payload(request, user, case_id)
    view: CaseView = payload["view"]
    audit(request, user, "view", target=f"stim-case:{case_id}")
    return {
        "case": view.case,
        "members": view.members,
        "indicators": view.indicators,
        "links": view.links,
        "signals": view.signals,
        "crossmatch": payload["crossmatch"],
        "referrals": [_referral_out(r) for r in payload["referrals"]],
    }


@api.get("/accounts/{account_id}")
def api_account(
    request: Request, account_id: str, user: Principal = Depends(api_user)
) -> dict[str, Any]:
    """One account's indicators with evidence."""
    actor = _actor(request, user)
    with duckdb_cursor(snapshot_of(request)) as cur:
        entity, evidence = account_view(cur, account_id, _partner(actor))
    audit(request, user, "view", target=f"stim-account:{account_id}")
    return {"entity": entity, "evidence": evidence}


@api.post("/accounts/{account_id}/indicators", status_code=201)
def api_record_indicator(
    request: Request, account_id: str, body: IndicatorIn, user: Principal = Depends(api_writer)
) -> dict[str, Any]:
    """Record an indicator for an account (audited)."""
    actor = _actor(request, user)
    with duckdb_cursor(snapshot_of(request)) as cur:
        entity, _ = account_view(cur, account_id, _partner(actor))
    rec = workflow.record_indicator(
        state_of(request).store,
        actor,
        str(entity.get("partner")),
        account_id,
        body.indicator,
        body.present,
        body.note,
    )
    return {"id": rec.id, "indicator": rec.indicator, "present": rec.present}


@api.get("/referrals")
def api_referrals(
    request: Request, status: str = "", user: Principal = Depends(api_user)
) -> list[dict[str, Any]]:
    """Referrals the caller may see."""
    actor = _actor(request, user)
    refs = workflow.list_referrals(state_of(request).store, actor, status=status or None)
    audit(request, user, "view", target="stim referrals", detail={"rows": len(refs)})
    return [_referral_out(r) for r in refs]


@api.post("/cases/{case_id}/referral", status_code=201)
def api_raise(
    request: Request, case_id: str, body: ReferralIn, user: Principal = Depends(api_writer)
) -> dict[str, Any]:
    """Raise a case as a new referral (audited)."""
    actor = _actor(request, user)
    with duckdb_cursor(snapshot_of(request)) as cur:
        snap = _service().case_snapshot(cur, case_id, _partner(actor))
    return _referral_out(
        workflow.raise_referral(state_of(request).store, actor, snap, body.summary)
    )


@api.post("/referrals/{referral_id}/step")
def api_step(
    request: Request, referral_id: int, body: StepIn, user: Principal = Depends(api_writer)
) -> dict[str, Any]:
    """Move a referral on: triaged, referred or outcome (audited)."""
    actor = _actor(request, user)
    return _referral_out(
        _move(
            request,
            actor,
            referral_id,
            body.step,
            body.priority,
            body.to_kind,
            body.to,
            body.outcome,
            body.note,
        )
    )


router.include_router(html)
router.include_router(api)
