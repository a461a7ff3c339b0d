"""Writing tracker records: one audited transaction per batch (a CSV file, a form, an API call).

A record is keyed by its ``reference``. Saving a batch compares each record with the stored
one (:func:`stored_record` gives both the same shape): new references are inserted, changed
ones updated, identical ones left alone, so saving the same batch twice changes nothing and
writes no second audit entry. Roles: analysts and supervisors enter and correct records;
only supervisors import files and grant access (:data:`TRACKER_WRITE_ROLES`,
:data:`TRACKER_IMPORT_ROLES`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from toex.ops.access import Role
from toex.ops.audit import append_entry
from toex.ops.db import OpsStore
from toex.ops.models import utcnow
from toex.ops.tracker_models import (
    TrackerAar,
    TrackerAarType,
    TrackerDisruption,
    TrackerOperation,
    TrackerOperationForce,
    TrackerOperationLink,
    TrackerOperationType,
    TrackerOutcome,
    TrackerReferral,
    TrackerRequest,
)
from toex.ops.tracker_rows import Record

#: Roles that may enter and correct tracker records (forms, API).
TRACKER_WRITE_ROLES: frozenset[str] = frozenset({Role.ANALYST, Role.SUPERVISOR})
#: Roles that may import CSV files, grant task-based access and read the dashboard.
TRACKER_IMPORT_ROLES: frozenset[str] = frozenset({Role.SUPERVISOR})
#: Roles that may read the tracker's records.
TRACKER_READ_ROLES: frozenset[str] = frozenset({Role.ANALYST, Role.SUPERVISOR})
#: Roles that may read the performance dashboard and the impact evaluation ("leads":
#: supervisors and the programme's admins).
DASHBOARD_ROLES: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ADMIN})

MODELS: dict[str, type[Any]] = {
    "operations": TrackerOperation,
    "aars": TrackerAar,
    "disruptions": TrackerDisruption,
    "referrals": TrackerReferral,
    "outcomes": TrackerOutcome,
    "requests": TrackerRequest,
}
_SCALARS: dict[str, tuple[str, ...]] = {
    "operations": (
        "name",
        "lead_force",
        "soc_master_list",
        "supported",
        "geographic_scale",
        "status",
        "opened_on",
        "closed_on",
        "identified_on",
        "scored_on",
        "top10_on",
    ),
    "aars": ("aar_date", "summary"),
    "disruptions": ("disruption_date", "category", "impact", "significant", "summary"),
    "referrals": ("kind", "referred_on", "outcome", "outcome_on"),
    "outcomes": ("kind", "recorded_on", "count", "pending"),
    "requests": ("requested_on", "requester", "request_type", "status"),
}


@dataclass(frozen=True)
class Actor:
    """Who writes, from where (``client``), and through what (``source``: a file name,
    ``form`` or ``api``)."""

    username: str
    organisation: str = ""
    client: str = "cli"
    source: str = "cli"


@dataclass
class SaveResult:
    """References inserted, updated and left unchanged by one batch, and its audit entry."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    audit_id: int | None = None


def stored_record(kind: str, obj: Any, op_refs: dict[int, str]) -> Record:
    """A stored row in the shape :func:`toex.ops.tracker_rows.parse_row` gives."""
    rec: Record = {"reference": obj.reference}
    for name in _SCALARS[kind]:
        rec[name] = getattr(obj, name)
    if kind == "operations":
        rec["forces"] = tuple(sorted(f.force_code for f in obj.forces))
        rec["exploitation_types"] = tuple(sorted(t.exploitation_type for t in obj.types))
        for link in ("person", "network"):
            rec[f"linked_{link}s"] = tuple(
                sorted(lk.stable_id for lk in obj.links if lk.kind == link)
            )
    elif kind == "requests":
        rec["operation_reference"] = op_refs.get(obj.operation_id) if obj.operation_id else None
    else:
        rec["operation_reference"] = op_refs[obj.operation_id]
    if kind == "aars":
        rec["threat_types"] = tuple(sorted(t.exploitation_type for t in obj.types))
    return rec


def operation_index(session: Session) -> dict[str, tuple[int, Any]]:
    """Every operation's reference -> (id, opened_on)."""
    rows = session.execute(
        select(TrackerOperation.reference, TrackerOperation.id, TrackerOperation.opened_on)
    )
    return {ref: (i, opened) for ref, i, opened in rows}


