"""The audit page: searching or viewing the log is itself audited, and an admin's chain
check says which checkpoint it matched."""

from __future__ import annotations

from toex.ops.audit import AuditQuery, record, search_entries
from toex.ops.audit_checkpoints import checkpoint
from toex.ops.db import OpsStore

from .conftest import TestClient, Users, session_for


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
