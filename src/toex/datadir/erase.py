"""Erasure: find what ``toex erase`` names, register it, and remove it from every later run.

:func:`erase` finds the mention ids of a person (or the record keys of a source record) in
the current snapshot, records the erasure and its tombstones in the operational store
(audited), and runs the pipeline with no input: :func:`erasure_stage` deletes the tombstoned
rows from the staged and raw tables, and resolve, link and assess rebuild everything derived
from them. The new snapshot is compacted (rewritten with live rows only) and every older
snapshot, with its web caches, is deleted. Every later run applies the tombstones again right
after ingest, so a re-export holding an erased record does not bring it back.
"""

from __future__ import annotations

import getpass
import logging
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from toex.config import Settings
from toex.datadir import erase_sql as q
from toex.engine import SnapshotStore
from toex.engine.lock import data_dir_lock
from toex.errors import InputError, NotFoundError, SnapshotError
from toex.ops import open_store
from toex.ops.erasure import ErasureRequest, Tombstones, load_tombstones, mark_applied
from toex.ops.erasure import record_erasure as register

if TYPE_CHECKING:
    from toex.pipeline import PipelineContext, RunResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureApplied:
    """What one run's erasure stage deleted, table by table, and which erasures were new."""

    deleted: dict[str, int] = field(default_factory=dict)
    pending: tuple[int, ...] = ()

    @property
    def rows(self) -> int:
        """Rows deleted in all tables."""
        return sum(self.deleted.values())


@dataclass(frozen=True)
class ErasureResult:
    """A finished ``toex erase``: the erasure's id, its tombstones, and the run applying it."""

    erasure_id: int
    tombstones: int
    run: RunResult


def ops_url(settings: Settings, data_dir: Path) -> str:
    """The operational store of ``data_dir`` (the setting, else SQLite inside it)."""
    return settings.ops_database_url or f"sqlite:///{Path(data_dir) / 'ops.sqlite'}"


def tombstones_for(settings: Settings, data_dir: Path) -> Tombstones:
    """The tombstones of ``data_dir``'s operational store (none if it has no store yet)."""
    url = ops_url(settings, data_dir)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return Tombstones()
    store = open_store(url, settings=settings)
    try:
        return load_tombstones(store)
    finally:
        store.dispose()


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    sql = "SELECT table_name FROM duckdb_tables() WHERE NOT temporary"
    return {r[0] for r in con.execute(sql).fetchall()}


def apply_tombstones(con: duckdb.DuckDBPyConnection, tombstones: Tombstones) -> dict[str, int]:
    """Delete every tombstoned record and mention from the snapshot on ``con``; returns the
    rows deleted per table (tables with none left out)."""
    have = _tables(con)
    steps: list[str] = []
    for name, column, keys in (
        (q.RECORD_KEYS, "record_key", tombstones.records),
        (q.MENTION_IDS, "mention_id", tombstones.mentions),
    ):
        con.register("erase_keys_arrow", pa.table({column: pa.array(sorted(keys), pa.string())}))
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM erase_keys_arrow")
        finally:
            con.unregister("erase_keys_arrow")
    if tombstones.records:
        steps += q.delete_records_sql(have)
    if tombstones.mentions:
        steps += q.delete_mentions_sql(have)
    deleted: dict[str, int] = {}
    for sql in steps:
        row = con.execute(sql).fetchone()
        if sql.startswith("DELETE FROM") and row is not None and row[0]:
            table = sql.split()[2]
            deleted[table] = deleted.get(table, 0) + int(row[0])
    con.execute(f"DROP TABLE IF EXISTS {q.RECORD_KEYS}; DROP TABLE IF EXISTS {q.MENTION_IDS}")
    con.execute(f"DROP TABLE IF EXISTS {q.RECORDS}")
    return deleted


def erasure_stage(ctx: PipelineContext) -> None:
    """Stage: delete the tombstoned records and mentions (after ingest, before resolve).

    Leaves :class:`ErasureApplied` in ``ctx.results["erasure"]`` when there are tombstones,
    and asks for the snapshot to be compacted when it deleted anything."""
    tombstones = tombstones_for(ctx.settings, ctx.data_dir)
    if not tombstones and not tombstones.pending:
        return
    deleted = apply_tombstones(ctx.con.con, tombstones)
    result = ErasureApplied(deleted, tombstones.pending)
    ctx.results["erasure"] = result
    if result.rows:
        ctx.compact = True
        log.info("erasure: deleted %d rows (%s)", result.rows, deleted)


