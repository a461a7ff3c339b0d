"""Sessions, CSRF, login, rate limiting, trusted proxies and security headers; the attacks
of issue 14 on them: forged cookies, cookies surviving logout or disable, lockout DoS,
spoofed X-Forwarded-For."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from toex.config import Settings
from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore
from toex.ops.models import LoginSession
from toex.web.app import app_from_settings
from toex.web.server import uvicorn_options
from toex.web.sessions import CSP, SESSION_COOKIE, SessionCodec, WebSession
from toex.web.warehouse import FixedSnapshot

from .conftest import PASSWORD, TestClient, Users, csrf_of, login, make_app, session_for

#: The fixed development secret toex signed cookies with before issue 14.
OLD_DEV_SECRET = "development-only-secret-change-me"


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
    forged = SessionCodec("some-other-key-of-32-characters!!", 3600).dumps(WebSession())
    client.cookies.set(SESSION_COOKIE, forged)
    r = client.get("/")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/")


def _old_style_cookie(secret: str, user_id: int) -> str:
    """A session cookie as anyone who read the old source could mint it."""
    payload = {"sid": "x", "csrf": "y", "user_id": user_id, "purpose": "", "issued": time.time()}
    return URLSafeTimedSerializer(secret, salt="toex-session").dumps(payload)


def _default_app(data_dir: Path, snapshot: Path) -> FastAPI:
    """The app as ``toex serve`` builds it with no TOEX_* key settings."""
    settings = Settings(data_dir=data_dir, environment="development")
    return app_from_settings(settings, FixedSnapshot(snapshot, run_id="test-run"))


def test_a_cookie_minted_with_the_old_known_secret_is_refused(
    tmp_path: Path, mini_warehouse: Path
) -> None:
    app = _default_app(tmp_path, mini_warehouse)
    users = Users(app.state.toex.store)
    users.org("regional", ["cambs"], "regional")
    admin_id = users.user("root", "admin", "regional")
    with TestClient(app, follow_redirects=False) as c:
        c.cookies.set(SESSION_COOKIE, _old_style_cookie(OLD_DEV_SECRET, admin_id))
        r = c.get("/admin")
        assert (r.status_code, r.headers["location"]) == (303, "/login?next=/admin")
        # Even a validly signed cookie names no one: who is logged in lives on the server.
        keys = app.state.toex.config.secret_key
        c.cookies.set(SESSION_COOKIE, _old_style_cookie(keys[-1], admin_id))
        assert c.get("/admin").status_code == 303
        c.cookies.set(SESSION_COOKIE, SessionCodec(keys, 3600).dumps(WebSession()))
        assert c.get("/admin").status_code == 303
    key_file = tmp_path / "keys" / "session.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700
    assert OLD_DEV_SECRET not in key_file.read_text()


def test_apps_over_one_data_dir_share_the_key_and_other_data_dirs_do_not(
    tmp_path: Path, mini_warehouse: Path
) -> None:
    first = _default_app(tmp_path / "a", mini_warehouse)
    second = _default_app(tmp_path / "a", mini_warehouse)
    elsewhere = _default_app(tmp_path / "b", mini_warehouse)
    assert first.state.toex.config.secret_key == second.state.toex.config.secret_key
    assert first.state.toex.config.secret_key != elsewhere.state.toex.config.secret_key
    users = Users(first.state.toex.store)
    users.org("regional", ["cambs"], "regional")
    users.user("ann", "analyst", "regional")
    with TestClient(first, follow_redirects=False) as c1:
        login(c1, "ann")
        cookie = c1.cookies[SESSION_COOKIE]
    with TestClient(second, follow_redirects=False) as c2:
        c2.cookies.set(SESSION_COOKIE, cookie)
        assert c2.get("/").status_code == 200  # another worker of the same deployment


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


def _saved_login(client: TestClient, username: str) -> tuple[str, str]:
    token = login(client, username)
    return client.cookies[SESSION_COOKIE], token


def test_a_saved_cookie_is_dead_after_logout(client: TestClient, users: Users) -> None:
    _setup(users)
    cookie, token = _saved_login(client, "ann")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    client.cookies.set(SESSION_COOKIE, cookie)  # replay the cookie saved before logout
    r = client.get("/")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/")


def test_disable_then_enable_does_not_revive_old_sessions(
    app: FastAPI, users: Users, store: OpsStore
) -> None:
    _setup(users)
    ann = users.user("ann2", "analyst", "regional")
    users.user("root", "admin", "regional")
    with (
        TestClient(app, follow_redirects=False) as victim,
        TestClient(app, follow_redirects=False) as admin,
    ):
        cookie, _ = _saved_login(victim, "ann2")
        assert victim.get("/").status_code == 200  # the principal is now cached
        token = login(admin, "root")
        r = admin.post(f"/admin/users/{ann}/active", data={"csrf_token": token})
        assert "User ann2 disabled; 1 session(s) ended, 0 token(s) revoked." in r.text
        assert victim.get("/").status_code == 303  # at once, despite the principal cache
        r = admin.post(f"/admin/users/{ann}/active", data={"csrf_token": token})
        assert "User ann2 enabled." in r.text
        victim.cookies.set(SESSION_COOKIE, cookie)
        assert victim.get("/").status_code == 303
    with store.session() as s:
        ended = s.scalars(select(LoginSession).where(LoginSession.user_id == ann)).all()
    assert [(e.ended_reason, e.ended_at is not None) for e in ended] == [("user disabled", True)]


def test_admin_ends_a_users_sessions(app: FastAPI, users: Users, store: OpsStore) -> None:
    _setup(users)
    users.user("root", "admin", "regional")
    with (
        TestClient(app, follow_redirects=False) as victim,
        TestClient(app, follow_redirects=False) as admin,
    ):
        login(victim, "ann")
        token = login(admin, "root")
        ann = store.session().scalar(select(LoginSession.user_id).limit(1))
        page = admin.get("/admin").text
        assert f'action="/admin/users/{ann}/end-sessions"' in page
        r = admin.post(f"/admin/users/{ann}/end-sessions", data={"csrf_token": token})
        assert "1 session(s) of ann ended." in r.text
        assert victim.get("/").status_code == 303
    (entry,) = search_entries(store, AuditQuery(action="session"))
    assert (entry.username, entry.target, entry.detail) == (
        "root",
        "user ann",
        {"op": "end", "ended": 1},
    )


def test_revocation_reaches_another_worker_at_once(
    store: OpsStore, users: Users, mini_warehouse: Path
) -> None:
    # Two app instances over one store are two workers, each with its own principal cache.
    _setup(users)
    one, two = make_app(store, mini_warehouse), make_app(store, mini_warehouse)
    with (
        TestClient(one, follow_redirects=False) as c1,
        TestClient(two, follow_redirects=False) as c2,
    ):
        cookie, token = _saved_login(c1, "ann")
        c2.cookies.set(SESSION_COOKIE, cookie)
        assert c2.get("/", follow_redirects=False).status_code == 200  # cached in worker two
        c1.post("/logout", data={"csrf_token": token})
        assert c2.get("/", follow_redirects=False).status_code == 303


def test_password_change_ends_every_other_session(
    app: FastAPI, users: Users, store: OpsStore
) -> None:
    _setup(users)
    new = "a brand new long password"
    with (
        TestClient(app, follow_redirects=False) as here,
        TestClient(app, follow_redirects=False) as there,
    ):
        token = login(here, "ann")
        login(there, "ann")
        r = here.post(
            "/account/password",
            data={"csrf_token": token, "current": PASSWORD, "new": new, "confirm": new},
        )
        assert "Password changed; 2 session(s) ended, including the old one here." in r.text
        assert r.text.count(">this browser<") == 1  # the new session, marked as this one
        assert there.get("/", follow_redirects=False).status_code == 303
        assert here.get("/").status_code == 200  # this browser got a new session
        wrong = here.post(
            "/account/password",
            data={"csrf_token": csrf_of(r.text), "current": "nope", "new": new, "confirm": new},
        )
        assert (wrong.status_code, "the current password is wrong" in wrong.text) == (403, True)
    login(TestClient(app, follow_redirects=False), "ann", new)


def test_idle_sessions_end(store: OpsStore, users: Users, mini_warehouse: Path) -> None:
    _setup(users)
    idle = make_app(store, mini_warehouse, session_idle_seconds=-1)
    with TestClient(idle, follow_redirects=False) as c:
        login(c, "ann")
        assert c.get("/").status_code == 303
    with store.session() as s:
        assert s.scalar(select(LoginSession.ended_reason)) == "idle timeout"


def test_a_user_ends_their_other_sessions_from_the_account_page(app: FastAPI, users: Users) -> None:
    _setup(users)
    with (
        TestClient(app, follow_redirects=False) as here,
        TestClient(app, follow_redirects=False) as there,
    ):
        token = login(here, "ann")
        login(there, "ann")
        page = here.get("/account").text
        assert page.count(">this browser<") == 1 and "/account/sessions/2/end" in page
        r = here.post("/account/sessions/2/end", data={"csrf_token": token})
        assert "Session 2 ended." in r.text
        assert there.get("/", follow_redirects=False).status_code == 303
        r = here.post("/account/sessions/1/end", data={"csrf_token": token})
        assert (r.status_code, "use Log out to end this session" in r.text) == (400, True)


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


def _try_login(client: TestClient, username: str, password: str, **headers: str) -> int:
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
    )
    return r.status_code


def test_an_attacker_cannot_lock_a_user_out(app: FastAPI, users: Users, store: OpsStore) -> None:
    _setup(users)
    attacker = TestClient(app, follow_redirects=False, client=("203.0.113.9", 4000))
    owner = TestClient(app, follow_redirects=False, client=("198.51.100.7", 5000))
    with attacker, owner:
        assert [_try_login(attacker, "ann", "guess-guess-guess") for _ in range(6)] == [
            401,
            401,
            401,
            401,
            401,
            429,
        ]
        assert _try_login(attacker, "ann", PASSWORD) == 429  # the attacker is stopped
        assert _try_login(owner, "ann", PASSWORD) == 303  # ann is not
    refused = [e for e in search_entries(store, AuditQuery(action="login_failed"))]
    assert [e.detail.get("refused") for e in refused][:2] == ["rate limit", "rate limit"]
    assert {e.client for e in refused} == {"203.0.113.9"}


def test_one_client_is_limited_across_usernames(
    store: OpsStore, users: Users, mini_warehouse: Path
) -> None:
    _setup(users)
    app = make_app(store, mini_warehouse, login_max_client_failures=6)
    with TestClient(app, follow_redirects=False, client=("203.0.113.9", 4000)) as c:
        codes = [_try_login(c, f"user{i}", "guess-guess-guess") for i in range(7)]
        assert codes == [401] * 6 + [429]
        assert _try_login(c, "ann", PASSWORD) == 429


def test_failures_from_many_clients_slow_a_username_but_never_refuse_it() -> None:
    from toex.web.auth import LoginLimiter

    limiter = LoginLimiter(slow_after=10, slow_seconds=1.5)
    for i in range(10):
        assert limiter.check("ann", f"10.0.0.{i}") == 0.0
        limiter.failed("Ann", f"10.0.0.{i}")
    assert limiter.check("ann", "10.9.9.9") == 1.5  # slowed, from any client
    limiter.succeeded("ann", "10.9.9.9")
    assert limiter.check("ann", "10.9.9.9") == 0.0


def test_a_spoofed_forwarded_for_changes_neither_the_limit_nor_the_audit(
    app: FastAPI, users: Users, store: OpsStore
) -> None:
    _setup(users)
    with TestClient(app, follow_redirects=False, client=("203.0.113.9", 4000)) as c:
        codes = [
            _try_login(c, "ann", "guess-guess-guess", **{"X-Forwarded-For": f"192.0.2.{i}"})
            for i in range(6)
        ]
        assert codes == [401] * 5 + [429]
    assert {e.client for e in search_entries(store, AuditQuery(action="login_failed"))} == {
        "203.0.113.9"
    }


def test_forwarded_for_is_believed_only_from_a_configured_proxy(
    store: OpsStore, users: Users, mini_warehouse: Path
) -> None:
    _setup(users)
    app = make_app(store, mini_warehouse, trusted_proxies=("10.0.0.0/8",))
    with TestClient(app, follow_redirects=False, client=("10.1.2.3", 4000)) as proxied:
        headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
        assert _try_login(proxied, "ann", "guess-guess-guess", **headers) == 401
        r = proxied.get("/login", headers=headers)
        assert r.headers["strict-transport-security"] == "max-age=31536000"  # TLS at the proxy
    with TestClient(app, follow_redirects=False, client=("203.0.113.9", 4000)) as direct:
        assert _try_login(direct, "ann", "guess-guess-guess", **headers) == 401
    clients = [e.client for e in search_entries(store, AuditQuery(action="login_failed"))]
    assert clients == ["203.0.113.9", "198.51.100.7"]


def test_serve_hands_uvicorn_the_same_proxy_list_and_no_trust_of_its_own() -> None:
    options = uvicorn_options(Settings(trusted_proxies="10.0.0.1,192.168.0.0/16"), "0.0.0.0", 80)
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (
        False,
        "10.0.0.1,192.168.0.0/16",
    )
    assert uvicorn_options(Settings(), "127.0.0.1", 80)["forwarded_allow_ips"] is None


@pytest.mark.parametrize("path", ["/", "/account", "/admin"])
def test_session_for_gives_a_real_server_side_session(
    client: TestClient, users: Users, store: OpsStore, path: str
) -> None:
    _setup(users)
    session_for(client, users.user("root", "admin", "regional"))
    assert client.get(path).status_code == 200
    with store.session() as s:
        assert s.scalar(select(LoginSession.client)) == "testclient"


def test_toex_serve_ignores_a_forwarded_for_spoofed_from_localhost(
    tmp_path: Path, mini_warehouse: Path
) -> None:
    # End to end through uvicorn: before, `toex serve` let uvicorn believe X-Forwarded-For
    # from 127.0.0.1, so any local process could put any address in the audit log.
    import os
    import socket
    import subprocess
    import sys

    import httpx

    from toex.ops import open_store

    store = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    Users(store).org("regional", ["cambs"], "regional")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    toex = str(Path(sys.executable).with_name("toex"))
    env = {**os.environ, "TOEX_DATA_DIR": str(tmp_path), "TOEX_ENVIRONMENT": "development"}
    env.pop("TOEX_OPS_DATABASE_URL", None)
    server = subprocess.Popen(
        [toex, "serve", "--port", str(port), "--snapshot", str(mini_warehouse)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base) as c:
            token = csrf_of(c.get("/login").text)
            r = c.post(
                "/login",
                data={"username": "ann", "password": "guess-guess-guess", "csrf_token": token},
                headers={"X-Forwarded-For": "192.0.2.55"},
            )
            assert r.status_code == 401
    finally:
        server.terminate()
        server.wait(30)
    (entry,) = search_entries(store, AuditQuery(action="login_failed"))
    assert entry.client == "127.0.0.1"
    store.dispose()
