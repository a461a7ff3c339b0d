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


def _login(client: TestClient, user_id: int) -> None:
    """A session for ``user_id`` with a stated purpose (the lists ask for one)."""
    client.cookies.clear()  # the purpose's session cookie is set by the server, per domain
    token = session_for(client, user_id)
    client.post("/purpose", data={"csrf_token": token, "purpose": "list tests"})


def _rows(html: str) -> list[str]:
    return re.findall(r'<td>\d+</td><td><a href="/person/([^"]+)">', html)


def test_priority_list_ranks_the_planted_serial_offender_first(
    tiny: tuple[TestClient, Users, Truth],
) -> None:
    client, users, _ = tiny
    _login(client, users.user("nat", "analyst", "national"))
    html = client.get("/perpetrators").text
    assert "16 years old" in html.split("</tr>")[1]
    assert len(_rows(html)) == 100
    cambs = client.get("/perpetrators?force=cambs").text
    assert _rows(cambs)[0] == _rows(html)[0]


def test_priority_list_hides_scores_resting_on_hidden_records(
    tiny: tuple[TestClient, Users, Truth],
) -> None:
    """A force analyst sees exactly the scores all of whose records (his mentions, his
    crimes, their victims) are visible to him, by the oracle, though he sees some records of
    offenders whose scores stay hidden."""
    client, users, truth = tiny
    for clearance in ("OFFICIAL", "OFFICIAL-SENSITIVE"):
        rule = Rule(frozenset({"cambs"}), frozenset({"P", "C"}), clearance)
        _login(client, users.user(f"cam-{clearance}", "analyst", "force-cambs", clearance))
        html = client.get("/perpetrators").text
        expected = truth.scores_visible(rule)
        assert set(_rows(html)) == expected, clearance
        assert f"{len(expected)} scored perpetrator" in html
        vis = truth.visible(rule)
        partly = {p for p in truth.scored if truth.persons[p] & vis} - expected
        assert partly, clearance  # persons the user sees whose score stays hidden
    assert expected and len(expected) < len(
        truth.scores_visible(Rule(frozenset(FORCES), frozenset({"P", "C"}), "SECRET"))
    )


def test_cross_force_counts_visible_forces_only(tiny: tuple[TestClient, Users, Truth]) -> None:
    client, users, truth = tiny
    _login(client, users.user("nat2", "analyst", "national"))
    vis = truth.visible(Rule(frozenset(FORCES), frozenset({"P", "C"}), "SECRET"))
    expected = {p for p in truth.persons if len(truth.forces_of(p, vis)) > 1}
    html = client.get("/crossforce").text
    assert f"{len(expected)} persons with records you may see" in html
    _login(client, users.user("cam2", "analyst", "force-cambs"))
    assert "0 persons with records you may see" in client.get("/crossforce").text
