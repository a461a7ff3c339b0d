"""Force profile packs: the packs page per force, downloads with a stated purpose, feedback.

Only analysts and supervisors whose organisation's agreements cover a force may list its
packs; downloading one also needs an agreement for every force whose records it shows,
every handling code in it, and clearance for its marking (:mod:`toex.ops.packs`). Every
download is audited (action ``export``) with its purpose, after the file's checksum is
checked against the one recorded when it was published. Feedback (usefulness, suspects
adopted, action taken) is stored and audited by :func:`toex.ops.packs.record_feedback`.
JSON API under ``/api/v1/packs`` with bearer tokens, same rules, same audit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from toex.config import get_settings, load_catalogue
from toex.config.fttcg import meeting_calendars
from toex.errors import (
    AccessDeniedError,
    ConfigError,
    InputError,
    NotFoundError,
    PipelineError,
)
from toex.model import Classification
from toex.ops.access import DATA_ROLES
from toex.ops.pack_models import PublishedPack
from toex.ops.packs import (
    USEFULNESS,
    FeedbackActor,
    download_refusal,
    feedback_summaries,
    get_pack,
    list_packs,
    list_refusal,
    record_feedback,
)
from toex.publish.files import sha256
from toex.publish.schedule import schedule_rows
from toex.web.auth import Principal
from toex.web.context import MIN_PURPOSE, api_user, audit, client_of, html_user, state_of
from toex.web.rendering import render
from toex.web.routers.csrf import verify_csrf
from toex.web.routers.search import check_purpose
from toex.web.sessions import session_of

html = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
api = APIRouter(prefix="/api/v1/packs", tags=["packs"])
router = APIRouter()
FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def _catalogue() -> Any:
    """The force catalogue the deployment uses (``TOEX_FORCE_CATALOGUE`` or the shipped)."""
    return load_catalogue(get_settings().force_catalogue)


def _force(user: Principal, force: str) -> Any:
    """The catalogue force named ``force`` if the user may list its packs."""
    user.require(DATA_ROLES, "read force profile packs")
    try:
        f = _catalogue().force(force)
    except ConfigError:
        raise NotFoundError(f"no force {force!r}") from None
    refusal = list_refusal(user.scope, f.code)
    if refusal:
        raise AccessDeniedError(f"you may not see {f.short_name}'s packs: {refusal}")
    return f


def _pack(request: Request, user: Principal, pack_id: int) -> PublishedPack:
    """A pack the user may list (a pack of another force is as good as absent)."""
    user.require(DATA_ROLES, "read force profile packs")
    pack = get_pack(state_of(request).store, pack_id)
    refusal = list_refusal(user.scope, pack.force_code)
    if refusal:
        raise AccessDeniedError(f"you may not see this pack: {refusal}")
    return pack


def _file(pack: PublishedPack, fmt: str) -> bytes:
    """The pack's file in ``fmt``, checked against the checksum recorded at publication."""
    if fmt not in FORMATS:
        raise InputError(f"format must be pdf or html, not {fmt!r}")
    path = Path(pack.pdf_path if fmt == "pdf" else pack.html_path)
    try:
        data = path.read_bytes()
    except OSError:
        raise NotFoundError(f"the {fmt.upper()} file of pack {pack.id} is missing") from None
    expected = pack.pdf_sha256 if fmt == "pdf" else pack.html_sha256
    if sha256(data) != expected:
        raise PipelineError(f"the {fmt.upper()} file of pack {pack.id} changed after publication")
    return data


def _download(
    request: Request, user: Principal, pack: PublishedPack, fmt: str, purpose: str
) -> Response:
    refusal = download_refusal(user.scope, pack)
    if refusal:
        raise AccessDeniedError(f"you may not download this pack: {refusal}")
    data = _file(pack, fmt)
    audit(
        request,
        user,
        "export",
        target=f"pack {pack.id} ({pack.force_code} {pack.meeting_date.isoformat()})",
        purpose=purpose,
        detail={
            "pack_id": pack.id,
            "format": fmt,
            "version": pack.version,
            "sha256": pack.pdf_sha256 if fmt == "pdf" else pack.html_sha256,
            "marking": pack.marking,
        },
    )
    name = Path(pack.pdf_path if fmt == "pdf" else pack.html_path).name
    return Response(
        data,
        media_type=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Classification": pack.marking,
            "Cache-Control": "no-store",
        },
    )


def _row(user: Principal, pack: PublishedPack) -> dict[str, Any]:
    return {"pack": pack, "refusal": download_refusal(user.scope, pack)}


def _feedback_marking(rows: list[dict[str, Any]]) -> str:
    """The highest marking of the packs whose feedback detail (suspects, actions) a page
    shows: those the user may download that have feedback; pack records alone are
    OFFICIAL."""
    return Classification.highest(
        r["pack"].marking for r in rows if not r["refusal"] and r["pack"].feedback
    ).value


# ---------------------------------------------------------------- HTML pages


