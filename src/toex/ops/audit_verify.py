"""Checking the audit chain (``toex audit verify``), and sealing entries written before it
was keyed.

:func:`verify_chain` walks the entries in id order and names the first one that is not
keyed, has an unknown key, skips or repeats a sequence number, does not follow the one
before it, or whose HMAC does not match; then checks the head row and the checkpoint log
(rows cut from the end, an emptied table, a rewritten chain).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from toex.ops.audit import GENESIS_HASH, entry_fields, entry_mac, legacy_hash
from toex.ops.audit_checkpoints import Checkpoint, read_checkpoints
from toex.ops.db import OpsStore
from toex.ops.keys import AuditKeys
from toex.ops.models import AuditEntry, AuditHead

log = logging.getLogger(__name__)
INTACT = "audit chain intact"


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_chain`: entries checked, the first problem if any (and the
    entry it names), and the latest checkpoint the chain matched."""

    checked: int
    message: str = INTACT
    broken_id: int | None = None
    checkpoint: Checkpoint | None = None
    checkpoints: int = 0
    last_seq: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return self.message == INTACT


def _iter_entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def entry_problem(
    entry: AuditEntry, keys: AuditKeys, prev_hash: str, prev_seq: int, prev_id: int | None
) -> str | None:
    """What is wrong with ``entry`` coming after the entry (``prev_id``, ``prev_seq``,
    ``prev_hash``) before it, or None."""
    name = f"entry {entry.id} (seq {entry.seq})"
    if entry.key_id is None:
        return f"{name}: not keyed (forged, or written before keyed logging and never sealed)"
    if entry.key_id not in keys.keys:
        return (
            f"{name}: signed with unknown key {entry.key_id} "
            "(forged, or its key is missing from the audit key file)"
        )
    expected = prev_seq + 1
    if entry.seq > expected:
        gap = f"seq {expected}" if entry.seq == expected + 1 else f"seq {expected}..{entry.seq - 1}"
        return f"{gap} missing before entry {entry.id} (entries deleted)"
    if entry.seq < expected:
        return f"{name}: seq goes back after seq {prev_seq} (entries renumbered or reordered)"
    if entry.prev_hash != prev_hash:
        before = f"entry {prev_id}" if prev_id is not None else "the start of the chain"
        return (
            f"{name}: does not follow {before} "
            "(an entry was removed, inserted or altered before it)"
        )
    if entry_mac(keys, entry.key_id, entry_fields(entry), entry.seq, prev_hash) != entry.entry_hash:
        return f"{name}: its HMAC does not match its contents (altered or forged)"
    return None


def verify_chain(store: OpsStore) -> VerifyResult:
    """Check every entry, the head row and the checkpoint log; report the first problem."""
    keys = store.audit.keys
    cps = read_checkpoints(store.audit.checkpoint_file, keys)
    by_seq = {cp.seq: cp for cp in cps.checkpoints}
    latest = cps.checkpoints[-1] if cps.checkpoints else None
    prev_hash, prev_seq, prev_id, checked = GENESIS_HASH, 0, None, 0
    matched: Checkpoint | None = None

    def result(message: str, broken: int | None = None) -> VerifyResult:
        return VerifyResult(checked, message, broken, matched, len(cps.checkpoints), prev_seq)

    with store.session() as session:
        for entry in _iter_entries(session):
            checked += 1
            problem = entry_problem(entry, keys, prev_hash, prev_seq, prev_id)
            if problem is not None:
                return result(problem, entry.id)
            cp = by_seq.get(entry.seq)
            if cp is not None:
                if (cp.last_id, cp.head) != (entry.id, entry.entry_hash):
                    return result(
                        f"entry {entry.id} (seq {entry.seq}) differs from checkpoint line "
                        f"{cp.line} of {cp.at} (the chain was rewritten)",
                        entry.id,
                    )
                matched = cp
            prev_hash, prev_seq, prev_id = entry.entry_hash, entry.seq, entry.id
        head = session.get(AuditHead, 1)
    ends = f"seq {prev_seq} (entry {prev_id})" if prev_id is not None else "no entry"
    if head is not None and (head.seq, head.last_id, head.last_hash) != (
        prev_seq,
        prev_id,
        prev_hash,
    ):
        return result(
            f"the chain head records seq {head.seq} (entry {head.last_id}) but the chain "
            f"ends at {ends} (entries deleted from the end)",
            head.last_id,
        )
    if latest is not None and latest.seq > prev_seq:
        where = f"checkpoint line {latest.line} of {latest.at} records seq {latest.seq}"
        if prev_id is None:
            return result(f"the audit log is empty but {where} (entries deleted)", latest.last_id)
        return result(
            f"the chain ends at {ends} but {where} (entries deleted from the end)",
            latest.last_id,
        )
    if cps.problem is not None:
        return result(cps.problem)
    return result(INTACT)


_TAKE_HEAD = update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq)


def seal_legacy(store: OpsStore) -> int:
    """MAC the entries written before the log was keyed (``key_id`` null, always a prefix of
    the chain), once their unkeyed SHA-256 chain is checked; returns how many were sealed.

    Leaves them unsealed, and logs why, when their chain is broken or when the checkpoint
    log already records a keyed chain (unkeyed entries then mean someone rewrote the log).
    """
    with store.engine.connect() as conn:
        first = conn.execute(select(AuditEntry.key_id).order_by(AuditEntry.id).limit(1)).first()
    if first is None or first.key_id is not None:
        return 0
    keys = store.audit.keys
    if read_checkpoints(store.audit.checkpoint_file, keys).checkpoints:
        log.error("audit log: unkeyed entries found but the checkpoint log records a keyed chain")
        return 0
    sealed = 0
    with store.session() as session:
        session.execute(_TAKE_HEAD)  # hold the write lock: no append while sealing
        legacy_prev, new_prev, keyed_after = GENESIS_HASH, GENESIS_HASH, False
        for entry in _iter_entries(session, batch=2000):
            if entry.key_id is not None:
                keyed_after = True
                break
            fields = entry_fields(entry)
            if entry.prev_hash != legacy_prev or legacy_hash(legacy_prev, fields) != (
                entry.entry_hash
            ):
                session.rollback()
                log.error("audit log: unkeyed entry %s is broken; left unsealed", entry.id)
                return 0
            legacy_prev = entry.entry_hash
            mac = entry_mac(keys, keys.current, fields, entry.seq, new_prev)
            session.execute(
                update(AuditEntry)
                .where(AuditEntry.id == entry.id)
                .values(key_id=keys.current, prev_hash=new_prev, entry_hash=mac)
            )
            new_prev, sealed = mac, sealed + 1
        if not keyed_after:
            session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=new_prev))
        session.commit()
    log.info("audit log: sealed %d entries written before it was keyed", sealed)
    return sealed
