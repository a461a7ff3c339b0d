"""The warehouse snapshot the app reads: opened read-only, switched when ``CURRENT`` moves.

The app never writes the warehouse. :class:`Warehouse` asks its :class:`SnapshotSource`
(``toex.engine.SnapshotStore`` in production, a fixed file in tests) for the current snapshot
at most every ``check_interval`` seconds and opens the new one when the run id changes:
the file is attached read-only to an in-memory DuckDB database, together with the read model
(the staged rows pages read, sorted and indexed), which is built once per snapshot and shared
by every worker through files beside the snapshot (:mod:`toex.web.webindex`). Requests
already running keep the snapshot they started with. Each request takes its own cursor
(:meth:`OpenSnapshot.cursor`), which DuckDB allows across threads. A damaged ``CURRENT``
pointer or an unreadable (truncated) snapshot is logged once and the last good snapshot is
served; no error a page or the API shows carries a file path.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from toex.engine.quoting import path_literal
from toex.errors import SnapshotError
from toex.web import webindex
from toex.web.names import NameIndex
from toex.web.rowstore import RowStore
from toex.web.searchindex import SearchIndex
from toex.web.snapshot_problems import SnapshotProblems

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SnapshotRef:
    """Which snapshot: the run id, the DuckDB file and when it was built."""

    run_id: str
    path: Path
    created_at: dt.datetime


class SnapshotSource(Protocol):
    """Anything that can name the current snapshot (``toex.engine.SnapshotStore`` can; it
    can also name the newest snapshot that opens, ``last_good()``, used when ``CURRENT`` is
    damaged)."""

    def current(self) -> Any:
        """The current snapshot's info (``run_id``, ``path``, ``created_at``) or None."""


UNAVAILABLE = "the warehouse is unavailable; the server log says why"  # details: log only
NO_SNAPSHOT = "no warehouse snapshot yet: run `toex run` first"


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
    """The engine's snapshot store under ``data_dir`` (the production source). The caches
    the server writes beside the snapshots are owner-only like them (umask ``077``)."""
    from toex.engine import SnapshotStore
    from toex.engine.datadir import set_private_umask

    set_private_umask()
    store: SnapshotSource = SnapshotStore(data_dir)
    return store


def _ref(info: Any) -> SnapshotRef:
    created = getattr(info, "created_at", None)
    if isinstance(created, str):
        created = dt.datetime.fromisoformat(created)
    if not isinstance(created, dt.datetime):
        created = dt.datetime.fromtimestamp(Path(info.path).stat().st_mtime, dt.UTC)
    return SnapshotRef(str(info.run_id), Path(info.path), created)


#: The read model built once for each snapshot (:mod:`toex.web.webindex`): table -> (source
#: tables, SELECT, index columns). Copying the rows the pages read, sorted and indexed, turns the
#: per-request lookups (a person's mentions, an event's persons) into index scans. Names are
#: not indexed here: name search reads the coded arrays of :mod:`toex.web.searchindex`.
READ_MODEL: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "web_mention": (
        ("staged_person_mention", "resolved_mention_person"),
        "SELECT t.*, r.person_id FROM snap.main.staged_person_mention t "
        "JOIN snap.main.resolved_mention_person r ON r.mention_id = t.mention_id "
        "ORDER BY r.person_id, t.mention_id",
        ("person_id", "mention_id", "event_id", "phone", "email", "pnc_id"),
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
    # The link stage's edges (hub-only ones left out, as networks leave them out), once per
    # direction so one index finds a person's links. ``uniform``: every record behind the
    # edge carries the same markings, so a user sees all of it or none of it.
    "web_link": (
        ("link_edge", "link_edge_evidence"),
        "WITH u AS (SELECT person_a, person_b, edge_type, count(DISTINCT concat_ws('|', "
        "force, handling_code, classification)) = 1 AS uniform "
        "FROM snap.main.link_edge_evidence GROUP BY ALL), "
        "e AS (SELECT e.person_a, e.person_b, e.edge_type, e.weight, e.n_units, e.forces, "
        "e.handling_codes, e.classification, coalesce(u.uniform, TRUE) AS uniform "
        "FROM snap.main.link_edge e LEFT JOIN u USING (person_a, person_b, edge_type) "
        "WHERE NOT e.hub_only) "
        "SELECT person_a AS person_id, person_b AS neighbour, * EXCLUDE (person_a, person_b) "
        "FROM e UNION ALL "
        "SELECT person_b AS person_id, person_a AS neighbour, * EXCLUDE (person_a, person_b) "
        "FROM e ORDER BY person_id, neighbour, edge_type",
        ("person_id",),
    ),
    # The evidence records of the edges whose records carry different markings (the only
    # edges a user may see in part), once per end of the edge.
    "web_link_evidence": (
        ("link_edge", "link_edge_evidence"),
        "WITH x AS (SELECT v.person_a, v.person_b, v.edge_type, v.unit_key, v.person_id, "
        "v.force, v.handling_code, v.classification FROM snap.main.link_edge_evidence v "
        "JOIN web_link w ON w.person_id = v.person_a AND w.neighbour = v.person_b "
        "AND w.edge_type = v.edge_type AND NOT w.uniform) "
        "SELECT person_a AS centre, * FROM x UNION ALL SELECT person_b AS centre, * FROM x "
        "ORDER BY centre",
        ("centre",),
    ),
}


