"""The packs pages and API: who may list and download a force's packs, audited downloads
with a purpose, checksums, and feedback. Packs are recorded with small stand-in files
(building real ones is tests/publish/test_pack.py's job)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from toex.ops.audit import AuditQuery, search_entries, verify_chain
from toex.ops.db import OpsStore
from toex.ops.packs import NewPack, get_pack, record_pack
from toex.publish.files import sha256

from .conftest import Users, csrf_of, session_for

PDF = b"%PDF-1.7\n% a stand-in pack\n"
HTML = b"<html><body>pack</body></html>"


def publish(store: OpsStore, tmp: Path, force: str, **changes: object) -> int:
    tmp.mkdir(parents=True, exist_ok=True)
    pdf, html = tmp / f"{force}.pdf", tmp / f"{force}.html"
    pdf.write_bytes(PDF)
    html.write_bytes(HTML)
    values: dict[str, object] = {
        "force_code": force,
        "meeting_date": dt.date(2026, 1, 9),
        "version": 1,
        "snapshot_run_id": "run-1",
        "data_as_of": dt.date(2025, 12, 31),
        "pdf_path": str(pdf),
        "html_path": str(html),
        "pdf_sha256": sha256(PDF),
        "html_sha256": sha256(HTML),
        "pdf_bytes": len(PDF),
        "pages": 12,
        "marking": "OFFICIAL-SENSITIVE",
        "content_forces": [force],
        "handling_codes": ["P"],
        "scope_forces": [force],
        "suspects": [{"slot": 1, "person_id": "P1", "label": "Ann ONE"}],
    }
    values.update(changes)
    return record_pack(store, NewPack(**values), "cron").id  # type: ignore[arg-type]


@pytest.fixture
def packs(store: OpsStore, users: Users, tmp_path: Path) -> dict[str, int]:
    users.org("force-cambs", ["cambs"])
    users.org("force-essex", ["essex"])
    users.org("regional", ["cambs", "essex"], kind="regional")
    return {
        "cambs": publish(store, tmp_path / "cambs", "cambs"),
        "essex": publish(store, tmp_path / "essex", "essex", marking="SECRET"),
    }


def api_get(client: TestClient, token: str, url: str, **params: str) -> object:
    return client.get(url, params=params, headers={"Authorization": f"Bearer {token}"})


def test_a_user_without_the_forces_agreement_cannot_list_or_download(
    client: TestClient, users: Users, packs: dict[str, int], store: OpsStore
) -> None:
    uid = users.user("eve", "analyst", "force-essex")
    csrf = session_for(client, uid)
    assert client.get("/packs/cambs").status_code == 403
    resp = client.post(
        f"/packs/cambs/{packs['cambs']}/download",
        data={"purpose": "curious about it", "format": "pdf", "csrf_token": csrf},
    )
    assert resp.status_code == 403
    assert PDF not in resp.content
    assert client.get(f"/packs/cambs/{packs['cambs']}/feedback").status_code == 403
    index = client.get("/packs")
    assert index.status_code == 200
    assert "/packs/essex" in index.text and "/packs/cambs" not in index.text
    token = users.token("eve")
    assert api_get(client, token, "/api/v1/packs", force="cambs").status_code == 403  # type: ignore[attr-defined]
    listed = api_get(client, token, "/api/v1/packs").json()  # type: ignore[attr-defined]
    assert [p["force"] for p in listed] == ["essex"]
    assert api_get(client, token, f"/api/v1/packs/{packs['cambs']}").status_code == 403  # type: ignore[attr-defined]
    resp = api_get(  # type: ignore[assignment]
        client, token, f"/api/v1/packs/{packs['cambs']}/download", purpose="curious about it"
    )
    assert resp.status_code == 403 and PDF not in resp.content
    assert search_entries(store, AuditQuery(action="export")) == []


def test_download_needs_a_purpose_and_is_audited_with_it(
    client: TestClient, users: Users, packs: dict[str, int], store: OpsStore
) -> None:
    uid = users.user("lead", "supervisor", "force-cambs", clearance="OFFICIAL-SENSITIVE")
    csrf = session_for(client, uid)
    page = client.get("/packs/cambs")
    assert page.status_code == 200 and "Friday 9 January 2026" in page.text
    url = f"/packs/cambs/{packs['cambs']}/download"
    missing = client.post(url, data={"purpose": "", "format": "pdf", "csrf_token": csrf})
    assert missing.status_code == 400
    resp = client.post(
        url,
        data={"purpose": "FTTCG preparation", "format": "pdf", "csrf_token": csrf_of(page.text)},
    )
    assert resp.status_code == 200 and resp.content == PDF
    assert resp.headers["content-type"] == "application/pdf"
    assert resp.headers["x-classification"] == "OFFICIAL-SENSITIVE"
    assert resp.headers["content-disposition"] == 'attachment; filename="cambs.pdf"'
    html = client.post(
        url, data={"purpose": "FTTCG preparation", "format": "html", "csrf_token": csrf}
    )
    assert html.content == HTML
    exports = search_entries(store, AuditQuery(action="export"))
    assert [(e.username, e.purpose, e.detail["format"]) for e in exports] == [
        ("lead", "FTTCG preparation", "html"),
        ("lead", "FTTCG preparation", "pdf"),
    ]
    assert exports[0].target == f"pack {packs['cambs']} (cambs 2026-01-09)"
    assert verify_chain(store).ok


def test_clearance_and_content_forces_decide_downloads_too(
    client: TestClient, users: Users, packs: dict[str, int], store: OpsStore, tmp_path: Path
) -> None:
    essex_lead = users.user("essie", "analyst", "force-essex", clearance="OFFICIAL-SENSITIVE")
    session_for(client, essex_lead)
    page = client.get("/packs/essex")
    assert page.status_code == 200
    assert "above your clearance (OFFICIAL-SENSITIVE)" in page.text
    token = users.token("essie")
    got = api_get(client, token, f"/api/v1/packs/{packs['essex']}").json()  # type: ignore[attr-defined]
    assert (got["may_download"], got["refusal"]) == (
        False,
        "it is marked SECRET, above your clearance (OFFICIAL-SENSITIVE)",
    )
    resp = api_get(client, token, f"/api/v1/packs/{packs['essex']}/download", purpose="to read")
    assert resp.status_code == 403  # type: ignore[attr-defined]
    wide = publish(store, tmp_path / "wide", "cambs", version=2, content_forces=["cambs", "essex"])
    users.user("cam", "analyst", "force-cambs")
    token = users.token("cam")
    resp = api_get(client, token, f"/api/v1/packs/{wide}/download", purpose="FTTCG preparation")
    assert resp.status_code == 403  # type: ignore[attr-defined]
    users.user("reg", "analyst", "regional")
    token = users.token("reg")
    resp = api_get(client, token, f"/api/v1/packs/{wide}/download", purpose="FTTCG preparation")
    assert resp.status_code == 200 and resp.content == PDF  # type: ignore[attr-defined]


def test_a_changed_file_is_not_served(
    client: TestClient, users: Users, packs: dict[str, int], store: OpsStore
) -> None:
    Path(get_pack(store, packs["cambs"]).pdf_path).write_bytes(PDF + b"tampered")
    users.user("cam", "analyst", "force-cambs")
    resp = api_get(
        client,
        users.token("cam"),
        f"/api/v1/packs/{packs['cambs']}/download",
        purpose="FTTCG preparation",
    )
    assert resp.status_code == 500  # type: ignore[attr-defined]
    assert "changed after publication" in resp.text  # type: ignore[attr-defined]
    assert search_entries(store, AuditQuery(action="export")) == []


def test_feedback_is_stored_and_summarised(
    client: TestClient, users: Users, packs: dict[str, int], store: OpsStore
) -> None:
    uid = users.user("lead", "supervisor", "force-cambs")
    session_for(client, uid)
    assert '<b id="page-marking">OFFICIAL</b>' in client.get("/packs/cambs").text
    form = client.get(f"/packs/cambs/{packs['cambs']}/feedback")
    assert form.status_code == 200 and "Suspect 1: Ann ONE" in form.text
    resp = client.post(
        f"/packs/cambs/{packs['cambs']}/feedback",
        data={
            "csrf_token": csrf_of(form.text),
            "usefulness": "4",
            "adopted_1": "yes",
            "action_1": "Adopted by the CSE proactive team",
            "comments": "Clear and timely.",
        },
    )
    assert resp.status_code == 303 and resp.headers["location"] == "/packs/cambs?feedback=thanks"
    page = client.get("/packs/cambs?feedback=thanks")
    assert "Thank you: your feedback is recorded." in page.text
    assert "1: Ann ONE" in page.text and "Adopted by the CSE proactive team" in page.text
    assert "1 of 1 suspects answered for were adopted" in page.text
    assert '<b id="page-marking">OFFICIAL-SENSITIVE</b>' in page.text
    summary = client.get("/packs/feedback")
    assert summary.status_code == 200 and "Adopted by the CSE proactive team" in summary.text
    token = users.token("lead")
    api = api_get(client, token, "/api/v1/packs/feedback").json()  # type: ignore[attr-defined]
    assert [(s["force"], s["responses"], s["suspects_adopted"]) for s in api] == [
        ("cambs", 1, 1),
        ("all", 1, 1),
    ]
    posted = client.post(
        f"/api/v1/packs/{packs['cambs']}/feedback",
        json={"usefulness": 2, "suspects": [{"slot": 1, "adopted": False, "action": ""}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert posted.status_code == 201
    assert len(search_entries(store, AuditQuery(action="feedback"))) == 2
    other = users.user("eve", "analyst", "force-essex")
    session_for(client, other)
    assert "Adopted by the CSE proactive team" not in client.get("/packs/feedback").text
    bad = client.post(
        f"/api/v1/packs/{packs['cambs']}/feedback",
        json={"usefulness": 5, "suspects": []},
        headers={"Authorization": f"Bearer {users.token('eve')}"},
    )
    assert bad.status_code == 403
