"""STIM pages and API: a partner user sees only their own organisation's accounts and cases.

The snapshot holds the STIM tables the real core computes (``compute_stim``) over two partner
websites' data: ``asw`` (the assess tests' toy set, two cases) and ``bsw`` (a case of its
own and an account whose advert phone is one of ``asw``'s, which puts it into an ``asw``
case). What each user may see is worked out from the computed frames (who holds which
account), never written down by hand, and checked through the HTML pages and the bearer-token
API, including IDs guessed from the other organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from assess.stim_toy import toy_data, with_templates  # tests/ is on sys.path (rootdir)
from toex.assess.stim.compute import StimResult, compute_stim
from toex.assess.stim.partner_data import PartnerData
from toex.assess.stim.stage import write_result
from toex.ops import open_store
from toex.ops.accounts import create_organisation
from toex.ops.db import OpsStore

from .access_truth import Truth
from .conftest import TestClient, Users, make_app, session_for

SHARED_PHONE = "07700 900555"  # A3's advert phone, also on B1's advert


def _bsw() -> PartnerData:
    """The second partner: B1 and B2 share a payer token; B1 also advertises with A3's
    phone; B3 stands alone. B1 and B3 had staff calls (assessed)."""
    acc = pd.DataFrame(
        [
            dict(
                account_id=f"B{i}",
                partner="bsw",
                created="2022-07-01",
                email=f"user{i}@example.net",
                phone_raw=f"07700 91000{i}",
                nationality="British",
                home_region="East",
                display_name=f"B girl {i}",
            )
            for i in (1, 2, 3)
        ]
    )
    adv = pd.DataFrame(
        [
            dict(
                advert_id=f"W{i}",
                account_id=f"B{i}",
                partner="bsw",
                posted="2022-08-10",
                region="East",
                text=text,
                phone_raw=phone,
            )
            for i, text, phone in (
                (1, "relaxing evening company near the station", SHARED_PHONE),
                (2, "sunny seaside apartment visits by appointment", "07700 910002"),
                (3, "quiet discreet meetings for gentlemen only", "07700 910003"),
            )
        ]
    )
    pay = pd.DataFrame(
        [
            dict(
                payment_id=f"Q{i}",
                account_id=f"B{i}",
                partner="bsw",
                paid="2022-08-01",
                amount=15.0,
                payer_name="Sam Payer",
                payer_token="TB",
                payer_title="",
            )
            for i in (1, 2)
        ]
    )
    calls = pd.DataFrame(
        [
            dict(
                call_id=f"K{i}",
                account_id=f"B{i}",
                partner="bsw",
                call_date="2022-08-12",
                language_barrier="yes",
            )
            for i in (1, 3)
        ]
    )
    return PartnerData(acc, adv, pay, calls)


def _both() -> PartnerData:
    a, b = toy_data(), _bsw()
    return PartnerData(
        pd.concat([a.accounts, b.accounts], ignore_index=True),
        pd.concat([a.adverts, b.adverts], ignore_index=True),
        pd.concat([a.payments, b.payments], ignore_index=True),
        pd.concat([a.calls, b.calls], ignore_index=True),
    )


@pytest.fixture(scope="module")
def stim_result() -> StimResult:
    """The STIM core over both partners' data."""
    return compute_stim(_both(), with_templates())


