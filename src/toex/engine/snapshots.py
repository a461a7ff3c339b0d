"""Warehouse snapshots: one DuckDB file per run and an atomically switched ``CURRENT`` pointer.

Layout under ``<data_dir>/warehouse/``::

    CURRENT                      JSON {"run_id", "file", "created_at"} of the live snapshot
    <run_id>.duckdb              one complete snapshot per successful run
    <run_id>.duckdb.partial      a run in progress (removed if the run fails)
    <run_id>.*, .<run_id>.*      files derived from one snapshot (the web caches), pruned with it

:meth:`SnapshotStore.begin` takes the data-directory lock (:mod:`toex.engine.lock`), copies the
current snapshot (or starts empty) to a partial file and yields a :class:`Snapshot` whose
``con`` the stages write through. On normal exit the file is checkpointed (and, if asked,
compacted: rewritten with only its live rows), closed, renamed to its final name, and
``CURRENT`` is replaced by writing a temporary file and ``os.replace`` (atomic on POSIX). On an
exception, ``SIGINT`` or ``SIGTERM`` the partial file is removed and ``CURRENT`` is left as it
was, so readers never see a partial warehouse. Every file is created owner-only (0600).
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

import duckdb
from ibis.backends.duckdb import Backend as DuckDBBackend

from toex.engine.connection import connect, engine_config
from toex.engine.datadir import PRIVATE_FILE, ensure_private_dir, private_umask
from toex.engine.lock import data_dir_lock
from toex.engine.quoting import path_literal
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
    #: Rewrite the file with only its live rows before the switch (after an erasure: rows
    #: deleted from a DuckDB file leave their bytes in its free blocks until reused).
    compact: bool = False


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
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "warehouse"
        self.pointer = self.root / "CURRENT"

    def current(self) -> SnapshotInfo | None:
        """The live snapshot named by ``CURRENT``, or ``None`` before the first run."""
        if not self.pointer.exists():
            return None
        try:
            data = json.loads(self.pointer.read_text(encoding="utf-8"))
            run_id = str(data["run_id"])
            name = str(data["file"])
            info = SnapshotInfo(
                run_id, self.root / name, datetime.fromisoformat(str(data["created_at"]))
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise SnapshotError(f"{self.pointer}: unreadable pointer file: {exc}") from exc
        if Path(name).name != name or not name.endswith(SUFFIX):
            raise SnapshotError(f"{self.pointer}: names {name!r}, which is not a snapshot file")
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

    def derived(self, info: SnapshotInfo) -> builtins.list[Path]:
        """The files and directories derived from one snapshot: its WAL, its web caches and
        their lock files (``<run_id>.*`` and ``.<run_id>.*`` beside it), and the resolution
        parameters of its run (``<data_dir>/models/<run_id>.json``)."""
        out = [
            p
            for p in self.root.iterdir()
            if p != info.path
            and (p.name.startswith(f"{info.run_id}.") or p.name.startswith(f".{info.run_id}."))
            and not p.name.endswith(".partial")
        ]
        params = self.data_dir / "models" / f"{info.run_id}.json"
        return sorted(out) + ([params] if params.exists() else [])

    def check(self, info: SnapshotInfo) -> str | None:
        """Why the snapshot file cannot be opened (truncated, damaged), or ``None`` if it can."""
        try:
            con = duckdb.connect(str(info.path), read_only=True)
        except duckdb.Error as exc:
            return str(exc).replace(str(info.path), info.path.name)
        con.close()
        return None

    def last_good(self) -> SnapshotInfo | None:
        """The newest snapshot that opens (for a reader whose ``CURRENT`` is damaged)."""
        for info in reversed(self.list()):
            if self.check(info) is None:
                return info
        return None

    def prune(self, keep: int = 3) -> builtins.list[Path]:
        """Delete all but the newest ``keep`` snapshots (never the current one) with the files
        derived from them; return the snapshot files deleted."""
        if keep < 1:
            raise SnapshotError("prune must keep at least one snapshot")
        with data_dir_lock(self.data_dir):
            current = self.current()
            snapshots = self.list()
            removed = []
            for info in snapshots[: max(0, len(snapshots) - keep)]:
                if current is not None and info.path == current.path:
                    continue
                info.path.unlink(missing_ok=True)
                for p in self.derived(info):
                    _delete(p)
                removed.append(info.path)
            return removed

    def use(self, run_id: str) -> SnapshotInfo:
        """Point ``CURRENT`` at the complete snapshot ``run_id`` (a rollback, or a recovery
        from a damaged current snapshot); it must open."""
        with data_dir_lock(self.data_dir):
            info = next((i for i in self.list() if i.run_id == run_id), None)
            if info is None:
                raise SnapshotError(f"no snapshot {run_id} under {self.root}")
            problem = self.check(info)
            if problem is not None:
                raise SnapshotError(f"snapshot {run_id} cannot be opened: {problem}")
            self._point_to(run_id, info.path)
            return info

    @contextlib.contextmanager
    def begin(self) -> Iterator[Snapshot]:
        """Write a new snapshot; switch ``CURRENT`` to it only if the block completes."""
        with data_dir_lock(self.data_dir), private_umask():
            ensure_private_dir(self.root)
            with self._write() as snap:
                yield snap

    @contextlib.contextmanager
    def _write(self) -> Iterator[Snapshot]:
        previous = self.current()
        run_id = new_run_id()
        final = self.root / f"{run_id}{SUFFIX}"
        partial = self.root / f"{run_id}{PARTIAL_SUFFIX}"
        guard = _SignalGuard()
        with guard:
            try:
                if previous is not None:
                    problem = self.check(previous)
                    if problem is not None:
                        raise SnapshotError(
                            f"the current snapshot {previous.run_id} cannot be opened "
                            f"({problem}); point CURRENT at an earlier one with "
                            "`toex snapshots use RUN_ID` or restore a backup"
                        )
                    shutil.copyfile(previous.path, partial)
                    os.chmod(partial, PRIVATE_FILE)
                con = connect(partial, read_only=False)
                os.chmod(partial, PRIVATE_FILE)
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
                if snap.compact:
                    _compact(partial)
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
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
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


def _compact(partial: Path) -> None:
    """Rewrite the checkpointed file ``partial`` with only its live rows (``COPY FROM
    DATABASE`` into a new file that then replaces it)."""
    out = partial.with_name(partial.name + ".compact")
    _remove(out)
    config = engine_config()
    db = duckdb.connect(":memory:", config={"threads": config["threads"]})
    try:
        db.execute("SET enable_progress_bar = false")
        db.execute(f"SET memory_limit = '{config['memory_limit']}'")
        db.execute(f"ATTACH {path_literal(partial)} AS toex_src (READ_ONLY)")
        db.execute(f"ATTACH {path_literal(out)} AS toex_dst")
        db.execute("COPY FROM DATABASE toex_src TO toex_dst")
        db.execute("DETACH toex_dst")
        db.execute("DETACH toex_src")
    except BaseException:
        db.close()
        _remove(out)
        raise
    db.close()
    os.chmod(out, PRIVATE_FILE)
    os.replace(out, partial)


def _delete(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _remove(partial: Path) -> None:
    for p in (partial, partial.with_name(partial.name + ".wal")):
        p.unlink(missing_ok=True)
    spill = partial.with_name(partial.name + ".tmp")  # DuckDB's default temp directory
    if spill.is_dir():
        shutil.rmtree(spill, ignore_errors=True)


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
