"""``toex serve``, ``toex demo-accounts``, the audit log (``toex audit verify|checkpoint``)
and account administration (``toex user ...``, ``toex org ...``)."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from toex.cli.app import app
from toex.cli.options import DataDirOption, resolve_data_dir
from toex.errors import ToexError

if TYPE_CHECKING:
    from toex.config import Settings
    from toex.ops.account_actions import Actor
    from toex.ops.db import OpsStore

audit_app = typer.Typer(help="The keyed, hash-chained audit log.", no_args_is_help=True)
user_app = typer.Typer(
    help="Local user accounts, their sessions and API tokens.", no_args_is_help=True
)
org_app = typer.Typer(help="Organisations and their data-sharing agreements.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
app.add_typer(org_app, name="org")


def _settings(data_dir: Path | None) -> Settings:
    from toex.config import get_settings

    return get_settings().model_copy(update={"data_dir": resolve_data_dir(data_dir)})


def _store(data_dir: Path | None) -> OpsStore:
    from toex.ops import open_store

    settings = _settings(data_dir)
    return open_store(settings.ops_url, settings=settings)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn a toex error into ``error: message`` on stderr and its exit code."""
    try:
        yield
    except ToexError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def _cli_actor() -> Actor:
    """The audit log's name for whoever runs an administrative command: their login."""
    from toex.ops.account_actions import Actor

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = f"uid {os.getuid()}"
    return Actor(f"cli:{who}", "", "cli")


START_HERE = """
Start here: open {url} and log in as analyst (password above), the regional
analyst who may see all nine forces: Search a name and open a person (her network and
cross-force records), then Priority perpetrators, Cross-force links and Force packs. Then
log in as analyst-cambs (one force, cleared to OFFICIAL-SENSITIVE) to see what the access
rules hide; supervisor for the audit log; partner for the partner website's STIM
submissions; admin for accounts and organisations. Stop the server with Ctrl-C."""


def _print_demo_accounts(data_dir: Path | None, url: str = "http://127.0.0.1:8000/") -> None:
    from toex.ops.account_actions import audit_admin_change
    from toex.ops.accounts import setup_demo_accounts

    store = _store(data_dir)
    with store.session() as session:
        accounts = setup_demo_accounts(session)
        audit_admin_change(
            session,
            _cli_actor(),
            "demo accounts",
            {"op": "demo-accounts", "users": [a.username for a in accounts]},
        )
        session.commit()
    typer.echo("Demo accounts (passwords are new each time and shown only here):")
    typer.echo(f"  {'username':<18} {'password':<22} {'role':<11} {'organisation':<20} sees")
    for a in accounts:
        sees = ", ".join(a.forces) if a.forces else "-"
        typer.echo(f"  {a.username:<18} {a.password:<22} {a.role:<11} {a.organisation:<20} {sees}")
    typer.echo(START_HERE.format(url=url))
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
        _print_demo_accounts(data_dir, f"http://{host}:{port}/")
    typer.echo(f"toex web on http://{host}:{port}/ (OpenAPI at /api/v1/openapi.json)")
    run_server(_settings(data_dir), host, port, snapshot, workers)


@app.command("demo-accounts")
def demo_accounts(data_dir: DataDirOption = None) -> None:
    """Create demo organisations, agreements and one user per role; print their passwords."""
    _print_demo_accounts(data_dir)


