"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data directory (else TOEX_DATA_DIR, else ./var).", show_default=False
    ),
]


def resolve_data_dir(data_dir: Path | None) -> Path:
    """The data directory: the option, else ``TOEX_DATA_DIR``, else ``./var``."""
    from toex.config import get_settings

    return data_dir if data_dir is not None else get_settings().data_dir


WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        help="Seconds to wait for another command holding the data directory "
        "(0: fail at once, naming it).",
    ),
]
