"""The missing-person and ViSOR pages and person warnings over the tiny synthetic set's
snapshot: rows and warnings only when every record behind them is visible, audited reads,
paging and CSV export."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from toex.ops import open_store
from toex.ops.audit import AuditQuery, search_entries

from .conftest import TestClient, Users, make_app, session_for

FORCES = ["asw", "cambs", "essex", "gmp", "lancs", "leics", "norfolk", "northants", "staffs", "wmp"]


@pytest.fixture(scope="module")
def tiny(
    tiny_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TestClient, Users, Path, object]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('profiles') / 'ops.sqlite'}")
    users = Users(store)
    users.org("national", FORCES, "regional")
    users.org("force-cambs", ["cambs"])
    client = TestClient(make_app(store, tiny_snapshot), follow_redirects=False)
    return client, users, tiny_snapshot, store


def _login(client: TestClient, user_id: int) -> None:
    client.cookies.clear()
    token = session_for(client, user_id)
    client.post("/purpose", data={"csrf_token": token, "purpose": "profile tests"})


def _persons(html: str, attr: str) -> list[str]:
    return re.findall(rf'data-{attr}="([^"]+)"', html)


def _records_of(snapshot: Path) -> dict[str, set[str]]:
    """Oracle: per missing person, the forces of her missing episodes (from the staged
    records, not from the profile's markings)."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        rows = con.execute(
            "SELECT mp.person_id, e.force FROM staged_person_mention AS m "
            "JOIN resolved_mention_person AS mp USING (mention_id) "
            "JOIN staged_event AS e USING (event_id) WHERE m.role = 'missing'"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for person, force in rows:
        out.setdefault(person, set()).add(force)
    return out


def test_force_analyst_sees_no_profile_row_resting_on_another_forces_records(
    tiny: tuple[TestClient, Users, Path, object],
) -> None:
    client, users, snapshot, _ = tiny
    _login(client, users.user("nat-mp", "analyst", "national"))
    everyone = client.get("/misper?force=cambs").text
    national = set(_persons(everyone, "misper"))
    _login(client, users.user("cam-mp", "analyst", "force-cambs"))
    html = client.get("/misper?force=cambs").text
    local = set(_persons(html, "misper"))
    forces = _records_of(snapshot)
    assert local and local < national
    mixed = {p for p in national if len(forces.get(p, set())) > 1 and "cambs" in forces[p]}
    assert not (mixed & local)  # an episode elsewhere hides the whole row
    assert all(forces[p] <= {"cambs"} for p in local)
    # ranks are places among the visible rows
    ranks = [int(x) for x in re.findall(r'<tr data-misper="[^"]+"><td>(\d+)</td>', html)]
    assert ranks == list(range(1, len(ranks) + 1))


def test_pages_are_audited_paged_and_exported(tiny: tuple[TestClient, Users, Path, object]) -> None:
    client, users, _, store = tiny
    _login(client, users.user("nat-mp2", "analyst", "national"))
    first = client.get("/misper").text
    second = client.get("/misper?page=2").text
    assert 'id="next-page"' in first
    assert not set(_persons(first, "misper")) & set(_persons(second, "misper"))
    csv = client.get("/misper.csv?force=essex")
    assert csv.status_code == 200
    lines = csv.text.splitlines()
    assert lines[0] == csv.headers["x-classification"] and lines[1].startswith("rank,person_id")
    visor = client.get("/visor?force=essex").text
    assert _persons(visor, "visor")
    assert client.get("/visor.csv?force=essex").status_code == 200
    views = [e.target for e in search_entries(store, AuditQuery(action="view"))]
    assert {"misper profile all", "visor profile essex"} <= set(views)
    exports = [e.target for e in search_entries(store, AuditQuery(action="export"))]
    assert {"misper profile essex", "visor profile essex"} <= set(exports)


def test_person_page_shows_warnings_only_from_visible_records(
    tiny: tuple[TestClient, Users, Path, object],
) -> None:
    client, users, snapshot, _ = tiny
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        reg = con.execute(
            "SELECT person_id, mark_forces FROM assess_person_warning "
            "WHERE warning = 'registered_sex_offender' AND mark_forces = ['cambs'] LIMIT 1"
        ).fetchone()
        frequent = con.execute(
            "SELECT person_id, mark_forces FROM assess_person_warning "
            "WHERE warning = 'frequent_missing' AND NOT list_contains(mark_forces, 'cambs') "
            "LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert reg is not None and frequent is not None
    _login(client, users.user("cam-w", "analyst", "force-cambs"))
    page = client.get(f"/person/{reg[0]}").text
    assert 'data-warning="registered_sex_offender"' in page and "MAPPA category" in page
    other = client.get(f"/person/{frequent[0]}").text
    assert 'data-warning="frequent_missing"' not in other
    _login(client, users.user("nat-w", "analyst", "national"))
    assert 'data-warning="frequent_missing"' in client.get(f"/person/{frequent[0]}").text


def test_api_search_and_network_show_visible_warnings(
    tiny: tuple[TestClient, Users, Path, object],
) -> None:
    client, users, snapshot, _ = tiny
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        person, forename, surname = con.execute(
            "SELECT w.person_id, p.forename, p.surname FROM assess_person_warning AS w "
            "JOIN resolved_person AS p USING (person_id) "
            "WHERE w.warning = 'registered_sex_offender' AND p.surname IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM link_edge AS e WHERE e.person_a = w.person_id "
            "AND NOT e.hub_only) ORDER BY w.person_id LIMIT 1"
        ).fetchone()
        neighbour = con.execute(
            "SELECT e.person_b FROM link_edge AS e JOIN assess_person_warning AS w "
            "ON w.person_id = e.person_a WHERE w.warning = 'registered_sex_offender' "
            "AND w.person_id = ? AND NOT e.hub_only ORDER BY (SELECT count(*) FROM link_edge "
            "AS d WHERE d.person_a = e.person_b OR d.person_b = e.person_b), 1 LIMIT 1",
            [person],
        ).fetchone()
    finally:
        con.close()
    users.user("api-w", "analyst", "national")
    headers = {"Authorization": f"Bearer {users.token('api-w')}"}
    client.cookies.clear()
    body = client.get(f"/api/v1/persons/{person}?purpose=warning checks", headers=headers).json()
    assert "registered_sex_offender" in {w["warning"] for w in body["warnings"]}
    client.cookies.clear()
    token = session_for(client, users.user("nat-s", "analyst", "national"))
    html = client.post(
        "/search",
        data={"csrf_token": token, "name": f"{forename} {surname}", "purpose": "warning checks"},
    ).text
    row = html.split(f'data-person="{person}"')[1].split("</tr>")[0]
    assert 'data-warning="registered_sex_offender"' in row
    assert neighbour is not None
    network = client.get(f"/network/{neighbour[0]}").text
    item = network.split(f'data-person="{person}"')[1].split("</li>")[0]
    assert 'data-warning="registered_sex_offender"' in item
