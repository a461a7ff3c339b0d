"""Accounts: argon2 passwords, organisations, agreements, users, tokens and demo accounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from toex.config import Settings
from toex.errors import InputError, NotFoundError
from toex.ops import open_store
from toex.ops.accounts import (
    add_agreement,
    authenticate_password,
    create_demo_accounts,
    create_organisation,
    create_user,
    hash_password,
    issue_token,
    revoke_tokens,
    scope_of,
    token_digest,
    user_for_token,
    verify_password,
)
from toex.ops.db import OpsStore
from toex.ops.models import ApiToken

PASSWORD = "a long enough password"


@pytest.fixture
def store(ops_url: str, tmp_path: Path) -> OpsStore:
    s = open_store(ops_url, settings=Settings(data_dir=tmp_path))  # keys under tmp
    yield s
    s.dispose()


def test_passwords_are_argon2id_and_verify() -> None:
    h = hash_password(PASSWORD)
    assert h.startswith("$argon2id$")
    assert verify_password(h, PASSWORD)
    assert not verify_password(h, "wrong password here")
    assert not verify_password("not-a-hash", PASSWORD)


def test_create_user_and_authenticate(store: OpsStore) -> None:
    with store.session() as s:
        org = create_organisation(s, "force-cambs", "Cambs", "force", "cambs")
        add_agreement(s, org, "cambs")
        create_user(s, "ann", PASSWORD, "analyst", org, clearance="SECRET", handling_codes="C,P")
        s.commit()
    with store.session() as s:
        user = authenticate_password(s, "ann", PASSWORD)
        assert user is not None
        assert user.handling_codes == "P,C"
        assert scope_of(user, dt.date(2024, 1, 1)).forces == frozenset({"cambs"})
        assert authenticate_password(s, "ann", "wrong password!!") is None
        assert authenticate_password(s, "nobody", PASSWORD) is None
        user.active = False
        assert authenticate_password(s, "ann", PASSWORD) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "king"}, "role must be one of analyst, supervisor, partner, admin, not 'king'"),
        (
            {"clearance": "RESTRICTED"},
            "clearance must be one of OFFICIAL, OFFICIAL-SENSITIVE, "
            "SECRET, TOP SECRET, not 'RESTRICTED'",
        ),
        ({"password": "short"}, "username must not be empty and password needs 12+ characters"),
    ],
)
def test_create_user_rejects_bad_input(
    store: OpsStore, kwargs: dict[str, str], message: str
) -> None:
    args = {"username": "bob", "password": PASSWORD, "role": "analyst", **kwargs}
    with store.session() as s:
        org = create_organisation(s, "o", "O", "regional")
        with pytest.raises(InputError) as err:
            create_user(
                s,
                args["username"],
                args["password"],
                args["role"],
                org,
                clearance=kwargs.get("clearance", "OFFICIAL"),
            )
        assert str(err.value) == message


def test_organisation_and_agreement_errors(store: OpsStore) -> None:
    with store.session() as s:
        with pytest.raises(InputError, match="organisation kind must be one of"):
            create_organisation(s, "x", "X", "club")
        org = create_organisation(s, "x", "X", "regional")
        add_agreement(s, org, "cambs")
        with pytest.raises(InputError) as err:
            add_agreement(s, org, "cambs")
        assert str(err.value) == "x already has an agreement for cambs"
        with pytest.raises(InputError, match="agreement ends before it starts"):
            add_agreement(s, org, "essex", dt.date(2024, 2, 1), dt.date(2024, 1, 1))


def test_tokens_are_stored_hashed_and_can_be_revoked(store: OpsStore) -> None:
    with store.session() as s:
        org = create_organisation(s, "o", "O", "regional")
        user = create_user(s, "tok", PASSWORD, "analyst", org)
        token = issue_token(s, user)
        s.commit()
        stored = s.query(ApiToken).one()
        assert stored.token_hash == token_digest(token) and token not in stored.token_hash
        assert user_for_token(s, token).username == "tok"
        assert user_for_token(s, token + "x") is None
        assert revoke_tokens(s, user) == 1
        assert user_for_token(s, token) is None


def test_expired_token_is_refused(store: OpsStore) -> None:
    with store.session() as s:
        org = create_organisation(s, "o", "O", "regional")
        user = create_user(s, "old", PASSWORD, "analyst", org)
        token = issue_token(s, user)
        assert user_for_token(s, token) is not None
        s.query(ApiToken).update({"expires_at": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)})
        s.commit()
        assert user_for_token(s, token) is None


def test_demo_accounts_one_user_per_role_and_new_passwords_on_rerun(store: OpsStore) -> None:
    with store.session() as s:
        first = create_demo_accounts(
            s, [("cambs", "Cambs"), ("essex", "Essex")], ["cambs", "essex"]
        )
        s.commit()
    roles = {a.role for a in first}
    assert roles == {"analyst", "supervisor", "partner", "admin"}
    by_name = {a.username: a for a in first}
    assert by_name["analyst"].forces == ("cambs", "essex")
    assert by_name["analyst-cambs"].forces == ("cambs",)
    assert by_name["partner"].forces == ()
    with store.session() as s:
        second = create_demo_accounts(
            s, [("cambs", "Cambs"), ("essex", "Essex")], ["cambs", "essex"]
        )
        s.commit()
        assert {a.username for a in second} == set(by_name)
        assert {a.password for a in second}.isdisjoint({a.password for a in first})
        assert authenticate_password(s, "analyst", by_name["analyst"].password) is None


def test_get_organisation_names_missing_code(store: OpsStore) -> None:
    from toex.ops.accounts import get_organisation

    with store.session() as s, pytest.raises(NotFoundError) as err:
        get_organisation(s, "nope")
    assert str(err.value) == "no organisation 'nope'"
