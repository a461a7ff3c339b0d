"""``toex link``: read the link tables of the current snapshot (cross-force report, paths).

Commands hold no logic: each calls one function of ``toex.link.api``, ``toex.link.paths`` or
``toex.link.evaluate`` and prints its plain data (a Rich table, text lines, or JSON with
``--json``). ``toex evaluate link`` registers on the ``evaluate`` group of resolve's commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from toex.cli.app import app
from toex.cli.options import DataDirOption, resolve_data_dir
from toex.cli.resolve_commands import evaluate_app

link_app = typer.Typer(
    name="link",
    help="Link: networks across forces, the cross-force report and paths between persons.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(link_app, name="link")

console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _open(data_dir: Path | None) -> Any:
    from toex.engine import SnapshotStore

    return SnapshotStore(resolve_data_dir(data_dir)).open_current()


def _table(rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...], title: str) -> Table:
    from toex.link.report import cell

    table = Table(title=title)
    for _, heading in columns:
        table.add_column(heading, overflow="fold")
    for r in rows:
        table.add_row(*(cell(k, r.get(k)) for k, _ in columns))
    return table


@link_app.command("crossforce")
def crossforce(
    kind: Annotated[
        str | None, typer.Option(help="Only rows of this kind: network, person or link.")
    ] = None,
    new: Annotated[
        bool, typer.Option("--new", help="Only what is new or extended since the previous run.")
    ] = False,
    limit: Annotated[int, typer.Option(help="How many rows to print.")] = 50,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Print the cross-force link report: networks, links and persons spanning forces."""
    from toex.link.api import crossforce as report
    from toex.link.report import CROSSFORCE_COLUMNS, crossforce_summary

    con = _open(data_dir)
    try:
        rows = report(con, kind=kind)
    finally:
        con.disconnect()
    if new:
        rows = [r for r in rows if r["status"] in ("new", "extended")]
    if as_json:
        typer.echo(json.dumps(rows[:limit], indent=2))
        return
    console.print(crossforce_summary(rows))
    console.print(_table(rows[:limit], CROSSFORCE_COLUMNS, "Cross-force links"))


@link_app.command("path")
def path(
    person_a: Annotated[str, typer.Argument(help="Person ID to start from.")],
    person_b: Annotated[str, typer.Argument(help="Person ID to reach.")],
    max_hops: Annotated[int, typer.Option(help="Longest path searched, in hops.")] = 4,
    limit: Annotated[int, typer.Option(help="How many shortest paths to print.")] = 5,
    include_hubs: Annotated[
        bool, typer.Option("--include-hubs", help="Also travel through hub-only links.")
    ] = False,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Print the shortest paths between two persons with the evidence on each hop."""
    from toex.link.paths import shortest_paths
    from toex.link.report import format_path

    con = _open(data_dir)
    try:
        paths = shortest_paths(
            con, person_a, person_b, max_hops=max_hops, limit=limit, include_hubs=include_hubs
        )
    finally:
        con.disconnect()
    if as_json:
        typer.echo(json.dumps(paths, indent=2))
        return
    if not paths:
        typer.echo(f"no path of at most {max_hops} hops between {person_a} and {person_b}")
        raise typer.Exit(1)
    for p in paths:
        typer.echo("\n".join(format_path(p)))


@link_app.command("network")
def network(
    person_id: Annotated[str, typer.Argument(help="Person ID.")],
    level: Annotated[str, typer.Option(help="component or community.")] = "component",
    top: Annotated[int, typer.Option(help="How many members to list.")] = 20,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Print a person's network: its profile and its members by centrality."""
    from toex.link.api import network_of
    from toex.link.report import cell

    con = _open(data_dir)
    try:
        result = network_of(con, person_id, level=level, max_members=top)
    finally:
        con.disconnect()
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    net = result["network"]
    for key in (
        "network_id",
        "level",
        "n_members",
        "forces",
        "regions",
        "geographic_scale",
        "offence_codes",
        "total_harm",
        "first_activity",
        "last_activity",
        "principal_person_ids",
    ):
        typer.echo(f"{key:>22}: {cell(key, net[key])}")
    columns = (
        ("rank", "Rank"),
        ("person_id", "Person"),
        ("score", "Score"),
        ("degree", "Degree"),
        ("betweenness", "Betweenness"),
        ("eigenvector", "Eigenvector"),
    )
    console.print(_table(result["members"][:top], columns, "Members"))


@evaluate_app.command("link")
def evaluate_link(
    synth_dir: Annotated[Path, typer.Argument(help="Synthetic data directory (with truth/).")],
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Recovery of the planted networks (recall, precision, principal rank, scale)."""
    from toex.engine import SnapshotStore
    from toex.errors import SnapshotError
    from toex.link.evaluate import evaluate_snapshot

    info = SnapshotStore(resolve_data_dir(data_dir)).current()
    if info is None:
        raise SnapshotError("no current snapshot: run `toex run` first")
    report = evaluate_snapshot(info.path, synth_dir)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    columns = (
        ("scenario_id", "Scenario"),
        ("level", "Level"),
        ("n_members", "Members"),
        ("network_size", "Network"),
        ("recall", "Recall"),
        ("precision", "Precision"),
        ("precision_with_linked", "Precision (linked)"),
        ("principal_rank", "Principal rank"),
        ("expected_scale", "Expected scale"),
        ("scale", "Scale"),
    )
    console.print(_table(report["scenarios"], columns, "Planted networks"))
    typer.echo(json.dumps(report["placeholder_hub"]))