def _match_pair_sql(columns: dict[str, frozenset[str]]) -> str | None:
    """The read model's ``web_match_pair`` (the model's scored pairs, indexed by their first
    mention), from whichever column names this snapshot's ``resolved_match_pair`` uses."""
    have = columns.get("resolved_match_pair", frozenset())
    for a, b in PAIR_COLUMNS:
        if a in have and b in have:
            prob = "match_probability" if "match_probability" in have else "NULL::DOUBLE"
            return (
                f"SELECT {a} AS mention_a, {b} AS mention_b, {prob} AS match_probability "
                f"FROM snap.main.resolved_match_pair ORDER BY mention_a"
            )
    return None


#: Columns of ``staged_person_mention`` a person summary needs (``web_person``).
SUMMARY_COLUMNS = ("forename", "surname", "dob", "force", "handling_code", "classification")


def _person_sql(columns: dict[str, frozenset[str]]) -> str | None:
    """The read model's ``web_person``: one row per person and marking (force, handling code,
    classification) summarising the person's mentions that carry it: how many, each
    displayed name with its count and first row (``web_mention``'s row number, which orders
    ties as the mentions' own order does) and the distinct dates of birth. A search's result
    summaries are merged from the rows of the markings the user may see
    (:func:`toex.web.data.search.person_summaries`) instead of from every mention."""
    have = columns.get("staged_person_mention", frozenset())
    if not all(c in have for c in SUMMARY_COLUMNS):
        return None
    return (
        "WITH m AS (SELECT rowid AS pos, person_id, force, handling_code, classification, dob, "
        "coalesce(nullif(concat_ws(' ', nullif(forename, ''), nullif(surname, '')), ''), "
        "'(no name)') AS name FROM web_mention), "
        "n AS (SELECT person_id, force, handling_code, classification, name, count(*) AS n, "
        "min(pos) AS first, list(DISTINCT dob) FILTER (WHERE dob IS NOT NULL) AS dobs "
        "FROM m GROUP BY ALL) "
        "SELECT person_id, force, handling_code, classification, sum(n)::BIGINT AS n_mentions, "
        "list(name ORDER BY first) AS names, list(n ORDER BY first) AS name_counts, "
        "list(first ORDER BY first) AS name_first, "
        "list_sort(list_distinct(flatten(list(coalesce(dobs, []))))) AS dobs "
        "FROM n GROUP BY ALL ORDER BY person_id, force, handling_code, classification"
    )


#: The assess stage's priority list and the names its score and reason columns may have.
PRIORITY_TABLE = "assess_perpetrator_priority"
SCORE_COLUMNS = ("priority_score", "score", "priority")
REASON_COLUMNS = ("reason", "reasons", "explanation")
#: The markings of the records each priority row draws on (the assess stage's).
PRIORITY_MARKING_TABLE = "assess_perpetrator_marking"


