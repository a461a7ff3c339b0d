"""The app over a data directory when its snapshots go wrong: a damaged ``CURRENT`` pointer
or a truncated snapshot keeps the last good snapshot served, is logged once, and no page or
API error shows a file path; the caches the server writes are owner-only."""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from toex.engine import SnapshotStore
from toex.engine.snapshots import new_run_id
from toex.ops.db import OpsStore
from toex.web.app import create_app
from toex.web.context import WebConfig
from toex.web.warehouse import UNAVAILABLE, engine_source

from .conftest import SECRET, TestClient, Users, session_for

GARBAGE = "\x00\x01 not json {"


def _snapshots(data: Path, mini: Path, n: int) -> list[str]:
    """``n`` copies of the inline warehouse as snapshots of ``data``; the last is current."""
    root = data / "warehouse"
    root.mkdir(parents=True)
    ids = []
    for _ in range(n):
        run_id = new_run_id()
        shutil.copy(mini, root / f"{run_id}.duckdb")
        ids.append(run_id)
    SnapshotStore(data).use(ids[-1])
    return ids


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data dir"


@pytest.fixture
def served(store: OpsStore, users: Users, data: Path) -> Iterator[tuple[TestClient, str]]:
    """A client of the app over ``data`` (re-checking CURRENT at every request) with a
    logged-in analyst who sees everything, and that analyst's API token."""
    app = create_app(
        store, engine_source(data), WebConfig(secret_key=SECRET, snapshot_check_interval=0.0)
    )
    users.org("regional", ["cambs", "essex", "norfolk"], "regional")
    uid = users.user("ann", "analyst", "regional")
    token = users.token("ann")
    with TestClient(app, follow_redirects=False) as client:
        csrf = session_for(client, uid)
        client.post("/purpose", data={"csrf_token": csrf, "purpose": "pointer test", "next": "/"})
        yield client, token


def _person(client: TestClient, token: str) -> tuple[int, str]:
    r = client.get(
        "/api/v1/persons/P1",
        headers={"Authorization": f"Bearer {token}"},
        params={"purpose": "pointer test"},
    )
    return r.status_code, r.text


def _serving(client: TestClient) -> str:
    warehouse = client.app.state.toex.warehouse  # type: ignore[attr-defined]
    warehouse.wait_for_build()
    return str(warehouse.snapshot().ref.run_id)


@pytest.mark.parametrize(
    "pointer",
    [GARBAGE, '{"run_id": "x", "file": "gone.duckdb", "created_at": "2024-01-01T00:00:00"}'],
)
def test_a_damaged_pointer_keeps_the_open_snapshot_and_shows_no_path(
    served: tuple[TestClient, str],
    data: Path,
    mini_warehouse: Path,
    pointer: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, token = served
    ids = _snapshots(data, mini_warehouse, 2)
    assert _person(client, token)[0] == 200 and _serving(client) == ids[1]
    (data / "warehouse" / "CURRENT").write_text(pointer)
    with caplog.at_level(logging.ERROR, logger="toex.web.warehouse"):
        for _ in range(3):
            status, body = _person(client, token)
            assert status == 200 and "WILLIAM" in body
            page = client.get("/person/P1")
            assert page.status_code == 200 and str(data) not in page.text
    assert _serving(client) == ids[1]
    (message,) = caplog.messages  # logged once, with the detail the pages do not show
    assert message.startswith("the CURRENT pointer is unusable (") and str(data) in message
    assert message.endswith(f"; serving {ids[1]}")


def test_a_server_started_on_a_damaged_pointer_serves_the_newest_good_snapshot(
    served: tuple[TestClient, str], data: Path, mini_warehouse: Path
) -> None:
    client, token = served
    ids = _snapshots(data, mini_warehouse, 3)
    path = data / "warehouse" / f"{ids[2]}.duckdb"
    os.truncate(path, path.stat().st_size // 3)  # the newest file is damaged too
    (data / "warehouse" / "CURRENT").write_text(GARBAGE)
    assert _person(client, token)[0] == 200
    assert _serving(client) == ids[1]


def test_with_nothing_to_serve_the_error_names_no_path(
    served: tuple[TestClient, str], data: Path
) -> None:
    client, token = served
    (data / "warehouse").mkdir(parents=True)
    (data / "warehouse" / "CURRENT").write_text(GARBAGE)
    status, body = _person(client, token)
    assert (status, body) == (503, f'{{"error":"{UNAVAILABLE}","status":503}}')
    page = client.get("/person/P1")
    assert page.status_code == 503 and UNAVAILABLE in page.text
    assert str(data) not in page.text and "CURRENT" not in page.text


def test_a_truncated_snapshot_is_logged_once_and_not_served(
    served: tuple[TestClient, str],
    data: Path,
    mini_warehouse: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, token = served
    (first,) = _snapshots(data, mini_warehouse, 1)
    assert _person(client, token)[0] == 200
    second = new_run_id()
    path = data / "warehouse" / f"{second}.duckdb"
    shutil.copy(mini_warehouse, path)
    os.truncate(path, path.stat().st_size // 2)
    SnapshotStore(data)._point_to(second, path)  # a run whose file was cut short afterwards
    with caplog.at_level(logging.ERROR, logger="toex.web.warehouse"):
        for _ in range(3):
            assert _person(client, token)[0] == 200
            assert _serving(client) == first
    (message,) = caplog.messages
    assert message.startswith(f"snapshot {second} ({path}) cannot be opened, so it is not ")
    assert message.endswith(f"; serving {first}")
    shutil.copy(mini_warehouse, path)  # repaired: the changed file is tried again
    assert _person(client, token)[0] == 200
    assert _serving(client) == second


def test_the_caches_the_server_builds_are_owner_only(
    served: tuple[TestClient, str], data: Path, mini_warehouse: Path
) -> None:
    old = os.umask(0o022)
    try:
        client, token = served
        (run_id,) = _snapshots(data, mini_warehouse, 1)
        os.umask(0o022)  # whatever umask the process had, the caches are private
        assert _person(client, token)[0] == 200 and _serving(client) == run_id
    finally:
        os.umask(old)
    found = {
        str(p.relative_to(data)): oct(stat.S_IMODE(p.stat().st_mode))
        for p in (data / "warehouse").rglob("*")
    }
    assert f"warehouse/{run_id}.webindex/manifest.json" in found
    del found[f"warehouse/{run_id}.duckdb"]  # copied in by the test itself
    assert {k: v for k, v in found.items() if v not in ("0o600", "0o700")} == {}
