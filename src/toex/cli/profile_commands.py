"""``toex assess misper`` and ``toex assess visor``: the force profiles of the current snapshot.

Each command calls one function of :mod:`toex.assess.profile_read` and prints a Rich table,
JSON (``--json``) or CSV (``--csv FILE``, through :func:`toex.csv_export.write_csv`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from toex.cli.assess_commands import (
    ForceOption,
    JsonOption,
    RegionOption,
    assess_app,
    console,
    open_snapshot,
    print_rows,
)
from toex.cli.options import DataDirOption

CsvOption = Annotated[
    Path | None, typer.Option("--csv", help="Write the rows as CSV to this file.")
]
TopOption = Annotated[int, typer.Option(help="How many to list (0: all).")]


def _output(
    rows: list[dict[str, Any]],
    cols: list[tuple[str, str]],
    title: str,
    as_json: bool,
    csv_path: Path | None,
) -> None:
    rows = [{k: v for k, v in r.items() if not k.startswith("mark_")} for r in rows]
    if csv_path is not None:
        from toex.csv_export import write_csv

        with csv_path.open("w", encoding="utf-8", newline="") as fh:
            write_csv(fh, list(rows[0]) if rows else [k for k, _ in cols], rows)
        if not as_json:
            console.print(f"{len(rows)} rows written to {csv_path}")
        return
    print_rows(rows, cols, title, as_json)


@assess_app.command("misper")
def misper(
    force: ForceOption = None,
    region: RegionOption = None,
    top: TopOption = 20,
    frequent: Annotated[bool, typer.Option("--frequent", help="Frequent missing only.")] = False,
    as_json: JsonOption = False,
    csv_path: CsvOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Missing-person profile: episodes, frequent rule, risk trend, SOC link, reasons."""
    from toex.assess.profile_read import misper_profile

    rows = misper_profile(
        open_snapshot(data_dir), force=force, region=region, top=top or None, frequent_only=frequent
    )
    cols = [
        ("rank", "rank"),
        ("person_id", "person"),
        ("force", "force"),
        ("n_episodes_90d", "90 days"),
        ("n_episodes_365d", "365 days"),
        ("highest_risk", "risk"),
        ("soc_signals", "SOC link"),
        ("score", "score"),
        ("reason", "reason"),
    ]
    title = f"Missing-person profile, {force or region or 'all forces'}"
    _output(rows, cols, title, as_json, csv_path)


@assess_app.command("visor")
def visor(
    force: ForceOption = None,
    top: TopOption = 20,
    as_json: JsonOption = False,
    csv_path: CsvOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """ViSOR profile: registrants with MAPPA level, RoSH and activity since registration."""
    from toex.assess.profile_read import visor_profile

    rows = visor_profile(open_snapshot(data_dir), force=force, top=top or None)
    cols = [
        ("rank", "rank"),
        ("person_id", "person"),
        ("force", "force"),
        ("mappa_category", "MAPPA cat."),
        ("mappa_level", "level"),
        ("rosh", "RoSH"),
        ("score", "score"),
        ("reason", "reason"),
    ]
    _output(rows, cols, f"ViSOR profile, {force or 'all forces'}", as_json, csv_path)
