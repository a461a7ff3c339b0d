"""``toex ingest``, ``toex mapping check`` and ``toex run``: thin calls into the pipeline."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from toex.cli.app import app
from toex.cli.options import DataDirOption, WaitOption, resolve_data_dir

mapping_app = typer.Typer(help="Work with ingest mappings.", no_args_is_help=True)
app.add_typer(mapping_app, name="mapping")

MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="Load the FILEs with this mapping YAML (else INPUT_DIR is a directory "
        "laid out as the generator writes it).",
        show_default=False,
    ),
]
ForceOption = Annotated[
    str | None,
    typer.Option(
        "--force",
        help="Force code for --mapping loads (else the mapping's 'force:').",
        show_default=False,
    ),
]
ProgressOption = Annotated[
    bool, typer.Option("--progress/--no-progress", help="Show progress bars.")
]
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Abort the run at the first file that cannot be loaded (else that file is "
        "quarantined whole, the others load, and the command exits with code 8).",
    ),
]


def _console() -> Console:
    """Stdout console; wide enough for the reconciliation table when not a terminal."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160
    return console


def _print_run(result: object) -> None:
    """The reconciliation and the snapshot; exit code 8 if files were quarantined whole."""
    from toex.errors import IngestIncompleteError
    from toex.ingest.report import failure_lines, reconciliation_table
    from toex.pipeline import RunResult

    assert isinstance(result, RunResult)
    console = _console()
    console.print(reconciliation_table(result.reports, result.failed))
    for line in failure_lines(result.failed):
        console.print(line, markup=False, highlight=False)
    console.print(f"snapshot {result.run_id} is current ({result.path})")
    if result.failed:
        n = len(result.failed)
        raise IngestIncompleteError(
            f"{n} file{'s' if n > 1 else ''} could not be loaded and {'were' if n > 1 else 'was'} "
            f"quarantined whole; every other file was loaded into snapshot {result.run_id} "
            "(--strict aborts at the first bad file instead)"
        )


@app.command("ingest")
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="INPUT_DIR, or the FILEs to load with --mapping.", show_default=False),
    ],
    mapping: MappingOption = None,
    force: ForceOption = None,
    data_dir: DataDirOption = None,
    progress: ProgressOption = True,
    wait: WaitOption = 0.0,
    strict: StrictOption = False,
) -> None:
    """Ingest a directory of exports (or FILEs with --mapping) into a new snapshot."""
    from toex.errors import InputError
    from toex.ingest.stage import ad_hoc_tasks
    from toex.pipeline import ingest as ingest_stage
    from toex.pipeline import ingest_files_stage, run

    target = resolve_data_dir(data_dir)
    if mapping is not None:
        stages = [ingest_files_stage(ad_hoc_tasks(mapping, paths, force))]
        result = run(None, target, progress=progress, stages=stages, wait=wait, strict=strict)
    else:
        if len(paths) != 1:
            raise InputError("give one INPUT_DIR, or --mapping with FILEs")
        result = run(
            paths[0], target, progress=progress, stages=[ingest_stage], wait=wait, strict=strict
        )
    _print_run(result)


@app.command("run")
def run_command(
    input_dir: Annotated[
        Path,
        typer.Argument(
            help="Directory of exports, laid out as the generator writes it.", show_default=False
        ),
    ],
    data_dir: DataDirOption = None,
    progress: ProgressOption = True,
    wait: WaitOption = 0.0,
    strict: StrictOption = False,
) -> None:
    """Run the whole pipeline (every stage that exists) into a new snapshot."""
    from toex.pipeline import run

    target = resolve_data_dir(data_dir)
    _print_run(run(input_dir, target, progress=progress, wait=wait, strict=strict))


@mapping_app.command("check")
def mapping_check(
    mapping: Annotated[Path, typer.Argument(help="Mapping YAML.", show_default=False)],
    file: Annotated[Path, typer.Argument(help="Export file to check.", show_default=False)],
    force: ForceOption = None,
) -> None:
    """Show how FILE maps before loading it: coverage, cleaned samples, quarantine."""
    from toex.ingest.check import check_mapping
    from toex.ingest.mapping import load_mapping
    from toex.ingest.report import check_renderables

    report = check_mapping(load_mapping(mapping), file, force=force)
    console = _console()
    for item in check_renderables(report):
        console.print(item)
    if report.error:
        raise typer.Exit(3)
