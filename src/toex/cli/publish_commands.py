"""``toex publish``: force profile packs for FTTCG meetings, their schedule and feedback.

Commands hold no logic: each calls one function of :mod:`toex.publish` or
:mod:`toex.ops.packs` and prints its plain data (a Rich table, or JSON with ``--json``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from toex.cli.app import app
from toex.cli.assess_commands import console, print_rows
from toex.cli.options import DataDirOption, resolve_data_dir

publish_app = typer.Typer(
    name="publish",
    help="Publish: force profile packs (HTML and PDF) one week before each force's FTTCG.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(publish_app, name="publish")

TodayOption = Annotated[
    dt.datetime | None,
    typer.Option(
        "--today",
        formats=["%Y-%m-%d"],
        help="The date to act as of (YYYY-MM-DD); default: today.",
        show_default=False,
    ),
]
AuthorOption = Annotated[
    str | None,
    typer.Option(
        "--author", help="Who builds the pack (recorded and audited); default: the OS user."
    ),
]
RebuildOption = Annotated[
    bool,
    typer.Option("--rebuild", help="Build a new version even if the meeting already has a pack."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _config(data_dir: Path | None) -> Any:
    from toex.config import get_settings
    from toex.publish.config import PublishConfig

    settings = get_settings().model_copy(update={"data_dir": resolve_data_dir(data_dir)})
    return PublishConfig.from_settings(settings)


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _dump(rows: list[dict[str, Any]]) -> None:
    typer.echo(json.dumps([{k: _plain(v) for k, v in r.items()} for r in rows], indent=2))


def _result_row(r: Any) -> dict[str, Any]:
    return {
        "force": r.force,
        "meeting": r.meeting,
        "status": r.status,
        "pack_id": r.pack_id,
        "version": r.version,
        "pages": r.pages,
        "marking": r.marking,
        "pdf": r.pdf_path,
        "html": r.html_path,
        "pdf_sha256": r.pdf_sha256,
        "seconds": round(r.seconds, 1),
        "suspects": ", ".join(str(s.get("label")) for s in r.suspects),
    }


@publish_app.command("pack")
def pack(
    force: Annotated[str, typer.Option("--force", help="Force code or name (e.g. cambs).")],
    meeting: Annotated[
        dt.datetime | None,
        typer.Option(
            "--meeting",
            formats=["%Y-%m-%d"],
            help="The FTTCG meeting (YYYY-MM-DD, in the force's calendar); default: the next.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory for the files (default: <packs_dir>/<force>)."),
    ] = None,
    today: TodayOption = None,
    author: AuthorOption = None,
    rebuild: RebuildOption = False,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Build one force's pack for an FTTCG meeting (HTML and PDF), recorded and audited."""
    from toex.publish.pack import build_pack

    result = build_pack(
        _config(data_dir),
        force,
        author=author or getpass.getuser(),
        meeting=_day(meeting),
        today=_day(today),
        out_dir=out,
        rebuild=rebuild,
    )
    row = _result_row(result)
    if as_json:
        _dump([row])
        return
    if result.status == "built":
        console.print(
            f"Built {row['force']} pack v{row['version']} for {row['meeting']}: "
            f"{row['pages']} pages, marked {row['marking']}, in {row['seconds']} s\n"
            f"  suspects: {row['suspects']}\n  {row['pdf']}\n  {row['html']}",
            highlight=False,
        )
    else:
        console.print(
            f"{row['force']} already has pack v{row['version']} for {row['meeting']} "
            f"({row['pdf']}); --rebuild makes a new version",
            highlight=False,
        )


@publish_app.command("due")
def due(
    today: TodayOption = None,
    lead_days: Annotated[
        int | None,
        typer.Option(
            "--lead-days", help="Days ahead to build for (default: TOEX_PACK_LEAD_DAYS, 7)."
        ),
    ] = None,
    author: AuthorOption = None,
    rebuild: RebuildOption = False,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Build every pack whose FTTCG meeting is due (run daily from cron or a timer)."""
    from toex.errors import PipelineError
    from toex.publish.pack import publish_due

    results = publish_due(
        _config(data_dir),
        author=author or getpass.getuser(),
        today=_day(today),
        rebuild=rebuild,
        lead_days=lead_days,
    )
    rows = [
        {
            "force": r.force,
            "meeting": r.meeting,
            "status": r.status,
            "pack_id": r.result.pack_id if r.result else None,
            "pdf": r.result.pdf_path if r.result else None,
            "message": r.message,
        }
        for r in results
    ]
    if as_json:
        _dump(rows)
    elif not rows:
        console.print("No FTTCG meeting is due a pack.")
    else:
        cols = [("force", "force"), ("meeting", "meeting"), ("status", "status")]
        cols += [("pdf", "file"), ("message", "message")]
        print_rows(rows, cols, "Packs due", False)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise PipelineError(f"{len(failed)} of {len(results)} due packs failed")


@publish_app.command("schedule")
def schedule(
    today: TodayOption = None,
    force: Annotated[str | None, typer.Option("--force", help="One force only.")] = None,
    meetings: Annotated[int, typer.Option(help="Meetings to list per force.")] = 3,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Coming FTTCG meetings of every force and the status of their packs."""
    from toex.publish.listing import coming_meetings

    rows = [
        dataclasses.asdict(r)
        for r in coming_meetings(
            _config(data_dir), today=_day(today), force=force, per_force=meetings
        )
    ]
    cols = [
        ("force_name", "force"),
        ("meeting", "meeting"),
        ("due_on", "pack due"),
        ("status", "status"),
        ("version", "version"),
        ("marking", "marking"),
    ]
    if as_json:
        _dump(rows)
    else:
        print_rows(rows, cols, "FTTCG meetings and packs", False)


@publish_app.command("list")
def list_packs(
    force: Annotated[str | None, typer.Option("--force", help="One force only.")] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help="Include superseded versions.")
    ] = False,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Packs recorded in the operational store, newest meeting first."""
    from toex.publish.listing import recorded_packs

    rows = recorded_packs(_config(data_dir), force=force, include_superseded=all_versions)
    cols = [
        ("id", "id"),
        ("force_code", "force"),
        ("meeting_date", "meeting"),
        ("version", "version"),
        ("marking", "marking"),
        ("pages", "pages"),
        ("built_by", "author"),
        ("snapshot_run_id", "snapshot"),
        ("feedback", "feedback"),
    ]
    if as_json:
        _dump(rows)
    else:
        print_rows(rows, cols, "Force profile packs", False)


@publish_app.command("feedback")
def feedback(
    force: Annotated[str | None, typer.Option("--force", help="One force only.")] = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Feedback on packs: usefulness, suspects adopted and actions taken, per force."""
    from toex.publish.listing import feedback_report

    rows = feedback_report(_config(data_dir), force=force)
    cols = [
        ("force", "force"),
        ("packs", "packs"),
        ("responses", "responses"),
        ("mean_usefulness", "usefulness (1-5)"),
        ("suspects_adopted", "suspects adopted"),
        ("suspects_answered", "of"),
        ("latest_action", "latest action"),
    ]
    if as_json:
        _dump(rows)
    else:
        print_rows(rows, cols, "Pack feedback", False)
