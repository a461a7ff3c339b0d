"""The append-only, hash-chained audit log.

Every login, search (with its stated purpose), view, export and decision is appended as an
:class:`~toex.ops.models.AuditEntry`. Each entry's ``entry_hash`` is the SHA-256 of its
``prev_hash`` followed by the canonical JSON of its fields (id, time, user, organisation,
action, target, purpose, detail, client); ``prev_hash`` is the previous entry's hash (64
zeros for the first). The one-row ``audit_head`` table holds the last id and hash.

Appends are serialised by updating the head row first: PostgreSQL row-locks it until commit,
SQLite takes its database write lock. :func:`record` also queues its appends on a
process-wide lock and, for a SQLite file, on an ``flock`` shared by every process (see
:func:`_append_queue`). :func:`verify_chain` walks the chain and names the first broken row:
an edited row no longer matches its hash, a deleted row breaks the next row's link, and rows
cut from the end no longer match the head.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from toex.ops.db import OpsStore
from toex.ops.models import AuditEntry, AuditHead, utcnow

GENESIS_HASH = "0" * 64
ACTIONS: tuple[str, ...] = (
    "login",
    "login_failed",
    "logout",
    "search",
    "view",
    "export",
    "decision",
    "network",
    "admin",
    "token",
    "suggest",
    "decision_revoke",
    "referral",
    "indicator",
    "publish",
    "feedback",
)
_APPEND_LOCK = threading.Lock()
_QUEUE_FILES: dict[str, int] = {}


@contextmanager
def _append_queue(store: OpsStore) -> Iterator[None]:
    """Hold the right to append to ``store``'s chain: a lock across this process's threads
    and, for a SQLite file, an ``flock`` on ``<database>.audit-lock`` across processes.

    The chain needs no more than the head-row claim; but a SQLite writer that finds the
    database locked polls for it in sleeps of up to 100 ms (its busy handler), which with
    several web workers appending hundreds of times a second makes the slowest requests
    wait for nothing. Queued on ``flock``, the next appender starts as soon as the previous
    one commits. PostgreSQL's row lock already queues waiters, so other databases take the
    thread lock only."""
    url = store.engine.url
    database = url.database or ""
    with _APPEND_LOCK:
        if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
            yield
            return
        fd = _QUEUE_FILES.get(database)
        if fd is None:
            try:
                fd = os.open(f"{database}.audit-lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only directory: SQLite's own lock still serialises
                fd = -1
            _QUEUE_FILES[database] = fd
        if fd < 0:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


def canonical_time(at: dt.datetime) -> str:
    """An instant as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (naive values are taken as UTC)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_fields(entry: AuditEntry) -> dict[str, object]:
    """The hashed fields of an entry, as plain JSON values."""
    return {
        "id": entry.id,
        "at": canonical_time(entry.at),
        "username": entry.username,
        "organisation": entry.organisation,
        "action": entry.action,
        "target": entry.target,
        "purpose": entry.purpose,
        "detail": entry.detail or {},
        "client": entry.client,
    }


def compute_hash(prev_hash: str, fields: dict[str, object]) -> str:
    """SHA-256 hex of ``prev_hash`` + the canonical JSON of ``fields`` (sorted keys, compact)."""
    body = json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _json_safe(detail: dict[str, object] | None) -> dict[str, object]:
    # Round-trip through JSON so what is hashed is exactly what the database gives back.
    loaded: dict[str, object] = json.loads(json.dumps(detail or {}, default=str))
    return loaded


def _entry_values(
    *,
    username: str,
    action: str,
    organisation: str,
    target: str,
    purpose: str,
    detail: dict[str, object] | None,
    client: str,
) -> dict[str, object]:
    """The stored (hashed) fields of a new entry, cut to their column widths: the one rule
    both append paths use, so their entries verify alike."""
    return {
        "at": utcnow(),
        "username": username[:100],
        "organisation": organisation[:64],
        "action": action[:40],
        "target": target[:300],
        "purpose": purpose,
        "detail": _json_safe(detail),
        "client": client[:100],
    }