def _priority_sql(columns: dict[str, frozenset[str]]) -> str | None:
    """The read model's ``web_priority``: each scored person's score, reason and primary
    force, with the distinct forces, handling codes and classifications of every record the
    row draws on (``mark_*``, from ``assess_perpetrator_marking``; NULL when the snapshot
    does not say, which no viewer is permitted)."""
    have = columns.get(PRIORITY_TABLE, frozenset())
    score = next((c for c in SCORE_COLUMNS if c in have), None)
    if score is None or "person_id" not in have:
        return None
    reason = next((c for c in REASON_COLUMNS if c in have), None)
    reason_sql = f"CAST(p.{reason} AS VARCHAR)" if reason else "NULL::VARCHAR"
    force_sql = "p.force" if "force" in have else "NULL::VARCHAR"
    marks = ("person_id", "force", "handling_code", "classification")
    if all(c in columns.get(PRIORITY_MARKING_TABLE, frozenset()) for c in marks):
        named = (("force", "forces"), ("handling_code", "codes"), ("classification", "classes"))
        lists = ", ".join(f"list(DISTINCT {c} ORDER BY {c}) AS mark_{n}" for c, n in named)
        join = (
            f"LEFT JOIN (SELECT person_id, {lists} FROM snap.main.{PRIORITY_MARKING_TABLE} "
            "GROUP BY person_id) k ON k.person_id = p.person_id"
        )
        cols = "k.mark_forces, k.mark_codes, k.mark_classes"
    else:
        join, cols = (
            "",
            "NULL::VARCHAR[] AS mark_forces, NULL::VARCHAR[] AS mark_codes, "
            + ("NULL::VARCHAR[] AS mark_classes"),
        )
    return (
        f"SELECT p.person_id, p.{score} AS score, {reason_sql} AS reason, {force_sql} AS force, "
        f"{cols} FROM snap.main.{PRIORITY_TABLE} p {join} ORDER BY p.person_id"
    )


#: Column pairs under which ``resolved_match_pair`` may name its two mentions.
PAIR_COLUMNS = (
    ("mention_id_l", "mention_id_r"),
    ("mention_a", "mention_b"),
    ("mention_id_a", "mention_id_b"),
)


