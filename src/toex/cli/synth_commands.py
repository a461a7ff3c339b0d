"""``toex synth``: generate the synthetic multi-force data set with ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toex.cli.app import app


@app.command("synth")
def synth(
    scale: Annotated[str, typer.Option(help="tiny (~5k mentions), small (~200k) or large (~5M).")
                     ] = "small",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives identical files.")
                    ] = 7,
    out: Annotated[Path | None, typer.Option(help="Output directory.")] = None,
    stats: Annotated[Path | None, typer.Option(
        "--stats", help="Print the realism statistics of an already generated DIR.")] = None,
) -> None:
    """Generate synthetic force exports, partner data and truth/ (placeholder until synth)."""
    raise typer.Exit(0)