#: Claim the chain head: bump its sequence and read the last hash in one statement.
_CLAIM_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(seq=AuditHead.seq + 1)
    .returning(AuditHead.last_hash)
)


def claim_head(session: Session) -> str:
    """Claim the chain head in ``session``'s transaction; returns the last entry's hash.

    Must be the transaction's first statement on SQLite (it takes the write lock); the head
    stays claimed until the transaction ends, so no other append can slip in between.
    """
    head: str = session.execute(_CLAIM_HEAD).scalar_one()
    return head


def write_entry(
    session: Session,
    head: str,
    *,
    username: str,
    action: str,
    organisation: str = "",
    target: str = "",
    purpose: str = "",
    detail: dict[str, object] | None = None,
    client: str = "",
) -> AuditEntry:
    """Write one entry after ``head`` (from :func:`claim_head` in the same transaction) and
    move the head to it; the caller commits."""
    values = _entry_values(
        username=username,
        action=action,
        organisation=organisation,
        target=target,
        purpose=purpose,
        detail=detail,
        client=client,
    )
    entry = AuditEntry(**values, prev_hash=head, entry_hash="")
    session.add(entry)
    session.flush()
    entry.entry_hash = compute_hash(head, entry_fields(entry))
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(last_id=entry.id, last_hash=entry.entry_hash)
    )
    session.flush()
    return entry


def append_entry(
    session: Session,
    *,
    username: str,
    action: str,
    organisation: str = "",
    target: str = "",
    purpose: str = "",
    detail: dict[str, object] | None = None,
    client: str = "",
) -> AuditEntry:
    """Append one entry in ``session``'s transaction (the caller commits).

    Call it at the start of a fresh transaction: the head-row update that serialises
    appends must be the transaction's first statement on SQLite.
    """
    return write_entry(
        session,
        claim_head(session),
        username=username,
        action=action,
        organisation=organisation,
        target=target,
        purpose=purpose,
        detail=detail,
        client=client,
    )


#: The other statements of one append, built once (SQLAlchemy caches their compiled form and
#: the driver its prepared statements): after claiming the head (``_CLAIM_HEAD``), insert
#: the entry, set its hash, move the head.
_INSERT_ENTRY = insert(AuditEntry)
_SET_HASH = (
    update(AuditEntry)
    .where(AuditEntry.id == bindparam("entry_id"))
    .values(entry_hash=bindparam("h"))
)
_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(last_id=bindparam("entry_id"), last_hash=bindparam("h"))
)


