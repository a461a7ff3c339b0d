"""API tokens: stored hashed, always expiring within the maximum, scoped, revoked one by
one; a token of a disabled user, a revoked or an expired one is dead (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from toex.config import Settings
from toex.errors import InputError, NotFoundError
from toex.ops import open_store
from toex.ops.accounts import create_organisation, create_user
from toex.ops.db import OpsStore
from toex.ops.models import ApiToken, User
from toex.ops.tokens import (
    create_token,
    live_token,
    live_tokens,
    revoke_token,
    token_digest,
    token_lifetime,
    tokens_of,
)

PASSWORD = "a long enough password"


@pytest.fixture
def store(ops_url: str, tmp_path: Path) -> Iterator[OpsStore]:
    s = open_store(ops_url, settings=Settings(data_dir=tmp_path))  # keys under tmp
    yield s
    s.dispose()


def _users(store: OpsStore) -> tuple[int, int]:
    with store.session() as s:
        org = create_organisation(s, "o", "O", "regional")
        ids = (create_user(s, "ann", PASSWORD, "analyst", org).id,)
        ids += (create_user(s, "bob", PASSWORD, "analyst", org).id,)
        s.commit()
    return ids


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "a token must live at least 1 day, not 0"),
        (-1, "a token must live at least 1 day, not -1"),
        (91, "a token may live at most 90 days (TOEX_TOKEN_MAX_DAYS), not 91"),
        (10**40, f"a token may live at most 90 days (TOEX_TOKEN_MAX_DAYS), not {10**40}"),
    ],
)
def test_token_lifetimes_outside_one_day_to_the_maximum_are_refused(
    days: int, message: str
) -> None:
    with pytest.raises(InputError) as err:
        token_lifetime(days, 30, 90)
    assert str(err.value) == message


def test_lifetime_defaults_and_bounds() -> None:
    assert token_lifetime(None, 30, 90) == dt.timedelta(days=30)
    assert token_lifetime(1, 30, 90) == dt.timedelta(days=1)
    assert token_lifetime(90, 30, 90) == dt.timedelta(days=90)


def test_tokens_expire_carry_a_scope_and_are_stored_hashed(store: OpsStore) -> None:
    ann, _ = _users(store)
    with store.session() as s:
        issued = create_token(s, s.get(User, ann), label=" etl ", days=7, scope="write")
        s.commit()
        row = s.get(ApiToken, issued.id)
        assert row is not None and row.token_hash == token_digest(issued.token)
        assert issued.token not in row.token_hash and row.label == "etl"
        expires = (
            row.expires_at.replace(tzinfo=dt.UTC)
            if row.expires_at.tzinfo is None
            else row.expires_at
        )
        assert abs(expires - (dt.datetime.now(dt.UTC) + dt.timedelta(days=7))) < dt.timedelta(
            minutes=1
        )
    live = live_token(store, issued.token)
    assert live is not None and (live.id, live.label, live.scope, live.user_id) == (
        1,
        "etl",
        "write",
        ann,
    )
    assert live_token(store, issued.token + "x") is None
    assert (
        live_token(store, issued.token, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=8)) is None
    )
    with (
        store.session() as s,
        pytest.raises(InputError, match=r"^token scope must be read or write, not 'all'$"),
    ):
        create_token(s, s.get(User, ann), scope="all")


def test_tokens_are_revoked_one_by_one_and_die_with_their_user(store: OpsStore) -> None:
    ann, bob = _users(store)
    with store.session() as s:
        first = create_token(s, s.get(User, ann), label="one")
        second = create_token(s, s.get(User, ann), label="two")
        bobs = create_token(s, s.get(User, bob), label="bob's")
        s.commit()
        with pytest.raises(NotFoundError, match=r"^no live token 3$"):
            revoke_token(s, bobs.id, "ann", owner=s.get(User, ann))
        row = revoke_token(s, first.id, "ann", owner=s.get(User, ann))
        assert (row.revoked, row.revoked_by) == (True, "ann")
        s.commit()
        assert [t.label for t in tokens_of(s, s.get(User, ann))] == ["two"]
        assert [t.label for t in tokens_of(s, s.get(User, ann), include_dead=True)] == [
            "two",
            "one",
        ]
        assert [t.id for t in live_tokens(s)] == [3, 2]
        with pytest.raises(NotFoundError, match=r"^no live token 1$"):
            revoke_token(s, first.id, "ann")
    assert live_token(store, first.token) is None
    assert live_token(store, second.token) is not None
    with store.session() as s:
        s.get(User, ann).active = False
        s.commit()
    assert live_token(store, second.token) is None
