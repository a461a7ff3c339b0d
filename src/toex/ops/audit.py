"""The append-only, keyed, hash-chained audit log.

Every login, search (with its stated purpose), view, export, decision, denial and admin
change is appended as an :class:`~toex.ops.models.AuditEntry`. Each entry carries a sequence
number and ``entry_hash``, the HMAC-SHA256 under the audit key ``key_id`` (a key kept out of
the database, :mod:`toex.ops.keys`) of its fields, its sequence number and ``prev_hash``, the
previous entry's HMAC (64 zeros for the first). The one-row ``audit_head`` holds the last
sequence number, id and HMAC; every so many entries the head is also written to the
checkpoint log outside the database (:mod:`toex.ops.audit_checkpoints`). Appends are
serialised by claiming the head row first (see :func:`record`); :mod:`toex.ops.audit_verify`
checks the chain. The design and its threat model are in ``docs/web.md`` ("Audit").
"""

from __future__ import annotations

import contextvars
import datetime as dt
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from toex.errors import ConfigError
from toex.ops.audit_search import AuditQuery, search_entries
from toex.ops.db import OpsStore
from toex.ops.keys import AuditConfig, AuditKeys
from toex.ops.models import AuditEntry, AuditHead, utcnow

if TYPE_CHECKING:
    from toex.ops.audit_verify import VerifyResult

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
    "session",
    "password",
    "suggest",
    "decision_revoke",
    "referral",
    "indicator",
    "denied",
    "audit_search",
    "erase",
    "backup",
    "restore",
    "publish",
    "feedback",
)
#: Details added to every entry appended in the current context: the web app sets the API
#: token making a call here, so every entry the call writes names the token.
CREDENTIAL: contextvars.ContextVar[dict[str, object] | None] = contextvars.ContextVar(
    "toex_audit_credential", default=None
)
_APPEND_LOCK = threading.Lock()
_QUEUE_FILES: dict[str, int] = {}

__all__ = ["ACTIONS", "AuditQuery", "record", "search_entries", "verify_chain"]


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
    """The recorded fields of an entry, as plain JSON values."""
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


def _canonical(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode("utf-8")


def entry_mac(
    keys: AuditKeys, key_id: str, fields: dict[str, object], seq: int, prev_hash: str
) -> str:
    """The HMAC-SHA256 hex, under key ``key_id``, of an entry: a domain label and the
    canonical JSON (sorted keys, compact, UTF-8) of its fields with ``seq``, ``key_id`` and
    ``prev`` (the previous entry's HMAC)."""
    body = {**fields, "seq": seq, "key_id": key_id, "prev": prev_hash}
    return keys.mac(b"toex audit entry v2\n" + _canonical(body), key_id)


def legacy_hash(prev_hash: str, fields: dict[str, object]) -> str:
    """The unkeyed SHA-256 chain hash of entries written before the log was keyed."""
    return hashlib.sha256(prev_hash.encode("utf-8") + _canonical(fields)).hexdigest()


def _json_safe(detail: dict[str, object] | None) -> dict[str, object]:
    # Round-trip through JSON so what is MAC'd is exactly what the database gives back.
    merged = {**(detail or {}), **(CREDENTIAL.get() or {})}
    loaded: dict[str, object] = json.loads(json.dumps(merged, default=str))
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
    """The stored fields of a new entry, cut to their column widths: the one rule both
    append paths use, so their entries verify alike."""
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


def audit_config(session: Session) -> AuditConfig:
    """The audit configuration of the store ``session`` belongs to."""
    config = session.info.get("toex_audit")
    if not isinstance(config, AuditConfig):
        raise ConfigError("this session was not made by an OpsStore: it has no audit key")
    return config


#: Claim the chain head: bump its sequence number, read it and the last HMAC in one statement.
_CLAIM_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(seq=AuditHead.seq + 1)
    .returning(AuditHead.seq, AuditHead.last_hash)
)


def claim_head(session: Session) -> tuple[int, str]:
    """Claim the chain head in ``session``'s transaction; returns the new entry's sequence
    number and the last entry's HMAC.

    The head stays claimed (a row lock on PostgreSQL, the write lock on SQLite) until the
    transaction ends, so no other append can slip in between: claim it after any slow work
    and commit soon after.
    """
    seq, head = session.execute(_CLAIM_HEAD).one()
    return int(seq), str(head)


def write_entry(
    session: Session,
    head: tuple[int, str],
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
    keys = audit_config(session).keys
    seq, prev = head
    values = _entry_values(
        username=username,
        action=action,
        organisation=organisation,
        target=target,
        purpose=purpose,
        detail=detail,
        client=client,
    )
    entry = AuditEntry(**values, seq=seq, key_id=keys.current, prev_hash=prev, entry_hash="")
    session.add(entry)
    session.flush()
    entry.entry_hash = entry_mac(keys, keys.current, entry_fields(entry), seq, prev)
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
    appends must be the transaction's first write on SQLite.
    """
    _ = audit_config(session).keys  # load the key before taking the write lock
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
#: the entry, set its HMAC, move the head.
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
    :func:`append_entry` serialises them, and the entry is MAC'd over the same fields.
    Every ``checkpoint_every`` entries it also writes a checkpoint.
    """
    keys = store.audit.keys
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
        seq, head = conn.execute(_CLAIM_HEAD).one()
        inserted = conn.execute(
            _INSERT_ENTRY,
            {**fields, "seq": seq, "key_id": keys.current, "prev_hash": head, "entry_hash": ""},
        )
        key = inserted.inserted_primary_key
        assert key is not None, "the audit entry got no id"
        new_id = int(key[0])
        mac_fields = {**fields, "id": new_id, "at": canonical_time(fields["at"])}  # type: ignore[arg-type]
        digest = entry_mac(keys, keys.current, mac_fields, seq, head)
        conn.execute(_SET_HASH, {"entry_id": new_id, "h": digest})
        conn.execute(_MOVE_HEAD, {"entry_id": new_id, "h": digest})
    every = store.audit.checkpoint_every
    if every > 0 and seq % every == 0:
        from toex.ops.audit_checkpoints import checkpoint

        checkpoint(store)
    return new_id


def verify_chain(store: OpsStore) -> VerifyResult:
    """Check the whole chain: :func:`toex.ops.audit_verify.verify_chain`."""
    from toex.ops.audit_verify import verify_chain as verify

    return verify(store)
