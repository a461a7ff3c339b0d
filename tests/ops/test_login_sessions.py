"""Server-side sessions: live until logout, an idle or absolute timeout, or their user is
disabled; only the SHA-256 of the id is stored (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from toex.config import Settings
from toex.ops import open_store
from toex.ops.accounts import create_organisation, create_user
from toex.ops.db import OpsStore
from toex.ops.login_sessions import (
    SessionPolicy,
    end_session,
    end_user_sessions,
    live_session,
    sessions_of,
    sid_digest,
    start_session,
)
from toex.ops.models import LoginSession, User

POLICY = SessionPolicy(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=8))


@pytest.fixture
def store(ops_url: str, tmp_path: Path) -> Iterator[OpsStore]:
    s = open_store(ops_url, settings=Settings(data_dir=tmp_path))  # keys under tmp
    yield s
    s.dispose()


@pytest.fixture
def ann(store: OpsStore) -> int:
    with store.session() as s:
        org = create_organisation(s, "o", "O", "regional")
        user_id = create_user(s, "ann", "a long enough password", "analyst", org).id
        s.commit()
    return user_id


def _row(store: OpsStore, sid: str) -> LoginSession:
    with store.session() as s:
        row = s.scalar(select(LoginSession).where(LoginSession.sid_hash == sid_digest(sid)))
        assert row is not None
        return row


def test_a_session_is_live_until_logout(store: OpsStore, ann: int) -> None:
    sid = start_session(store, ann, "10.0.0.1", POLICY)
    live = live_session(store, sid, POLICY)
    assert live is not None and live.user_id == ann
    assert _row(store, sid).sid_hash == sid_digest(sid) and sid not in _row(store, sid).sid_hash
    assert live_session(store, sid + "x", POLICY) is None
    assert end_session(store, sid, "logout") == ann
    assert live_session(store, sid, POLICY) is None
    assert end_session(store, sid, "logout") is None
    assert _row(store, sid).ended_reason == "logout"


def test_idle_and_absolute_timeouts(store: OpsStore, ann: int) -> None:
    now = dt.datetime.now(dt.UTC)
    sid = start_session(store, ann, "", POLICY)
    # Used within the idle time: live, and the last use is recorded once a minute at most.
    assert live_session(store, sid, POLICY, now + dt.timedelta(seconds=30)) is not None
    seen = _row(store, sid).last_seen_at
    assert live_session(store, sid, POLICY, now + dt.timedelta(minutes=20)) is not None
    assert _row(store, sid).last_seen_at != seen
    # 29 minutes after that last use it still lives; 31 minutes after, it has ended.
    assert live_session(store, sid, POLICY, now + dt.timedelta(minutes=49)) is not None
    assert live_session(store, sid, POLICY, now + dt.timedelta(minutes=81)) is None
    assert _row(store, sid).ended_reason == "idle timeout"
    # However busy, a session ends at its absolute expiry.
    busy = start_session(store, ann, "", SessionPolicy(dt.timedelta(days=1), dt.timedelta(hours=8)))
    assert live_session(store, busy, POLICY, now + dt.timedelta(hours=8, seconds=1)) is None


def test_ending_a_users_sessions_and_disabling_them(store: OpsStore, ann: int) -> None:
    keep, other = start_session(store, ann, "", POLICY), start_session(store, ann, "", POLICY)
    with store.session() as s:
        assert [x.id for x in sessions_of(s, ann)] == [2, 1]
        assert end_user_sessions(s, ann, "ended by admin", keep=_row(store, keep).id) == 1
        s.commit()
    assert live_session(store, other, POLICY) is None
    assert live_session(store, keep, POLICY) is not None
    with store.session() as s:
        s.get(User, ann).active = False
        s.commit()
    assert live_session(store, keep, POLICY) is None  # a disabled user's session is dead