@html.get("/packs", response_class=HTMLResponse)
def packs_index(request: Request, user: Principal = Depends(html_user)) -> Response:
    """The forces whose packs the user may see, with each one's latest pack."""
    user.require(DATA_ROLES, "read force profile packs")
    forces = [f for f in _catalogue().forces if f.code in user.scope.forces]
    packs = list_packs(state_of(request).store, [f.code for f in forces])
    latest: dict[str, PublishedPack] = {}
    for p in packs:
        latest.setdefault(p.force_code, p)
    audit(request, user, "view", target="packs", purpose=session_of(request).purpose)
    return render(request, "packs.html", {"forces": forces, "latest": latest})


@html.get("/packs/feedback", response_class=HTMLResponse)
def packs_feedback(request: Request, user: Principal = Depends(html_user)) -> Response:
    """Feedback on packs, per force the user may see and overall."""
    user.require(DATA_ROLES, "read force profile packs")
    store = state_of(request).store
    codes = sorted(user.scope.forces)
    per_force, overall = feedback_summaries(store, codes)
    rows = [_row(user, p) for p in list_packs(store, codes, include_superseded=True)]
    shown = {r["pack"].id for r in rows if not r["refusal"]}
    names = {f.code: f.short_name for f in _catalogue().forces}
    audit(request, user, "view", target="packs feedback", purpose=session_of(request).purpose)
    return render(
        request,
        "packs_feedback.html",
        {
            "per_force": per_force,
            "overall": overall,
            "names": names,
            "shown": shown,
        },
        marking=_feedback_marking(rows),
    )


@html.get("/packs/{force}", response_class=HTMLResponse)
def force_packs(request: Request, force: str, user: Principal = Depends(html_user)) -> Response:
    """One force's packs (every version), its coming meetings and its feedback."""
    f = _force(user, force)
    store = state_of(request).store
    rows = [_row(user, p) for p in list_packs(store, [f.code], include_superseded=True)]
    settings = get_settings()
    catalogue = _catalogue()
    calendars = meeting_calendars(catalogue, settings.fttcg_calendar)
    coming = schedule_rows(
        catalogue,
        calendars,
        [r["pack"] for r in rows],
        dt.date.today(),
        settings.pack_lead_days,
        forces=[f.code],
    )
    per_force, _overall = feedback_summaries(store, [f.code])
    audit(request, user, "view", target=f"packs {f.code}", purpose=session_of(request).purpose)
    return render(
        request,
        "packs_force.html",
        {
            "force": f,
            "rows": rows,
            "coming": coming,
            "summary": per_force[0] if per_force else None,
            "purpose": session_of(request).purpose,
            "usefulness": USEFULNESS,
        },
        marking=_feedback_marking(rows),
    )


@html.post("/packs/{force}/{pack_id}/download")
def download_form(
    request: Request,
    force: str,
    pack_id: int,
    user: Principal = Depends(html_user),
    purpose: Annotated[str, Form(max_length=500)] = "",
    fmt: Annotated[str, Form(alias="format", max_length=8)] = "pdf",
) -> Response:
    """Download a pack after stating why (audited with the purpose)."""
    pack = _pack(request, user, pack_id)
    if pack.force_code != _force(user, force).code:
        raise NotFoundError(f"no pack {pack_id} for {force}")
    stated = check_purpose(purpose)
    session_of(request).set_purpose(stated)
    return _download(request, user, pack, fmt, stated)


@html.get("/packs/{force}/{pack_id}/feedback", response_class=HTMLResponse)
def feedback_form(
    request: Request, force: str, pack_id: int, user: Principal = Depends(html_user)
) -> Response:
    """The feedback form of a pack (it names the pack's suspects, so it needs the same
    rights as downloading the pack)."""
    pack = _pack(request, user, pack_id)
    refusal = download_refusal(user.scope, pack)
    if refusal or pack.force_code != _force(user, force).code:
        raise AccessDeniedError(f"you may not give feedback on this pack: {refusal}")
    return render(
        request,
        "pack_feedback.html",
        {"pack": pack, "usefulness": USEFULNESS, "error": ""},
        marking=pack.marking,
    )


@html.post("/packs/{force}/{pack_id}/feedback")
async def feedback_submit(
    request: Request, force: str, pack_id: int, user: Principal = Depends(html_user)
) -> Response:
    """Store the feedback (audited) and return to the force's packs page."""
    form = await request.form()
    usefulness = str(form.get("usefulness") or "")
    answers = []
    for slot in range(1, 4):
        if f"action_{slot}" in form or f"adopted_{slot}" in form:
            answers.append(
                {
                    "slot": slot,
                    "adopted": form.get(f"adopted_{slot}") == "yes",
                    "action": str(form.get(f"action_{slot}") or ""),
                }
            )
    comments = str(form.get("comments") or "")

    def store_it() -> PublishedPack:
        pack = _pack(request, user, pack_id)
        refusal = download_refusal(user.scope, pack)
        if refusal or pack.force_code != _force(user, force).code:
            raise AccessDeniedError(f"you may not give feedback on this pack: {refusal}")
        if not usefulness.isdigit():
            raise InputError("say how useful the pack was (1 to 5)")
        record_feedback(
            state_of(request).store,
            pack.id,
            FeedbackActor(user.username, user.organisation, client_of(request)),
            int(usefulness),
            answers,
            comments,
        )
        return pack

    pack = await run_in_threadpool(store_it)
    return RedirectResponse(f"/packs/{pack.force_code}?feedback=thanks", status_code=303)


