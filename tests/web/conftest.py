"""Web test fixtures.

Fixture strategy: most tests run the app in-process (FastAPI ``TestClient``) over the tiny
inline warehouse of ``warehouse_fixture.py`` and a fresh SQLite operational store per test;
users are added with one precomputed argon2 hash so creating dozens stays fast. The browser,
access-matrix and schemathesis tests also run over the real pipeline output of the tiny
synthetic set (``tiny_warehouse`` in ``tests/conftest.py``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from toex.ops import open_store
from toex.ops.accounts import add_agreement, create_organisation, hash_password, issue_token
from toex.ops.db import OpsStore
from toex.ops.login_sessions import start_session
from toex.ops.models import Organisation, User
from toex.web.app import create_app
from toex.web.context import WebConfig
from toex.web.sessions import SESSION_COOKIE, SessionCodec, WebSession
from toex.web.warehouse import FixedSnapshot

from .warehouse_fixture import build_warehouse

with warnings.catch_warnings():
    # Starlette 1.x asks for the httpx2 package; its TestClient works with httpx as installed.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)
SECRET = "test-secret-key-for-web-tests-only"


@pytest.fixture(scope="session")
def mini_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The inline warehouse file (built once, opened read-only)."""
    return build_warehouse(tmp_path_factory.mktemp("mini") / "mini.duckdb")


@pytest.fixture(scope="session")
def mini_assessed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The inline warehouse with two more offenders and the assess stage's tables."""
    return build_warehouse(tmp_path_factory.mktemp("mini") / "assessed.duckdb", assessed=True)


@pytest.fixture(scope="session")
def tiny_snapshot(tiny_warehouse: Path) -> Path:
    """The DuckDB file of the pipeline's snapshot of the tiny synthetic set."""
    from toex.engine import SnapshotStore

    info = SnapshotStore(tiny_warehouse).current()
    assert info is not None
    return info.path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OpsStore]:
    """A fresh SQLite operational store."""
    s = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield s
    s.dispose()


def make_app(store: OpsStore, snapshot_path: Path, **config: object) -> FastAPI:
    """The app over ``store`` and a fixed snapshot file."""
    return create_app(
        store,
        FixedSnapshot(snapshot_path, run_id="test-run"),
        WebConfig(secret_key=SECRET, **config),
    )  # type: ignore[arg-type]


@dataclass
class Users:
    """Adds organisations and users to a store."""

    store: OpsStore

    def org(self, code: str, forces: list[str], kind: str = "force") -> None:
        """Add an organisation with agreements for ``forces`` (no-op if it exists)."""
        with self.store.session() as s:
            if s.query(Organisation).filter_by(code=code).first() is None:
                org = create_organisation(s, code, code, kind)
                for f in forces:
                    add_agreement(s, org, f)
                s.commit()

    def user(
        self, username: str, role: str, org: str, clearance: str = "SECRET", handling: str = "P,C"
    ) -> int:
        """Add a user (password :data:`PASSWORD`); returns the user id."""
        with self.store.session() as s:
            o = s.query(Organisation).filter_by(code=org).one()
            u = User(
                username=username,
                display_name=username,
                password_hash=_HASH,
                role=role,
                organisation=o,
                clearance=clearance,
                handling_codes=handling,
                active=True,
            )
            s.add(u)
            s.commit()
            return u.id

    def token(self, username: str, scope: str = "write") -> str:
        """Issue an API token for ``username`` (write scope unless asked: most tests act as
        the user in every way)."""
        with self.store.session() as s:
            u = s.query(User).filter_by(username=username).one()
            t = issue_token(s, u, "test", scope)
            s.commit()
            return t


@pytest.fixture
def users(store: OpsStore) -> Users:
    """Helper adding organisations and users to the test store."""
    return Users(store)


@pytest.fixture
def app(store: OpsStore, mini_warehouse: Path) -> FastAPI:
    """The app over the inline warehouse and the test store."""
    return make_app(store, mini_warehouse)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process client (follows no redirects)."""
    with TestClient(app, follow_redirects=False) as c:
        yield c


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a page's forms."""
    m = _CSRF.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def session_for(client: TestClient, user_id: int) -> str:
    """Give ``client`` a valid logged-in session for ``user_id`` without the login form
    (the login itself is tested in test_sessions.py): a server-side session row and the
    cookie naming it. Returns the CSRF token."""
    state = client.app.state.toex  # type: ignore[attr-defined]
    sid = start_session(state.store, user_id, "testclient", state.config.session_policy)
    session = WebSession(sid=sid)
    client.cookies.set(SESSION_COOKIE, SessionCodec(SECRET, 3600).dumps(session))
    return session.csrf


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": "/",
        },
    )
    assert resp.status_code == 303, resp.text
    return csrf_of(client.get("/login").text)
