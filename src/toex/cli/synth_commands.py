"""``toex synth``: generate the synthetic multi-force data set with ground truth."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from toex.cli.app import app
from toex.errors import ConfigError

console = Console()


@app.command("synth")
def synth(
    scale: Annotated[
        str, typer.Option(help="tiny (~5k mentions), small (~200k) or large (~5M).")
    ] = "small",
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives identical files.")
    ] = 7,
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: <data dir>/synth/<scale>).")
    ] = None,
    stats: Annotated[
        Path | None,
        typer.Option("--stats", help="Print the realism statistics of an already generated DIR."),
    ] = None,
) -> None:
    """Generate synthetic force exports, partner data and truth/, or print their statistics."""
    if stats is not None:
        from toex.synth.stats import compute_stats

        _print_stats(compute_stats(stats))
        return
    from toex.synth import SCALES, generate

    if scale not in SCALES:
        raise ConfigError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    if out is None:
        from toex.cli.options import resolve_data_dir

        out = resolve_data_dir(None) / "synth" / scale
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("planning", total=None)

        def progress(label: str, advance: int, total: int) -> None:
            bar.update(task, description=label, advance=advance, total=total)

        manifest = generate(out, scale=scale, seed=seed, progress=progress)
    _print_summary(manifest, out, time.perf_counter() - started)


def _print_summary(manifest: dict[str, Any], out: Path, seconds: float) -> None:
    from toex.config import load_catalogue

    names = {f.code: f.short_name for f in load_catalogue().forces}
    table = Table(
        title=f"toex synth: scale {manifest['scale']}, seed {manifest['seed']}, "
        f"as of {manifest['as_of']}"
    )
    for col in ("force", "name", "system", "files", "rows"):
        table.add_column(col, justify="right" if col in ("files", "rows") else "left")
    per: dict[str, dict[str, Any]] = {}
    for f in manifest["files"]:
        entry = per.setdefault(f["force"], {"systems": [], "files": 0, "rows": 0})
        if f["system"] not in entry["systems"]:
            entry["systems"].append(f["system"])
        entry["files"] += 1
        entry["rows"] += f["rows"]
    for code, entry in per.items():
        table.add_row(
            code,
            names.get(code, "partner" if code == "asw" else "regional unit"),
            ", ".join(entry["systems"]),
            str(entry["files"]),
            f"{entry['rows']:,}",
        )
    total_rows = sum(e["rows"] for e in per.values())
    table.add_row("total", "", "", str(len(manifest["files"])), f"{total_rows:,}", style="bold")
    console.print(table)
    console.print(f"written to {out} in {seconds:.1f} s (truth in {out / 'truth'})")


def _print_stats(s: dict[str, Any]) -> None:
    overview = Table(title=f"realism statistics: scale {s['scale']}, seed {s['seed']}")
    overview.add_column("measure")
    overview.add_column("value", justify="right")
    bands = s["bands"]
    rows = [
        ("persons (true identities)", f"{s['persons']:,}"),
        ("persons mentioned", f"{s['persons_mentioned']:,}"),
        ("unidentified suspects", f"{s['unidentified_suspects']:,}"),
        ("person mentions", f"{s['mentions']:,}"),
        (
            "mentions per person (mean / max)",
            f"{s['mentions_per_person_mean']:.2f} / {s['mentions_per_person_max']}",
        ),
        (
            f"most common surname ({s['most_common_surname']})",
            f"{s['most_common_surname_share']:.3%} (band {bands['most_common_surname_share']})",
        ),
        (
            "people seen in 2+ forces",
            f"{s['persons_in_2plus_forces']:,} = {s['persons_in_2plus_forces_share']:.1%} "
            f"(band {bands['persons_in_2plus_forces_share']})",
        ),
        ("people sharing name and DOB", f"{s['people_sharing_name_and_dob']:,}"),
    ]
    for name, value in rows:
        overview.add_row(name, value)
    console.print(overview)
    counts = Table(title="mentions")
    counts.add_column("force / file kind")
    counts.add_column("mentions", justify="right")
    for k, v in s["mentions_per_force"].items():
        counts.add_row(k, f"{v:,}")
    for k, v in s["mentions_per_kind"].items():
        counts.add_row(f"[dim]kind[/] {k}", f"{v:,}")
    for k, v in s["placeholder_mentions"].items():
        counts.add_row(f"[dim]placeholder[/] {k}", f"{v:,}")
    console.print(counts)
    var = Table(title="variations: realised vs configured (eligible background mentions)")
    for col in ("variation", "configured", "realised", "eligible"):
        var.add_column(col, justify="left" if col == "variation" else "right")
    for k, v in s["variation_rates"].items():
        var.add_row(k, f"{v['configured']:.3f}", f"{v['realised']:.3f}", f"{v['eligible']:,}")
    console.print(var)
    sc = Table(title="planted scenarios")
    for col in ("id", "type", "members", "finding"):
        sc.add_column(col)
    for x in s["scenarios"]:
        sc.add_row(x["scenario_id"], x["type"], str(x["members"]), x["finding"])
    console.print(sc)
