"""Helpers of the data-directory tests: the CLI as ``toex`` runs it (errors become exit
codes), and a data directory served in-process as ``toex serve`` does, used as an analyst:
log in through the form, search with a purpose, open a profile."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from toex.cli.app import app
from toex.config import get_settings
from toex.errors import ToexError
from toex.ops import open_store
from toex.ops.accounts import add_agreement, create_organisation, create_user
from toex.ops.db import OpsStore
from toex.web.app import create_app
from toex.web.context import WebConfig
from toex.web.warehouse import engine_source

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SECRET = "test-secret-key-for-datadir-tests"
PASSWORD = "correct horse battery staple"
FORCES = ("cambs", "essex", "gmp", "lancs", "leics", "norfolk", "northants", "staffs", "wmp")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def cli(*args: str) -> tuple[int, str]:
    """Run ``toex ARGS``; (exit code, output) as the console entry point gives them (a toex
    error is its exit code and ``error: <message>``)."""
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, ToexError):
        return result.exception.exit_code, f"error: {result.exception}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def add_analyst(store: OpsStore, username: str = "ann") -> None:
    """A regional analyst who may see every force's records at every marking."""
    with store.session() as s:
        org = create_organisation(s, "regional", "Regional unit", "regional")
        for force in FORCES:
            add_agreement(s, org, force)
        create_user(s, username, PASSWORD, "analyst", org, clearance="SECRET", handling_codes="P,C")
        s.commit()


@contextmanager
def serve(data_dir: Path, ops_url: str, check_interval: float = 2.0) -> Iterator[TestClient]:
    """A client of the app over ``data_dir``'s current snapshot and the store at ``ops_url``."""
    store = open_store(ops_url, settings=get_settings().model_copy(update={"data_dir": data_dir}))
    config = WebConfig(secret_key=SECRET, snapshot_check_interval=check_interval)
    app = create_app(store, engine_source(data_dir), config)
    try:
        with TestClient(app, follow_redirects=False) as client:
            app.state.toex.warehouse.wait_for_build()
            yield client
    finally:
        store.dispose()


def csrf(html: str) -> str:
    """The CSRF token of a page's forms."""
    m = _CSRF.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def login(client: TestClient, username: str = "ann") -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": csrf(page.text),
            "next": "/",
        },
    )
    assert r.status_code == 303, r.text
    return csrf(client.get("/search").text)


def search(client: TestClient, token: str, name: str) -> list[str]:
    """Person ids a name search finds."""
    r = client.post("/search", data={"csrf_token": token, "purpose": "datadir test", "name": name})
    assert r.status_code == 200, r.text
    return re.findall(r'data-person="([^"]+)"', r.text)


def profile(client: TestClient, token: str, person_id: str) -> tuple[int, str]:
    """Status and HTML of a person's profile (purpose stated first)."""
    client.post(
        "/purpose",
        data={"csrf_token": token, "purpose": "datadir test", "next": f"/person/{person_id}"},
    )
    r = client.get(f"/person/{person_id}")
    return r.status_code, r.text
