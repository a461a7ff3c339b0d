"""The data-directory lock: one writer at a time on ``<data_dir>/run.lock``.

Everything that writes the warehouse or rewrites the data directory (``toex run``, ``toex
ingest``, ``toex erase``, ``toex restore``, ``toex snapshots prune``) holds an exclusive
``flock`` on the lock file while it works; the file holds the holder's pid, host, start time
and command so a refused second writer can name it. The kernel releases the lock when the
holder's process ends however it ends, so a killed run never leaves a stale lock. The lock is
re-entrant within a process (a command that runs the pipeline holds it once).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from toex.errors import DataDirBusyError

LOCK_FILE = "run.lock"
POLL_SECONDS = 0.2

_HELD: dict[str, tuple[int, int]] = {}  # resolved data dir -> (fd, depth)
_GUARD = threading.Lock()


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) a data directory's lock, as its lock file says."""

    pid: int | None
    host: str
    started_at: str
    command: str

    def describe(self) -> str:
        """``'toex run' (pid 123 on host h, since 2026-01-01T10:00:00+00:00)``."""
        return (
            f"{self.command or 'another toex command'!r} (pid {self.pid} on host "
            f"{self.host or '?'}, since {self.started_at or '?'})"
        )


def default_command() -> str:
    """The running command as typed: ``toex run var/synth`` (program name without its path)."""
    argv = sys.argv or ["toex"]
    return " ".join([Path(argv[0]).name, *argv[1:]])[:300]


def read_holder(data_dir: str | Path) -> LockHolder | None:
    """What the lock file of ``data_dir`` says about its holder (``None`` if unreadable)."""
    try:
        data = json.loads((Path(data_dir) / LOCK_FILE).read_text(encoding="utf-8"))
        return LockHolder(
            int(data["pid"]) if data.get("pid") is not None else None,
            str(data.get("host", "")),
            str(data.get("started_at", "")),
            str(data.get("command", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _key(data_dir: Path) -> str:
    return str(data_dir.resolve())


def held(data_dir: str | Path) -> bool:
    """Whether this process holds the lock of ``data_dir``."""
    return _key(Path(data_dir)) in _HELD


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise


def _write_holder(fd: int, command: str) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
    }
    data = json.dumps(info).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)


def _busy(data_dir: Path, wait: float) -> DataDirBusyError:
    holder = read_holder(data_dir)
    who = holder.describe() if holder is not None else "another toex command"
    waited = f" after waiting {wait:g} s" if wait > 0 else ""
    return DataDirBusyError(
        f"data directory {data_dir} is in use by {who}{waited}; wait for it to finish, "
        "or pass --wait SECONDS to queue behind it"
    )


@contextlib.contextmanager
def data_dir_lock(
    data_dir: str | Path, *, wait: float = 0.0, command: str | None = None
) -> Iterator[None]:
    """Hold the exclusive lock of ``data_dir`` while the block runs.

    Waits up to ``wait`` seconds for another holder (0: fail at once) and then raises
    :class:`DataDirBusyError` naming it. Creates the data directory (0700) if needed.
    Re-entrant: a nested call in the process that holds the lock returns at once.
    """
    from toex.engine.datadir import ensure_private_dir

    root = Path(data_dir)
    ensure_private_dir(root, owned=False)
    key = _key(root)
    with _GUARD:
        if key in _HELD:
            fd, depth = _HELD[key]
            _HELD[key] = (fd, depth + 1)
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _GUARD:
                fd, depth = _HELD[key]
                _HELD[key] = (fd, depth - 1)
        return
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise _busy(root, wait)
            time.sleep(POLL_SECONDS)
        _write_holder(fd, command or default_command())
        with _GUARD:
            _HELD[key] = (fd, 1)
        try:
            yield
        finally:
            with _GUARD:
                del _HELD[key]
            os.ftruncate(fd, 0)  # nobody holds it now; the next holder writes itself in
    finally:
        os.close(fd)  # releases the flock
