"""The root Typer app. Command groups live in ``*_commands.py`` modules and register here."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from toex.errors import ToexError

app = typer.Typer(
    name="toex",
    help="toex: conflate, resolve, link, assess and publish police intelligence data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

err_console = Console(stderr=True)


@app.callback()
def _every_command() -> None:
    # Files toex writes hold personal data: owner-only (0600 / 0700) for every command.
    from toex.engine.datadir import set_private_umask

    set_private_umask()


def _register() -> None:
    # Each module adds its commands to ``app`` on import.
    from toex.cli import (  # noqa: F401
        assess_commands,
        data_commands,
        docs_commands,
        ingest_commands,
        link_commands,
        profile_commands,
        publish_commands,
        resolve_commands,
        stim_commands,
        synth_commands,
        threat_commands,
        tracker_commands,
        web_commands,
    )


_register()


def main() -> None:
    """Console entry point: run the app, turning toex errors into one line and an exit code."""
    try:
        app()
    except ToexError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        sys.exit(exc.exit_code)
