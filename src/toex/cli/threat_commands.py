"""``toex assess threats``: the ranked threat list of a force, a region or all forces, and
the tables of threats by exploitation type and geographic scale (one call into
:mod:`toex.assess.threat_report`)."""

from __future__ import annotations

from typing import Annotated

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


@assess_app.command("threats")
def threats(
    force: ForceOption = None,
    region: RegionOption = None,
    top: Annotated[int, typer.Option(help="How many threats to list (the agency top 10).")] = 10,
    tables: Annotated[
        bool,
        typer.Option(
            "--tables",
            help="Also print threats by exploitation type (including multiples) and by "
            "geographic scale.",
        ),
    ] = False,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Scored threats (MoRiLE-like) of a force, a region or all forces, with reasons."""
    import json

    from toex.assess import threat_report as report

    rows = report.threats(open_snapshot(data_dir), force=force, region=region)
    area = force or region or "all forces"
    if as_json:
        out = {"threats": rows[:top]}
        if tables:
            out |= {"by_type": report.by_type(rows), "by_scale": report.by_scale(rows)}
        typer.echo(json.dumps(out, indent=2, default=str))
        return
    for r in rows:
        r["types"] = ", ".join(r["exploitation_types"])
    cols = [
        ("area_rank", "rank"),
        ("threat_id", "threat"),
        ("band", "band"),
        ("score", "score"),
        ("types", "exploitation types"),
        ("geographic_scale", "scale"),
        ("members", "members"),
        ("first_scored", "first scored"),
        ("reason", "reason"),
    ]
    print_rows(rows[:top], cols, f"Threats, {area}: top {top} of {len(rows)}", False)
    if tables:
        pcols = [("label", ""), ("count", "threats"), ("percent", "%")]
        print_rows(
            report.by_type(rows),
            pcols,
            f"Threats by exploitation type, {area} (including multiples)",
            False,
        )
        print_rows(report.by_scale(rows), pcols, f"Threats by geographic scale, {area}", False)
    console.print(f"{len(rows)} threats; bands {report.by_band(rows)}")
