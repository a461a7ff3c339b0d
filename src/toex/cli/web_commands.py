"""``toex serve``, ``toex demo-accounts``, ``toex audit verify`` and account administration
(``toex user ...``, ``toex org ...``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from toex.cli.app import app
from toex.cli.options import DataDirOption, resolve_data_dir

if TYPE_CHECKING:
    from toex.config import Settings
    from toex.ops.db import OpsStore

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
user_app = typer.Typer(help="Local user accounts and API tokens.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations and their data-sharing agreements.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
app.add_typer(org_app, name="org")


def _settings(data_dir: Path | None) -> Settings:
    from toex.config import get_settings

    return get_settings().model_copy(update={"data_dir": resolve_data_dir(data_dir)})


def _store(data_dir: Path | None) -> OpsStore:
    from toex.ops import open_store

    return open_store(_settings(data_dir).ops_url)


def _print_demo_accounts(data_dir: Path | None) -> None:
    from toex.ops.accounts import setup_demo_accounts

    store = _store(data_dir)
    with store.session() as session:
        accounts = setup_demo_accounts(session)
        session.commit()
    typer.echo("Demo accounts (passwords are new each time and shown only here):")
    typer.echo(f"  {'username':<18} {'password':<22} {'role':<11} {'organisation':<20} sees")
    for a in accounts:
        sees = ", ".join(a.forces) if a.forces else "-"
        typer.echo(f"  {a.username:<18} {a.password:<22} {a.role:<11} {a.organisation:<20} {sees}")
    store.dispose()


@app.command("serve")
def serve(
    data_dir: DataDirOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            help="Serve this DuckDB file instead of the data directory's current snapshot."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes (each holds its own copy of the read model).")
    ] = 1,
    demo_accounts: Annotated[
        bool,
        typer.Option(
            "--demo-accounts", help="First create the demo accounts and print their passwords."
        ),
    ] = False,
) -> None:
    """Serve the web app and JSON API (reads the current snapshot; picks up new ones)."""
    from toex.web.server import serve as run_server

    if demo_accounts:
        _print_demo_accounts(data_dir)
    typer.echo(f"toex web on http://{host}:{port}/ (OpenAPI at /api/v1/openapi.json)")
    run_server(_settings(data_dir), host, port, snapshot, workers)


@app.command("demo-accounts")
def demo_accounts(data_dir: DataDirOption = None) -> None:
    """Create demo organisations, agreements and one user per role; print their passwords."""
    _print_demo_accounts(data_dir)


@audit_app.command("verify")
def audit_verify(data_dir: DataDirOption = None) -> None:
    """Check the audit hash chain; exit 1 naming the first broken row."""
    from toex.ops.audit import verify_chain

    result = verify_chain(_store(data_dir))
    if result.ok:
        typer.echo(f"audit chain intact: {result.checked} entries")
        return
    typer.echo(f"audit chain broken at row {result.broken_id}: {result.message}", err=True)
    raise typer.Exit(1)


@user_app.command("add")
def user_add(
    username: str,
    org: Annotated[str, typer.Option(help="Organisation code.")],
    role: Annotated[str, typer.Option(help="analyst, supervisor, partner or admin.")],
    clearance: Annotated[str, typer.Option(help="Highest classification.")] = "OFFICIAL-SENSITIVE",
    handling: Annotated[str, typer.Option(help="Handling codes held, e.g. P or P,C.")] = "P",
    display_name: Annotated[str | None, typer.Option(help="Name shown.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add a local user with a generated password (printed once)."""
    from toex.ops.accounts import create_user, generate_password, get_organisation

    password = generate_password()
    store = _store(data_dir)
    with store.session() as session:
        create_user(
            session,
            username,
            password,
            role,
            get_organisation(session, org),
            display_name=display_name,
            clearance=clearance,
            handling_codes=handling,
        )
        session.commit()
    typer.echo(f"user {username} added; password: {password}")


@user_app.command("token")
def user_token(
    username: str,
    label: Annotated[str, typer.Option(help="Token label.")] = "cli",
    days: Annotated[int, typer.Option(help="Days until it expires.")] = 90,
    data_dir: DataDirOption = None,
) -> None:
    """Issue an API bearer token for a user (printed once; only its hash is kept)."""
    from toex.ops.accounts import get_user, issue_token

    store = _store(data_dir)
    with store.session() as session:
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        token = issue_token(session, get_user(session, username), label, expires)
        session.commit()
    typer.echo(token)


@user_app.command("disable")
def user_disable(username: str, data_dir: DataDirOption = None) -> None:
    """Disable a user and revoke their API tokens."""
    from toex.ops.accounts import get_user, revoke_tokens

    store = _store(data_dir)
    with store.session() as session:
        user = get_user(session, username)
        user.active = False
        revoked = revoke_tokens(session, user)
        session.commit()
    typer.echo(f"user {username} disabled; {revoked} token(s) revoked")


@org_app.command("add")
def org_add(
    code: str,
    kind: Annotated[str, typer.Option(help="force, regional or partner.")],
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    force: Annotated[str | None, typer.Option(help="Force code, for a force.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add an organisation."""
    from toex.ops.accounts import create_organisation

    store = _store(data_dir)
    with store.session() as session:
        create_organisation(session, code, name or code, kind, force)
        session.commit()
    typer.echo(f"organisation {code} added")


@org_app.command("agree")
def org_agree(
    code: str,
    force: str,
    valid_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD.")] = None,
    valid_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Record a data-sharing agreement: organisation CODE may see FORCE's records."""
    from toex.ops.accounts import add_agreement, get_organisation

    store = _store(data_dir)
    with store.session() as session:
        add_agreement(
            session,
            get_organisation(session, code),
            force,
            dt.date.fromisoformat(valid_from) if valid_from else None,
            dt.date.fromisoformat(valid_to) if valid_to else None,
        )
        session.commit()
    typer.echo(f"{code} may see {force} records")
