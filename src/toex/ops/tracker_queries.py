"""Reading the tracker: threats with their dates, operation lists and one operation's records.

Operations are listed by force: a reader sees an operation when it covers one of the forces
given (the caller passes the reader's agreement forces). Linked person and network IDs are
returned only to callers that ask for them (the web layer checks access first).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from toex.errors import NotFoundError
from toex.ops.db import OpsStore
from toex.ops.tracker_models import (
    TrackerAar,
    TrackerDisruption,
    TrackerOperation,
    TrackerOperationForce,
    TrackerOperationType,
    TrackerOutcome,
    TrackerReferral,
    TrackerRequest,
)


def threat_rows(store: OpsStore) -> list[dict[str, Any]]:
    """One row per operation (threat): reference, supported, geographic scale, exploitation
    types, lead force, and the dates identified, scored, entered the top ten and first
    significantly disrupted (the earliest significant disruption recorded)."""
    first = (
        select(
            TrackerDisruption.operation_id,
            func.min(TrackerDisruption.disruption_date).label("first_significant"),
        )
        .where(TrackerDisruption.significant.is_(True))
        .group_by(TrackerDisruption.operation_id)
        .subquery()
    )
    with store.session() as session:
        types: dict[int, list[str]] = defaultdict(list)
        for op_id, typ in session.execute(
            select(TrackerOperationType.operation_id, TrackerOperationType.exploitation_type)
        ):
            types[op_id].append(typ)
        rows = session.execute(
            select(
                TrackerOperation.id,
                TrackerOperation.reference,
                TrackerOperation.supported,
                TrackerOperation.geographic_scale,
                TrackerOperation.lead_force,
                TrackerOperation.identified_on,
                TrackerOperation.scored_on,
                TrackerOperation.top10_on,
                first.c.first_significant,
            )
            .outerjoin(first, first.c.operation_id == TrackerOperation.id)
            .order_by(TrackerOperation.reference)
        ).all()
    return [
        {
            "reference": r.reference,
            "supported": bool(r.supported),
            "geographic_scale": r.geographic_scale,
            "lead_force": r.lead_force,
            "exploitation_types": tuple(sorted(types[r.id])),
            "identified_on": r.identified_on,
            "scored_on": r.scored_on,
            "top10_on": r.top10_on,
            "first_significant": r.first_significant,
        }
        for r in rows
    ]


def list_operations(
    store: OpsStore, forces: Iterable[str], status: str | None = None
) -> list[TrackerOperation]:
    """Operations covering any of ``forces`` (newest first), optionally of one status."""
    codes = sorted(set(forces))
    if not codes:
        return []
    covering = select(TrackerOperationForce.operation_id).where(
        TrackerOperationForce.force_code.in_(codes)
    )
    query = (
        select(TrackerOperation)
        .where(TrackerOperation.id.in_(covering))
        .options(selectinload(TrackerOperation.forces), selectinload(TrackerOperation.types))
        .order_by(TrackerOperation.opened_on.desc(), TrackerOperation.reference)
    )
    if status:
        query = query.where(TrackerOperation.status == status)
    with store.session() as session:
        return list(session.scalars(query))


@dataclass
class OperationRecords:
    """One operation with every record of it."""

    operation: TrackerOperation
    aars: list[TrackerAar]
    disruptions: list[TrackerDisruption]
    referrals: list[TrackerReferral]
    outcomes: list[TrackerOutcome]
    requests: list[TrackerRequest]

    @property
    def first_significant(self) -> dt.date | None:
        """The first significant disruption's date."""
        days = [d.disruption_date for d in self.disruptions if d.significant]
        return min(days) if days else None


def get_operation(store: OpsStore, reference: str) -> OperationRecords:
    """The operation ``reference`` and its records; :class:`NotFoundError` if none."""
    with store.session() as session:
        op = session.scalars(
            select(TrackerOperation)
            .where(TrackerOperation.reference == reference)
            .options(
                selectinload(TrackerOperation.forces),
                selectinload(TrackerOperation.types),
                selectinload(TrackerOperation.links),
            )
        ).one_or_none()
        if op is None:
            raise NotFoundError(f"no operation {reference!r}")

        def of(model: Any, order: Any) -> list[Any]:
            query = select(model).where(model.operation_id == op.id).order_by(order)
            if model is TrackerAar:
                query = query.options(selectinload(TrackerAar.types))
            return list(session.scalars(query))

        return OperationRecords(
            op,
            of(TrackerAar, TrackerAar.aar_date),
            of(TrackerDisruption, TrackerDisruption.disruption_date),
            of(TrackerReferral, TrackerReferral.referred_on),
            of(TrackerOutcome, TrackerOutcome.recorded_on),
            of(TrackerRequest, TrackerRequest.requested_on),
        )


def last_recorded_day(store: OpsStore) -> dt.date | None:
    """The latest date anything in the tracker was recorded on (the evaluation's default
    as-of date: threats are followed up to the tracker's last entry, not past it)."""
    columns = (
        TrackerOperation.opened_on,
        TrackerOperation.closed_on,
        TrackerOperation.scored_on,
        TrackerOperation.top10_on,
        TrackerAar.aar_date,
        TrackerDisruption.disruption_date,
        TrackerReferral.referred_on,
        TrackerOutcome.recorded_on,
        TrackerRequest.requested_on,
    )
    with store.session() as session:
        days = [session.scalar(select(func.max(c))) for c in columns]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def tracker_version(store: OpsStore) -> int:
    """A number that changes whenever tracker records change: the id of the latest
    ``tracker_write`` audit entry (every save writes one in its own transaction)."""
    from toex.ops.models import AuditEntry

    with store.engine.connect() as conn:
        value = conn.execute(
            select(func.max(AuditEntry.id)).where(AuditEntry.action == "tracker_write")
        ).scalar()
    return int(value or 0)
