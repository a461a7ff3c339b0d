"""Priority perpetrators and cross-force links over the tiny synthetic set's snapshot: the
lists show only what the rule permits (a score only when every record behind it is visible)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toex.ops import open_store

from .access_truth import Rule, Truth
from .conftest import TestClient, Users, make_app, session_for

FORCES = ["asw", "cambs", "essex", "gmp", "lancs", "leics", "norfolk", "northants", "staffs", "wmp"]


@pytest.fixture(scope="module")
def tiny(
    tiny_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TestClient, Users, Truth]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('lists') / 'ops.sqlite'}")
    users = Users(store)
    users.org("national", FORCES, "regional")
    users.org("force-cambs", ["cambs"])
    client = TestClient(make_app(store, tiny_snapshot), follow_redirects=False)
    return client, users, Truth(tiny_snapshot)


def _rows(html: str) -> list[str]:
    return re.findall(r'<td>\d+</td><td><a href="/person/([^"]+)">', html)


def test_priority_list_ranks_the_planted_serial_offender_first(
    tiny: tuple[TestClient, Users, Truth],
) -> None:
    client, users, _ = tiny
    session_for(client, users.user("nat", "analyst", "national"))
    html = client.get("/perpetrators").text
    assert "16 years old" in html.split("</tr>")[1]
    assert len(_rows(html)) == 100
    cambs = client.get("/perpetrators?force=cambs").text
    assert _rows(cambs)[0] == _rows(html)[0]


def test_priority_list_hides_persons_with_hidden_records(
    tiny: tuple[TestClient, Users, Truth],
) -> None:
    client, users, truth = tiny
    session_for(client, users.user("cam", "analyst", "force-cambs", "OFFICIAL", "P"))
    vis = truth.visible(Rule(frozenset({"cambs"}), frozenset({"P"}), "OFFICIAL"))
    listed = _rows(client.get("/perpetrators").text)
    assert listed
    for pid in listed:
        assert truth.persons[pid] <= vis, pid


def test_cross_force_counts_visible_forces_only(tiny: tuple[TestClient, Users, Truth]) -> None:
    client, users, truth = tiny
    session_for(client, users.user("nat2", "analyst", "national"))
    vis = truth.visible(Rule(frozenset(FORCES), frozenset({"P", "C"}), "SECRET"))
    expected = {p for p in truth.persons if len(truth.forces_of(p, vis)) > 1}
    html = client.get("/crossforce").text
    assert f"{len(expected)} persons with records you may see" in html
    session_for(client, users.user("cam2", "analyst", "force-cambs"))
    assert "0 persons with records you may see" in client.get("/crossforce").text
