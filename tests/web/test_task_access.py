"""Task-based access: the access matrix of grants (live, expired, revoked, not yet), bounded
by the operation's forces and linked persons, the user's clearance and handling codes."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from toex.errors import InputError
from toex.ops.access import AccessScope
from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore
from toex.ops.tracker_grants import TaskAccess, grant_access, revoke_grant, task_permits
from toex.ops.tracker_import import import_text, rules_for
from toex.ops.tracker_store import Actor

from .conftest import Users, session_for

TODAY = dt.date.today()
BOSS = Actor("sue", "regional", "test", "form")
OPS = (
    "reference,name,lead_force,forces,soc_master_list,supported,exploitation_types,"
    "geographic_scale,status,opened_on,linked_persons\n"
    "OP/G,Op Grant,cambs,essex,yes,yes,other,multi_force_outside_region,open,2025-01-01,P1\n"
    "OP/N,Op Norfolk,norfolk,,yes,yes,other,force,open,2025-01-01,P2\n"
)


@pytest.fixture
def operations(store: OpsStore, users: Users) -> None:
    rules = rules_for([("cambs", "Cambridgeshire"), ("essex", "Essex"), ("norfolk", "Norfolk")])
    import_text(store, "operations", OPS, BOSS, rules)
    users.org("force-cambs", ["cambs"])
    users.org("regional", ["cambs", "essex", "norfolk"], kind="regional")
    users.user("sue", "supervisor", "regional")


def _mentions(client: TestClient, person: str) -> set[str]:
    page = client.get(f"/person/{person}")
    if page.status_code == 404:
        return set()
    assert page.status_code == 200, page.text
    return {
        m
        for m in ("mention-000001", "mention-000002", "mention-000003", "mention-000007")
        if m in page.text
    }


def _viewer(client: TestClient, users: Users, name: str, **kw: str) -> None:
    """Log ``name`` in (an analyst of cambs) with a stated purpose."""
    csrf = session_for(client, users.user(name, "analyst", "force-cambs", **kw))
    stated = client.post(
        "/purpose", data={"purpose": "operation work", "next": "/", "csrf_token": csrf}
    )
    assert stated.status_code == 303


@pytest.mark.parametrize(
    ("window", "live"),
    [((-1, 30), True), ((-30, -1), False), ((1, 30), False)],
    ids=["live", "expired", "not-yet"],
)
def test_grant_window_decides_the_linked_persons_records(
    client: TestClient,
    users: Users,
    store: OpsStore,
    operations: None,
    window: tuple[int, int],
    live: bool,
) -> None:
    _viewer(client, users, "gina", clearance="OFFICIAL-SENSITIVE")
    before = _mentions(client, "P1")
    assert before == {"mention-000001"}  # cambs only, by agreement
    grant_access(
        store,
        "OP/G",
        "gina",
        TODAY + dt.timedelta(days=window[0]),
        TODAY + dt.timedelta(days=window[1]),
        "surveillance support",
        BOSS,
    )
    after = _mentions(client, "P1")
    # live: essex (an operation force) within clearance; never norfolk (not an operation
    # force, and SECRET)
    assert after == ({"mention-000001", "mention-000002"} if live else {"mention-000001"})
    # a person not linked to the operation gains nothing
    assert "AMY" not in client.get("/person/V2").text


def test_revoked_grant_and_bounds_of_clearance_and_handling(
    client: TestClient, users: Users, store: OpsStore, operations: None
) -> None:
    _viewer(client, users, "olly", clearance="OFFICIAL", handling="P")
    g = grant_access(store, "OP/G", "olly", TODAY, TODAY + dt.timedelta(days=5), "task work", BOSS)
    grant_access(store, "OP/N", "olly", TODAY, TODAY + dt.timedelta(days=5), "task work", BOSS)
    # essex record is OFFICIAL-SENSITIVE: above an OFFICIAL clearance
    assert _mentions(client, "P1") == {"mention-000001"}
    # P2's norfolk record has handling code C, which olly does not hold
    assert _mentions(client, "P2") == set()
    revoke_grant(store, g.id, BOSS)
    with pytest.raises(InputError):
        revoke_grant(store, g.id, BOSS)
    actions = [e.action for e in search_entries(store, AuditQuery(username="sue"))]
    assert actions.count("grant") == 2 and actions.count("grant_revoke") == 1


def test_only_supervisors_grant_through_the_form(
    client: TestClient, users: Users, store: OpsStore, operations: None
) -> None:
    csrf = session_for(client, users.user("ann", "analyst", "force-cambs"))
    form = {
        "operation_reference": "OP/G",
        "username": "ann",
        "valid_to": str(TODAY),
        "reason": "let me in",
        "csrf_token": csrf,
    }
    assert client.post("/tracker/grants", data=form).status_code == 403
    csrf = session_for(client, users.user("sue2", "supervisor", "regional"))
    ok = client.post("/tracker/grants", data={**form, "csrf_token": csrf})
    assert ok.status_code == 303
    page = client.get("/tracker/operation", params={"ref": "OP/G"})
    assert "ann" in page.text and "live" in page.text
    too_long = {**form, "csrf_token": csrf, "valid_to": str(TODAY + dt.timedelta(days=400))}
    assert client.post("/tracker/grants", data=too_long).status_code == 400


def test_task_permits_matrix() -> None:
    scope = AccessScope(frozenset({"cambs"}), frozenset({"P"}), "OFFICIAL-SENSITIVE")
    grant = TaskAccess(
        "OP/G", frozenset({"cambs", "essex"}), frozenset({"P1"}), frozenset({"N1"}), TODAY
    )
    cases = [
        # (force, handling, classification, person, network, expected)
        ("cambs", "P", "OFFICIAL", None, None, True),  # by agreement
        ("essex", "P", "OFFICIAL", "P1", None, True),  # linked person, operation force
        ("essex", "P", "OFFICIAL", None, "N1", True),  # linked network
        ("essex", "P", "OFFICIAL", "P9", None, False),  # not linked
        ("norfolk", "P", "OFFICIAL", "P1", None, False),  # not an operation force
        ("essex", "C", "OFFICIAL", "P1", None, False),  # handling code not held
        ("essex", "P", "SECRET", "P1", None, False),  # above clearance
    ]
    for force, handling, cls, person, network, expected in cases:
        got = task_permits(
            scope,
            [grant],
            force=force,
            handling_code=handling,
            classification=cls,
            person_id=person,
            network_id=network,
        )
        assert got is expected, (force, handling, cls, person, network)
    assert not task_permits(
        scope, [], force="essex", handling_code="P", classification="OFFICIAL", person_id="P1"
    )


class _Snapshot:
    """Just enough of an open snapshot for :func:`person_networks`."""

    def __init__(self, has: bool) -> None:
        self.has = has

    def has_columns(self, table: str, *columns: str) -> bool:
        return self.has and table == "link_network_member"


def test_network_grants_reach_the_networks_members_only() -> None:
    import duckdb

    from toex.web.task_scope import grants_for_person, person_networks

    con = duckdb.connect()
    con.execute("CREATE TABLE link_network_member (network_id VARCHAR, person_id VARCHAR)")
    con.execute("INSERT INTO link_network_member VALUES ('N1', 'P7'), ('N2', 'P8')")
    snap = _Snapshot(True)
    assert person_networks(snap, con, "P7", {"N1", "N2"}) == {"N1"}
    assert person_networks(snap, con, "P9", {"N1"}) == set()
    assert person_networks(_Snapshot(False), con, "P7", {"N1"}) == set()
    grant = TaskAccess("OP/G", frozenset({"essex"}), frozenset(), frozenset({"N1"}), TODAY)
    assert grants_for_person([grant], "P7", {"N1"}) == [grant]
    assert grants_for_person([grant], "P8", {"N2"}) == []
