"""Data-directory commands: ``toex erase``, ``toex retention review``, ``toex backup``,
``toex restore`` and ``toex snapshots``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from toex.cli.app import app
from toex.cli.options import DataDirOption, WaitOption, resolve_data_dir

if TYPE_CHECKING:
    from toex.config import Settings

erase_app = typer.Typer(
    help="Erase a person or a source record from the warehouse, now and in every later run.",
    no_args_is_help=True,
)
retention_app = typer.Typer(help="MoPI retention review of the records held.", no_args_is_help=True)
snapshots_app = typer.Typer(
    help="The warehouse snapshots of the data directory.", no_args_is_help=True
)
app.add_typer(erase_app, name="erase")
app.add_typer(retention_app, name="retention")
app.add_typer(snapshots_app, name="snapshots")

ReasonOption = Annotated[
    str, typer.Option("--reason", help="Why (kept in the erasure register and the audit log).")
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who asked for it (else the operating-system user and host)."),
]


def _settings(data_dir: Path | None) -> Settings:
    from toex.config import get_settings

    return get_settings().model_copy(update={"data_dir": resolve_data_dir(data_dir)})


def _erase(
    kind: str,
    target: str,
    reason: str,
    by: str | None,
    force: str | None,
    data_dir: Path | None,
    wait: float,
) -> None:
    from toex.datadir.erase import erase

    settings = _settings(data_dir)
    result = erase(
        settings.data_dir, settings, kind, target, reason, force=force, requested_by=by, wait=wait
    )
    deleted = result.run.results.get("erasure")
    rows = getattr(deleted, "rows", 0)
    typer.echo(
        f"erasure {result.erasure_id}: {kind} {target} ({result.tombstones} tombstone(s)); "
        f"{rows} row(s) deleted; snapshot {result.run.run_id} is current; "
        f"{len(result.run.pruned)} older snapshot(s) deleted"
    )


@erase_app.command("person")
def erase_person(
    person_id: Annotated[str, typer.Argument(help="Resolved person ID.", show_default=False)],
    reason: ReasonOption,
    by: ByOption = None,
    data_dir: DataDirOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Erase every mention of a person (with the phones, emails and addresses on them)."""
    _erase("person", person_id, reason, by, None, data_dir, wait)


