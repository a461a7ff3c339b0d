"""The account page and API tokens: a token is issued only to the logged-in user, carries an
expiry and a scope, is revoked one by one, and every call it makes is audited naming it;
an administrator can no longer issue a token for someone else."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore
from toex.web.context import api_writer

from .conftest import TestClient, Users, login, session_for

M1, M2 = "mention-000001", "mention-000002"
SEARCH = {"purpose": "token test", "name": "smith"}


@pytest.fixture
def ann(client: TestClient, users: Users) -> str:
    """A regional analyst logged in; returns the CSRF token."""
    users.org("regional", ["cambs", "essex", "norfolk"], "regional")
    return session_for(client, users.user("ann", "analyst", "regional"))


def _issue(client: TestClient, csrf: str, **form: str) -> tuple[int, str]:
    r = client.post("/account/tokens", data={"csrf_token": csrf, **form})
    found = re.search(r'id="account-secret">([^<]+)<', r.text)
    return r.status_code, found.group(1) if found else r.text


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_admin_cannot_issue_a_token_for_another_user(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    users.org("regional", ["cambs"], "regional")
    victim = users.user("ann", "analyst", "regional")
    csrf = session_for(client, users.user("root", "admin", "regional"))
    assert '/token"' not in client.get("/admin").text  # no issue-token button
    r = client.post(f"/admin/users/{victim}/token", data={"csrf_token": csrf})
    assert r.status_code == 404
    assert search_entries(store, AuditQuery(action="token")) == []
    (denied,) = search_entries(store, AuditQuery(action="denied"))
    assert (denied.username, denied.target, denied.detail) == (
        "root",
        f"/admin/users/{victim}/token",
        {"status": 404, "method": "POST"},
    )


def test_a_user_issues_a_token_to_themselves_and_its_calls_name_it(
    client: TestClient, ann: str, store: OpsStore
) -> None:
    code, token = _issue(client, ann, label="etl job", days="7", scope="read")
    assert code == 200 and len(token) >= 40
    page = client.get("/account").text
    assert "etl job" in page and token not in page  # shown once only
    r = client.post("/api/v1/search", headers=_bearer(token), json=SEARCH)
    assert r.status_code == 200
    (issued,) = search_entries(store, AuditQuery(action="token"))
    assert (issued.username, issued.target, issued.detail["op"], issued.detail["scope"]) == (
        "ann",
        "token 1",
        "issue",
        "read",
    )
    (search,) = search_entries(store, AuditQuery(action="search"))
    assert (search.username, search.detail["token_id"], search.detail["token_label"]) == (
        "ann",
        1,
        "etl job",
    )


def test_a_read_token_may_not_write(client: TestClient, ann: str, store: OpsStore) -> None:
    _, read = _issue(client, ann, label="reader", scope="read")
    _, write = _issue(client, ann, label="writer", scope="write")
    body = {
        "mention_a": M1,
        "mention_b": M2,
        "same": True,
        "reason": "same PNC",
        "purpose": "x y z",
    }
    r = client.post("/api/v1/decisions", headers=_bearer(read), json=body)
    assert (r.status_code, r.json()["error"]) == (
        403,
        "this token may only read: issue a token with the write scope to make changes",
    )
    (denied,) = search_entries(store, AuditQuery(action="denied"))
    assert (denied.target, denied.detail) == (
        "/api/v1/decisions",
        {"status": 403, "method": "POST", "token_id": 1, "token_label": "reader"},
    )
    assert client.post("/api/v1/decisions", headers=_bearer(write), json=body).status_code == 201


def test_every_api_write_needs_the_write_scope() -> None:
    from toex.web.routers import api, stim

    def needs_writer(dependant: object) -> bool:
        deps = getattr(dependant, "dependencies", [])
        return any(d.call is api_writer or needs_writer(d) for d in deps)

    routes = [r for r in [*api.router.routes, *stim.api.routes] if isinstance(r, APIRoute)]
    writes = [r for r in routes if r.methods - {"GET", "HEAD"}]
    assert {r.path for r in writes} == {
        "/api/v1/decisions",
        "/api/v1/stim/accounts/{account_id}/indicators",
        "/api/v1/stim/cases/{case_id}/referral",
        "/api/v1/stim/referrals/{referral_id}/step",
        "/api/v1/search",  # a POST that only reads
    }
    for route in writes:
        assert needs_writer(route.dependant) == (route.path != "/api/v1/search"), route.path
    assert not any(needs_writer(r.dependant) for r in routes if "GET" in r.methods)


def test_tokens_are_revoked_one_by_one(
    client: TestClient, ann: str, users: Users, store: OpsStore
) -> None:
    _, first = _issue(client, ann, label="one")
    _, second = _issue(client, ann, label="two")
    r = client.post("/account/tokens/1/revoke", data={"csrf_token": ann})
    assert "Token 1 revoked." in r.text
    assert client.get("/api/v1/snapshot", headers=_bearer(first)).status_code == 401
    assert client.get("/api/v1/snapshot", headers=_bearer(second)).status_code == 200
    # Another user's token cannot be revoked from one's own account page.
    users.user("bob", "analyst", "regional")
    other = users.token("bob")
    r = client.post("/account/tokens/3/revoke", data={"csrf_token": ann})
    assert (r.status_code, "no live token 3" in r.text) == (404, True)
    assert client.get("/api/v1/snapshot", headers=_bearer(other)).status_code == 200


def test_an_admin_revokes_any_token(app: FastAPI, users: Users, store: OpsStore) -> None:
    users.org("regional", ["cambs"], "regional")
    users.user("ann", "analyst", "regional")
    users.user("root", "admin", "regional")
    token = users.token("ann")
    with TestClient(app, follow_redirects=False) as admin:
        csrf = login(admin, "root")
        assert 'action="/admin/tokens/1/revoke"' in admin.get("/admin").text
        r = admin.post("/admin/tokens/1/revoke", data={"csrf_token": csrf})
        assert "Token 1 of ann revoked." in r.text
        assert admin.get("/api/v1/snapshot", headers=_bearer(token)).status_code == 401
    (entry,) = search_entries(store, AuditQuery(action="token"))
    assert (entry.username, entry.target, entry.detail) == (
        "root",
        "token 1",
        {"op": "revoke", "user": "ann"},
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"days": "0"}, "a token must live at least 1 day, not 0"),
        ({"days": "-3"}, "a token must live at least 1 day, not -3"),
        ({"days": "91"}, "a token may live at most 90 days (TOEX_TOKEN_MAX_DAYS), not 91"),
        (
            {"days": "9" * 12},
            f"a token may live at most 90 days (TOEX_TOKEN_MAX_DAYS), not {'9' * 12}",
        ),
        ({"days": "ten"}, "days must be a whole number, not &#39;ten&#39;"),
        ({"scope": "admin"}, "token scope must be read or write, not &#39;admin&#39;"),
    ],
)
def test_bad_token_requests_are_clear_errors(
    client: TestClient, ann: str, store: OpsStore, form: dict[str, str], message: str
) -> None:
    code, text = _issue(client, ann, **form)
    assert code == 400 and message in text
    assert search_entries(store, AuditQuery(action="token")) == []
