"""``toex assess stim``: the STIM report, cases and the referral workflow.

``toex assess stim [--from D] [--to D]`` prints the briefing's STIM tables for the date
range; ``toex assess stim run`` recomputes STIM on the current snapshot into a new one (as
the pipeline's STIM stage does); the other subcommands list cases and move referrals through
new -> triaged -> referred -> outcome as a named user of the operational store (each step
audited). Commands hold no
logic: each calls one function of :mod:`toex.assess.stim.service` or
:mod:`toex.ops.referrals`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from toex.cli.assess_commands import assess_app, console, print_rows
from toex.cli.options import DataDirOption, WaitOption, resolve_data_dir

stim_app = typer.Typer(
    name="stim",
    help="STIM: sexual trafficking indicators on partner adverts, cases and referrals. "
    "Without a subcommand, prints the STIM report.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
assess_app.add_typer(stim_app, name="stim")

FromOption = Annotated[
    dt.datetime | None,
    typer.Option("--from", formats=["%Y-%m-%d"], help="First day of the period (YYYY-MM-DD)."),
]
ToOption = Annotated[
    dt.datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], help="Last day of the period (YYYY-MM-DD)."),
]
UserOption = Annotated[
    str,
    typer.Option(
        "--user", help="Operational-store user acting (the step is audited under this name)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
NoteOption = Annotated[str, typer.Option(help="A note recorded with the step.")]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _service(data_dir: Path | None) -> Any:
    from toex.assess.stim.service import StimService

    return StimService.open(resolve_data_dir(data_dir))


@stim_app.callback()
def report(
    ctx: typer.Context,
    start: FromOption = None,
    end: ToOption = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Print the STIM report: indicators, risk levels, outcomes, nationalities, regions."""
    if ctx.invoked_subcommand is not None:
        return
    from toex.assess.stim.reports import report_lines

    service = _service(data_dir)
    rep = service.report(_day(start), _day(end))
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(rep), indent=2, default=str))
    else:
        for line in report_lines(rep):
            typer.echo(line)


@stim_app.command("run")
def run_command(data_dir: DataDirOption = None, wait: WaitOption = 0.0) -> None:
    """Recompute STIM (indicators, cases, cross-match) on the current snapshot's staged
    partner data and the operational store's partner records, into a new snapshot."""
    from toex.assess.stim.stage import run_stim_stage
    from toex.pipeline import run

    result = run(
        None,
        resolve_data_dir(data_dir),
        progress=False,
        stages=[run_stim_stage],
        wait=wait,
        command="toex assess stim run",
    )
    summary = result.results.get("stim")
    typer.echo(f"snapshot {result.run_id}: {summary}")


@stim_app.command("cases")
def cases(
    risk: Annotated[str | None, typer.Option(help="Only cases of this risk level.")] = None,
    limit: Annotated[int, typer.Option(help="How many to list.")] = 50,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Cases of concern in the current snapshot, highest risk first."""
    rows = _service(data_dir).cases(risk=risk, limit=limit)
    cols = [
        ("case_id", "case"),
        ("risk_level", "risk"),
        ("n_accounts", "accounts"),
        ("n_adverts", "adverts"),
        ("n_high_indicators", "high"),
        ("n_medium_indicators", "medium"),
        ("n_low_indicators", "low"),
        ("link_counts", "links"),
        ("crossmatch_forces", "forces"),
    ]
    print_rows(rows, cols, "STIM cases", as_json)


@stim_app.command("referrals")
def referrals(
    user: UserOption,
    status: Annotated[str | None, typer.Option(help="new, triaged, referred or outcome.")] = None,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Referrals the user may see, newest first."""
    rows = _service(data_dir).referral_rows(user, status=status)
    cols = [
        ("id", "id"),
        ("case_id", "case"),
        ("status", "status"),
        ("risk_level", "risk"),
        ("n_adverts", "adverts"),
        ("referred_to", "referred to"),
        ("outcome", "outcome"),
        ("created_at", "raised"),
    ]
    print_rows(rows, cols, "STIM referrals", as_json)


@stim_app.command("raise")
def raise_referral(
    case_id: str, user: UserOption, note: NoteOption = "", data_dir: DataDirOption = None
) -> None:
    """Raise a case as a new referral."""
    ref = _service(data_dir).raise_referral(user, case_id, note)
    console.print(f"referral {ref.id} raised for {ref.case_id} ({ref.risk_level} risk)")


@stim_app.command("triage")
def triage(
    referral_id: int,
    user: UserOption,
    priority: Annotated[str, typer.Option(help="low, medium or high.")] = "medium",
    note: NoteOption = "",
    data_dir: DataDirOption = None,
) -> None:
    """Triage a new referral."""
    ref = _service(data_dir).step(user, referral_id, "triaged", priority=priority, note=note)
    console.print(f"referral {ref.id} triaged ({ref.priority})")


@stim_app.command("refer")
def refer(
    referral_id: int,
    user: UserOption,
    to: Annotated[str, typer.Option("--to", help="Force code, or the regional team.")],
    kind: Annotated[str, typer.Option(help="force or regional.")] = "force",
    note: NoteOption = "",
    data_dir: DataDirOption = None,
) -> None:
    """Refer a triaged referral to a force or the regional team."""
    ref = _service(data_dir).step(user, referral_id, "referred", to_kind=kind, to=to, note=note)
    console.print(f"referral {ref.id} referred to {ref.referred_to_kind} {ref.referred_to}")


@stim_app.command("outcome")
def outcome(
    referral_id: int,
    user: UserOption,
    result: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="full_adoption, intel_submission, force_linked_job, "
            "regional_linked_job or finalised.",
        ),
    ],
    note: NoteOption = "",
    data_dir: DataDirOption = None,
) -> None:
    """Record the outcome of a referred case."""
    ref = _service(data_dir).step(user, referral_id, "outcome", outcome=result, note=note)
    console.print(f"referral {ref.id} closed: {ref.outcome}")
