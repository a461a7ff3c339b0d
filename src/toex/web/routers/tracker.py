"""The operations tracker: operations list, one operation's records, forms, CSV upload, API.

Analysts and supervisors read the operations covering a force their organisation's
agreements cover; they enter and correct records of those operations through forms or the
API (``/api/v1/tracker``, write-scoped tokens); only supervisors upload CSV files. Every
form, upload and API write goes through :func:`toex.ops.tracker_import.import_rows`: the
same checks as the CSV import, one audited transaction, bad rows named by row and field.
Every page view is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from toex.config import get_settings, load_catalogue
from toex.errors import AccessDeniedError, InputError, NotFoundError
from toex.ops.tracker_grants import grant_access, list_grants, revoke_grant
from toex.ops.tracker_import import ImportReport, import_rows, import_text, rules_for
from toex.ops.tracker_models import TrackerGrant, TrackerOperation
from toex.ops.tracker_queries import OperationRecords, get_operation, list_operations
from toex.ops.tracker_rows import KINDS, columns
from toex.ops.tracker_store import (
    TRACKER_IMPORT_ROLES,
    TRACKER_READ_ROLES,
    TRACKER_WRITE_ROLES,
    Actor,
)
from toex.web.auth import Principal
from toex.web.context import api_user, api_writer, audit, client_of, html_user, state_of
from toex.web.rendering import render
from toex.web.routers.csrf import verify_csrf
from toex.web.sessions import session_of

html = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/tracker", tags=["tracker"])
router = APIRouter()
MARKING = "OFFICIAL-SENSITIVE"
MAX_UPLOAD = 20 * 1024 * 1024


def _catalogue() -> Any:
    return load_catalogue(get_settings().force_catalogue)


def _rules() -> Any:
    return rules_for([(f.code, f.short_name) for f in _catalogue().forces], dt.date.today())


def _actor(request: Request, user: Principal, source: str) -> Actor:
    return Actor(user.username, user.organisation, client_of(request), source)


def visible_operation(request: Request, user: Principal, reference: str) -> OperationRecords:
    """The operation if it covers one of the user's forces (else as good as absent)."""
    user.require(TRACKER_READ_ROLES, "read the operations tracker")
    records = get_operation(state_of(request).store, reference)
    if not {f.force_code for f in records.operation.forces} & user.scope.forces:
        raise NotFoundError(f"no operation {reference!r}")
    return records


def write_rows(
    request: Request, user: Principal, kind: str, rows: list[dict[str, str]], source: str
) -> ImportReport:
    """Check and save rows for a writer, limited to their forces (audited)."""
    user.require(TRACKER_WRITE_ROLES, "write to the operations tracker")
    if kind not in KINDS:
        raise NotFoundError(f"no tracker record kind {kind!r}")
    return import_rows(
        state_of(request).store,
        kind,
        rows,
        _actor(request, user, source),
        _rules(),
        frozenset(user.scope.forces),
    )


# ---------------------------------------------------------------- HTML pages


@html.get("/tracker", response_class=HTMLResponse)
def tracker_index(
    request: Request,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    user: Principal = Depends(html_user),
) -> Response:
    """Operations covering the user's forces, the new-operation form and the CSV upload."""
    user.require(TRACKER_READ_ROLES, "read the operations tracker")
    ops = list_operations(state_of(request).store, user.scope.forces, status)
    audit(request, user, "view", target="tracker", purpose=session_of(request).purpose)
    return render(
        request,
        "tracker.html",
        {
            "ops": ops,
            "status": status or "",
            "kinds": KINDS,
            "op_columns": columns("operations"),
            "may_write": user.role in TRACKER_WRITE_ROLES,
            "may_import": user.role in TRACKER_IMPORT_ROLES,
            "report": None,
        },
        marking=MARKING,
    )


