"""``toex audit verify``, ``toex demo-accounts`` and account commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from toex.cli.app import app
from toex.config import get_settings
from toex.ops import open_store
from toex.ops.audit import record


@pytest.fixture
def data_env(ops_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """TOEX_OPS_DATABASE_URL pointing at a fresh store (SQLite, then PostgreSQL)."""
    monkeypatch.setenv("TOEX_OPS_DATABASE_URL", ops_url)
    monkeypatch.setenv("TOEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield ops_url
    get_settings.cache_clear()


def _fill(url: str, n: int = 4) -> None:
    store = open_store(url)
    for i in range(n):
        record(store, username="ann", action="search", purpose=f"p{i}")
    store.dispose()


def _sql(url: str, sql: str) -> None:
    store = open_store(url, upgrade=False)
    with store.engine.begin() as conn:
        conn.execute(text(sql))
    store.dispose()


def test_audit_verify_passes_on_an_intact_chain(data_env: str) -> None:
    _fill(data_env)
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert (result.exit_code, result.output) == (0, "audit chain intact: 4 entries\n")


def test_audit_verify_names_an_edited_row(data_env: str) -> None:
    _fill(data_env)
    _sql(data_env, "UPDATE audit_entry SET purpose = 'nothing to see' WHERE id = 2")
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert result.output == (
        "audit chain broken at row 2: row 2: contents do not match its hash (altered)\n"
    )


def test_audit_verify_names_a_deleted_row(data_env: str) -> None:
    _fill(data_env)
    _sql(data_env, "DELETE FROM audit_entry WHERE id = 3")
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.startswith("audit chain broken at row 3: row 3 is missing (deleted)")


def test_demo_accounts_prints_every_role_once(data_env: str) -> None:
    result = CliRunner().invoke(app, ["demo-accounts"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Demo accounts (passwords are new each time and shown only here):"
    users = {line.split()[0]: line.split() for line in lines[2:]}
    assert {u[2] for u in users.values()} == {"analyst", "supervisor", "partner", "admin"}
    assert users["analyst"][3] == "toex-regional" and users["analyst-cambs"][4] == "cambs"


def test_user_and_org_commands(data_env: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["org", "add", "unit", "--kind", "regional"]).exit_code == 0
    r = runner.invoke(app, ["org", "agree", "unit", "cambs", "--from", "2024-01-01"])
    assert r.output == "unit may see cambs records\n"
    r = runner.invoke(app, ["user", "add", "zed", "--org", "unit", "--role", "analyst"])
    assert r.exit_code == 0 and r.output.startswith("user zed added; password: ")
    r = runner.invoke(app, ["user", "token", "zed"])
    assert r.exit_code == 0 and len(r.output.strip()) >= 40
    r = runner.invoke(app, ["user", "disable", "zed"])
    assert r.output == "user zed disabled; 1 token(s) revoked\n"
