"""``toex resolve`` and ``toex evaluate resolve``: run resolution, record analyst decisions,
explain links, and measure accuracy against synthetic truth.

Commands hold no logic: each calls one function of ``toex.resolve`` or ``toex.ops.decisions``
and prints its plain data (text, or JSON with ``--json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from toex.cli.app import app
from toex.cli.options import DataDirOption, resolve_data_dir

resolve_app = typer.Typer(
    name="resolve",
    help="Resolve: people across forces (Splink), analyst decisions, explanations.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(resolve_app, name="resolve")

evaluate_app = typer.Typer(
    name="evaluate",
    help="Evaluate stages against the synthetic data's truth.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(evaluate_app, name="evaluate")

console = Console()
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _ops_url(data_dir: Path | None) -> str:
    from toex.config import get_settings

    settings = get_settings()
    if settings.ops_database_url:
        return settings.ops_database_url
    return f"sqlite:///{resolve_data_dir(data_dir) / 'ops.sqlite'}"


def _open(data_dir: Path | None) -> Any:
    from toex.engine import SnapshotStore

    return SnapshotStore(resolve_data_dir(data_dir)).open_current()


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


@resolve_app.command("run")
def run_cmd(data_dir: DataDirOption = None) -> None:
    """Resolve the current snapshot's mentions into a new snapshot."""
    from toex.resolve.stage import resolve_current

    result = resolve_current(resolve_data_dir(data_dir))
    r = result.results["resolve"]
    console.print(
        f"run {result.run_id}: {r.n_mentions} mentions -> {r.n_persons} persons "
        f"({r.n_pairs} scored pairs kept) in {r.timings['total']:.1f} s"
    )


@resolve_app.command("decide")
def decide(
    mention_a: Annotated[str, typer.Argument(help="A person mention ID.")],
    mention_b: Annotated[str, typer.Argument(help="Another person mention ID.")],
    same: Annotated[
        bool, typer.Option("--same/--not-same", help="The same person, or not the same.")
    ],
    reason: Annotated[str, typer.Option(help="Why (kept with the decision).")],
    by: Annotated[str, typer.Option("--by", help="Who decides (user name).")],
    data_dir: DataDirOption = None,
) -> None:
    """Record an analyst decision; it overrides the model from the next run on."""
    from toex.ops import open_store
    from toex.ops.decisions import record_decision

    store = open_store(_ops_url(data_dir))
    try:
        d = record_decision(store, mention_a, mention_b, same=same, reason=reason, decided_by=by)
    finally:
        store.dispose()
    verdict = "the same person" if d.same else "not the same person"
    console.print(f"decision {d.id}: {d.mention_a} and {d.mention_b} are {verdict}")


@resolve_app.command("revoke")
def revoke(
    decision_id: Annotated[int, typer.Argument(help="Decision number.")],
    by: Annotated[str, typer.Option("--by", help="Who revokes (user name).")],
    data_dir: DataDirOption = None,
) -> None:
    """Revoke a decision: the model's view returns on the next run."""
    from toex.ops import open_store
    from toex.ops.decisions import revoke_decision

    store = open_store(_ops_url(data_dir))
    try:
        d = revoke_decision(store, decision_id, revoked_by=by)
    finally:
        store.dispose()
    console.print(f"decision {d.id} revoked")


@resolve_app.command("decisions")
def decisions(data_dir: DataDirOption = None, as_json: JsonOption = False) -> None:
    """List the active decisions."""
    from toex.ops import open_store
    from toex.ops.decisions import active_decisions

    store = open_store(_ops_url(data_dir))
    try:
        rows = active_decisions(store)
    finally:
        store.dispose()
    if as_json:
        _print_json([d.__dict__ for d in rows])
        return
    for d in rows:
        console.print(
            f"{d.id}\t{d.mention_a}\t{d.mention_b}\t"
            f"{'same' if d.same else 'not-same'}\t{d.decided_by}\t"
            f"{d.decided_at:%Y-%m-%d %H:%M}\t{d.reason}",
            highlight=False,
        )