# ---------------------------------------------------------------- JSON API


class PackOut(BaseModel):
    """A published pack (what it is, not what it holds)."""

    id: int
    force: str
    meeting: dt.date
    version: int
    superseded: bool
    snapshot: str
    data_as_of: dt.date | None
    built_at: dt.datetime
    built_by: str
    pages: int
    marking: str
    pdf_sha256: str
    may_download: bool
    refusal: str | None


class FeedbackAnswerIn(BaseModel):
    """What the force did about one suspect profile."""

    slot: int = Field(ge=1, le=3)
    adopted: bool
    action: str = Field("", max_length=500)


class FeedbackIn(BaseModel):
    """Feedback on a pack."""

    usefulness: int = Field(ge=1, le=5)
    suspects: list[FeedbackAnswerIn] = Field(default_factory=list, max_length=3)
    comments: str = Field("", max_length=4000)


class FeedbackOut(BaseModel):
    """The stored feedback."""

    id: int


class FeedbackSummaryOut(BaseModel):
    """Feedback totals for one force (or ``all``)."""

    force: str
    packs: int
    responses: int
    mean_usefulness: float | None
    suspects_answered: int
    suspects_adopted: int


def _out(user: Principal, pack: PublishedPack) -> PackOut:
    refusal = download_refusal(user.scope, pack)
    return PackOut(
        id=pack.id,
        force=pack.force_code,
        meeting=pack.meeting_date,
        version=pack.version,
        superseded=pack.superseded_at is not None,
        snapshot=pack.snapshot_run_id,
        data_as_of=pack.data_as_of,
        built_at=pack.built_at,
        built_by=pack.built_by,
        pages=pack.pages,
        marking=pack.marking,
        pdf_sha256=pack.pdf_sha256,
        may_download=refusal is None,
        refusal=refusal,
    )


@api.get("", response_model=list[PackOut])
def api_list(
    request: Request,
    force: Annotated[str | None, Query(max_length=64)] = None,
    user: Principal = Depends(api_user),
) -> list[PackOut]:
    """Packs of one force (403 without its agreement) or of every force you may see."""
    codes = [_force(user, force).code] if force else sorted(user.scope.forces)
    user.require(DATA_ROLES, "read force profile packs")
    packs = list_packs(state_of(request).store, codes)
    audit(request, user, "view", target=f"packs {force or 'all'}", detail={"api": True})
    return [_out(user, p) for p in packs]


@api.get("/feedback", response_model=list[FeedbackSummaryOut])
def api_feedback(request: Request, user: Principal = Depends(api_user)) -> list[FeedbackSummaryOut]:
    """Feedback totals per force you may see, and overall (``force`` = ``all``)."""
    user.require(DATA_ROLES, "read force profile packs")
    per_force, overall = feedback_summaries(state_of(request).store, sorted(user.scope.forces))
    return [
        FeedbackSummaryOut(
            force=s.force_code,
            packs=s.packs,
            responses=s.responses,
            mean_usefulness=s.mean_usefulness,
            suspects_answered=s.suspects_answered,
            suspects_adopted=s.suspects_adopted,
        )
        for s in [*per_force, overall]
    ]


@api.get("/{pack_id}", response_model=PackOut)
def api_pack(request: Request, pack_id: int, user: Principal = Depends(api_user)) -> PackOut:
    """One pack's record."""
    return _out(user, _pack(request, user, pack_id))


@api.get("/{pack_id}/download")
def api_download(
    request: Request,
    pack_id: int,
    purpose: Annotated[
        str, Query(min_length=MIN_PURPOSE, max_length=500, description="Why (audited).")
    ],
    fmt: Annotated[str, Query(alias="format", pattern="^(pdf|html)$")] = "pdf",
    user: Principal = Depends(api_user),
) -> Response:
    """The pack's PDF (or HTML), audited with the stated purpose."""
    return _download(request, user, _pack(request, user, pack_id), fmt, purpose.strip())


@api.post("/{pack_id}/feedback", response_model=FeedbackOut, status_code=201)
def api_feedback_submit(
    request: Request, pack_id: int, body: FeedbackIn, user: Principal = Depends(api_user)
) -> FeedbackOut:
    """Record feedback on a pack you may download."""
    pack = _pack(request, user, pack_id)
    refusal = download_refusal(user.scope, pack)
    if refusal:
        raise AccessDeniedError(f"you may not give feedback on this pack: {refusal}")
    row = record_feedback(
        state_of(request).store,
        pack.id,
        FeedbackActor(user.username, user.organisation, client_of(request)),
        body.usefulness,
        [a.model_dump() for a in body.suspects],
        body.comments,
    )
    return FeedbackOut(id=row.id)


router.include_router(html)
router.include_router(api)
