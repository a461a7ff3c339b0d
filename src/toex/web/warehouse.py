"""The warehouse snapshot the app reads: opened read-only, switched when ``CURRENT`` moves.

The app never writes the warehouse. :class:`Warehouse` asks its :class:`SnapshotSource`
(``toex.engine.SnapshotStore`` in production, a fixed file in tests) for the current snapshot
at most every ``check_interval`` seconds and opens the new one when the run id changes:
the file is attached read-only to an in-memory DuckDB database that also holds a small read
model (the staged rows pages read, sorted and indexed). Requests already running keep the
snapshot they started with. Each request takes its own cursor (:meth:`OpenSnapshot.cursor`),
which DuckDB allows across threads.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from toex.errors import SnapshotError
from toex.web.names import NameIndex


@dataclass(frozen=True)
class SnapshotRef:
    """Which snapshot: the run id, the DuckDB file and when it was built."""

    run_id: str
    path: Path
    created_at: dt.datetime


class SnapshotSource(Protocol):
    """Anything that can name the current snapshot (``toex.engine.SnapshotStore`` can)."""

    def current(self) -> Any:
        """The current snapshot's info (``run_id``, ``path``, ``created_at``) or None."""


@dataclass
class FixedSnapshot:
    """A source that always names one DuckDB file (tests, ``toex serve --snapshot``)."""

    path: Path
    run_id: str = "fixed"
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def current(self) -> SnapshotRef:
        """The one snapshot."""
        return SnapshotRef(self.run_id, self.path, self.created_at)


def engine_source(data_dir: Path) -> SnapshotSource:
    """The engine's snapshot store under ``data_dir`` (the production source)."""
    from toex.engine import SnapshotStore

    store: SnapshotSource = SnapshotStore(data_dir)
    return store


def _ref(info: Any) -> SnapshotRef:
    created = getattr(info, "created_at", None)
    if isinstance(created, str):
        created = dt.datetime.fromisoformat(created)
    if not isinstance(created, dt.datetime):
        created = dt.datetime.fromtimestamp(Path(info.path).stat().st_mtime, dt.UTC)
    return SnapshotRef(str(info.run_id), Path(info.path), created)


#: The read model built in memory for each snapshot: table -> (source tables, SELECT, index
#: columns). Copying the rows the pages read into memory, sorted and indexed, turns the
#: per-request lookups (a person's mentions, an event's persons) into index scans.
READ_MODEL: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "web_mention": (
        ("staged_person_mention", "resolved_mention_person"),
        "SELECT t.*, r.person_id FROM snap.main.staged_person_mention t "
        "JOIN snap.main.resolved_mention_person r ON r.mention_id = t.mention_id "
        "ORDER BY r.person_id, t.mention_id",
        ("person_id", "mention_id", "event_id", "surname", "forename", "phone", "email", "pnc_id"),
    ),
    "web_event": (
        ("staged_event",),
        "SELECT * FROM snap.main.staged_event ORDER BY event_id",
        ("event_id",),
    ),
    "web_object": (
        ("staged_object",),
        "SELECT * FROM snap.main.staged_object ORDER BY mention_id",
        ("mention_id", "value"),
    ),
    "web_location": (
        ("staged_location",),
        "SELECT * FROM snap.main.staged_location ORDER BY mention_id",
        ("mention_id",),
    ),
}


