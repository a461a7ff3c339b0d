"""The audit page: searching or viewing the log is itself audited, and an admin's chain
check says which checkpoint it matched."""

from __future__ import annotations

import time
from pathlib import Path

from toex.ops.audit import AuditQuery, record, search_entries
from toex.ops.audit_checkpoints import checkpoint, read_checkpoints
from toex.ops.audit_verify import verify_chain
from toex.ops.db import OpsStore

from .conftest import TestClient, Users, make_app, session_for


def test_searching_the_audit_log_is_audited(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    users.org("regional", ["cambs"], "regional")
    record(store, username="ann", organisation="regional", action="search", purpose="ours")
    session_for(client, users.user("sup", "supervisor", "regional"))
    assert client.get("/audit", params={"username": "ann", "text": "ours"}).status_code == 200
    client.get("/audit")
    entries = search_entries(store, AuditQuery(action="audit_search"))
    assert [(e.username, e.organisation, e.target, e.detail) for e in reversed(entries)] == [
        (
            "sup",
            "regional",
            "/audit",
            {
                "filters": {"username": "ann", "text": "ours", "organisation": "regional"},
                "shown": 1,
            },
        ),
        ("sup", "regional", "/audit", {"filters": {"organisation": "regional"}, "shown": 2}),
    ]


def test_an_admins_chain_check_names_the_checkpoint(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    users.org("regional", ["cambs"], "regional")
    session_for(client, users.user("root", "admin", "regional"))
    record(store, username="ann", action="search", purpose="p")
    cp = checkpoint(store)
    assert cp is not None
    html = client.get("/audit", params={"verify": "true"}).text
    assert (
        f"audit chain intact (1 entries checked;\nmatches checkpoint line 1 of {cp.at}, seq 1)"
        in html
    )
    (entry,) = search_entries(store, AuditQuery(action="audit_search"))
    assert entry.detail == {"filters": {}, "shown": 1, "verified": "audit chain intact"}


def test_the_app_checkpoints_the_chain_periodically(
    store: OpsStore, users: Users, mini_warehouse: Path
) -> None:
    record(store, username="ann", action="search", purpose="p")
    app = make_app(store, mini_warehouse, audit_checkpoint_seconds=0.05)
    with TestClient(app):
        deadline = time.monotonic() + 20
        while not store.audit.checkpoint_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        record(store, username="ann", action="search", purpose="q")
        while verify_chain(store).checkpoint is None or verify_chain(store).checkpoint.seq < 2:
            assert time.monotonic() < deadline, "no periodic checkpoint"
            time.sleep(0.05)
    log = read_checkpoints(store.audit.checkpoint_file, store.audit.keys).checkpoints
    assert [c.seq for c in log] == [1, 2]  # one line per head, not one per tick