@audit_app.command("verify")
def audit_verify(data_dir: DataDirOption = None) -> None:
    """Check every entry's HMAC, the chain's links and sequence numbers, its head and the
    checkpoint log; exit 1 naming the first bad entry."""
    from toex.ops.audit_verify import verify_chain

    with _errors():
        store = _store(data_dir)
        result = verify_chain(store)
        log = store.audit.checkpoint_file
    if result.checkpoint is not None:
        cp = result.checkpoint
        against = f"matches checkpoint line {cp.line} of {log} (seq {cp.seq}, {cp.at})"
        if result.last_seq > cp.seq:
            against += f"; {result.last_seq - cp.seq} later entries are not yet checkpointed"
    else:
        against = f"no checkpoint in {log} yet: run toex audit checkpoint"
    if result.ok:
        typer.echo(f"audit chain intact: {result.checked} entries; {against}")
        return
    typer.echo(f"audit chain broken: {result.message}", err=True)
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(data_dir: DataDirOption = None) -> None:
    """Append the chain head (sequence number, last entry, its HMAC), MAC'd, to the
    checkpoint log outside the database. toex serve also does this every
    TOEX_AUDIT_CHECKPOINT_MINUTES, and every TOEX_AUDIT_CHECKPOINT_ENTRIES entries."""
    from toex.ops.audit_checkpoints import checkpoint

    with _errors():
        store = _store(data_dir)
        cp = checkpoint(store, force=True)
    if cp is None:
        typer.echo("the audit log is empty: nothing to checkpoint")
        return
    log = store.audit.checkpoint_file
    typer.echo(f"checkpoint: seq {cp.seq}, entry {cp.last_id}, line {cp.line} of {log}")


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
    from toex.ops.account_actions import audit_admin_change
    from toex.ops.accounts import create_user, generate_password, get_organisation

    password = generate_password()
    store = _store(data_dir)
    with store.session() as session:
        detail: dict[str, object] = {
            "op": "add",
            "role": role,
            "organisation": org,
            "clearance": clearance,
            "handling_codes": handling,
        }
        audit_admin_change(session, _cli_actor(), f"user {username}", detail)
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
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[
        int | None,
        typer.Option(
            help="Days until it expires (default TOEX_TOKEN_DEFAULT_DAYS).", show_default=False
        ),
    ] = None,
    scope: Annotated[str, typer.Option(help="read, or write (may also record changes).")] = "read",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the user's password from stdin.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Issue an API token to USERNAME, who proves it is them with their password (prompted,
    or one line on stdin): nobody issues a token for someone else. Printed once."""
    from toex.ops.account_actions import issue_own_token, prove_password
    from toex.ops.tokens import check_scope, token_lifetime

    settings = _settings(data_dir)
    with _errors():
        token_lifetime(days, settings.token_default_days, settings.token_max_days)
        check_scope(scope)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt(f"Password of {username}", hide_input=True)
        store = _store(data_dir)
        user_id = prove_password(store, username, password, "cli")
        issued = issue_own_token(
            store,
            user_id,
            "cli",
            label=label,
            days=days,
            scope=scope,
            default_days=settings.token_default_days,
            max_days=settings.token_max_days,
        )
    typer.echo(
        f"token {issued.id} for {username} ({issued.scope}, expires "
        f"{issued.expires_at:%Y-%m-%d %H:%M} UTC); it is not shown again:",
        err=True,
    )
    typer.echo(issued.token)


@user_app.command("tokens")
def user_tokens(
    username: str,
    all_tokens: Annotated[
        bool, typer.Option("--all", help="Also revoked and expired ones.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """List a user's live API tokens (id, scope, expiry, label)."""
    from toex.ops.accounts import get_user
    from toex.ops.tokens import as_utc, tokens_of

    with _errors():
        store = _store(data_dir)
        with store.session() as session:
            rows = tokens_of(session, get_user(session, username), include_dead=all_tokens)
    typer.echo(f"{'id':>5}  {'scope':<5}  {'expires (UTC)':<16}  {'state':<7}  label")
    now = dt.datetime.now(dt.UTC)
    for t in rows:
        expires = as_utc(t.expires_at) if t.expires_at else None
        state = (
            "revoked" if t.revoked else "expired" if expires is None or expires <= now else "live"
        )
        shown = f"{expires:%Y-%m-%d %H:%M}" if expires else "-"
        typer.echo(f"{t.id:>5}  {t.scope:<5}  {shown:<16}  {state:<7}  {t.label}")


@user_app.command("revoke-token")
def user_revoke_token(token_id: int, data_dir: DataDirOption = None) -> None:
    """Revoke one API token by id (see toex user tokens)."""
    from toex.ops.account_actions import revoke_one_token

    with _errors():
        owner = revoke_one_token(_store(data_dir), token_id, _cli_actor())
    typer.echo(f"token {token_id} of {owner} revoked")


@user_app.command("end-sessions")
def user_end_sessions(username: str, data_dir: DataDirOption = None) -> None:
    """End every web session of a user (they must log in again)."""
    from toex.ops.account_actions import end_sessions

    with _errors():
        ended = end_sessions(_store(data_dir), username, _cli_actor())
    typer.echo(f"{ended} session(s) of {username} ended")


@user_app.command("disable")
def user_disable(username: str, data_dir: DataDirOption = None) -> None:
    """Disable a user: their sessions end and their API tokens are revoked."""
    from toex.ops.account_actions import set_active

    with _errors():
        ended, revoked = set_active(_store(data_dir), username, False, _cli_actor())
    typer.echo(f"user {username} disabled; {ended} session(s) ended, {revoked} token(s) revoked")


@user_app.command("enable")
def user_enable(username: str, data_dir: DataDirOption = None) -> None:
    """Re-enable a disabled user (their old sessions and tokens stay ended)."""
    from toex.ops.account_actions import set_active

    with _errors():
        set_active(_store(data_dir), username, True, _cli_actor())
    typer.echo(f"user {username} enabled")


@user_app.command("password")
def user_password(username: str, data_dir: DataDirOption = None) -> None:
    """Give a user a new generated password (printed once) and end their sessions; audited,
    so the reset is on record."""
    from toex.ops.account_actions import reset_password

    with _errors():
        password, ended = reset_password(_store(data_dir), username, _cli_actor())
    typer.echo(f"user {username}: {ended} session(s) ended; new password: {password}")


@org_app.command("add")
def org_add(
    code: str,
    kind: Annotated[str, typer.Option(help="force, regional or partner.")],
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    force: Annotated[str | None, typer.Option(help="Force code, for a force.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Add an organisation."""
    from toex.ops.account_actions import audit_admin_change
    from toex.ops.accounts import create_organisation

    store = _store(data_dir)
    with store.session() as session:
        create_organisation(session, code, name or code, kind, force)
        audit_admin_change(
            session,
            _cli_actor(),
            f"organisation {code}",
            {"op": "add", "kind": kind, "force": force},
        )
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
    from toex.ops.account_actions import audit_admin_change
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
        audit_admin_change(
            session,
            _cli_actor(),
            f"organisation {code}",
            {"op": "agree", "force": force, "from": valid_from, "to": valid_to},
        )
        session.commit()
    typer.echo(f"{code} may see {force} records")