@pytest.fixture(scope="module")
def stim_snapshot(stim_result: StimResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot file holding the ``stim_*`` tables of :func:`stim_result`."""
    path = tmp_path_factory.mktemp("stim_web") / "stim.duckdb"
    con = duckdb.connect(str(path))
    write_result(con, stim_result)
    con.close()
    return path


@pytest.fixture
def stim_client(store: OpsStore, stim_snapshot: Path) -> Iterator[TestClient]:
    """An in-process client of the app over the STIM snapshot."""
    with TestClient(make_app(store, stim_snapshot), follow_redirects=False) as c:
        yield c


@pytest.fixture
def people(users: Users) -> dict[str, int]:
    """Partner users of asw and bsw, and a regional analyst."""
    users.org("partner-asw", [], "partner")
    users.org("partner-bsw", [], "partner")
    users.org("regional", ["cambs", "essex"], "regional")
    return {
        "asw": users.user("pat", "partner", "partner-asw"),
        "bsw": users.user("bea", "partner", "partner-bsw"),
        "analyst": users.user("ann", "analyst", "regional"),
    }


def _shows(page: str, value: str) -> bool:
    """Whether ``value`` appears in ``page`` as a whole word (account IDs such as ``B1`` are
    short: as a bare substring they turn up inside the page's random CSRF token)."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", page) is not None


def _visible(result: StimResult, partner: str) -> tuple[set[str], set[str], set[str]]:
    """(own accounts, own assessed accounts, cases holding an own assessed-case account)
    from the computed frames."""
    ent = result.entity
    own = set(ent.loc[ent["partner"] == partner, "account_id"])
    assessed = set(ent.loc[(ent["partner"] == partner) & ent["assessed"], "account_id"])
    case = result.case.set_index("case_id")
    held = set(ent.loc[ent["partner"] == partner, "case_id"])
    cases = {c for c in held if case.loc[c, "n_assessed"] > 0}
    return own, assessed, cases


def test_the_fixture_has_what_the_checks_need(stim_result: StimResult) -> None:
    """Both partners have cases; one case spans both partners (through B1's phone)."""
    member = stim_result.case_member
    per_case = member.groupby("case_id")["partner"].nunique()
    shared = per_case[per_case > 1].index.tolist()
    assert len(shared) == 1
    owner = stim_result.entity.set_index("account_id")["case_id"]
    assert owner["B1"] == owner["A3"] == shared[0]
    for partner in ("asw", "bsw"):
        own, assessed, cases = _visible(stim_result, partner)
        assert own and assessed and cases


@pytest.mark.parametrize("partner", ["asw", "bsw"])
def test_partner_pages_show_only_own_accounts_and_cases(
    stim_client: TestClient, people: dict[str, int], stim_result: StimResult, partner: str
) -> None:
    session_for(stim_client, people[partner])
    own, _, cases = _visible(stim_result, partner)
    others = set(stim_result.entity["account_id"]) - own
    all_cases = set(stim_result.case["case_id"])

    page = stim_client.get("/stim")
    assert page.status_code == 200, page.text
    for case_id in cases:
        assert case_id in page.text
    for case_id in all_cases - cases:
        assert case_id not in page.text

    for case_id in cases:
        r = stim_client.get(f"/stim/cases/{case_id}")
        assert r.status_code == 200, r.text
        members = set(
            stim_result.case_member.loc[stim_result.case_member["case_id"] == case_id, "account_id"]
        )
        for account in members & own:
            assert f"/stim/accounts/{account}" in r.text
        for account in members - own:
            assert not _shows(r.text, account), (case_id, account)

    for account in own:
        assert stim_client.get(f"/stim/accounts/{account}").status_code == 200
    for account in others:
        r = stim_client.get(f"/stim/accounts/{account}")
        assert r.status_code == 404, (account, r.status_code)


@pytest.mark.parametrize("partner", ["asw", "bsw"])
def test_partner_cannot_reach_another_orgs_case_or_account_by_guessing(
    stim_client: TestClient, people: dict[str, int], stim_result: StimResult, partner: str
) -> None:
    token = session_for(stim_client, people[partner])
    own, _, _ = _visible(stim_result, partner)
    ent = stim_result.entity
    held = set(ent.loc[ent["partner"] == partner, "case_id"])
    foreign_cases = set(stim_result.case["case_id"]) - held
    foreign_accounts = set(ent["account_id"]) - own
    assert foreign_cases and foreign_accounts
    missing = stim_client.get("/stim/cases/STIM-NOPE")
    assert missing.status_code == 404
    for case_id in foreign_cases:
        r = stim_client.get(f"/stim/cases/{case_id}")
        assert r.status_code == 404, case_id
        r = stim_client.post(f"/stim/cases/{case_id}/referral", data={"csrf_token": token})
        assert r.status_code == 404, case_id
    for account in foreign_accounts:
        r = stim_client.post(
            f"/stim/accounts/{account}/indicators",
            data={"csrf_token": token, "indicator": "language_barrier"},
        )
        assert r.status_code == 404, account


@pytest.mark.parametrize("partner", ["asw", "bsw"])
def test_partner_api_shows_only_own_accounts_and_cases(
    stim_client: TestClient,
    people: dict[str, int],
    users: Users,
    stim_result: StimResult,
    partner: str,
) -> None:
    name = {"asw": "pat", "bsw": "bea"}[partner]
    headers = {"Authorization": f"Bearer {users.token(name)}"}
    own, _, cases = _visible(stim_result, partner)
    ent = stim_result.entity
    held = set(ent.loc[ent["partner"] == partner, "case_id"])

    listed = stim_client.get("/api/v1/stim/cases", headers=headers)
    assert listed.status_code == 200, listed.text
    rows = listed.json()
    assert {r["case_id"] for r in rows} == cases
    for row in rows:
        assert "crossmatch_forces" not in row
        members = ent[(ent["case_id"] == row["case_id"]) & (ent["partner"] == partner)]
        assert row["n_accounts"] == len(members)

    other = ({"asw", "bsw"} - {partner}).pop()
    for case_id in held:
        r = stim_client.get(f"/api/v1/stim/cases/{case_id}", headers=headers)
        body = r.json()
        mine = ent[(ent["case_id"] == case_id) & (ent["partner"] == partner)]
        # The case's figures count only the partner's own accounts, even in a shared case.
        assert body["case"]["n_accounts"] == len(mine)
        assert body["case"]["n_adverts"] == int(mine["n_adverts"].sum())
        assert body["case"]["n_assessed"] == int(mine["assessed"].sum())
        assert body["case"]["n_high_indicators"] == int(mine["n_high"].sum())
        assert body["case"]["partners"] == partner
        assert other not in r.text
        assert {m["account_id"] for m in body["members"]} <= own
        assert {i["account_id"] for i in body["indicators"]} <= own
        assert {s["account_id"] for s in body["signals"]} <= own
        for link in body["links"]:
            assert {link["account_a"], link["account_b"]} <= own
        assert body["crossmatch"] == []
    for case_id in set(stim_result.case["case_id"]) - held:
        r = stim_client.get(f"/api/v1/stim/cases/{case_id}", headers=headers)
        assert r.status_code == 404
        r = stim_client.post(f"/api/v1/stim/cases/{case_id}/referral", headers=headers, json={})
        assert r.status_code == 404

    for account in set(ent["account_id"]):
        r = stim_client.get(f"/api/v1/stim/accounts/{account}", headers=headers)
        assert r.status_code == (200 if account in own else 404), account
        r = stim_client.post(
            f"/api/v1/stim/accounts/{account}/indicators",
            headers=headers,
            json={"indicator": "language_barrier"},
        )
        assert r.status_code == (201 if account in own else 404), account


def test_analyst_sees_every_partners_accounts(
    stim_client: TestClient, people: dict[str, int], users: Users, stim_result: StimResult
) -> None:
    headers = {"Authorization": f"Bearer {users.token('ann')}"}
    rows = stim_client.get("/api/v1/stim/cases", headers=headers).json()
    expected = set(stim_result.case.loc[stim_result.case["n_assessed"] > 0, "case_id"])
    assert {r["case_id"] for r in rows} == expected
    for account in stim_result.entity["account_id"]:
        assert (
            stim_client.get(f"/api/v1/stim/accounts/{account}", headers=headers).status_code == 200
        )
    shared = stim_result.entity.set_index("account_id")["case_id"]["B1"]
    body = stim_client.get(f"/api/v1/stim/cases/{shared}", headers=headers).json()
    assert {m["partner"] for m in body["members"]} == {"asw", "bsw"}


def _org(store: OpsStore, code: str, kind: str, force_code: str | None = None) -> None:
    with store.session() as s:
        create_organisation(s, code, code, kind, force_code)
        s.commit()


def test_referral_steps_are_for_the_owner_the_recipient_and_regional_supervisors(
    stim_client: TestClient,
    people: dict[str, int],
    users: Users,
    store: OpsStore,
    stim_result: StimResult,
) -> None:
    """A partner's referral is triaged and referred by the regional team; a force analyst
    may record its outcome only once it is referred to his force; the pages offer the step
    form only to those who may take it; the same through the API."""
    _org(store, "essex-police", "force", "essex")
    _org(store, "cambs-police", "force", "cambs")
    essex = users.user("eve", "analyst", "essex-police")
    users.user("cal", "analyst", "cambs-police")
    _, _, cases = _visible(stim_result, "asw")
    case_id = sorted(cases)[0]
    pat = {"Authorization": f"Bearer {users.token('pat')}"}
    ref = stim_client.post(f"/api/v1/stim/cases/{case_id}/referral", headers=pat, json={})
    assert ref.status_code == 201, ref.text
    rid = ref.json()["id"]
    steps = f"/stim/referrals/{rid}/step"

    token = session_for(stim_client, essex)
    assert 'id="step-form"' not in stim_client.get(f"/stim/referrals/{rid}").text
    r = stim_client.post(steps, data={"csrf_token": token, "step": "triaged"})
    assert r.status_code == 403 and "moved on by its owner organisation" in r.text
    stim_client.cookies.clear()
    token = session_for(stim_client, people["analyst"])  # the regional analyst
    assert 'id="step-form"' in stim_client.get(f"/stim/referrals/{rid}").text
    r = stim_client.post(steps, data={"csrf_token": token, "step": "triaged", "priority": "high"})
    assert r.status_code == 303

    api = f"/api/v1/stim/referrals/{rid}/step"
    eve = {"Authorization": f"Bearer {users.token('eve')}"}
    cal = {"Authorization": f"Bearer {users.token('cal')}"}
    ann = {"Authorization": f"Bearer {users.token('ann')}"}
    referral = {"step": "referred", "to_kind": "force", "to": "essex"}
    assert stim_client.post(api, headers=eve, json=referral).status_code == 403
    assert stim_client.post(api, headers=ann, json=referral).status_code == 200
    outcome = {"step": "outcome", "outcome": "full_adoption"}
    r = stim_client.post(api, headers=cal, json=outcome)
    assert r.status_code == 403, r.text
    assert r.json()["error"].startswith(f"referral {rid} is moved on by its owner")
    stim_client.cookies.clear()
    token = session_for(stim_client, essex)
    assert 'id="step-form"' in stim_client.get(f"/stim/referrals/{rid}").text
    r = stim_client.post(
        steps, data={"csrf_token": token, "step": "outcome", "outcome": "full_adoption"}
    )
    assert r.status_code == 303
    done = stim_client.get("/api/v1/stim/referrals", headers=ann).json()
    assert [(s["step"], s["by"]) for s in done[0]["steps"]] == [
        ("new", "pat"),
        ("triaged", "ann"),
        ("referred", "ann"),
        ("outcome", "eve"),
    ]


@pytest.fixture(scope="module")
def tiny_stim(
    tiny_snapshot: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, Users, Truth]]:
    """The app over the tiny pipeline snapshot (real cross-matches), its users and truth."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('stim_tiny') / 'ops.sqlite'}")
    users = Users(store)
    with TestClient(make_app(store, tiny_snapshot), follow_redirects=False) as client:
        yield client, users, Truth(tiny_snapshot)
    store.dispose()


def _sensitive_phone_match(truth: Truth) -> tuple[str, str, str, str, int]:
    """A phone cross-match to a person whose force records are all one force's and all
    OFFICIAL-SENSITIVE: (case, person, phone, force, number of force records)."""
    for row in sorted(truth.crossmatch, key=lambda r: (r["case_id"], r["person_id"])):
        if row["match_kind"] != "phone":
            continue
        pid = row["person_id"]
        records = truth.force_mentions(pid, set(truth.persons[pid]))
        forces = {m["force"] for m in records}
        if len(forces) == 1 and {m["classification"] for m in records} == {"OFFICIAL-SENSITIVE"}:
            return row["case_id"], pid, row["matched_value"], forces.pop(), len(records)
    raise AssertionError("no such match in the tiny set")


def test_cross_matches_follow_clearance_and_handling_codes(
    tiny_stim: tuple[TestClient, Users, Truth],
) -> None:
    """Issue 14 item 2: an analyst cleared to OFFICIAL gets a 404 on a person whose records
    are OFFICIAL-SENSITIVE, and the STIM case no longer names that person, the phone that
    matched or a count of his records (API and page); cleared higher, he sees the match with
    the number of records he may see; without the handling code he does not."""
    client, users, truth = tiny_stim
    case_id, pid, phone, force, n_records = _sensitive_phone_match(truth)
    users.org(f"force-{force}", [force])
    for clearance, handling, shown in (
        ("OFFICIAL", "P,C", False),
        ("OFFICIAL-SENSITIVE", "C", False),
        ("OFFICIAL-SENSITIVE", "P", True),
    ):
        name = f"{force}.{clearance}.{handling}"
        uid = users.user(name, "analyst", f"force-{force}", clearance, handling)
        auth = {"Authorization": f"Bearer {users.token(name)}"}
        person = client.get(f"/api/v1/persons/{pid}", headers=auth, params={"purpose": "probe"})
        assert person.status_code == (200 if shown else 404), name
        body = client.get(f"/api/v1/stim/cases/{case_id}", headers=auth).json()
        rows = [x for x in body["crossmatch"] if x["person_id"] == pid]
        client.cookies.clear()
        session_for(client, uid)
        page = client.get(f"/stim/cases/{case_id}").text
        if not shown:
            assert rows == [] and pid not in str(body) and pid not in page, name
            assert all(x["matched_value"] != phone for x in body["crossmatch"]), name
            continue
        (match,) = [x for x in rows if x["match_kind"] == "phone"]
        assert (match["matched_value"], match["forces"], match["n_records"]) == (
            phone,
            force,
            n_records,
        )
        assert force in (body["case"]["crossmatch_forces"] or "").split(",")
        assert f'data-crossmatch="{pid}"' in page
        assert 'id="marking-top">OFFICIAL-SENSITIVE<' in page


def test_partner_users_see_no_force_data(tiny_stim: tuple[TestClient, Users, Truth]) -> None:
    """A partner user's own cases carry no cross-match, no forces and no matched person."""
    client, users, truth = tiny_stim
    users.org("partner-asw", [], "partner")
    uid = users.user("asw-user", "partner", "partner-asw")
    auth = {"Authorization": f"Bearer {users.token('asw-user')}"}
    listed = client.get("/api/v1/stim/cases", headers=auth, params={"limit": 1000}).json()
    assert listed and all("crossmatch_forces" not in r for r in listed)
    matched = {r["case_id"] for r in truth.crossmatch}
    persons = {r["person_id"] for r in truth.crossmatch}
    client.cookies.clear()
    session_for(client, uid)
    seen = 0
    for case_id in sorted(matched):
        r = client.get(f"/api/v1/stim/cases/{case_id}", headers=auth)
        if r.status_code != 200:
            continue
        seen += 1
        assert r.json()["crossmatch"] == [] and "crossmatch_forces" not in r.json()["case"]
        page = client.get(f"/stim/cases/{case_id}").text
        assert 'id="case-crossmatch"' not in page
        for text in (r.text, page):
            assert not any(p in text for p in persons), case_id
    assert seen  # the partner's own cases include matched ones
