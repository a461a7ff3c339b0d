"""The audit checkpoint log: the chain head, MAC'd, appended to a file outside the database.

Each line is the canonical JSON of a checkpoint (sequence number, last entry id, its HMAC,
time, key id) with its own HMAC under the audit key. ``toex audit verify`` checks the chain
against every line, so rows deleted from the end, or the whole log emptied or rewritten, no
longer match the last checkpoint. Lines are appended under an ``flock`` (several workers may
checkpoint) with ``O_APPEND`` and fsynced; the file is 0600.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from toex.ops.db import OpsStore
from toex.ops.keys import AuditConfig, AuditKeys, private_dir
from toex.ops.models import AuditHead


@dataclass(frozen=True)
class Checkpoint:
    """One authentic line of the checkpoint log (``line`` counts from 1)."""

    line: int
    seq: int
    last_id: int
    head: str
    at: str
    key_id: str


@dataclass(frozen=True)
class CheckpointLog:
    """The authentic checkpoints of a log, and what is wrong with the first bad line."""

    path: Path
    checkpoints: list[Checkpoint]
    problem: str | None = None


def _message(body: dict[str, object]) -> bytes:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return b"toex audit checkpoint v1\n" + text.encode("utf-8")


def checkpoint_line(keys: AuditKeys, seq: int, last_id: int, head: str, at: str) -> str:
    """The log line for a checkpoint of the chain at ``seq`` (no newline)."""
    body: dict[str, object] = {
        "seq": seq,
        "last_id": last_id,
        "head": head,
        "at": at,
        "key_id": keys.current,
    }
    return json.dumps({**body, "mac": keys.mac(_message(body))}, sort_keys=True)


def _parse(keys: AuditKeys, number: int, text: str) -> Checkpoint | None:
    """The checkpoint on a line, or None when it is malformed or its MAC is wrong."""
    try:
        data = json.loads(text)
        body = {k: data[k] for k in ("seq", "last_id", "head", "at", "key_id")}
        if (
            data["key_id"] not in keys.keys
            or keys.mac(_message(body), data["key_id"]) != data["mac"]
        ):
            return None
        return Checkpoint(
            number,
            int(data["seq"]),
            int(data["last_id"]),
            str(data["head"]),
            str(data["at"]),
            str(data["key_id"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def read_checkpoints(path: Path, keys: AuditKeys) -> CheckpointLog:
    """Every checkpoint in the log at ``path`` (none if it does not exist), stopping at the
    first line that is not authentic or goes back in sequence."""
    if not path.exists():
        return CheckpointLog(path, [])
    found: list[Checkpoint] = []
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            cp = _parse(keys, number, text)
            if cp is None:
                return CheckpointLog(
                    path,
                    found,
                    f"checkpoint log line {number} is not authentic (altered or forged)",
                )
            if found and cp.seq < found[-1].seq:
                return CheckpointLog(
                    path,
                    found,
                    f"checkpoint log line {number} goes back from seq {found[-1].seq} to "
                    f"{cp.seq} (lines reordered)",
                )
            found.append(cp)
    return CheckpointLog(path, found)


def append_checkpoint(
    config: AuditConfig, seq: int, last_id: int, head: str, *, force: bool = False
) -> Checkpoint | None:
    """Append a checkpoint of the chain at ``seq`` unless the log already reaches it (or
    ``force``); returns the checkpoint written, or None."""
    path = config.checkpoint_file
    keys = config.keys
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        existing = read_checkpoints(path, keys)
        lines = sum(1 for _ in path.open(encoding="utf-8"))
        last = existing.checkpoints[-1].seq if existing.checkpoints else 0
        if not force and last >= seq:
            return None
        at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.write(fd, (checkpoint_line(keys, seq, last_id, head, at) + "\n").encode("utf-8"))
        os.fsync(fd)
        return Checkpoint(lines + 1, seq, last_id, head, at, keys.current)
    finally:
        os.close(fd)


def checkpoint(store: OpsStore, *, force: bool = False) -> Checkpoint | None:
    """Write the store's chain head to its checkpoint log if it moved since the last line
    (always with ``force``, unless the log is empty); returns the checkpoint or None."""
    with store.session() as session:
        head = session.scalar(select(AuditHead).where(AuditHead.id == 1))
    if head is None or head.last_id is None or head.seq == 0:
        return None
    return append_checkpoint(store.audit, head.seq, head.last_id, head.last_hash, force=force)
