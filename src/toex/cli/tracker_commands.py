"""``toex tracker``: import the operations tracker's CSV files and print the dashboard;
``toex evaluate impact``: the impact evaluation on the tracker's threats.

Thin: each command makes one call into ``toex.ops`` or ``toex.assess`` and prints the plain
result.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toex.cli.app import app
from toex.cli.options import DataDirOption, resolve_data_dir
from toex.cli.resolve_commands import evaluate_app
from toex.errors import InputError

tracker_app = typer.Typer(
    name="tracker",
    help="The operations tracker: CSV import and the performance dashboard.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(tracker_app, name="tracker")
console = Console()

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluation / import date (YYYY-MM-DD; default today)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _store(data_dir: Path | None) -> Any:
    from toex.config import get_settings
    from toex.ops import open_store

    settings = get_settings()
    url = settings.ops_database_url or f"sqlite:///{resolve_data_dir(data_dir) / 'ops.sqlite'}"
    return open_store(url)


def _day(text: str | None, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)") from None


@tracker_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A tracker CSV file or a directory of them.")],
    by: Annotated[str, typer.Option("--by", help="Who imports (audited).")] = "cli",
    as_of: AsOfOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Import operations, AARs, disruptions, referrals, outcomes and requests (by file name);
    bad rows are listed by row and field, good rows saved, re-import changes nothing."""
    from toex.config import get_settings, load_catalogue
    from toex.ops.tracker_import import import_path, rules_for
    from toex.ops.tracker_store import Actor

    catalogue = load_catalogue(get_settings().force_catalogue)
    rules = rules_for(
        [(f.code, f.short_name) for f in catalogue.forces], _day(as_of, dt.date.today())
    )
    store = _store(data_dir)
    try:
        reports = import_path(store, path, Actor(by, client="cli", source=str(path)), rules)
    finally:
        store.dispose()
    table = Table(title="toex tracker import")
    for col in ("file", "read", "inserted", "updated", "unchanged", "rejected"):
        table.add_column(col, justify="left" if col == "file" else "right")
    for r in reports:
        table.add_row(
            r.source,
            str(r.rows_read),
            str(r.inserted),
            str(r.updated),
            str(r.unchanged),
            str(len(r.rejected)),
        )
    console.print(table)
    for r in reports:
        for note in r.notes:
            typer.echo(f"{r.source}: {note}")
        for bad in r.rejected:
            typer.echo(f"{r.source}: {bad.message}")


@tracker_app.command("dashboard")
def dashboard_command(
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str | None, typer.Option("--to", help="Last day (default today).")] = None,
    force: Annotated[str | None, typer.Option("--force", help="One force's code.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="A region's code.")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write the CSV here.")] = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """The performance slide for a period, force or region."""
    from toex.config import get_settings, load_catalogue
    from toex.csv_export import write_csv
    from toex.ops.tracker_dashboard import CSV_COLUMNS, FIGURES, dashboard, dashboard_rows

    catalogue = load_catalogue(get_settings().force_catalogue)
    forces = scope_forces(catalogue, force, region)
    store = _store(data_dir)
    try:
        board = dashboard(store, _day(start, dt.date.today()), _day(end, dt.date.today()), forces)
    finally:
        store.dispose()
    if csv_out:
        with csv_out.open("w", encoding="utf-8", newline="") as fh:
            write_csv(fh, CSV_COLUMNS, dashboard_rows(board))
    if as_json:
        typer.echo(json.dumps({"figures": board.figures}, indent=2))
        return
    table = Table(title=f"Performance {board.start} to {board.end}: {force or region or 'all'}")
    table.add_column("figure")
    table.add_column("count", justify="right")
    for key, value in board.figures.items():
        table.add_row(FIGURES[key], str(value))
    console.print(table)


def scope_forces(catalogue: Any, force: str | None, region: str | None) -> list[str] | None:
    """The forces of ``--force`` or ``--region`` (None: all)."""
    if force and region:
        raise InputError("give --force or --region, not both")
    if force:
        return [catalogue.force(force).code]
    if region:
        codes = [f.code for f in catalogue.forces if f.region == region]
        if not codes:
            raise InputError(f"no region {region!r}")
        return codes
    return None


@evaluate_app.command("impact")
def impact_command(
    as_of: AsOfOption = None,
    costs: Annotated[
        Path | None, typer.Option("--costs", help="Cost model YAML (default the setting).")
    ] = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """How much faster supported threats are scored, reach the top ten and are disrupted
    (times faster, 95% CI, adjusted for type and scale), and the days and money saved."""
    from toex.assess.impact import evaluate_impact, load_costs, report_rows
    from toex.config import get_settings
    from toex.ops.tracker_queries import last_recorded_day, threat_rows

    store = _store(data_dir)
    try:
        rows = threat_rows(store)
        last = last_recorded_day(store)
    finally:
        store.dispose()
    default = min(last, dt.date.today()) if last else dt.date.today()
    report = evaluate_impact(
        rows, _day(as_of, default), load_costs(costs or get_settings().impact_costs)
    )
    plain = report_rows(report)
    if as_json:
        saved = report.savings.__dict__ if report.savings else None
        typer.echo(json.dumps({"events": plain, "savings": saved}, indent=2, default=str))
        return
    table = Table(title=f"Impact evaluation as of {report.as_of} ({report.threats} threats)")
    for col in ("event", "times faster", "95% CI", "unadjusted", "events", "censored"):
        table.add_column(col)
    for r in plain:
        ci = f"{r['ci_low']:.2f} to {r['ci_high']:.2f}" if r["times_faster"] else "n/a"
        table.add_row(
            r["event"],
            f"{r['times_faster']:.2f}" if r["times_faster"] else "n/a",
            ci,
            f"{r['unadjusted']:.2f}" if r["unadjusted"] else "n/a",
            str(r["events"]),
            str(r["censored"]),
        )
    console.print(table)
    s = report.savings
    if s:
        typer.echo(
            f"Days saved ({s.event}, {s.threats} supported threats): {s.days:,.0f} "
            f"(95% CI {s.days_low:,.0f} to {s.days_high:,.0f}); money saved "
            f"£{s.money_gbp:,.0f}, £{s.money_per_threat_gbp:,.0f} per threat"
        )
    typer.echo(f"Method: {report.method}")
    for caveat in report.costs.caveats if report.costs else ():
        typer.echo(f"Caveat: {' '.join(caveat.split())}")