@html.get("/tracker/operation", response_class=HTMLResponse)
def operation_page(
    request: Request,
    ref: Annotated[str, Query(max_length=64)],
    user: Principal = Depends(html_user),
) -> Response:
    """One operation: its threat dates, AARs, disruptions, referrals, outcomes, requests,
    forms to add records and (for supervisors) its task-based access grants."""
    records = visible_operation(request, user, ref)
    grants = list_grants(state_of(request).store, records.operation.id)
    audit(
        request,
        user,
        "view",
        target=f"operation {ref}",
        purpose=session_of(request).purpose,
    )
    child_kinds = [k for k in KINDS if k != "operations"]
    return render(
        request,
        "tracker_operation.html",
        {
            "r": records,
            "op": records.operation,
            "child_columns": {
                k: [c for c in columns(k) if c not in ("operation_reference",)] for k in child_kinds
            },
            "may_write": user.role in TRACKER_WRITE_ROLES,
            "may_grant": user.role in TRACKER_IMPORT_ROLES,
            "grants": grants,
            "today": dt.date.today(),
        },
        marking=MARKING,
    )


@html.post("/tracker/records/{kind}")
async def record_form(
    request: Request, kind: str, user: Principal = Depends(html_user)
) -> Response:
    """Save one record from a form (an operation, or a record of an operation)."""
    form = await request.form()
    if kind not in KINDS:
        raise NotFoundError(f"no tracker record kind {kind!r}")
    row = {c: str(form.get(c) or "") for c in columns(kind)}
    report = await run_in_threadpool(write_rows, request, user, kind, [row], "form")
    if report.rejected:
        raise InputError(report.rejected[0].message.replace("row 1, ", ""))
    target = row["reference"] if kind == "operations" else row.get("operation_reference", "")
    if not target:
        return RedirectResponse("/tracker?saved=1", status_code=303)
    return RedirectResponse(f"/tracker/operation?ref={target}&saved=1", status_code=303)


@html.post("/tracker/import", response_class=HTMLResponse)
async def import_form(
    request: Request,
    kind: Annotated[str, Form(max_length=20)],
    file: Annotated[UploadFile, File()],
    user: Principal = Depends(html_user),
) -> Response:
    """Import an uploaded CSV file of one kind (supervisors); shows the row accounting."""
    user.require(TRACKER_IMPORT_ROLES, "import tracker files")
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}")
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError("the file is larger than 20 MB: split it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text") from None
    name = (file.filename or f"{kind}.csv")[:100]

    def run() -> ImportReport:
        return import_text(
            state_of(request).store,
            kind,
            text,
            _actor(request, user, name),
            _rules(),
            frozenset(user.scope.forces),
        )

    report = await run_in_threadpool(run)
    ops = await run_in_threadpool(list_operations, state_of(request).store, user.scope.forces)
    return render(
        request,
        "tracker.html",
        {
            "ops": ops,
            "status": "",
            "kinds": KINDS,
            "op_columns": columns("operations"),
            "may_write": True,
            "may_import": True,
            "report": report,
        },
        marking=MARKING,
    )


@html.post("/tracker/grants")
def grant_form(
    request: Request,
    operation_reference: Annotated[str, Form(max_length=64)],
    username: Annotated[str, Form(max_length=100)],
    valid_to: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=500)],
    valid_from: Annotated[str, Form(max_length=10)] = "",
    user: Principal = Depends(html_user),
) -> Response:
    """Assign a user to an operation the supervisor may see (audited)."""
    user.require(TRACKER_IMPORT_ROLES, "assign users to operations")
    visible_operation(request, user, operation_reference)
    try:
        start = dt.date.fromisoformat(valid_from) if valid_from else dt.date.today()
        end = dt.date.fromisoformat(valid_to)
    except ValueError:
        raise InputError("grant dates are YYYY-MM-DD") from None
    grant_access(
        state_of(request).store,
        operation_reference,
        username.strip(),
        start,
        end,
        reason,
        _actor(request, user, "form"),
    )
    return RedirectResponse(f"/tracker/operation?ref={operation_reference}", status_code=303)


