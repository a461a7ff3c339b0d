"""Sessions, CSRF, login, rate limiting and security headers."""

from __future__ import annotations

from fastapi import FastAPI

from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore
from toex.web.sessions import CSP, SESSION_COOKIE, SessionCodec, WebSession

from .conftest import PASSWORD, TestClient, Users, csrf_of, login


def _setup(users: Users) -> None:
    users.org("regional", ["cambs", "essex", "norfolk"], "regional")
    users.user("ann", "analyst", "regional")


def test_every_response_carries_the_security_headers(client: TestClient, users: Users) -> None:
    _setup(users)
    for path in ("/login", "/static/app.css", "/api/v1/snapshot", "/nowhere"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CSP, path
        assert "script-src 'self';" in CSP and "frame-ancestors 'none'" in CSP
        assert "unsafe-inline" not in CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(client: TestClient, users: Users) -> None:
    _setup(users)
    login(client, "ann")
    for path in ("/", "/search", "/person/P1", "/network/P1", "/crossforce", "/perpetrators"):
        client.post(
            "/search",
            data={
                "purpose": "checking pages",
                "name": "smith",
                "csrf_token": csrf_of(client.get("/search").text),
            },
        )
        html = client.get(path).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html, path
        assert " onclick=" not in html and "hx-on" not in html and "javascript:" not in html
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith('src="/static/'), path


def test_session_cookie_is_httponly_lax_and_secure_only_over_tls(app: FastAPI) -> None:
    with TestClient(app) as plain:
        cookie = plain.get("/login").headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    with TestClient(app, base_url="https://testserver") as tls:
        r = tls.get("/login")
    assert "; Secure" in r.headers["set-cookie"]
    assert r.headers["strict-transport-security"] == "max-age=31536000"


def test_login_writes_audit_and_rotates_the_session(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    _setup(users)
    before = csrf_of(client.get("/login").text)
    after = login(client, "ann")
    assert before != after
    assert client.get("/").status_code == 200
    entries = search_entries(store, AuditQuery(action="login"))
    assert [(e.username, e.client) for e in entries] == [("ann", "testclient")]


def test_failed_login_is_audited_and_answers_401(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    _setup(users)
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login", data={"username": "ann", "password": "wrong-password", "csrf_token": token}
    )
    assert r.status_code == 401
    assert "Unknown user or wrong password." in r.text
    failed = search_entries(store, AuditQuery(action="login_failed"))
    assert [e.username for e in failed] == ["ann"]


def test_login_is_rate_limited_per_username(client: TestClient, users: Users) -> None:
    _setup(users)
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        r = client.post(
            "/login", data={"username": "ann", "password": "nope-nope-nope", "csrf_token": token}
        )
        assert r.status_code == 401
    r = client.post("/login", data={"username": "ann", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429
    assert "too many failed logins: wait 15 minutes and try again" in r.text


def test_every_form_post_needs_the_csrf_token(client: TestClient, users: Users) -> None:
    _setup(users)
    users.user("root", "admin", "regional")
    login(client, "ann")
    for path, data in [
        ("/search", {"purpose": "a purpose", "name": "smith"}),
        (
            "/person/P1/decision",
            {"mention_a": "m1", "mention_b": "m2", "same": "same", "reason": "same man"},
        ),
        ("/purpose", {"purpose": "a purpose"}),
        ("/logout", {}),
        ("/admin/organisations", {"code": "x", "kind": "force"}),
    ]:
        for bad in ({}, {"csrf_token": "forged"}):
            r = client.post(path, data={**data, **bad})
            assert r.status_code == 403, (path, bad)
            assert "missing or invalid CSRF token" in r.text


def test_login_form_needs_csrf_too(client: TestClient, users: Users) -> None:
    _setup(users)
    client.get("/login")
    r = client.post("/login", data={"username": "ann", "password": PASSWORD})
    assert r.status_code == 403


def test_forged_session_cookie_is_anonymous(client: TestClient, users: Users) -> None:
    _setup(users)
    forged = SessionCodec("some-other-key", 3600).dumps(WebSession(user_id=1))
    client.cookies.set(SESSION_COOKIE, forged)
    r = client.get("/")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/")


def test_expired_session_is_anonymous(
    app: FastAPI, store: OpsStore, users: Users, mini_warehouse: object
) -> None:
    from .conftest import make_app

    _setup(users)
    short = make_app(store, mini_warehouse, session_max_age=-1)  # type: ignore[arg-type]
    with TestClient(short, follow_redirects=False) as c:
        page = c.get("/login")
        c.post(
            "/login",
            data={"username": "ann", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert c.get("/").status_code == 303


def test_logout_ends_the_session(client: TestClient, users: Users, store: OpsStore) -> None:
    _setup(users)
    token = login(client, "ann")
    r = client.post("/logout", data={"csrf_token": token})
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    assert client.get("/").status_code == 303
    assert [e.action for e in search_entries(store, AuditQuery(username="ann"))] == [
        "logout",
        "login",
    ]


def test_login_redirect_only_follows_local_paths(client: TestClient, users: Users) -> None:
    _setup(users)
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={
            "username": "ann",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert r.headers["location"] == "/"


def test_api_ignores_the_session_cookie(client: TestClient, users: Users) -> None:
    _setup(users)
    login(client, "ann")
    r = client.get("/api/v1/snapshot")
    assert r.status_code == 401
    assert r.json() == {"error": "a valid bearer token is required", "status": 401}
    assert "set-cookie" not in r.headers