class OpenSnapshot:
    """One open snapshot: an in-memory DuckDB database with the snapshot file attached
    read-only (every table visible under its own name through a view), the in-memory read
    model (:data:`READ_MODEL`), and a lazily built name index."""

    def __init__(self, ref: SnapshotRef, threads: int = 2) -> None:
        self.ref = ref
        try:
            self._con = duckdb.connect(":memory:", config={"threads": max(1, threads)})
            path = str(ref.path).replace("'", "''")
            self._con.execute(f"ATTACH '{path}' AS snap (READ_ONLY)")
            tables = [
                r[0]
                for r in self._con.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_catalog = 'snap' AND table_schema = 'main'"
                ).fetchall()
            ]
            for table in tables:
                self._con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM snap.main."{table}"')
            for name, (sources, select, indexed) in READ_MODEL.items():
                if all(t in tables for t in sources):
                    self._con.execute(f"CREATE TABLE {name} AS {select}")
                    for col in indexed:
                        self._con.execute(f"CREATE INDEX ix_{name}_{col} ON {name} ({col})")
        except duckdb.Error as exc:
            raise SnapshotError(f"cannot open snapshot {ref.run_id}: {exc}") from exc
        rows = self._con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = 'memory'"
        ).fetchall()
        columns: dict[str, set[str]] = {}
        for table, column in rows:
            columns.setdefault(table, set()).add(column)
        self.columns: dict[str, frozenset[str]] = {t: frozenset(c) for t, c in columns.items()}
        self._names: NameIndex | None = None
        self._lock = threading.Lock()

    @property
    def date(self) -> str:
        """The snapshot's build date as shown on every page (UTC, to the minute)."""
        return self.ref.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    def has(self, *tables: str) -> bool:
        """Whether every named table exists in this snapshot."""
        return all(t in self.columns for t in tables)

    def has_columns(self, table: str, *columns: str) -> bool:
        """Whether ``table`` exists and has every named column."""
        return table in self.columns and all(c in self.columns[table] for c in columns)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor for one request (close it when done)."""
        return self._con.cursor()

    def names(self) -> NameIndex:
        """The name index of this snapshot (built on first use, then shared)."""
        if self._names is None:
            with self._lock:
                if self._names is None:
                    cur = self.cursor()
                    try:
                        self._names = NameIndex.build(cur, self)
                    finally:
                        cur.close()
        return self._names

    def close(self) -> None:
        """Close the connection (cursors still open keep the database alive)."""
        self._con.close()


class Warehouse:
    """The snapshot in use, re-checked against its source every ``check_interval`` seconds.

    The first snapshot is opened by the request that needs it. A later one is opened in a
    background thread while requests go on being answered from the previous snapshot, and
    replaces it once its read model is built.
    """

    def __init__(
        self, source: SnapshotSource, check_interval: float = 2.0, threads: int = 1
    ) -> None:
        self.source = source
        self.check_interval = check_interval
        self.threads = threads
        self._open: OpenSnapshot | None = None
        self._building: str | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def _build(self, ref: SnapshotRef) -> None:
        try:
            opened = OpenSnapshot(ref, self.threads)
        except SnapshotError:
            opened = None  # keep serving the previous snapshot; retried on the next check
        with self._lock:
            if opened is not None:
                # The old connection is dropped, not closed: requests using it finish first.
                self._open = opened
            self._building = None

    def snapshot(self) -> OpenSnapshot:
        """The current open snapshot; :class:`SnapshotError` (503) when there is none."""
        now = time.monotonic()
        current = self._open
        if current is not None and now - self._checked < self.check_interval:
            return current
        with self._lock:
            if self._open is not None and now - self._checked < self.check_interval:
                return self._open
            info = self.source.current()
            self._checked = time.monotonic()
            if info is None:
                if self._open is not None:
                    return self._open
                raise SnapshotError("no warehouse snapshot yet: run `toex run` first")
            ref = _ref(info)
            if self._open is None:
                self._open = OpenSnapshot(ref, self.threads)
            elif self._open.ref.run_id != ref.run_id and self._building != ref.run_id:
                self._building = ref.run_id
                threading.Thread(
                    target=self._build, args=(ref,), daemon=True, name=f"toex-snapshot-{ref.run_id}"
                ).start()
            return self._open

    def wait_for_build(self, timeout: float = 60.0) -> None:
        """Block until a background build in progress has finished (for tests and tools)."""
        deadline = time.monotonic() + timeout
        while self._building is not None and time.monotonic() < deadline:
            time.sleep(0.01)
