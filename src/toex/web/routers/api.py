"""The JSON API (``/api/v1``): the same operations as the pages, with bearer tokens.

Same access rules (the same data-layer functions with the token user's scope), same audit
entries. Every data call states its purpose. OpenAPI at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from toex.errors import NotFoundError, SnapshotError
from toex.ops.access import DATA_ROLES, DECISION_ROLES
from toex.web.auth import Principal
from toex.web.context import (
    MIN_PURPOSE,
    api_user,
    api_writer,
    audit,
    client_of,
    snapshot_of,
    warehouse_cursor,
)
from toex.web.data.filters import NotAvailable, highest_marking
from toex.web.data.lists import person_priority
from toex.web.data.network import expand
from toex.web.data.persons import export_rows, mentions_visible, person_profile
from toex.web.data.profile_lists import visible_warnings
from toex.web.data.search import SearchCriteria, search_persons
from toex.web.decisions import record_decision

router = APIRouter(prefix="/api/v1", tags=["api"])
Purpose = Annotated[
    str, Query(min_length=MIN_PURPOSE, max_length=500, description="Why you are looking (audited).")
]
PersonId = Annotated[str, Field(max_length=128)]


class SnapshotOut(BaseModel):
    """The snapshot answering the calls."""

    run_id: str
    created_at: dt.datetime


class SearchIn(BaseModel):
    """A person search; at least one criterion besides the purpose."""

    purpose: str = Field(min_length=MIN_PURPOSE, max_length=500)
    name: str = Field("", max_length=200)
    dob: dt.date | None = None
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=200)
    pnc_id: str = Field("", max_length=20)
    postcode: str = Field("", max_length=12)
    limit: int = Field(50, ge=1, le=200)


class HitOut(BaseModel):
    """One person found."""

    person_id: str
    score: float
    names: list[str]
    dobs: list[str]
    forces: list[str]
    n_mentions: int
    matched: list[str]
    classification: str


class SearchOut(BaseModel):
    """Persons found, best first; ``total`` counts visible persons only."""

    snapshot: str
    classification: str
    total: int
    hits: list[HitOut]


class PersonOut(BaseModel):
    """Everything about one person that the caller may see."""

    snapshot: str
    classification: str
    person_id: str
    label: str
    names: list[str]
    dobs: list[str]
    forces: list[str]
    mentions: list[dict[str, Any]]
    events: list[dict[str, Any]]
    victims: list[dict[str, Any]]
    associates: list[dict[str, Any]]
    objects: list[dict[str, Any]]
    priority: dict[str, Any] | None
    warnings: list[dict[str, Any]] = []


class NeighbourOut(BaseModel):
    """A linked person."""

    person_id: str
    label: str
    kinds: list[str]
    weight: float
    forces: list[str]
    classification: str


class NetworkOut(BaseModel):
    """A person's visible neighbours."""

    snapshot: str
    classification: str
    person_id: str
    label: str
    total: int
    neighbours: list[NeighbourOut]


class ExportOut(BaseModel):
    """A person's visible mentions, marked with the highest classification among them."""

    snapshot: str
    classification: str
    person_id: str
    rows: list[dict[str, Any]]


class DecisionIn(BaseModel):
    """A same / not-the-same decision on two visible mentions."""

    mention_a: str = Field(min_length=1, max_length=64)
    mention_b: str = Field(min_length=1, max_length=64)
    same: bool
    reason: str = Field(min_length=5, max_length=2000)
    purpose: str = Field(min_length=MIN_PURPOSE, max_length=500)


class DecisionOut(BaseModel):
    """The recorded decision."""

    id: int


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad input"},
    401: {"description": "No valid bearer token"},
    403: {"description": "Role may not do this"},
    404: {"description": "Not found or not visible to you"},
    503: {"description": "No warehouse snapshot"},
}


def _json(model: BaseModel, status_code: int = 200) -> Response:
    """``model`` as a JSON response, serialised once by pydantic. The route still declares
    its ``response_model`` for the OpenAPI schema; returning a response skips FastAPI's
    second validation of the same model (a thread-pool round trip per call)."""
    return Response(model.model_dump_json(), status_code, media_type="application/json")


@router.get("/snapshot", response_model=SnapshotOut, responses=ERRORS)
def snapshot(request: Request, user: Principal = Depends(api_user)) -> Response:
    """The snapshot currently served."""
    snap = snapshot_of(request)
    return _json(SnapshotOut(run_id=snap.ref.run_id, created_at=snap.ref.created_at))


