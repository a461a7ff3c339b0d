"""``toex assess``: read the assess tables of the current snapshot (ranked lists, checks).

The sub-app ``assess_app`` is shared: STIM commands register on it from
``stim_commands.py``. Commands hold no logic: each calls one function of ``toex.assess``
and prints its plain data as a Rich table (or JSON with ``--json``).
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

assess_app = typer.Typer(
    name="assess",
    help="Assess: priority VAWG perpetrators, safeguarding health checks, the power few.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(assess_app, name="assess")

console = Console()

ForceOption = Annotated[
    str | None,
    typer.Option("--force", help="Force code or name (e.g. essex, Essex, 'Essex Police')."),
]
RegionOption = Annotated[
    str | None, typer.Option("--region", help="Region code or name (e.g. eastern).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def open_snapshot(data_dir: Path | None) -> Any:
    """A read-only backend on the current warehouse snapshot."""
    from toex.engine import SnapshotStore

    return SnapshotStore(resolve_data_dir(data_dir)).open_current()


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    return value


def print_rows(
    rows: list[dict[str, Any]], columns: list[tuple[str, str]], title: str, as_json: bool
) -> None:
    """Print rows as JSON, or as a Rich table of ``columns`` ((key, heading) pairs)."""
    if as_json:
        typer.echo(json.dumps([{k: _plain(v) for k, v in r.items()} for r in rows], indent=2))
        return
    table = Table(title=title, show_lines=False)
    for _, heading in columns:
        table.add_column(heading, overflow="fold")
    for r in rows:
        table.add_row(*("" if r.get(k) is None else str(_plain(r.get(k))) for k, _ in columns))
    console.print(table)


@assess_app.command("perpetrators")
def perpetrators(
    force: ForceOption = None,
    region: RegionOption = None,
    top: Annotated[int, typer.Option(help="How many to list.")] = 10,
    compare_unresolved: Annotated[
        bool,
        typer.Option(
            "--compare-unresolved",
            help="Show each person's best rank before resolution (every record alone).",
        ),
    ] = False,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Ranked priority VAWG perpetrators of a force, a region or all forces, with reasons."""
    from toex.assess.perpetrators import resolution_comparison, top_perpetrators

    con = open_snapshot(data_dir)
    area = force or region or "all forces"
    if compare_unresolved:
        rows = resolution_comparison(con, force=force, region=region, top=top)
        cols = [
            ("rank", "rank"),
            ("unresolved_rank", "rank before resolution"),
            ("person_id", "person"),
            ("display_name", "name"),
            ("n_mentions", "records"),
            ("reason", "reason"),
        ]
        print_rows(
            rows, cols, f"Priority VAWG perpetrators, {area}: before and after resolution", as_json
        )
        return
    rows = top_perpetrators(con, force=force, region=region, top=top)
    cols = [
        ("rank", "rank"),
        ("person_id", "person"),
        ("display_name", "name"),
        ("force", "force"),
        ("score", "score"),
        ("rfgv", "RFGV"),
        ("harm_score", "harm"),
        ("reason", "reason"),
    ]
    print_rows(rows, cols, f"Priority VAWG perpetrators, {area}", as_json)


@assess_app.command("safeguarding")
def safeguarding(
    force: ForceOption = None,
    check: Annotated[
        str | None,
        typer.Option(
            help="victim_of_priority_perpetrator, child_linked_high_harm_suspect or "
            "repeat_victim_cross_force."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many rows to list.")] = 50,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Safeguarding health checks: who to safeguard, and what is (not) recorded."""
    from toex.assess.safeguarding import health_checks

    rows = health_checks(open_snapshot(data_dir), force=force, check=check, limit=limit)
    cols = [
        ("check", "check"),
        ("person_id", "person"),
        ("related_person_id", "perpetrator"),
        ("related_force_rank", "his rank"),
        ("force", "force"),
        ("age", "age"),
        ("reason", "finding"),
    ]
    print_rows(rows, cols, f"Safeguarding health checks, {force or 'all forces'}", as_json)


@assess_app.command("power-few")
def power_few(
    force: ForceOption = None,
    region: RegionOption = None,
    svg: Annotated[Path | None, typer.Option(help="Write the chart as SVG to this file.")] = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Share of VAWG harm from the top x% of perpetrators (table, and chart with --svg)."""
    from toex.assess.perpetrators import force_code, region_code
    from toex.assess.power_few import power_few as rows_for
    from toex.assess.power_few import power_few_chart

    con = open_snapshot(data_dir)
    fc = force_code(force) if force else None
    rc = region_code(region) if region else None
    rows = rows_for(con, force=fc, region=rc)
    cols = [
        ("top_pct", "top %"),
        ("n_top", "perpetrators"),
        ("harm_top", "harm (days)"),
        ("harm_share", "share of harm"),
        ("pct_for_80", "% causing 80%"),
    ]
    print_rows(rows, cols, f"The power few, {force or region or 'all forces'}", as_json)
    if svg is not None:
        svg.write_text(power_few_chart(con, force=fc, region=rc), encoding="utf-8")
        if not as_json:
            console.print(f"chart written to {svg}")


@assess_app.command("evaluate")
def evaluate(
    truth: Annotated[Path, typer.Argument(help="A generated synthetic data set (or its truth/).")],
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Planted serial offenders of a synthetic set: ranks before/after resolution, reasons."""
    from toex.assess.evaluate import evaluate_planted_offenders

    rows = evaluate_planted_offenders(open_snapshot(data_dir), truth)
    for r in rows:
        r["mismatches"] = ", ".join(r["mismatches"]) or "none"
    cols = [
        ("scenario_id", "scenario"),
        ("force", "force"),
        ("force_rank", "force rank"),
        ("unresolved_force_rank", "before resolution"),
        ("region_rank", "region rank"),
        ("unresolved_region_rank", "before resolution"),
        ("reason", "reason"),
        ("mismatches", "numbers differing from truth"),
    ]
    print_rows(rows, cols, "Planted serial VAWG offenders", as_json)
