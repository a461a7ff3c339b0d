"""``toex docs``: generate reference documents from the code (CLI help, data model)."""

from __future__ import annotations

import typer

from toex.cli.app import app
from toex.docsgen import cli_reference, configuration_reference, data_model_reference

docs_app = typer.Typer(help="Generate reference documents from the code.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")


@docs_app.command("cli")
def docs_cli() -> None:
    """Print docs/cli.md: the help of every command."""
    typer.echo(cli_reference(), nl=False)


@docs_app.command("data-model")
def docs_data_model() -> None:
    """Print docs/data-model.md: every warehouse table and column."""
    typer.echo(data_model_reference(), nl=False)


@docs_app.command("configuration")
def docs_configuration() -> None:
    """Print docs/configuration.md: every TOEX_ setting with its default."""
    typer.echo(configuration_reference(), nl=False)