@router.post("/search", response_model=SearchOut, responses=ERRORS)
def search(request: Request, body: SearchIn, user: Principal = Depends(api_user)) -> Response:
    """Search resolved persons by name (fuzzy, nicknames), DOB, phone, email, PNC ID, postcode."""
    user.require(DATA_ROLES, "search intelligence records")
    criteria = SearchCriteria(
        name=body.name.strip(),
        dob=body.dob,
        phone=body.phone.strip(),
        email=body.email.strip(),
        pnc_id=body.pnc_id.strip(),
        postcode=body.postcode.strip(),
    )
    criteria.check()
    snap = snapshot_of(request)
    try:
        with warehouse_cursor(snap) as cur:
            result = search_persons(snap, cur, user.scope, criteria, limit=body.limit)
    except NotAvailable as exc:
        raise SnapshotError(str(exc)) from exc
    audit(
        request,
        user,
        "search",
        purpose=body.purpose.strip(),
        target=", ".join(f"{k}={getattr(criteria, k)}" for k in criteria.given()),
        detail={
            "criteria": criteria.given(),
            "results": result.total,
            "api": True,
            "persons": [h.person_id for h in result.hits[:20]],
            "snapshot": snap.ref.run_id,
        },
    )
    return _json(
        SearchOut(
            snapshot=snap.ref.run_id,
            classification=result.classification,
            total=result.total,
            hits=[HitOut(**vars(h)) for h in result.hits],
        )
    )


@router.get("/persons/{person_id}", response_model=PersonOut, responses=ERRORS)
def person(
    request: Request, person_id: str, purpose: Purpose, user: Principal = Depends(api_user)
) -> Response:
    """A person's profile: visible mentions, events, victims, associates, objects, priority."""
    user.require(DATA_ROLES, "view intelligence records")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        p = person_profile(snap, cur, user.scope, person_id)
        priority = person_priority(snap, cur, user.scope, person_id)
        warnings = visible_warnings(snap, cur, user.scope, [person_id]).get(person_id, [])
    audit(
        request,
        user,
        "view",
        target=f"person {person_id}",
        purpose=purpose.strip(),
        detail={
            "mentions": len(p.mentions),
            "forces": p.forces,
            "api": True,
            "snapshot": snap.ref.run_id,
        },
    )
    return _json(
        PersonOut(
            snapshot=snap.ref.run_id,
            classification=highest_marking(
                [
                    p.classification,
                    (priority or {}).get("classification"),
                    *(w["classification"] for w in warnings),
                ]
            ),
            person_id=p.person_id,
            label=p.label,
            names=p.names,
            dobs=p.dobs,
            forces=p.forces,
            mentions=p.mentions,
            events=p.events,
            victims=p.victims,
            associates=p.associates,
            objects=p.objects,
            priority=priority,
            warnings=warnings,
        )
    )


@router.get("/persons/{person_id}/network", response_model=NetworkOut, responses=ERRORS)
def network(
    request: Request, person_id: str, purpose: Purpose, user: Principal = Depends(api_user)
) -> Response:
    """Expand a person's network by one hop (visible links only)."""
    user.require(DATA_ROLES, "view intelligence records")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        e = expand(snap, cur, user.scope, person_id)
    audit(
        request,
        user,
        "network",
        target=f"person {person_id}",
        purpose=purpose.strip(),
        detail={"neighbours": len(e.neighbours), "api": True},
    )
    return _json(
        NetworkOut(
            snapshot=snap.ref.run_id,
            classification=e.classification,
            person_id=e.person_id,
            label=e.label,
            total=e.total,
            neighbours=[NeighbourOut(**vars(n)) for n in e.neighbours],
        )
    )


@router.get("/persons/{person_id}/export", response_model=ExportOut, responses=ERRORS)
def export(
    request: Request, person_id: str, purpose: Purpose, user: Principal = Depends(api_user)
) -> Response:
    """Export a person's visible mentions (with their events), marked."""
    user.require(DATA_ROLES, "export intelligence records")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        p = person_profile(snap, cur, user.scope, person_id)
    rows = export_rows(p)
    audit(
        request,
        user,
        "export",
        target=f"person {person_id}",
        purpose=purpose.strip(),
        detail={"rows": len(rows), "format": "json", "api": True},
    )
    return _json(
        ExportOut(
            snapshot=snap.ref.run_id,
            classification=p.classification,
            person_id=person_id,
            rows=rows,
        )
    )


@router.post("/decisions", response_model=DecisionOut, status_code=201, responses=ERRORS)
def decide(
    request: Request, body: DecisionIn, user: Principal = Depends(api_writer)
) -> DecisionOut:
    """Record that two visible mentions are (or are not) the same person."""
    user.require(DECISION_ROLES, "record match decisions")
    snap = snapshot_of(request)
    with warehouse_cursor(snap) as cur:
        visible = mentions_visible(snap, cur, user.scope, [body.mention_a, body.mention_b])
    if body.mention_a not in visible or body.mention_b not in visible:
        raise NotFoundError("no such pair of mentions")
    decision_id = record_decision(
        request.app.state.toex.store,
        mention_a=body.mention_a,
        mention_b=body.mention_b,
        same=body.same,
        reason=body.reason,
        decided_by=user.username,
        organisation=user.organisation,
        client=client_of(request),
        purpose=body.purpose,
        context={"api": True},
    )
    return DecisionOut(id=decision_id)