@erase_app.command("record")
def erase_record(
    record: Annotated[
        str,
        typer.Argument(
            help="SOURCE_SYSTEM:RECORD_ID, e.g. athena:31/005629/23.", show_default=False
        ),
    ],
    reason: ReasonOption,
    force: Annotated[
        str | None, typer.Option("--force", help="Force code, when the id exists in several.")
    ] = None,
    by: ByOption = None,
    data_dir: DataDirOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Erase one source record (every row staged from it, and its earlier versions)."""
    _erase("record", record, reason, by, force, data_dir, wait)


@erase_app.command("list")
def erase_list(data_dir: DataDirOption = None) -> None:
    """List the erasure register: what was erased, when, by whom, why, and where applied."""
    from toex.datadir.erase import ops_url
    from toex.ops import open_store
    from toex.ops.erasure import list_erasures

    settings = _settings(data_dir)
    store = open_store(ops_url(settings, settings.data_dir), settings=settings)
    try:
        erasures = list_erasures(store)
    finally:
        store.dispose()
    if not erasures:
        typer.echo("no erasures")
    for e in erasures:
        when = e.requested_at.strftime("%Y-%m-%d %H:%M")
        applied = e.applied_run_id or "not yet applied"
        typer.echo(
            f"{e.id}  {when}  {e.kind} {e.target}  by {e.requested_by}  "
            f"{len(e.tombstones)} tombstone(s)  applied in {applied}  reason: {e.reason}"
        )


@retention_app.command("review")
def retention_review(
    force: Annotated[str | None, typer.Option("--force", help="Only this force's records.")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Review date to check against (YYYY-MM-DD; else today)."),
    ] = None,
    limit: Annotated[int, typer.Option(help="Records listed at most.")] = 50,
    data_dir: DataDirOption = None,
) -> None:
    """List the records past their MoPI review date in the current snapshot."""
    from toex.assess.retention import due_for_review
    from toex.engine import SnapshotStore
    from toex.errors import InputError

    day = dt.date.fromisoformat(as_of) if as_of else dt.datetime.now(dt.UTC).date()
    con = SnapshotStore(resolve_data_dir(data_dir)).open_current()
    try:
        if "assess_retention_review" not in con.list_tables():
            raise InputError("the current snapshot has no retention review: run `toex run`")
        review = due_for_review(con, day, force, limit)
    finally:
        con.disconnect()
    typer.echo(f"MoPI review as of {review.as_of}" + (f", force {force}" if force else ""))
    for group, name, due, total in review.by_group:
        typer.echo(f"  group {group} ({name}): {due} of {total} record(s) due for review")
    for r in review.records:
        typer.echo(
            f"{r['force']}  {r['source_system']}:{r['source_record_id']}  {r['event_type']}  "
            f"{r['offence_code'] or '-'}  event {r['event_date'] or 'undated'}  "
            f"group {r['mopi_group']}  review {r['review_date'] or 'now (no date)'}"
        )


@app.command("backup")
def backup_command(
    out: Annotated[Path, typer.Option("--out", help="Archive to write (a new file).")],
    data_dir: DataDirOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Back up the operational store and the current snapshot to one archive (not key files)."""
    from toex.datadir.backup import backup

    settings = _settings(data_dir)
    result = backup(settings.data_dir, settings, out, wait=wait)
    size = sum(f["size"] for f in result.manifest["files"].values())
    typer.echo(f"backup of snapshot {result.run_id} written to {out} ({size:,} bytes)")


@app.command("restore")
def restore_command(
    archive: Annotated[
        Path, typer.Argument(help="Archive written by toex backup.", show_default=False)
    ],
    data_dir: DataDirOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Restore a backup into an empty data directory (and its operational store)."""
    from toex.datadir.backup import restore

    settings = _settings(data_dir)
    manifest = restore(archive, settings.data_dir, settings, wait=wait)
    typer.echo(
        f"restored snapshot {manifest['snapshot']['run_id']} (backup of "
        f"{manifest['created_at']}) into {settings.data_dir}; restore the key files "
        "separately (docs/operations.md)"
    )


@snapshots_app.command("list")
def snapshots_list(data_dir: DataDirOption = None) -> None:
    """List the snapshots: run id, size with derived files, current, and any damage."""
    from toex.engine import SnapshotStore
    from toex.errors import SnapshotError

    store = SnapshotStore(resolve_data_dir(data_dir))
    try:
        current = store.current()
    except SnapshotError as exc:
        typer.echo(f"CURRENT is damaged: {exc}", err=True)
        current = None
    for info in store.list():
        size = info.path.stat().st_size + sum(_size(p) for p in store.derived(info))
        mark = "current" if current is not None and current.run_id == info.run_id else ""
        problem = store.check(info)
        state = f"UNREADABLE: {problem}" if problem else "ok"
        typer.echo(f"{info.run_id}  {size / 1e6:9.1f} MB  {state}  {mark}".rstrip())


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


@snapshots_app.command("prune")
def snapshots_prune(
    keep: Annotated[
        int | None, typer.Option(help="Snapshots to keep (else TOEX_KEEP_SNAPSHOTS).")
    ] = None,
    data_dir: DataDirOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Delete all but the newest snapshots (never the current one) with their web caches."""
    from toex.engine import SnapshotStore
    from toex.engine.lock import data_dir_lock

    settings = _settings(data_dir)
    with data_dir_lock(settings.data_dir, wait=wait):
        removed = SnapshotStore(settings.data_dir).prune(keep or settings.keep_snapshots)
    typer.echo(f"{len(removed)} snapshot(s) deleted")
    for p in removed:
        typer.echo(f"  {p.name}")


@snapshots_app.command("use")
def snapshots_use(
    run_id: Annotated[str, typer.Argument(help="Run id of a kept snapshot.", show_default=False)],
    data_dir: DataDirOption = None,
    wait: WaitOption = 0.0,
) -> None:
    """Make a kept snapshot current (roll back, or recover from a damaged current one)."""
    from toex.engine import SnapshotStore
    from toex.engine.lock import data_dir_lock

    target = resolve_data_dir(data_dir)
    with data_dir_lock(target, wait=wait):
        info = SnapshotStore(target).use(run_id)
    typer.echo(f"snapshot {info.run_id} is current")
