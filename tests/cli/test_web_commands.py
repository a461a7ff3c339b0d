"""``toex audit verify|checkpoint``, ``toex demo-accounts`` and account commands: tokens only
to their own user (proved by password), with checked lifetimes; sessions ended; every
rewrite of the audit log reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from toex.cli.app import app
from toex.config import get_settings
from toex.ops import open_store
from toex.ops.audit import AuditQuery, record, search_entries, verify_chain
from toex.ops.audit_checkpoints import read_checkpoints
from toex.ops.db import OpsStore
from toex.ops.login_sessions import SessionPolicy, live_session, start_session
from toex.ops.tokens import live_token


@pytest.fixture
def data_env(ops_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """TOEX_OPS_DATABASE_URL pointing at a fresh store (SQLite, then PostgreSQL)."""
    monkeypatch.setenv("TOEX_OPS_DATABASE_URL", ops_url)
    monkeypatch.setenv("TOEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield ops_url
    get_settings.cache_clear()


def _store(url: str, upgrade: bool = True) -> OpsStore:
    return open_store(url, upgrade=upgrade, settings=get_settings())


def _fill(url: str, n: int = 4) -> None:
    store = _store(url)
    for i in range(n):
        record(store, username="ann", action="search", purpose=f"p{i}")
    store.dispose()


def _sql(url: str, *statements: str) -> None:
    store = _store(url, upgrade=False)
    with store.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))
    store.dispose()


def _run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.output


def _log(tmp_path: Path) -> Path:
    return tmp_path / "audit-checkpoints.log"


def test_audit_verify_passes_and_says_what_it_checked_against(
    data_env: str, tmp_path: Path
) -> None:
    _fill(data_env)
    assert _run("audit", "verify") == (
        0,
        f"audit chain intact: 4 entries; no checkpoint in {_log(tmp_path)} yet: "
        "run toex audit checkpoint\n",
    )
    assert _run("audit", "checkpoint") == (
        0,
        f"checkpoint: seq 4, entry 4, line 1 of {_log(tmp_path)}\n",
    )
    _fill(data_env, 2)
    code, out = _run("audit", "verify")
    store = _store(data_env)
    (cp,) = read_checkpoints(_log(tmp_path), store.audit.keys).checkpoints
    store.dispose()
    assert (code, out) == (
        0,
        f"audit chain intact: 6 entries; matches checkpoint line 1 of {_log(tmp_path)} "
        f"(seq 4, {cp.at}); 2 later entries are not yet checkpointed\n",
    )


def test_audit_verify_names_an_edited_and_rehashed_entry(data_env: str) -> None:
    _fill(data_env)
    _sql(data_env, "UPDATE audit_entry SET purpose = 'nothing to see' WHERE id = 2")
    assert _run("audit", "verify") == (
        1,
        "audit chain broken: entry 2 (seq 2): its HMAC does not match its contents "
        "(altered or forged)\n",
    )


def test_audit_verify_names_deleted_and_renumbered_entries(data_env: str) -> None:
    _fill(data_env)
    _sql(data_env, "DELETE FROM audit_entry WHERE id = 3")
    assert _run("audit", "verify") == (
        1,
        "audit chain broken: seq 3 missing before entry 4 (entries deleted)\n",
    )
    _sql(
        data_env,
        "UPDATE audit_entry SET id = 3, seq = 3 WHERE id = 4",
        "UPDATE audit_head SET seq = 3, last_id = 3 WHERE id = 1",
    )
    assert _run("audit", "verify") == (
        1,
        "audit chain broken: entry 3 (seq 3): does not follow entry 2 "
        "(an entry was removed, inserted or altered before it)\n",
    )


def test_audit_verify_catches_truncation_and_an_emptied_log_by_the_checkpoint(
    data_env: str, tmp_path: Path
) -> None:
    _fill(data_env)
    assert _run("audit", "checkpoint")[0] == 0
    store = _store(data_env)
    (cp,) = read_checkpoints(_log(tmp_path), store.audit.keys).checkpoints
    with store.engine.connect() as conn:
        second = conn.execute(text("SELECT entry_hash FROM audit_entry WHERE id = 2")).scalar()
    store.dispose()
    _sql(
        data_env,
        "DELETE FROM audit_entry WHERE id > 2",
        f"UPDATE audit_head SET seq = 2, last_id = 2, last_hash = '{second}' WHERE id = 1",
    )
    assert _run("audit", "verify") == (
        1,
        f"audit chain broken: the chain ends at seq 2 (entry 2) but checkpoint line 1 of "
        f"{cp.at} records seq 4 (entries deleted from the end)\n",
    )
    _sql(
        data_env,
        "DELETE FROM audit_entry",
        f"UPDATE audit_head SET seq = 0, last_id = NULL, last_hash = '{'0' * 64}' WHERE id = 1",
    )
    assert _run("audit", "verify") == (
        1,
        f"audit chain broken: the audit log is empty but checkpoint line 1 of {cp.at} "
        "records seq 4 (entries deleted)\n",
    )


def test_demo_accounts_prints_every_role_once(data_env: str) -> None:
    result = CliRunner().invoke(app, ["demo-accounts"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Demo accounts (passwords are new each time and shown only here):"
    table = lines[2 : lines.index("")]
    users = {line.split()[0]: line.split() for line in table}
    assert {u[2] for u in users.values()} == {"analyst", "supervisor", "partner", "admin"}
    assert users["analyst"][3] == "toex-regional" and users["analyst-cambs"][4] == "cambs"
    # the output ends by saying where to go and whom to log in as first
    start = lines[lines.index("") + 1]
    assert start == (
        "Start here: open http://127.0.0.1:8000/ and log in as analyst (password above), "
        "the regional"
    )
    named = {w.strip(",;.()") for line in lines[lines.index("") :] for w in line.split()}
    assert {"analyst", "analyst-cambs", "supervisor", "partner", "admin"} <= named


def _add_zed() -> str:
    assert _run("org", "add", "unit", "--kind", "regional")[0] == 0
    assert _run("org", "agree", "unit", "cambs", "--from", "2024-01-01") == (
        0,
        "unit may see cambs records\n",
    )
    code, out = _run("user", "add", "zed", "--org", "unit", "--role", "analyst")
    assert code == 0 and out.startswith("user zed added; password: ")
    return out.split("password: ")[1].strip()


def test_a_token_is_issued_only_with_its_users_own_password(data_env: str) -> None:
    password = _add_zed()
    # Without zed's password (an administrator at the shell) no token is issued.
    assert _run("user", "token", "zed", "--password-stdin", input="guessed-password\n") == (
        6,
        "error: wrong password for 'zed', or the user is disabled: a token is issued only "
        "to its own user\n",
    )
    code, out = _run(
        "user", "token", "zed", "--label", "etl", "--days", "7", "--scope", "write",
        "--password-stdin", input=f"{password}\n",
    )  # fmt: skip
    assert code == 0, out
    notice, token = out.splitlines()
    assert notice.startswith("token 1 for zed (write, expires ") and len(token) >= 40
    prompted = _run("user", "token", "zed", input=f"{password}\n")
    assert prompted[0] == 0 and prompted[1].startswith("Password of zed: \ntoken 2 for zed (read")
    store = _store(data_env)
    live = live_token(store, token)
    assert live is not None and (live.id, live.label, live.scope) == (1, "etl", "write")
    issued = search_entries(store, AuditQuery(action="token"))
    assert [(e.username, e.target, e.client) for e in issued] == [
        ("zed", "token 2", "cli"),
        ("zed", "token 1", "cli"),
    ]
    failed = search_entries(store, AuditQuery(action="login_failed"))
    assert [(e.username, e.detail) for e in failed] == [("zed", {"via": "token issue"})]
    store.dispose()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "a token must live at least 1 day, not 0"),
        ("-5", "a token must live at least 1 day, not -5"),
        ("91", "a token may live at most 90 days (TOEX_TOKEN_MAX_DAYS), not 91"),
        (
            "1000000000000",
            "a token may live at most 90 days (TOEX_TOKEN_MAX_DAYS), not 1000000000000",
        ),
    ],
)
def test_token_lifetimes_out_of_range_are_clear_errors(
    data_env: str, days: str, message: str
) -> None:
    # Checked before the password is asked for: nothing is read from stdin.
    assert _run("user", "token", "zed", "--days", days, "--password-stdin") == (
        3,
        f"error: {message}\n",
    )


def test_token_scope_must_be_read_or_write(data_env: str) -> None:
    assert _run("user", "token", "zed", "--scope", "admin", "--password-stdin") == (
        3,
        "error: token scope must be read or write, not 'admin'\n",
    )


def test_tokens_are_listed_and_revoked_one_by_one(data_env: str) -> None:
    password = _add_zed()
    for label in ("one", "two"):
        code, _ = _run("user", "token", "zed", "--label", label, "--password-stdin", input=password)
        assert code == 0
    code, out = _run("user", "tokens", "zed")
    lines = out.splitlines()
    assert lines[0] == "   id  scope  expires (UTC)     state    label"
    assert [line.split()[0::5] for line in lines[1:]] == [["2", "two"], ["1", "one"]]
    assert _run("user", "revoke-token", "1") == (0, "token 1 of zed revoked\n")
    assert _run("user", "revoke-token", "1") == (5, "error: no live token 1\n")
    assert [line.split()[0] for line in _run("user", "tokens", "zed")[1].splitlines()[1:]] == ["2"]
    everything = _run("user", "tokens", "zed", "--all")[1].splitlines()[1:]
    assert [(line.split()[0], line.split()[4]) for line in everything] == [
        ("2", "live"),
        ("1", "revoked"),
    ]


def test_sessions_end_on_command_disable_and_password_reset(data_env: str) -> None:
    password = _add_zed()
    store = _store(data_env)
    policy = SessionPolicy()
    with store.session() as s:
        zed = s.execute(text("SELECT id FROM app_user WHERE username = 'zed'")).scalar_one()
    first = start_session(store, zed, "10.0.0.1", policy)
    assert _run("user", "end-sessions", "zed") == (0, "1 session(s) of zed ended\n")
    assert live_session(store, first, policy) is None
    second = start_session(store, zed, "10.0.0.1", policy)
    code, out = _run("user", "password", "zed")
    assert code == 0 and out.startswith("user zed: 1 session(s) ended; new password: ")
    assert live_session(store, second, policy) is None
    new_password = out.split("new password: ")[1].strip()
    assert new_password != password
    third = start_session(store, zed, "10.0.0.1", policy)
    code, _ = _run("user", "token", "zed", "--password-stdin", input=new_password)
    assert code == 0
    assert _run("user", "disable", "zed") == (
        0,
        "user zed disabled; 1 session(s) ended, 1 token(s) revoked\n",
    )
    assert live_session(store, third, policy) is None
    assert _run("user", "enable", "zed") == (0, "user zed enabled\n")
    assert live_session(store, third, policy) is None  # re-enabling revives nothing
    actions = [
        (e.action, e.target, e.detail.get("op"))
        for e in reversed(search_entries(store, AuditQuery(username=_cli_name())))
    ]
    assert actions == [
        ("admin", "organisation unit", "add"),
        ("admin", "organisation unit", "agree"),
        ("admin", "user zed", "add"),
        ("session", "user zed", "end"),
        ("password", "user zed", "reset"),
        ("admin", "user zed", "disable"),
        ("admin", "user zed", "enable"),
    ]
    store.dispose()


def _cli_name() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


def test_account_changes_at_the_shell_are_audited(data_env: str) -> None:
    """An organisation, an agreement, a user and the demo accounts added with toex are each
    in the audit log, named as the shell account that made them, on an intact chain."""
    _add_zed()
    assert _run("demo-accounts")[0] == 0
    store = _store(data_env)
    entries = search_entries(store, AuditQuery(action="admin"))
    got = sorted((e.target, str(e.detail["op"])) for e in entries)
    assert got == [
        ("demo accounts", "demo-accounts"),
        ("organisation unit", "add"),
        ("organisation unit", "agree"),
        ("user zed", "add"),
    ]
    assert all(e.username.startswith("cli:") and e.client == "cli" for e in entries)
    assert verify_chain(store).ok
    store.dispose()
