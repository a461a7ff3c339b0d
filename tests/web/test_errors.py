"""Denied probes are audited: every 403 and 404 answered to someone logged in or holding a
token writes one ``denied`` entry (path, status, method, and the token); anonymous requests
and static files do not."""

from __future__ import annotations

import pytest

from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore

from .conftest import TestClient, Users, session_for


def _denied(store: OpsStore) -> list[tuple[str, str, dict[str, object]]]:
    entries = reversed(search_entries(store, AuditQuery(action="denied")))
    return [(e.username, e.target, e.detail) for e in entries]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/admin", 403),  # a page the role may not open
        ("/person/NOBODY", 404),  # a person who does not exist or is not visible
        ("/nowhere", 404),  # no such route
    ],
)
def test_page_probes_by_a_logged_in_user_are_audited(
    client: TestClient, users: Users, store: OpsStore, path: str, status: int
) -> None:
    users.org("regional", ["cambs"], "regional")
    csrf = session_for(client, users.user("ann", "analyst", "regional"))
    client.post("/purpose", data={"csrf_token": csrf, "purpose": "checking probes"})
    assert client.get(path).status_code == status
    assert _denied(store) == [("ann", path, {"status": status, "method": "GET"})]


def test_api_probes_name_the_token(client: TestClient, users: Users, store: OpsStore) -> None:
    users.org("regional", ["cambs"], "regional")
    users.user("ann", "analyst", "regional")
    auth = {"Authorization": f"Bearer {users.token('ann')}"}
    r = client.get("/api/v1/persons/NOBODY", params={"purpose": "probing"}, headers=auth)
    assert r.status_code == 404
    assert client.get("/api/v1/nothing-here", headers=auth).status_code == 404
    csrf = session_for(client, users.user("bob", "analyst", "regional"))
    client.post("/purpose", data={"csrf_token": csrf, "purpose": "checking probes"})
    assert client.get("/person/NOBODY").status_code == 404  # a page: no token named
    token = {"token_id": 1, "token_label": "test"}
    assert _denied(store) == [
        ("ann", "/api/v1/persons/NOBODY", {"status": 404, "method": "GET", **token}),
        ("ann", "/api/v1/nothing-here", {"status": 404, "method": "GET", **token}),
        ("bob", "/person/NOBODY", {"status": 404, "method": "GET"}),
    ]


def test_a_csrf_failure_of_a_logged_in_user_is_audited(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    users.org("regional", ["cambs"], "regional")
    session_for(client, users.user("ann", "analyst", "regional"))
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert _denied(store) == [("ann", "/logout", {"status": 403, "method": "POST"})]


def test_anonymous_and_static_misses_are_not_audited(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    assert client.get("/nowhere").status_code == 404
    assert client.get("/api/v1/nothing-here").status_code == 404
    bad = {"Authorization": "Bearer not-a-token"}
    assert (
        client.get("/api/v1/persons/X", params={"purpose": "x y z"}, headers=bad).status_code == 401
    )
    users.org("regional", ["cambs"], "regional")
    session_for(client, users.user("ann", "analyst", "regional"))
    assert client.get("/static/missing.css").status_code == 404
    assert _denied(store) == []
