"""The JSON API over the inline warehouse: tokens, purpose, roles, errors, decisions."""

from __future__ import annotations

from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore

from .conftest import TestClient, Users

M1, M2 = "mention-000001", "mention-000002"


def _token(
    users: Users, role: str = "analyst", forces: tuple[str, ...] = ("cambs", "essex", "norfolk")
) -> dict[str, str]:
    users.org("regional", list(forces), "regional")
    users.user(f"api-{role}", role, "regional")
    return {"Authorization": f"Bearer {users.token(f'api-{role}')}"}


def test_openapi_lists_the_operations(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/search",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/network",
        "/api/v1/persons/{person_id}/export",
        "/api/v1/decisions",
        "/api/v1/snapshot",
    ):
        assert path in paths
    assert all(not p.startswith(("/person", "/search", "/admin")) for p in paths)
    assert client.get("/api/docs").status_code == 404  # no CDN-loading Swagger page


def test_bad_tokens_are_refused(client: TestClient, users: Users) -> None:
    _token(users)
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        r = client.get("/api/v1/snapshot", headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_search_needs_purpose_and_criterion(client: TestClient, users: Users) -> None:
    auth = _token(users)
    assert client.post("/api/v1/search", headers=auth, json={"name": "smith"}).status_code == 422
    r = client.post("/api/v1/search", headers=auth, json={"purpose": "a purpose"})
    assert r.status_code == 400
    assert r.json() == {
        "error": "give at least one of name, date of birth, phone, email, PNC ID or postcode",
        "status": 400,
    }


def test_search_profile_network_export(client: TestClient, users: Users, store: OpsStore) -> None:
    auth = _token(users)
    r = client.post(
        "/api/v1/search", headers=auth, json={"purpose": "api test", "name": "Billy Smith"}
    ).json()
    assert (r["snapshot"], r["total"], r["classification"]) == ("test-run", 2, "SECRET")
    assert [h["person_id"] for h in r["hits"]] == ["P1", "P3"]
    p = client.get("/api/v1/persons/P1", headers=auth, params={"purpose": "api test"}).json()
    assert p["forces"] == ["cambs", "essex", "norfolk"] and len(p["mentions"]) == 3
    assert {v["person_id"] for v in p["victims"]} == {"V1", "V2"}
    assert p["priority"] is None
    n = client.get(
        "/api/v1/persons/P1/network", headers=auth, params={"purpose": "api test"}
    ).json()
    assert {x["person_id"] for x in n["neighbours"]} == {"A1", "P3", "V1", "V2"}
    x = client.get("/api/v1/persons/P1/export", headers=auth, params={"purpose": "api test"}).json()
    assert x["classification"] == "SECRET" and len(x["rows"]) == 3
    actions = [e.action for e in search_entries(store, AuditQuery(username="api-analyst"))]
    assert actions == ["export", "network", "view", "search"]


def test_views_need_a_purpose(client: TestClient, users: Users) -> None:
    auth = _token(users)
    assert client.get("/api/v1/persons/P1", headers=auth).status_code == 422
    assert (
        client.get("/api/v1/persons/P1", headers=auth, params={"purpose": "x"}).status_code == 422
    )


def test_decisions(client: TestClient, users: Users, store: OpsStore) -> None:
    auth = _token(users)
    body = {
        "mention_a": M1,
        "mention_b": M2,
        "same": True,
        "reason": "same PNC",
        "purpose": "api test",
    }
    r = client.post("/api/v1/decisions", headers=auth, json=body)
    assert r.status_code == 201 and r.json()["id"] >= 1
    # Audited exactly once, with the caller's organisation, client, purpose and the decision.
    (entry,) = search_entries(store, AuditQuery(action="decision"))
    assert (entry.organisation, entry.target, entry.purpose, entry.client) == (
        "regional",
        f"{M1}|{M2}",
        "api test",
        "testclient",
    )
    assert entry.detail == {
        "api": True,
        "decision_id": r.json()["id"],
        "same": True,
        "mention_a": M1,
        "mention_b": M2,
        "reason": "same PNC",
        "token_id": 1,  # which token made the call
        "token_label": "test",
    }
    hidden = {**body, "mention_b": "mention-999999"}
    assert client.post("/api/v1/decisions", headers=auth, json=hidden).status_code == 404


def test_roles_without_data_access(client: TestClient, users: Users) -> None:
    auth = _token(users, "partner")
    r = client.post("/api/v1/search", headers=auth, json={"purpose": "api test", "name": "smith"})
    assert r.status_code == 403
    assert r.json() == {
        "error": "the partner role may not search intelligence records",
        "status": 403,
    }


def test_no_snapshot_is_503(store: OpsStore, users: Users) -> None:
    from toex.web.app import create_app
    from toex.web.context import WebConfig

    from .conftest import SECRET

    class Empty:
        def current(self) -> None:
            return None

    auth = _token(users)
    with TestClient(create_app(store, Empty(), WebConfig(secret_key=SECRET))) as c:
        r = c.get("/api/v1/snapshot", headers=auth)
    assert r.status_code == 503
    assert r.json() == {"error": "no warehouse snapshot yet: run `toex run` first", "status": 503}