def operation_forces(session: Session) -> dict[str, set[str]]:
    """Every operation's reference -> the forces it covers."""
    out: dict[str, set[str]] = {}
    rows = session.execute(
        select(TrackerOperation.reference, TrackerOperationForce.force_code).join(
            TrackerOperationForce, TrackerOperationForce.operation_id == TrackerOperation.id
        )
    )
    for ref, force in rows:
        out.setdefault(ref, set()).add(force)
    return out


def _apply(session: Session, kind: str, obj: Any, rec: Record, ops: dict[str, int]) -> None:
    for name in _SCALARS[kind]:
        setattr(obj, name, rec[name])
    if kind == "operations":
        _replace(
            session, obj, "forces", [TrackerOperationForce(force_code=f) for f in rec["forces"]]
        )
        types = [TrackerOperationType(exploitation_type=t) for t in rec["exploitation_types"]]
        _replace(session, obj, "types", types)
        links = [
            TrackerOperationLink(kind=k, stable_id=s)
            for k in ("person", "network")
            for s in rec[f"linked_{k}s"]
        ]
        _replace(session, obj, "links", links)
        obj.updated_at = utcnow()
    else:
        ref = rec.get("operation_reference")
        obj.operation_id = ops[ref] if ref else None
    if kind == "aars":
        aar_types = [TrackerAarType(exploitation_type=t) for t in rec["threat_types"]]
        _replace(session, obj, "types", aar_types)


def _replace(session: Session, obj: Any, name: str, children: list[Any]) -> None:
    """Replace a child collection; a stored object's old children are deleted (flushed)
    first so a child with the same key can be inserted again."""
    if obj.id is not None:
        getattr(obj, name).clear()
        session.flush()
    setattr(obj, name, children)


def _existing(session: Session, kind: str, refs: Sequence[str]) -> dict[str, Any]:
    model = MODELS[kind]
    out: dict[str, Any] = {}
    for start in range(0, len(refs), 500):
        chunk = list(refs[start : start + 500])
        for obj in session.scalars(select(model).where(model.reference.in_(chunk))):
            out[obj.reference] = obj
    return out


def diff_records(
    session: Session, kind: str, records: Sequence[Record]
) -> tuple[list[Record], list[Record], list[str]]:
    """Split ``records`` into new, changed and unchanged (by reference)."""
    existing = _existing(session, kind, [r["reference"] for r in records])
    op_refs = {i: ref for ref, (i, _d) in operation_index(session).items()}
    new, changed, same = [], [], []
    for rec in records:
        obj = existing.get(rec["reference"])
        if obj is None:
            new.append(rec)
        elif stored_record(kind, obj, op_refs) == {**rec, "reference": obj.reference}:
            same.append(rec["reference"])
        else:
            changed.append(rec)
    return new, changed, same


def save_records(store: OpsStore, kind: str, records: Sequence[Record], actor: Actor) -> SaveResult:
    """Insert new and update changed ``records`` of ``kind`` in one transaction with one
    audit entry (action ``tracker_write``); identical records are left alone and a batch
    that changes nothing writes nothing. Records must be checked already (operation
    references resolvable)."""
    with store.session() as session:
        new, changed, same = diff_records(session, kind, records)
    result = SaveResult(unchanged=same)
    if not new and not changed:
        return result
    with store.session() as session:
        entry = append_entry(
            session,
            username=actor.username,
            organisation=actor.organisation,
            action="tracker_write",
            target=f"tracker {kind}",
            purpose=f"operations tracker: {kind} from {actor.source}",
            detail={
                "kind": kind,
                "source": actor.source,
                "inserted": [r["reference"] for r in new],
                "updated": [r["reference"] for r in changed],
                "unchanged": len(same),
            },
            client=actor.client,
        )
        ops = {ref: i for ref, (i, _d) in operation_index(session).items()}
        model = MODELS[kind]
        existing = _existing(session, kind, [r["reference"] for r in changed])
        for rec in new:
            obj = model(reference=rec["reference"], updated_by=actor.username)
            _apply(session, kind, obj, rec, ops)
            session.add(obj)
        for rec in changed:
            obj = existing[rec["reference"]]
            _apply(session, kind, obj, rec, ops)
            obj.updated_by = actor.username
        session.commit()
        result.audit_id = entry.id
    result.inserted = [r["reference"] for r in new]
    result.updated = [r["reference"] for r in changed]
    return result
