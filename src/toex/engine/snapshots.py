"""Warehouse snapshots: one DuckDB file per run and an atomically switched ``CURRENT`` pointer.

Layout under ``<data_dir>/warehouse/``::

    CURRENT                      JSON {"run_id", "file", "created_at"} of the live snapshot
    <run_id>.duckdb              one complete snapshot per successful run
    <run_id>.duckdb.partial      a run in progress (removed if the run fails)

:meth:`SnapshotStore.begin` copies the current snapshot (or starts empty) to a partial file and
yields a :class:`Snapshot` whose ``con`` the stages write through. On normal exit the file is
checkpointed, closed, renamed to its final name, and ``CURRENT`` is replaced by writing a
temporary file and ``os.replace`` (atomic on POSIX). On an exception, ``SIGINT`` or ``SIGTERM``
the partial file is removed and ``CURRENT`` is left as it was, so readers never see a partial
warehouse.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from ibis.backends.duckdb import Backend as DuckDBBackend

from toex.engine.connection import connect
from toex.errors import SnapshotError

SUFFIX = ".duckdb"
PARTIAL_SUFFIX = ".duckdb.partial"
_RUN_ID_TIME = "%Y%m%dT%H%M%S%fZ"
CHECKPOINT_THRESHOLD = "64GB"


@dataclass(frozen=True)
class SnapshotInfo:
    """A complete snapshot: its run id, file and creation time (UTC)."""

    run_id: str
    path: Path
    created_at: datetime


class SnapshotInterrupted(SnapshotError):
    """A signal (SIGINT/SIGTERM) stopped a run; the partial snapshot was discarded."""


@dataclass
class Snapshot:
    """A snapshot being written: the backend to write through and where it will land."""

    run_id: str
    path: Path
    partial_path: Path
    con: DuckDBBackend
    previous: SnapshotInfo | None


def new_run_id(now: datetime | None = None) -> str:
    """A run id that sorts by creation time: ``20240105T093000123456Z-1a2b``."""
    now = now or datetime.now(UTC)
    return f"{now.strftime(_RUN_ID_TIME)}-{secrets.token_hex(2)}"


def run_id_time(run_id: str) -> datetime:
    """The creation time encoded in ``run_id``."""
    return datetime.strptime(run_id.split("-")[0], _RUN_ID_TIME).replace(tzinfo=UTC)


class SnapshotStore:
    """The warehouse snapshots under ``<data_dir>/warehouse/``."""

    def __init__(self, data_dir: str | Path) -> None:
        self.root = Path(data_dir) / "warehouse"
        self.pointer = self.root / "CURRENT"

    def current(self) -> SnapshotInfo | None:
        """The live snapshot named by ``CURRENT``, or ``None`` before the first run."""
        if not self.pointer.exists():
            return None
        try:
            data = json.loads(self.pointer.read_text(encoding="utf-8"))
            run_id = str(data["run_id"])
            info = SnapshotInfo(
                run_id,
                self.root / str(data["file"]),
                datetime.fromisoformat(str(data["created_at"])),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise SnapshotError(f"{self.pointer}: unreadable pointer file: {exc}") from exc
        if not info.path.exists():
            raise SnapshotError(f"{self.pointer}: names {info.path.name}, which does not exist")
        return info

    def open_current(self) -> DuckDBBackend:
        """A read-only backend on the live snapshot; :class:`SnapshotError` if there is none."""
        info = self.current()
        if info is None:
            raise SnapshotError(f"no warehouse snapshot under {self.root}: run `toex run` first")
        return connect(info.path, read_only=True)

    def list(self) -> list[SnapshotInfo]:
        """Every complete snapshot file, oldest first."""
        if not self.root.exists():
            return []
        out = []
        for p in sorted(self.root.glob(f"*{SUFFIX}")):
            run_id = p.name[: -len(SUFFIX)]
            with contextlib.suppress(ValueError):
                out.append(SnapshotInfo(run_id, p, run_id_time(run_id)))
        return out

    def prune(self, keep: int = 3) -> builtins.list[Path]:
        """Delete all but the newest ``keep`` snapshots (never the current one); return them."""
        if keep < 1:
            raise SnapshotError("prune must keep at least one snapshot")
        current = self.current()
        snapshots = self.list()
        removed = []
        for info in snapshots[: max(0, len(snapshots) - keep)]:
            if current is not None and info.path == current.path:
                continue
            info.path.unlink(missing_ok=True)
            removed.append(info.path)
        return removed

    @contextlib.contextmanager
    def begin(self) -> Iterator[Snapshot]:
        """Write a new snapshot; switch ``CURRENT`` to it only if the block completes."""
        self.root.mkdir(parents=True, exist_ok=True)
        previous = self.current()
        run_id = new_run_id()
        final = self.root / f"{run_id}{SUFFIX}"
        partial = self.root / f"{run_id}{PARTIAL_SUFFIX}"
        guard = _SignalGuard()
        with guard:
            try:
                if previous is not None:
                    shutil.copyfile(previous.path, partial)
                con = connect(partial, read_only=False)
                # one checkpoint at the end instead of one per 16 MB of WAL: bulk loads
                # otherwise recompress the growing tables again and again
                con.con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
            except BaseException:
                _remove(partial)
                raise
            snap = Snapshot(run_id, final, partial, con, previous)
            try:
                yield snap
                guard.check()  # a signal whose exception some library swallowed
                guard.defer = True  # from here on a signal waits until CURRENT is switched
                con.con.execute("CHECKPOINT")
                con.disconnect()
                os.replace(partial, final)
                self._point_to(run_id, final)
            except BaseException as exc:
                with contextlib.suppress(Exception):
                    con.disconnect()
                _remove(partial)
                if final.exists() and not self._points_to(final):
                    final.unlink(missing_ok=True)
                if guard.received is not None and not isinstance(exc, SnapshotInterrupted):
                    raise guard.interrupted() from exc
                raise

    def _point_to(self, run_id: str, path: Path) -> None:
        tmp = self.pointer.with_name(f"CURRENT.{os.getpid()}.tmp")
        data = {"run_id": run_id, "file": path.name, "created_at": run_id_time(run_id).isoformat()}
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)

    def _points_to(self, path: Path) -> bool:
        try:
            info = self.current()
        except SnapshotError:
            return False
        return info is not None and info.path == path


def _remove(partial: Path) -> None:
    for p in (partial, partial.with_name(partial.name + ".wal")):
        p.unlink(missing_ok=True)


class _SignalGuard:
    """Turn SIGINT/SIGTERM into :class:`SnapshotInterrupted` while a snapshot is written.

    Only the main thread can install handlers; elsewhere the guard does nothing. With
    ``defer`` set (while switching ``CURRENT``) a signal is remembered and re-sent after the
    old handlers are restored.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.defer = False
        self.received: int | None = None
        self.pending: int | None = None
        self.old: dict[int, object] = {}

    def interrupted(self) -> SnapshotInterrupted:
        """The error for the signal received."""
        name = signal.Signals(self.received or signal.SIGTERM).name
        return SnapshotInterrupted(f"interrupted by {name}; the current snapshot is unchanged")

    def check(self) -> None:
        """Raise if a signal arrived (even if its exception was caught on the way)."""
        if self.received is not None:
            raise self.interrupted()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum
        if self.defer:
            self.pending = signum
            return
        raise self.interrupted()

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self.old[sig] = signal.getsignal(sig)
                signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.old.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)  # type: ignore[arg-type]
        if self.pending is not None:
            os.kill(os.getpid(), self.pending)