def after_switch(ctx: PipelineContext, store: SnapshotStore) -> list[Path]:
    """Once a snapshot holding new erasures is current: mark them applied and delete every
    older snapshot (they still hold the erased rows); returns the files deleted."""
    applied = ctx.results.get("erasure")
    if not isinstance(applied, ErasureApplied) or not applied.pending:
        return []
    ops = open_store(ops_url(ctx.settings, ctx.data_dir), settings=ctx.settings)
    try:
        mark_applied(ops, applied.pending, ctx.run_id)
    finally:
        ops.dispose()
    return store.prune(keep=1)


def _find_keys(
    con: duckdb.DuckDBPyConnection, kind: str, target: str, force: str | None, run_id: str
) -> list[tuple[str, str]]:
    """The tombstones ``(kind, key)`` a target names in the snapshot on ``con``."""
    have = _tables(con)
    if kind == "person":
        if "resolved_mention_person" not in have:
            raise SnapshotError(f"snapshot {run_id} has no resolved persons: run `toex run` first")
        sql, params = q.person_mentions_sql(target)
        mentions = [("mention", str(r[0])) for r in con.execute(sql, params).fetchall()]
        if not mentions:
            raise NotFoundError(f"no person {target} in snapshot {run_id}")
        return mentions
    system, sep, record_id = target.partition(":")
    if not sep or not system or not record_id:
        raise InputError(
            f"a record is SOURCE_SYSTEM:RECORD_ID (e.g. athena:31/005629/23), not {target!r}"
        )
    if "raw_record" not in have:
        raise NotFoundError(f"no record {target} in snapshot {run_id}")
    sql, params = q.record_keys_sql(system, record_id, force)
    rows = con.execute(sql, params).fetchall()
    if not rows:
        where = f" of force {force}" if force else ""
        raise NotFoundError(f"no record {target}{where} in snapshot {run_id}")
    forces = sorted({str(r[1]) for r in rows})
    if len(forces) > 1:
        raise InputError(
            f"record {target} exists for {len(forces)} forces ({', '.join(forces)}): "
            "name one with --force"
        )
    keys = [str(r[0]) for r in rows]
    dependents = q.event_dependents_sql(have)
    if dependents is not None:
        keys += [str(r[0]) for r in con.execute(dependents, {"keys": keys}).fetchall()]
    return [("record", k) for k in keys]


def requester() -> str:
    """Who is erasing: the operating-system user and host running the command."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def erase(
    data_dir: Path,
    settings: Settings,
    kind: str,
    target: str,
    reason: str,
    *,
    force: str | None = None,
    requested_by: str | None = None,
    wait: float = 0.0,
    progress: bool = False,
) -> ErasureResult:
    """Erase a person (``kind='person'``, ``target`` a person id) or a source record
    (``kind='record'``, ``target`` ``SOURCE_SYSTEM:RECORD_ID``, with the records of the people
    named on its event) from ``data_dir``: register it, build a new current snapshot without
    it, and delete the older snapshots."""
    from toex.pipeline import DERIVED_STAGES, run

    if not reason.strip():
        raise InputError("an erasure needs a reason (--reason)")
    with data_dir_lock(data_dir, wait=wait):
        info = SnapshotStore(data_dir).current()
        if info is None:
            raise SnapshotError(f"no warehouse snapshot under {data_dir}: nothing to erase")
        con = duckdb.connect(str(info.path), read_only=True)
        try:
            keys = _find_keys(con, kind, target, force, info.run_id)
        finally:
            con.close()
        store = open_store(ops_url(settings, data_dir), settings=settings)
        try:
            erasure = register(
                store,
                ErasureRequest(
                    kind,
                    target,
                    reason,
                    requested_by or requester(),
                    info.run_id,
                    keys,
                    operator=requester(),
                ),
            )
        finally:
            store.dispose()
        result = run(None, data_dir, progress=progress, stages=[erasure_stage, *DERIVED_STAGES])
    return ErasureResult(erasure.id, len(keys), result)
