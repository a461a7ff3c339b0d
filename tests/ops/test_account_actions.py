"""Audited account changes: each writes its audit entry in the same transaction, keeps the
chain intact, and refuses what it must (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from toex.config import Settings
from toex.errors import AccessDeniedError, InputError
from toex.ops import open_store
from toex.ops.account_actions import (
    Actor,
    change_own_password,
    issue_own_token,
    prove_password,
    set_active,
)
from toex.ops.accounts import create_organisation, create_user
from toex.ops.audit import AuditQuery, search_entries
from toex.ops.audit_verify import verify_chain
from toex.ops.db import OpsStore
from toex.ops.login_sessions import SessionPolicy, live_session, start_session
from toex.ops.tokens import live_token

PASSWORD = "a long enough password"


@pytest.fixture
def store(ops_url: str, tmp_path: Path) -> Iterator[OpsStore]:
    s = open_store(ops_url, settings=Settings(data_dir=tmp_path))  # keys under tmp
    with s.session() as session:
        org = create_organisation(session, "o", "O", "regional")
        create_user(session, "ann", PASSWORD, "analyst", org)
        create_user(session, "root", PASSWORD, "admin", org)
        session.commit()
    yield s
    s.dispose()


def test_a_token_needs_the_users_own_password(store: OpsStore) -> None:
    with pytest.raises(AccessDeniedError) as err:
        prove_password(store, "ann", "not her password", "cli")
    assert str(err.value) == (
        "wrong password for 'ann', or the user is disabled: a token is issued only to its own user"
    )
    ann = prove_password(store, "ann", PASSWORD, "cli")
    issued = issue_own_token(
        store, ann, "cli", label="x", days=None, scope="read", default_days=30, max_days=90
    )
    assert live_token(store, issued.token) is not None
    assert [e.action for e in search_entries(store, AuditQuery())] == ["token", "login_failed"]
    assert verify_chain(store).ok


def test_disable_and_password_change_end_sessions(store: OpsStore) -> None:
    root = Actor("root", "o", "cli")
    with pytest.raises(InputError, match=r"^you cannot disable yourself$"):
        set_active(store, "root", False, root)
    policy = SessionPolicy()
    sid = start_session(store, 1, "", policy)
    with pytest.raises(AccessDeniedError, match=r"^the current password is wrong$"):
        change_own_password(store, 1, "wrong", "another long password", "")
    assert live_session(store, sid, policy) is not None
    assert change_own_password(store, 1, PASSWORD, "another long password", "") == 1
    assert live_session(store, sid, policy) is None
    assert set_active(store, "ann", False, root) == (0, 0)
    assert [e.action for e in search_entries(store, AuditQuery())] == ["admin", "password"]
    assert verify_chain(store).ok
