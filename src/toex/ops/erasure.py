"""The erasure register: record an erasure with its tombstones, read the tombstones every run
applies, and mark erasures applied once a snapshot without them is current.

Every erasure is also written to the audit log (``admin`` action, the reason as its purpose).
Finding what to erase in the warehouse and deleting it is :mod:`toex.datadir.erase`'s work;
this module only keeps the register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update

from toex.errors import InputError
from toex.ops.audit import record
from toex.ops.db import OpsStore
from toex.ops.erasure_models import Erasure, ErasureTombstone
from toex.ops.models import utcnow

KINDS = ("person", "record")
TOMBSTONE_KINDS = ("record", "mention")


@dataclass(frozen=True)
class Tombstones:
    """Every tombstoned key, and the erasures not yet applied to a current snapshot."""

    records: frozenset[str] = frozenset()
    mentions: frozenset[str] = frozenset()
    pending: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.records or self.mentions)


@dataclass(frozen=True)
class ErasureRequest:
    """What to record: the target, why, who asked, who ran it, and the keys found for it."""

    kind: str
    target: str
    reason: str
    requested_by: str
    source_run_id: str
    keys: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (record|mention, key)
    operator: str = ""  # the account that ran the command (the audit entry's user)


def record_erasure(store: OpsStore, request: ErasureRequest) -> Erasure:
    """Store an erasure and its tombstones, and write it to the audit log."""
    if request.kind not in KINDS:
        raise InputError(f"erasure kind must be one of {', '.join(KINDS)}, not {request.kind!r}")
    reason = request.reason.strip()
    if not reason:
        raise InputError("an erasure needs a reason (--reason)")
    bad = sorted({k for k, _ in request.keys} - set(TOMBSTONE_KINDS))
    if bad:
        raise InputError(f"unknown tombstone kind(s): {', '.join(bad)}")
    with store.session() as session:
        erasure = Erasure(
            kind=request.kind,
            target=request.target[:200],
            reason=reason,
            requested_by=request.requested_by[:100],
            requested_at=utcnow(),
            source_run_id=request.source_run_id,
        )
        erasure.tombstones = [ErasureTombstone(kind=k, key=v) for k, v in sorted(set(request.keys))]
        session.add(erasure)
        session.commit()
        erasure_id = erasure.id
    counts = {k: sum(1 for kk, _ in set(request.keys) if kk == k) for k in TOMBSTONE_KINDS}
    audit_id = record(
        store,
        username=request.operator or request.requested_by,
        action="erase",
        target=f"erase {request.kind} {request.target}"[:300],
        purpose=reason,
        detail={
            "erasure_id": erasure_id,
            "requested_by": request.requested_by,
            "tombstones": counts,
        },
        client="cli",
    )
    with store.session() as session:
        session.execute(update(Erasure).where(Erasure.id == erasure_id).values(audit_id=audit_id))
        session.commit()
        stored = session.get(Erasure, erasure_id)
        assert stored is not None
        session.expunge(stored)
    return stored


def load_tombstones(store: OpsStore) -> Tombstones:
    """Every tombstone in the register, and the ids of erasures not yet applied."""
    with store.session() as session:
        rows = session.execute(select(ErasureTombstone.kind, ErasureTombstone.key)).all()
        pending = session.scalars(
            select(Erasure.id).where(Erasure.applied_run_id.is_(None)).order_by(Erasure.id)
        ).all()
    return Tombstones(
        frozenset(k for kind, k in rows if kind == "record"),
        frozenset(k for kind, k in rows if kind == "mention"),
        tuple(pending),
    )


def mark_applied(store: OpsStore, ids: Iterable[int], run_id: str) -> None:
    """Record that snapshot ``run_id`` is the first current one without these erasures."""
    wanted = list(ids)
    if not wanted:
        return
    with store.session() as session:
        session.execute(
            update(Erasure)
            .where(Erasure.id.in_(wanted), Erasure.applied_run_id.is_(None))
            .values(applied_run_id=run_id, applied_at=dt.datetime.now(dt.UTC))
        )
        session.commit()


def list_erasures(store: OpsStore) -> list[Erasure]:
    """Every erasure in the register, oldest first (tombstones loaded)."""
    with store.session() as session:
        erasures = list(session.scalars(select(Erasure).order_by(Erasure.id)).all())
        for e in erasures:
            _ = e.tombstones
        session.expunge_all()
    return erasures