def read_model_statements(con: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    """The read model's tables for the snapshot attached to ``con`` as ``snap``, in build
    order: (table, SELECT, index columns) for each :data:`READ_MODEL` table whose sources
    the snapshot has, then ``web_person``, ``web_match_pair`` and ``web_priority`` when it has
    their data."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = 'snap' AND table_schema = 'main'"
    ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    catalogue = {t: frozenset(c) for t, c in columns.items()}
    out = [
        (name, select, indexed)
        for name, (sources, select, indexed) in READ_MODEL.items()
        if all(t in catalogue for t in sources)
    ]
    built = {name for name, _, _ in out}
    for name, sql, key in (
        ("web_person", _person_sql(catalogue) if "web_mention" in built else None, "person_id"),
        ("web_match_pair", _match_pair_sql(catalogue), "mention_a"),
        ("web_priority", _priority_sql(catalogue), "person_id"),
    ):
        if sql is not None:
            out.append((name, sql, (key,)))
    return out


class OpenSnapshot:
    """One open snapshot: an in-memory DuckDB database with the snapshot file attached
    read-only (every table visible under its own name through a view), the read model
    (:data:`READ_MODEL`, ``web_match_pair``, ``web_priority``), the row store of its hot
    tables (:class:`~toex.web.rowstore.RowStore`, which answers the point lookups) and the
    name search index (:class:`~toex.web.searchindex.SearchIndex`).

    The read model and the index are built once per snapshot and shared by every worker
    through files beside the snapshot (:mod:`toex.web.webindex`): the read model's DuckDB
    file is attached read-only (its tables visible under their names through views) and the
    index's arrays are memory-mapped. Table columns are read once here; requests never ask
    the catalogue."""

    def __init__(self, ref: SnapshotRef, threads: int = 2, build_threads: int = 0) -> None:
        self.ref = ref
        try:
            cache = webindex.ensure(ref.path, build_threads)
            try:
                self._open(cache, threads)
            except (duckdb.Error, webindex.CacheInvalid, OSError, ValueError, KeyError) as exc:
                # Validated but unreadable (damaged after its manifest was written): rebuild.
                log.warning("web index %s failed to open (%s): rebuilding", cache.path, str(exc))
                cache = webindex.ensure(ref.path, build_threads, invalid=cache.build_id)
                self._open(cache, threads)
        except (duckdb.Error, webindex.CacheInvalid, OSError, ValueError, KeyError) as exc:
            # The cause (with the file's path) is for the log; the message is shown.
            raise SnapshotError(f"cannot open snapshot {ref.run_id}") from exc
        self.cache = cache
        if cache.private:  # built in a temporary directory: remove it with this snapshot
            weakref.finalize(self, shutil.rmtree, cache.path.parent, True)

    def _open(self, cache: webindex.WebIndex, threads: int) -> None:
        """Attach the snapshot and the cache's read model; map the search index."""
        con = duckdb.connect(":memory:", config={"threads": max(1, threads)})
        self._con = con
        try:
            self._attach(cache)
        except BaseException:
            con.close()
            raise

    def _attach(self, cache: webindex.WebIndex) -> None:
        con = self._con
        for alias, path in (("snap", self.ref.path), ("rm", cache.read_model)):
            con.execute(f"ATTACH {path_literal(path)} AS {alias} (READ_ONLY)")
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = 'snap' AND table_schema = 'main'"
            ).fetchall()
        ]
        for table in tables:
            con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM snap.main."{table}"')
        for table, rows in cache.tables.items():
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM rm.main.{table}")
            (found,) = con.execute(f"SELECT count(*) FROM {table}").fetchone() or (None,)
            if found != rows:
                raise webindex.CacheInvalid(f"{table} has {found} rows, not {rows}")
        for table, column in cache.indexes:
            self._warm(table, column)
        self.columns: dict[str, frozenset[str]] = self._columns()
        self.search = SearchIndex.load(cache.path) if cache.has_search else SearchIndex.empty()
        self.search.names.prepare()
        self.rows = RowStore.load(cache.path, cache.rowstore)

    def _warm(self, table: str, column: str) -> None:
        """Use an index once: the first multi-key lookup with a list parameter does one-off
        work (seconds, once per process) that would otherwise land on the first request."""
        keys = [
            r[0]
            for r in self._con.execute(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL LIMIT 2"
            ).fetchall()
        ]
        self._con.execute(
            f"SELECT count(*) FROM {table} WHERE {column} = ANY($k)", {"k": keys}
        ).fetchall()

    def _columns(self) -> dict[str, frozenset[str]]:
        """Every table and view of the connection with its columns (read once per snapshot)."""
        rows = self._con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = 'memory'"
        ).fetchall()
        columns: dict[str, set[str]] = {}
        for table, column in rows:
            columns.setdefault(table, set()).add(column)
        return {t: frozenset(c) for t, c in columns.items()}

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
        """The name index of this snapshot (distinct names, nickname and phonetic keys)."""
        return self.search.names

    def close(self) -> None:
        """Close the connection (cursors still open keep the database alive)."""
        self._con.close()