def record(
    store: OpsStore,
    *,
    username: str,
    action: str,
    organisation: str = "",
    target: str = "",
    purpose: str = "",
    detail: dict[str, object] | None = None,
    client: str = "",
) -> int:
    """Append one entry in its own transaction and commit it; returns the entry id.

    The fast path for the web app (every search and view): four Core statements on one
    pooled connection, no ORM unit of work. The head row is claimed first (``UPDATE ...
    RETURNING``), so appends from threads and processes are serialised exactly as
    :func:`append_entry` serialises them, and the entry hashes the same fields.
    """
    fields = _entry_values(
        username=username,
        action=action,
        organisation=organisation,
        target=target,
        purpose=purpose,
        detail=detail,
        client=client,
    )
    with _append_queue(store), store.engine.begin() as conn:
        head = conn.execute(_CLAIM_HEAD).scalar_one()
        inserted = conn.execute(_INSERT_ENTRY, {**fields, "prev_hash": head, "entry_hash": ""})
        key = inserted.inserted_primary_key
        assert key is not None, "the audit entry got no id"
        new_id = int(key[0])
        hashed = {
            **fields,
            "id": new_id,
            "at": canonical_time(fields["at"]),  # type: ignore[arg-type]
        }
        digest = compute_hash(head, hashed)
        conn.execute(_SET_HASH, {"entry_id": new_id, "h": digest})
        conn.execute(_MOVE_HEAD, {"entry_id": new_id, "h": digest})
        return new_id


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_chain`: entries checked, and the first break if any."""

    checked: int
    broken_id: int | None = None
    message: str = "audit chain intact"

    @property
    def ok(self) -> bool:
        """True when no link is broken."""
        return self.broken_id is None


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


def _broken_link(checked: int, entry_id: int, prev_id: int | None) -> VerifyResult:
    """The result for a row whose ``prev_hash`` does not match; names a deleted row if any."""
    first_expected = 1 if prev_id is None else prev_id + 1
    after = f"row {prev_id}" if prev_id is not None else "the genesis hash"
    message = (
        f"row {entry_id}: prev_hash does not match the hash of {after} "
        "(an entry was deleted or altered)"
    )
    if entry_id > first_expected:
        missing = (
            f"row {first_expected} is missing"
            if entry_id == first_expected + 1
            else f"rows {first_expected}..{entry_id - 1} are missing"
        )
        return VerifyResult(
            checked,
            first_expected,
            (f"{missing} (deleted): row {entry_id}'s prev_hash does not match the hash of {after}"),
        )
    return VerifyResult(checked, entry_id, message)


def verify_chain(store: OpsStore) -> VerifyResult:
    """Walk the chain from the first entry; report the first row whose link is broken."""
    with store.session() as session:
        prev_hash, prev_id, checked = GENESIS_HASH, None, 0
        for entry in _iter_entries(session):
            checked += 1
            if entry.prev_hash != prev_hash:
                return _broken_link(checked, entry.id, prev_id)
            if compute_hash(entry.prev_hash, entry_fields(entry)) != entry.entry_hash:
                return VerifyResult(
                    checked, entry.id, f"row {entry.id}: contents do not match its hash (altered)"
                )
            prev_hash, prev_id = entry.entry_hash, entry.id
        head = session.get(AuditHead, 1)
        if head is not None and (head.last_id != prev_id or head.last_hash != prev_hash):
            missing = head.last_id if head.last_id is not None else 0
            ends = f"row {prev_id}" if prev_id else "no row"
            message = (
                f"row {missing}: the chain head records row {head.last_id} but the chain "
                f"ends at {ends} (rows deleted from the end)"
            )
            return VerifyResult(checked, missing, message)
        return VerifyResult(checked)


@dataclass(frozen=True)
class AuditQuery:
    """Filters for the audit search page (all optional; organisation limits supervisors)."""

    username: str = ""
    action: str = ""
    text: str = ""
    organisation: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 200


def _query_sql(q: AuditQuery) -> Select[Any]:
    stmt = select(AuditEntry)
    if q.username:
        stmt = stmt.where(AuditEntry.username == q.username)
    if q.action:
        stmt = stmt.where(AuditEntry.action == q.action)
    if q.organisation:
        stmt = stmt.where(AuditEntry.organisation == q.organisation)
    if q.text:
        like = f"%{q.text.lower()}%"
        stmt = stmt.where(
            func.lower(AuditEntry.target).like(like) | func.lower(AuditEntry.purpose).like(like)
        )
    if q.since:
        stmt = stmt.where(AuditEntry.at >= dt.datetime.combine(q.since, dt.time(), dt.UTC))
    if q.until:
        stmt = stmt.where(
            AuditEntry.at < dt.datetime.combine(q.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    return stmt.order_by(AuditEntry.id.desc()).limit(max(1, min(q.limit, 1000)))


def search_entries(store: OpsStore, q: AuditQuery) -> Sequence[AuditEntry]:
    """Entries matching ``q``, newest first."""
    with store.session() as session:
        entries: Sequence[AuditEntry] = session.scalars(_query_sql(q)).all()
        return entries