@resolve_app.command("explain")
def explain(
    mention_a: Annotated[str | None, typer.Argument(help="A person mention ID.")] = None,
    mention_b: Annotated[str | None, typer.Argument(help="Another person mention ID.")] = None,
    person: Annotated[str | None, typer.Option("--person", help="A resolved person ID.")] = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Comparison levels and match weights behind a pair of mentions or a person."""
    from toex.errors import InputError
    from toex.resolve.explain import explain_pair, explain_person

    wh = _open(data_dir)
    try:
        if person:
            data = explain_person(wh, person)
        elif mention_a and mention_b:
            data = explain_pair(wh, mention_a, mention_b)
        else:
            raise InputError("give two mention IDs or --person P")
    finally:
        wh.disconnect()
    if as_json:
        _print_json(data)
    elif person:
        _print_person(data)
    else:
        _print_pair(data)


def _print_pair(d: dict[str, Any]) -> None:
    console.print(
        f"{d['mention_a']} ({d['person_a']}) vs {d['mention_b']} ({d['person_b']}): "
        f"probability {d['match_probability']:.4f}, weight "
        f"{d['match_weight']:+.2f} (prior {d['prior_weight']:+.2f}); "
        f"{'same person' if d['same_person'] else 'different persons'}",
        highlight=False,
    )
    for c in d["comparisons"]:
        tf = f" (tf {c['tf_adjustment']:+.2f})" if c["tf_adjustment"] else ""
        console.print(
            f"  {c['comparison']:<12} {c['match_weight']:+7.2f}{tf}  {c['level']}  "
            f"{c['left']} | {c['right']}",
            highlight=False,
        )


def _print_person(d: dict[str, Any]) -> None:
    p = d["person"]
    console.print(
        f"{p['person_id']}: {p['forename']} {p['surname']} {p['dob']} — "
        f"{p['n_mentions']} mentions in {p['forces']}",
        highlight=False,
    )
    for m in d["mentions"]:
        console.print(
            f"  {m['mention_id']}  {m['force']}  {m['forename']} {m['surname']} {m['dob']}",
            highlight=False,
        )
    for link in d["links"]:
        if link["linked"]:
            console.print(
                f"  link {link['mention_a']} - {link['mention_b']}  "
                f"p={link['match_probability']:.4f}",
                highlight=False,
            )


@evaluate_app.command("resolve")
def evaluate_resolve(
    synth_dir: Annotated[Path, typer.Argument(help="Synthetic data directory (with truth/).")],
    data_dir: DataDirOption = None,
    febrl: Annotated[
        bool, typer.Option("--febrl/--no-febrl", help="Also run the FEBRL3/FEBRL4 checks.")
    ] = False,
    blocking: Annotated[
        bool,
        typer.Option(
            "--blocking/--no-blocking",
            help="Also measure the blocking rules' pairwise recall on truth.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Accuracy of the current snapshot's resolution against truth: police-record mentions
    (the person-resolution figures) and, for information, partner website mentions."""
    from toex.engine import SnapshotStore
    from toex.errors import SnapshotError
    from toex.resolve.evaluate import evaluate_snapshot

    info = SnapshotStore(resolve_data_dir(data_dir)).current()
    if info is None:
        raise SnapshotError("no current snapshot: run `toex run` first")
    report = evaluate_snapshot(info.path, synth_dir, febrl=febrl, blocking=blocking)
    if as_json:
        _print_json(report)
        return

    def line(label: str, s: dict[str, Any]) -> None:
        console.print(
            f"{label:<26} P {s['precision']:.4f}  R {s['recall']:.4f}  F1 {s['f1']:.4f}"
            f"  ({s['n']:,} mentions)",
            highlight=False,
        )

    console.print("police-record mentions (person resolution):", highlight=False)
    line("  pairwise", report["pairwise"])
    line("  B-cubed", report["bcubed"])
    for v in report["by_variation"]:
        console.print(
            f"    variation {v['variation']:<20} n {v['n']:>8}  P {v['precision']:.4f}"
            f"  R {v['recall']:.4f}",
            highlight=False,
        )
    for f in report["by_force_pair"]:
        console.print(
            f"    forces {f['forces']:<18} true pairs {f['true_pairs']:>8}  "
            f"P {f['precision']:.4f}  R {f['recall']:.4f}",
            highlight=False,
        )
    for s in report["serial_offenders"]:
        console.print(
            f"    serial {s['person']}: share {s['share']:.3f}, other mentions "
            f"{s['other_mentions']} {'ok' if s['ok'] else 'FAIL'}",
            highlight=False,
        )
    for kind, x in report["lookalikes"].items():
        console.print(
            f"    planted {kind}: {x['kept_apart']} of {x['pairs']} pairs kept apart",
            highlight=False,
        )
    p = report["partner"]
    console.print(
        "partner website mentions (for information; linking them to force persons is the "
        "STIM cross-match's job):",
        highlight=False,
    )
    line("  B-cubed", p["bcubed"])
    console.print(
        f"    {p['resolved_with_police']:,} of {p['with_police_person']:,} partner mentions "
        "of people with police records resolved with one of them",
        highlight=False,
    )
    for v in p["by_variation"]:
        console.print(
            f"    variation {v['variation']:<20} n {v['n']:>8}  P {v['precision']:.4f}"
            f"  R {v['recall']:.4f}",
            highlight=False,
        )
    console.print("all mentions:", highlight=False)
    line("  pairwise", report["all"]["pairwise"])
    line("  B-cubed", report["all"]["bcubed"])
    if "blocking" in report:
        b = report["blocking"]
        console.print(
            f"blocking: recall {b['recall']:.4f} ({b['found']:,} of {b['true_pairs']:,} true "
            f"pairs; {b['reachable']:.4f} reachable through blocked true pairs), "
            f"{b['comparisons']:,} comparisons for {b['mentions']:,} mentions",
            highlight=False,
        )
    for name in ("febrl3", "febrl4"):
        if name in report:
            console.print(
                f"{name}: pairwise F1 {report[name]['pairwise']['f1']:.4f}", highlight=False
            )