@html.post("/tracker/grants/{grant_id}/revoke")
def revoke_form(request: Request, grant_id: int, user: Principal = Depends(html_user)) -> Response:
    """Revoke a grant on an operation the supervisor may see (audited)."""
    user.require(TRACKER_IMPORT_ROLES, "revoke task-based access")
    store = state_of(request).store
    with store.session() as session:
        grant = session.get(TrackerGrant, grant_id)
        ref = None
        if grant is not None:
            op = session.get(TrackerOperation, grant.operation_id)
            ref = op.reference if op else None
    if ref is None:
        raise NotFoundError(f"no grant {grant_id}")
    visible_operation(request, user, ref)
    revoke_grant(store, grant_id, _actor(request, user, "form"))
    return RedirectResponse(f"/tracker/operation?ref={ref}", status_code=303)


# ---------------------------------------------------------------- JSON API


class RowsIn(BaseModel):
    """Rows of one kind, each column name -> text (as in the CSV files)."""

    rows: list[dict[str, str]] = Field(min_length=1, max_length=5000)


class RejectedOut(BaseModel):
    """A rejected row: its number, reference and message naming each bad field."""

    row: int
    reference: str
    fields: list[str]
    message: str


class ImportOut(BaseModel):
    """What a write did: rows read, inserted, updated, unchanged and rejected."""

    kind: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: list[RejectedOut]


class OperationOut(BaseModel):
    """An operation and its threat's dates."""

    reference: str
    name: str
    lead_force: str
    forces: list[str]
    soc_master_list: bool
    supported: bool
    exploitation_types: list[str]
    geographic_scale: str
    status: str
    opened_on: dt.date
    closed_on: dt.date | None
    identified_on: dt.date | None
    scored_on: dt.date | None
    top10_on: dt.date | None
    first_significant_disruption: dt.date | None = None


def _op_out(op: Any, first: dt.date | None = None) -> OperationOut:
    return OperationOut(
        reference=op.reference,
        name=op.name,
        lead_force=op.lead_force,
        forces=[f.force_code for f in op.forces],
        soc_master_list=op.soc_master_list,
        supported=op.supported,
        exploitation_types=[t.exploitation_type for t in op.types],
        geographic_scale=op.geographic_scale,
        status=op.status,
        opened_on=op.opened_on,
        closed_on=op.closed_on,
        identified_on=op.identified_on,
        scored_on=op.scored_on,
        top10_on=op.top10_on,
        first_significant_disruption=first,
    )


@api.get("/operations", response_model=list[OperationOut])
def api_operations(request: Request, user: Principal = Depends(api_user)) -> list[OperationOut]:
    """Operations covering a force you may see."""
    user.require(TRACKER_READ_ROLES, "read the operations tracker")
    ops = list_operations(state_of(request).store, user.scope.forces)
    audit(request, user, "view", target="tracker", detail={"api": True})
    return [_op_out(o) for o in ops]


@api.get("/operation", response_model=OperationOut)
def api_operation(
    request: Request,
    ref: Annotated[str, Query(max_length=64)],
    user: Principal = Depends(api_user),
) -> OperationOut:
    """One operation with its first significant disruption."""
    records = visible_operation(request, user, ref)
    audit(request, user, "view", target=f"operation {ref}", detail={"api": True})
    return _op_out(records.operation, records.first_significant)


@api.post("/{kind}", response_model=ImportOut)
def api_write(
    request: Request, kind: str, body: RowsIn, user: Principal = Depends(api_writer)
) -> ImportOut:
    """Save rows of ``kind`` (operations, aars, disruptions, referrals, outcomes,
    requests): the same checks as the CSV import; re-sending the same rows changes nothing."""
    if kind not in KINDS:
        raise NotFoundError(f"no tracker record kind {kind!r}")
    if len(body.rows) > 1 and user.role not in TRACKER_IMPORT_ROLES:
        raise AccessDeniedError(f"the {user.role} role may send one row at a time")
    report = write_rows(request, user, kind, body.rows, "api")
    return ImportOut(
        kind=kind,
        rows_read=report.rows_read,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=[
            RejectedOut(
                row=r.row,
                reference=r.reference,
                fields=[p.field for p in r.problems],
                message=r.message,
            )
            for r in report.rejected
        ],
    )


router.include_router(html)
router.include_router(api)
