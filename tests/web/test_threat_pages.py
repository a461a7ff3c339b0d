"""The threats page over the tiny synthetic set's snapshot: a threat (its score, band, types
and the tables' counts) is shown only when the viewer may see every record it draws on;
the rest are withheld (counted, never described); views are audited."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from toex.ops import open_store
from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore

from .conftest import TestClient, Users, make_app, session_for

FORCES = ["asw", "cambs", "essex", "gmp", "lancs", "leics", "norfolk", "northants", "staffs", "wmp"]


@pytest.fixture(scope="module")
def tiny(
    tiny_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TestClient, Users, OpsStore]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('threats') / 'ops.sqlite'}")
    users = Users(store)
    users.org("national", FORCES, "regional")
    users.org("force-cambs", ["cambs"])
    client = TestClient(make_app(store, tiny_snapshot), follow_redirects=False)
    return client, users, store


def _login(client: TestClient, user_id: int) -> None:
    client.cookies.clear()
    token = session_for(client, user_id)
    client.post("/purpose", data={"csrf_token": token, "purpose": "threat review"})


def _threats(html: str) -> list[str]:
    return re.findall(r'data-threat="([^"]+)"', html)


def _count(html: str, key: str) -> int:
    m = re.search(rf'data-type="{key}" data-count="(\d+)"', html)
    assert m, key
    return int(m.group(1))


def _expected(
    snapshot: Path, forces: set[str], codes: set[str], classes: set[str], force: str | None
) -> list[str]:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        rows = con.execute(
            "SELECT threat_id, forces, mark_forces, mark_codes, mark_classes FROM assess_threat "
            "ORDER BY rank"
        ).fetchall()
    finally:
        con.close()
    return [
        t
        for t, fs, mf, mc, ml in rows
        if (force is None or force in fs)
        and set(mf) <= forces
        and set(mc) <= codes
        and set(ml) <= classes
    ]


def test_national_analyst_sees_every_threat_ranked(
    tiny: tuple[TestClient, Users, OpsStore], tiny_snapshot: Path
) -> None:
    client, users, store = tiny
    _login(client, users.user("nat", "analyst", "national"))
    html = client.get("/threats?top=500").text
    everything = _expected(
        tiny_snapshot, set(FORCES), {"P", "C"}, {"OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"}, None
    )
    assert _threats(html) == everything[:500]
    assert "withheld" not in html.split('id="threat-total"')[1].split("</p>")[0]
    assert _count(html, "total") == len(everything)
    top10 = _threats(client.get("/threats").text)
    assert top10 == everything[:10]
    views = [
        e
        for e in search_entries(store, AuditQuery(action="view"))
        if e.target.startswith("threats")
    ]
    assert views and views[0].purpose == "threat review"


def test_force_analyst_sees_only_threats_resting_on_records_he_may_see(
    tiny: tuple[TestClient, Users, OpsStore], tiny_snapshot: Path
) -> None:
    client, users, _ = tiny
    _login(client, users.user("cam", "analyst", "force-cambs", clearance="OFFICIAL", handling="P"))
    html = client.get("/threats?force=cambs&top=500").text
    shown = _threats(html)
    expected = _expected(tiny_snapshot, {"cambs"}, {"P"}, {"OFFICIAL"}, "cambs")
    assert shown == expected
    everything_in_cambs = _expected(
        tiny_snapshot,
        set(FORCES),
        {"P", "C"},
        {"OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"},
        "cambs",
    )
    withheld = len(everything_in_cambs) - len(expected)
    assert withheld > 0
    assert f"{withheld} withheld" in html
    assert _count(html, "total") == len(expected)  # tables count visible threats only
    for hidden in set(everything_in_cambs) - set(expected):
        assert hidden not in html


def test_partners_may_not_open_the_page(tiny: tuple[TestClient, Users, OpsStore]) -> None:
    client, users, _ = tiny
    users.org("partner-asw", [], "partner")
    client.cookies.clear()
    session_for(client, users.user("pat", "partner", "partner-asw"))
    assert client.get("/threats").status_code == 403


def test_a_threat_page_shows_its_labels_evidence_and_history(
    tiny: tuple[TestClient, Users, OpsStore], tiny_snapshot: Path
) -> None:
    client, users, store = tiny
    _login(client, users.user("nat2", "analyst", "national"))
    con = duckdb.connect(str(tiny_snapshot), read_only=True)
    try:
        tid, types = con.execute(
            "SELECT threat_id, exploitation_types FROM assess_threat "
            "WHERE primary_type <> 'other' ORDER BY rank LIMIT 1"
        ).fetchall()[0]
        refs = [
            r[0]
            for r in con.execute(
                "SELECT reference FROM assess_exploitation_evidence WHERE subject_id = ? "
                "AND level = 'community'",
                [tid],
            ).fetchall()
        ]
        scored = con.execute(
            "SELECT count(*) FROM assess_threat_history WHERE threat_id = ?", [tid]
        ).fetchall()[0][0]
    finally:
        con.close()
    html = client.get(f"/threats/{tid}").text
    assert re.findall(r'<tr data-type="([^"]+)">', html) == list(types)
    assert refs and all(r in html for r in refs)
    history = html.split('id="threat-history"')[1].split("</table>")[0]
    assert history.count("<tr>") == 1 + scored  # header + one row per scoring date
    views = [e.target for e in search_entries(store, AuditQuery(action="view"))]
    assert f"threat {tid}" in views


def test_a_threat_resting_on_hidden_records_is_not_found(
    tiny: tuple[TestClient, Users, OpsStore], tiny_snapshot: Path
) -> None:
    client, users, _ = tiny
    _login(client, users.user("cam2", "analyst", "force-cambs", clearance="OFFICIAL", handling="P"))
    visible = set(_expected(tiny_snapshot, {"cambs"}, {"P"}, {"OFFICIAL"}, None))
    con = duckdb.connect(str(tiny_snapshot), read_only=True)
    try:
        hidden = con.execute(
            "SELECT threat_id FROM assess_threat WHERE list_contains(forces, 'cambs') ORDER BY rank"
        ).fetchall()
    finally:
        con.close()
    tid = next(t for (t,) in hidden if t not in visible)
    r = client.get(f"/threats/{tid}")
    assert r.status_code == 404
    assert f"no threat {tid} you may see" in r.text
    assert 'id="threat-summary"' not in r.text
