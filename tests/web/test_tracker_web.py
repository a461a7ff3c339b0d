"""The tracker, dashboard and impact pages and API: who may read and write, audited writes,
exports equal to the dashboard's figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from toex.config import load_catalogue
from toex.ops.audit import AuditQuery, search_entries, verify_chain
from toex.ops.db import OpsStore
from toex.ops.tracker_dashboard import FIGURES, dashboard
from toex.ops.tracker_import import import_path, rules_for
from toex.ops.tracker_models import TrackerAar, TrackerOperation
from toex.ops.tracker_store import Actor

from .conftest import Users, session_for


@pytest.fixture
def history(store: OpsStore, users: Users, tiny_synth: Path) -> dict[str, str]:
    """The tiny synthetic history, and one operation covering essex and one not."""
    rules = rules_for([(f.code, f.short_name) for f in load_catalogue().forces])
    import_path(store, tiny_synth / "tracker", Actor("loader"), rules)
    users.org("force-essex", ["essex"])
    users.org("regional", [f.code for f in load_catalogue().forces], kind="regional")
    users.org("asw", [], kind="partner")
    with store.session() as s:
        ops = list(s.scalars(select(TrackerOperation)))
        essex = next(o for o in ops if "essex" in {f.force_code for f in o.forces})
        other = next(o for o in ops if "essex" not in {f.force_code for f in o.forces})
        return {"essex": essex.reference, "other": other.reference}


def test_roles_and_forces_decide_what_the_tracker_shows(
    client: TestClient, users: Users, history: dict[str, str]
) -> None:
    session_for(client, users.user("ann", "analyst", "force-essex"))
    page = client.get("/tracker")
    assert page.status_code == 200
    assert history["essex"] in page.text and history["other"] not in page.text
    assert client.get("/tracker/operation", params={"ref": history["essex"]}).status_code == 200
    assert client.get("/tracker/operation", params={"ref": history["other"]}).status_code == 404
    assert client.get("/dashboard").status_code == 403
    assert client.get("/impact").status_code == 403
    for role, org in (("partner", "asw"), ("admin", "regional")):
        c2 = TestClient(client.app, follow_redirects=False)
        session_for(c2, users.user(f"x-{role}", role, org))
        assert c2.get("/tracker").status_code == 403
    session_for(client, users.user("sue", "supervisor", "regional"))
    assert client.get("/dashboard").status_code == 200


def test_form_writes_are_checked_scoped_and_audited(
    client: TestClient, users: Users, history: dict[str, str], store: OpsStore
) -> None:
    csrf = session_for(client, users.user("ann", "analyst", "force-essex"))
    row = {
        "reference": "AAR/WEB/1",
        "aar_date": "2025-12-01",
        "threat_types": "other;Adult Sexual Exploitation",
        "summary": "from the form",
        "csrf_token": csrf,
    }
    ok = client.post("/tracker/records/aars", data={**row, "operation_reference": history["essex"]})
    assert ok.status_code == 303, ok.text
    bad = client.post(
        "/tracker/records/aars",
        data={**row, "reference": "AAR/WEB/2", "operation_reference": history["other"]},
    )
    assert bad.status_code == 400 and "operation_reference" in bad.text
    late = client.post(
        "/tracker/records/aars",
        data={
            **row,
            "reference": "AAR/WEB/3",
            "aar_date": "2099-01-01",
            "operation_reference": history["essex"],
        },
    )
    assert late.status_code == 400 and "aar_date" in late.text
    with store.session() as s:
        refs = set(
            s.scalars(select(TrackerAar.reference).where(TrackerAar.reference.like("AAR/WEB/%")))
        )
    assert refs == {"AAR/WEB/1"}
    writes = search_entries(store, AuditQuery(action="tracker_write", username="ann"))
    assert [e.detail["inserted"] for e in writes] == [["AAR/WEB/1"]]
    # an analyst may not upload files
    up = client.post(
        "/tracker/import",
        data={"kind": "aars", "csrf_token": csrf},
        files={"file": ("aars.csv", b"reference,operation_reference,aar_date,threat_types\n")},
    )
    assert up.status_code == 403
    assert verify_chain(store).ok


def test_supervisor_upload_reports_rows(
    client: TestClient, users: Users, history: dict[str, str]
) -> None:
    csrf = session_for(client, users.user("sue", "supervisor", "regional"))
    body = (
        "reference,operation_reference,aar_date,threat_types\n"
        f"AAR/UP/1,{history['essex']},2025-11-01,other\n"
        f"AAR/UP/2,{history['essex']},2025-11-02,piracy\n"
    )
    resp = client.post(
        "/tracker/import",
        data={"kind": "aars", "csrf_token": csrf},
        files={"file": ("aars.csv", body.encode())},
    )
    assert resp.status_code == 200
    assert "Rows read 2: inserted 1, updated 0, unchanged 0, rejected 1." in resp.text
    assert "row 2, field threat_types: &#39;piracy&#39; is not one of" in resp.text


def test_api_write_needs_a_write_token_and_reports(
    client: TestClient, users: Users, history: dict[str, str]
) -> None:
    users.user("ann", "analyst", "force-essex")
    rows = {
        "rows": [
            {
                "reference": "DIS/API/1",
                "operation_reference": history["essex"],
                "disruption_date": "2025-12-02",
                "category": "pursue",
                "impact": "major",
                "significant": "yes",
            }
        ]
    }
    read = users.token("ann", scope="read")
    assert (
        client.post(
            "/api/v1/tracker/disruptions", json=rows, headers={"Authorization": f"Bearer {read}"}
        ).status_code
        == 403
    )
    write = users.token("ann")
    auth = {"Authorization": f"Bearer {write}"}
    first = client.post("/api/v1/tracker/disruptions", json=rows, headers=auth).json()
    assert (first["inserted"], first["rejected"]) == (1, [])
    again = client.post("/api/v1/tracker/disruptions", json=rows, headers=auth).json()
    assert (again["inserted"], again["unchanged"]) == (0, 1)
    op = client.get("/api/v1/tracker/operation", params={"ref": history["essex"]}, headers=auth)
    assert op.status_code == 200 and op.json()["first_significant_disruption"] is not None
    listed = client.get("/api/v1/tracker/operations", headers=auth).json()
    assert all("essex" in o["forces"] for o in listed) and listed


def test_dashboard_page_and_exports_show_the_dashboard_figures(
    client: TestClient, users: Users, history: dict[str, str], store: OpsStore
) -> None:
    session_for(client, users.user("sue", "supervisor", "regional"))
    params = {"start": "2025-01-01", "end": "2025-12-31", "force": "essex"}
    board = dashboard(store, dt.date(2025, 1, 1), dt.date(2025, 12, 31), ["essex"])
    page = client.get("/dashboard", params=params)
    assert page.status_code == 200
    for key, value in board.figures.items():
        assert (
            f'<tr id="fig-{key}"><td>{FIGURES[key]}</td><td class="num">{value}</td>' in page.text
        )
    assert page.text.count("<svg") >= 5
    exported = client.get("/dashboard/export", params={**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    figures = {r["item"]: int(r["count"]) for r in rows if r["section"] == "figures"}
    assert figures == {FIGURES[k]: v for k, v in board.figures.items()}
    pdf = client.get("/dashboard/export", params={**params, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF") and pdf.headers["x-classification"] == "OFFICIAL"
    exports = search_entries(store, AuditQuery(action="export", username="sue"))
    assert sorted(str(e.detail["format"]) for e in exports) == ["csv", "pdf"]
    api = client.get(
        "/api/v1/performance/dashboard",
        params=params,
        headers={"Authorization": f"Bearer {users.token('sue')}"},
    )
    assert api.json()["figures"] == board.figures


def test_impact_page_and_pdf(client: TestClient, users: Users, history: dict[str, str]) -> None:
    session_for(client, users.user("sue", "supervisor", "regional"))
    page = client.get("/impact")
    assert page.status_code == 200
    for event in ("scored", "top10", "disruption"):
        assert f'id="impact-{event}"' in page.text
    assert "Caveats" in page.text and "not a random sample" in page.text
    pdf = client.get("/impact", params={"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_dashboard_follows_writes(
    client: TestClient, users: Users, history: dict[str, str], store: OpsStore
) -> None:
    csrf = session_for(client, users.user("sue", "supervisor", "regional"))
    params = {"start": "2025-01-01", "end": "2025-12-31", "force": "essex"}
    before = dashboard(store, dt.date(2025, 1, 1), dt.date(2025, 12, 31), ["essex"])
    first = client.get("/dashboard", params=params)
    n = before.figures["disruptions"]
    assert f'<tr id="fig-disruptions"><td>Disruptions</td><td class="num">{n}</td>' in first.text
    saved = client.post(
        "/tracker/records/disruptions",
        data={
            "reference": "DIS/NEW/1",
            "operation_reference": history["essex"],
            "disruption_date": "2025-12-20",
            "category": "protect",
            "impact": "minor",
            "significant": "no",
            "csrf_token": csrf,
        },
    )
    assert saved.status_code == 303, saved.text
    after = client.get("/dashboard", params=params)
    n += 1
    assert f'<tr id="fig-disruptions"><td>Disruptions</td><td class="num">{n}</td>' in after.text
