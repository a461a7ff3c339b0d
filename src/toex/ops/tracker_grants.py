"""Task-based access: a supervisor assigns a user to an operation for a time.

While a grant is live (``valid_from`` <= today <= ``valid_to``, not revoked) the user may
see the records of the operation's linked persons and networks that belong to the forces
the operation covers, even without an agreement for those forces, still only records whose
handling code they hold and whose classification they are cleared for. A grant never
reaches records of other persons, or of the linked persons in other forces. Granting and
revoking are audited (actions ``grant``, ``grant_revoke``); grants expire by date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from toex.errors import InputError, NotFoundError
from toex.ops.access import AccessScope
from toex.ops.audit import append_entry
from toex.ops.db import OpsStore
from toex.ops.models import User, utcnow
from toex.ops.tracker_models import TrackerGrant, TrackerOperation
from toex.ops.tracker_store import Actor

#: The longest a grant may run.
MAX_GRANT_DAYS = 366


@dataclass(frozen=True)
class TaskAccess:
    """What a user's live grants add: per operation, its forces and linked IDs."""

    operation: str
    forces: frozenset[str]
    persons: frozenset[str]
    networks: frozenset[str]
    valid_to: dt.date


def grant_is_live(grant: TrackerGrant, today: dt.date) -> bool:
    """Whether ``grant`` applies on ``today``."""
    return grant.revoked_at is None and grant.valid_from <= today <= grant.valid_to


def grant_access(
    store: OpsStore,
    operation_reference: str,
    username: str,
    valid_from: dt.date,
    valid_to: dt.date,
    reason: str,
    actor: Actor,
) -> TrackerGrant:
    """Assign ``username`` to the operation from ``valid_from`` to ``valid_to`` (audited)."""
    if valid_to < valid_from:
        raise InputError("the grant ends before it starts")
    if (valid_to - valid_from).days > MAX_GRANT_DAYS:
        raise InputError(f"a grant may run for at most {MAX_GRANT_DAYS} days")
    if len(reason.strip()) < 5:
        raise InputError("say why the user needs the operation's records")
    with store.session() as session:
        op = session.scalars(
            select(TrackerOperation).where(TrackerOperation.reference == operation_reference)
        ).one_or_none()
        if op is None:
            raise NotFoundError(f"no operation {operation_reference!r}")
        if session.scalars(select(User).where(User.username == username)).one_or_none() is None:
            raise NotFoundError(f"no user {username!r}")
        op_id = op.id
    with store.session() as session:
        entry = append_entry(
            session,
            username=actor.username,
            organisation=actor.organisation,
            action="grant",
            target=f"operation {operation_reference} to {username}",
            purpose=reason.strip(),
            detail={
                "operation": operation_reference,
                "user": username,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat(),
            },
            client=actor.client,
        )
        grant = TrackerGrant(
            operation_id=op_id,
            username=username,
            valid_from=valid_from,
            valid_to=valid_to,
            reason=reason.strip(),
            granted_by=actor.username,
        )
        session.add(grant)
        session.commit()
        _ = entry.id
        return grant


def revoke_grant(store: OpsStore, grant_id: int, actor: Actor) -> TrackerGrant:
    """End a grant now (audited); revoking twice is an :class:`InputError`."""
    with store.session() as session:
        grant = session.get(TrackerGrant, grant_id)
        if grant is None:
            raise NotFoundError(f"no grant {grant_id}")
        if grant.revoked_at is not None:
            raise InputError(f"grant {grant_id} is already revoked")
    with store.session() as session:
        append_entry(
            session,
            username=actor.username,
            organisation=actor.organisation,
            action="grant_revoke",
            target=f"grant {grant_id} ({grant.username})",
            detail={"grant": grant_id, "user": grant.username},
            client=actor.client,
        )
        live = session.get(TrackerGrant, grant_id)
        assert live is not None
        live.revoked_at = utcnow()
        live.revoked_by = actor.username
        session.commit()
        return live


def list_grants(store: OpsStore, operation_id: int) -> list[TrackerGrant]:
    """Every grant on an operation, newest first."""
    with store.session() as session:
        return list(
            session.scalars(
                select(TrackerGrant)
                .where(TrackerGrant.operation_id == operation_id)
                .order_by(TrackerGrant.granted_at.desc())
            )
        )


def task_access(store: OpsStore, username: str, today: dt.date | None = None) -> list[TaskAccess]:
    """The live grants of ``username`` on ``today`` with their operations' forces and links."""
    day = today or dt.date.today()
    out = []
    with store.session() as session:
        grants = session.scalars(select(TrackerGrant).where(TrackerGrant.username == username))
        for g in grants:
            if not grant_is_live(g, day):
                continue
            op = session.get(TrackerOperation, g.operation_id)
            assert op is not None
            out.append(
                TaskAccess(
                    op.reference,
                    frozenset(f.force_code for f in op.forces),
                    frozenset(lk.stable_id for lk in op.links if lk.kind == "person"),
                    frozenset(lk.stable_id for lk in op.links if lk.kind == "network"),
                    g.valid_to,
                )
            )
    return out


def task_permits(
    scope: AccessScope,
    grants: list[TaskAccess],
    *,
    force: str,
    handling_code: str,
    classification: str,
    person_id: str | None = None,
    network_id: str | None = None,
) -> bool:
    """Whether a record (of ``force``, with these markings, about ``person_id`` or in
    ``network_id``) is visible: by the user's agreements, or by a live grant naming the
    person or network for an operation covering the force. Handling codes and clearance
    bound both."""
    if scope.permits(force, handling_code, classification):
        return True
    if handling_code not in scope.handling_codes or classification not in scope.classifications:
        return False
    return any(
        force in g.forces
        and (
            (person_id is not None and person_id in g.persons)
            or (network_id is not None and network_id in g.networks)
        )
        for g in grants
    )