class Warehouse:
    """The snapshot in use, re-checked against its source every ``check_interval`` seconds.

    :meth:`start` (called when the app starts) opens the first snapshot in a background
    thread; requests arriving meanwhile wait for it rather than open it a second time. A
    later snapshot is opened in a background thread while requests go on being answered
    from the previous one, and replaces it once its read model is built. A snapshot that
    fails to open is logged and not tried again until its file changes; a damaged pointer
    is logged and the open snapshot (else the source's ``last_good()``) is served.
    """

    def __init__(
        self, source: SnapshotSource, check_interval: float = 2.0, threads: int = 1
    ) -> None:
        self.source = source
        self.check_interval = check_interval
        self.threads = threads
        self._open: OpenSnapshot | None = None
        self._building: str | None = None
        self._built = threading.Event()
        self._checked = 0.0
        self._lock = threading.Lock()
        self.problems = SnapshotProblems()

    def _opening_failed(self, ref: SnapshotRef, exc: SnapshotError) -> None:
        serving = self._open.ref.run_id if self._open is not None else "nothing"
        self.problems.failed(ref.run_id, ref.path, exc.__cause__ or exc, serving)

    def _fallback(self) -> SnapshotRef | None:
        """The newest snapshot that opens, when the source can name one."""
        info = self.source.last_good() if hasattr(self.source, "last_good") else None
        return _ref(info) if info is not None else None

    def _current(self) -> SnapshotRef | None:
        """The source's current snapshot; on a damaged pointer (logged) the open snapshot,
        else the newest that opens; ``None`` before the first run."""
        try:
            info = self.source.current()
        except SnapshotError as exc:
            serving = self._open.ref if self._open is not None else self._fallback()
            which = serving.run_id if serving is not None else "nothing"
            self.problems.report(f"the CURRENT pointer is unusable ({exc}); serving {which}")
            if serving is None:
                raise SnapshotError(UNAVAILABLE) from exc
            return serving
        return _ref(info) if info is not None else None

    def _build(self, ref: SnapshotRef) -> None:
        try:
            opened: OpenSnapshot | None = OpenSnapshot(ref, self.threads)
        except SnapshotError as exc:
            opened = None  # keep serving the previous snapshot
            self._opening_failed(ref, exc)
        with self._lock:
            if opened is not None:
                # The old connection is dropped, not closed: requests using it finish first.
                self._open = opened
            self._building = None
            self._built.set()

    def _start_build(self, ref: SnapshotRef) -> None:
        """Open ``ref`` in a background thread (the caller holds the lock)."""
        self._building = ref.run_id
        self._built.clear()
        threading.Thread(
            target=self._build, args=(ref,), daemon=True, name=f"toex-snapshot-{ref.run_id}"
        ).start()

    def start(self) -> None:
        """Begin opening the current snapshot in the background, if there is one."""
        with self._lock:
            if self._open is not None or self._building is not None:
                return
            try:
                ref = self._current()
            except SnapshotError:
                return  # logged; requests answer 503 until a snapshot can be served
            if ref is not None:
                self._checked = time.monotonic()
                self._start_build(ref)

    def _open_first(self, ref: SnapshotRef) -> OpenSnapshot:
        """Open the first snapshot in the request's thread; on failure (logged) the newest
        other snapshot that opens."""
        try:
            return OpenSnapshot(ref, self.threads)
        except SnapshotError as exc:
            self._opening_failed(ref, exc)
            other = self._fallback()
            if other is None or other.run_id == ref.run_id:
                raise SnapshotError(UNAVAILABLE) from exc
            return OpenSnapshot(other, self.threads)

    def snapshot(self) -> OpenSnapshot:
        """The current open snapshot; :class:`SnapshotError` (503) when there is none."""
        now = time.monotonic()
        current = self._open
        if current is not None and now - self._checked < self.check_interval:
            return current
        if current is None and self._building is not None:
            self._built.wait()  # the first snapshot is being opened: wait for it
        with self._lock:
            if self._open is not None and now - self._checked < self.check_interval:
                return self._open
            ref = self._current()
            self._checked = time.monotonic()
            if ref is None:
                if self._open is not None:
                    return self._open
                raise SnapshotError(NO_SNAPSHOT)
            if self._open is None:
                self._open = self._open_first(ref)
            elif (
                self._open.ref.run_id != ref.run_id
                and self._building != ref.run_id
                and not self.problems.failed_before(ref.run_id, ref.path)
            ):
                self._start_build(ref)
            return self._open

    @property
    def opening(self) -> bool:
        """True while the first snapshot is being opened (no snapshot to answer from yet)."""
        return self._open is None and self._building is not None

    def wait_for_build(self, timeout: float = 60.0) -> None:
        """Block until a background build in progress has finished (for tests and tools)."""
        deadline = time.monotonic() + timeout
        while self._building is not None and time.monotonic() < deadline:
            time.sleep(0.01)
