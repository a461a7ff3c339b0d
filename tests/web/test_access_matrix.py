"""The access matrix: for every role x organisation x handling code x clearance, every data
route (HTML and API: search, profile, network expansion, export) returns exactly the records
the rule permits, computed independently by :mod:`access_truth`. A user whose organisation has
no agreement for a force never sees its records, its persons, or a count that includes them.

Derived figures too: priority scores and reasons (on profiles and the priority list) only
where every record behind them is visible; cross-force lists and counts; network sizes;
STIM cross-matches with their forces and record counts (and none for partner users).

Runs on the inline warehouse (with the assess stage's tables) and on the pipeline's snapshot
of the tiny synthetic set.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from toex.ops import open_store
from toex.ops.db import OpsStore

from .access_truth import Rule, Truth
from .conftest import TestClient, Users, make_app, session_for
from .tiny_support import planted_persons

ROLES = ("analyst", "supervisor", "partner", "admin")
HANDLING = ("P", "C", "P,C")
CLEARANCES = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET")
DATA_ROLES = {"analyst", "supervisor"}
PURPOSE = "access matrix test"
_PERSON = re.compile(r'data-person="([^"]+)"')
_MENTION = re.compile(r'data-mention="([^"]+)"')
_PRIORITY = re.compile(r'data-priority="([^"]+)"')
_CROSSFORCE = re.compile(r'data-crossforce="([^"]+)" data-forces="([^"]*)" data-records="(\d+)"')
_CROSSMATCH = re.compile(r'data-crossmatch="([^"]+)"')


@dataclass
class Dataset:
    """A warehouse under test: its rows, orgs, persons to open and searches to run."""

    name: str
    path: Path
    truth: Truth
    orgs: dict[str, list[str]]
    persons: list[str]
    dob: dt.date
    surname: str
    stim_cases: list[str]


def _stim_cases(truth: Truth) -> list[str]:
    """Cases whose matched persons' force records carry the most different markings, and
    the first case matching a person none of whose force records is OFFICIAL."""
    marks: dict[str, set[tuple[str, str, str]]] = {}
    sensitive: list[str] = []
    for row in truth.crossmatch:
        mine = [truth.mentions[m] for m in truth.persons[row["person_id"]]]
        found = {(m["force"], m["handling_code"], m["classification"]) for m in mine}
        marks.setdefault(row["case_id"], set()).update(found)
        if all(c != "OFFICIAL" for _, _, c in found):
            sensitive.append(row["case_id"])
    chosen = sorted(marks, key=lambda c: (-len(marks[c]), c))[:3]
    return list(dict.fromkeys(chosen + sorted(sensitive)[:1]))


def _dataset(name: str, path: Path, persons: list[str] | None = None) -> Dataset:
    truth = Truth(path)
    forces = sorted({m["force"] for m in truth.mentions.values()})
    counts: dict[str, int] = {}
    for m in truth.mentions.values():
        counts[m["force"]] = counts.get(m["force"], 0) + 1
    home = max(forces, key=lambda f: (counts[f], f))
    # The person with most forces and mentions: the serial offender in both data sets.
    chosen = (
        persons
        or sorted(
            truth.persons,
            key=lambda p: (
                -len({truth.mentions[m]["force"] for m in truth.persons[p]}),
                -len(truth.persons[p]),
                p,
            ),
        )[:1]
    )
    lead = chosen[0]
    extra = (
        []
        if persons
        else sorted(
            truth.neighbours(
                lead,
                set(truth.mentions),
                Rule(frozenset(forces), frozenset({"P", "C"}), "TOP SECRET"),
            )
        )[:2]
    )
    dobs = [truth.mentions[m]["dob"] for m in truth.persons[lead] if truth.mentions[m]["dob"]]
    surname = next(
        truth.mentions[m]["surname"]
        for m in sorted(truth.persons[lead])
        if truth.mentions[m]["surname"]
    )
    return Dataset(
        name,
        path,
        truth,
        {
            f"force-{home}": [home],
            "regional": forces[: max(2, len(forces) // 2)],
            "national": forces,
            "partner-asw": [],
        },
        list(dict.fromkeys([*chosen, *extra])),
        dobs[0],
        surname,
        _stim_cases(truth),
    )


@pytest.fixture(scope="module", params=["mini", "tiny"])
def dataset(request: pytest.FixtureRequest, mini_assessed_warehouse: Path) -> Dataset:
    """The inline warehouse, then the pipeline's snapshot of the tiny synthetic set."""
    if request.param == "mini":
        return _dataset("mini", mini_assessed_warehouse, ["P1", "A1", "P2", "P5", "P6"])
    snapshot = request.getfixturevalue("tiny_snapshot")
    planted = planted_persons(request.getfixturevalue("tiny_synth"), snapshot)
    # A two-force serial offender, a person held under two handling codes, a network lead.
    lead = max(
        (p for p in planted.values() if p.scenario_id.startswith("SERIAL")),
        key=lambda p: len(p.forces),
    )
    return _dataset(
        "tiny",
        snapshot,
        [lead.person_id, planted["RSO-01"].person_id, planted["NETWORK-01"].person_id],
    )


@dataclass
class Env:
    """The app and its users for one data set."""

    client: TestClient
    store: OpsStore
    users: Users
    tokens: dict[str, str]
    ids: dict[str, int]


@pytest.fixture(scope="module")
def env(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'ops.sqlite'}")
    users = Users(store)
    tokens: dict[str, str] = {}
    ids: dict[str, int] = {}
    for org, forces in dataset.orgs.items():
        users.org(org, forces, "partner" if org.startswith("partner") else "regional")
        for role in ROLES:
            for handling in HANDLING:
                for clearance in CLEARANCES:
                    name = f"{role}.{org}.{handling}.{clearance}"
                    ids[name] = users.user(name, role, org, clearance, handling)
                    tokens[name] = users.token(name)
    with TestClient(make_app(store, dataset.path), follow_redirects=False) as client:
        yield Env(client, store, users, tokens, ids)
    store.dispose()


def _rule(dataset: Dataset, role: str, org: str, handling: str, clearance: str) -> Rule | None:
    if role not in DATA_ROLES:
        return None
    return Rule(frozenset(dataset.orgs[org]), frozenset(handling.split(",")), clearance)


def _check_api(env: Env, ds: Dataset, user: str, rule: Rule | None, persons: list[str]) -> None:
    t = ds.truth
    vis = t.visible(rule)
    auth = {"Authorization": f"Bearer {env.tokens[user]}"}
    r = env.client.post(
        "/api/v1/search",
        headers=auth,
        json={"purpose": PURPOSE, "dob": ds.dob.isoformat(), "limit": 200},
    )
    if rule is None:
        assert r.status_code == 403, (user, r.text)
        for pid in persons:
            for path in (
                f"/api/v1/persons/{pid}",
                f"/api/v1/persons/{pid}/network",
                f"/api/v1/persons/{pid}/export",
            ):
                assert (
                    env.client.get(path, headers=auth, params={"purpose": PURPOSE}).status_code
                    == 403
                ), (user, path)
        return
    expected = t.dob_hits(ds.dob, vis)
    body = r.json()
    assert {h["person_id"] for h in body["hits"]} == expected, user
    assert body["total"] == len(expected), user
    for h in body["hits"]:
        assert h["forces"] == t.forces_of(h["person_id"], vis), (user, h)
        assert h["n_mentions"] == len(t.person_mentions(h["person_id"], vis)), (user, h)
    r = env.client.post(
        "/api/v1/search", headers=auth, json={"purpose": PURPOSE, "name": ds.surname, "limit": 200}
    )
    visible_persons = {t.mentions[m]["person_id"] for m in vis}
    for h in r.json()["hits"]:
        assert h["person_id"] in visible_persons, (user, h)
        assert h["forces"] == t.forces_of(h["person_id"], vis), (user, h)
    for pid in persons:
        mine = t.person_mentions(pid, vis)
        params = {"purpose": PURPOSE}
        p = env.client.get(f"/api/v1/persons/{pid}", headers=auth, params=params)
        n = env.client.get(f"/api/v1/persons/{pid}/network", headers=auth, params=params)
        x = env.client.get(f"/api/v1/persons/{pid}/export", headers=auth, params=params)
        if not mine:
            for resp in (p, n, x):
                assert resp.status_code == 404, (user, pid, resp.text)
                assert resp.json() == {"error": f"no person {pid!r}", "status": 404}
            continue
        assert {m["mention_id"] for m in p.json()["mentions"]} == mine, (user, pid)
        shown = p.json()["priority"]
        assert (shown is not None) == t.score_visible(pid, rule), (user, pid, shown)
        assert {e["event_id"] for e in p.json()["events"]} == t.person_events(pid, vis, rule)
        assert p.json()["forces"] == t.forces_of(pid, vis)
        expected_n = t.neighbours(pid, vis, rule)
        assert n.json()["total"] == len(expected_n), (user, pid)
        assert {x["person_id"] for x in n.json()["neighbours"]} <= expected_n
        assert {r["mention_id"] for r in x.json()["rows"]} == mine, (user, pid)


def _check_html(
    env: Env, ds: Dataset, user: str, rule: Rule | None, persons: list[str], lists: bool
) -> None:
    t = ds.truth
    vis = t.visible(rule)
    env.client.cookies.clear()
    token = session_for(env.client, env.ids[user])
    r = env.client.post(
        "/search", data={"purpose": PURPOSE, "dob": ds.dob.isoformat(), "csrf_token": token}
    )
    if rule is None:
        assert r.status_code == 403, user
        for pid in persons:
            for path in (f"/person/{pid}", f"/network/{pid}/expand", f"/person/{pid}/export.csv"):
                assert env.client.get(path).status_code == 403, (user, path)
        return
    expected = t.dob_hits(ds.dob, vis)
    if len(expected) <= 50:
        assert set(_PERSON.findall(r.text)) == expected, user
    assert f"{len(expected)} person" in r.text
    if lists:
        _check_lists(env, ds, user, rule, vis)
    for pid in persons:
        mine = t.person_mentions(pid, vis)
        page = env.client.get(f"/person/{pid}")
        expand = env.client.get(f"/network/{pid}/expand")
        export = env.client.get(f"/person/{pid}/export.csv")
        if not mine:
            for resp in (page, expand, export):
                assert resp.status_code == 404, (user, pid)
                assert (
                    f"no person &#39;{pid}&#39;" in resp.text or f"no person '{pid}'" in resp.text
                )
            continue
        assert set(_MENTION.findall(page.text)) == mine, (user, pid)
        assert ('id="priority-score"' in page.text) == t.score_visible(pid, rule), (user, pid)
        hidden = set(t.persons[pid]) - mine
        assert not any(h in page.text for h in hidden), (user, pid)
        expected_n = t.neighbours(pid, vis, rule)
        shown = set(_PERSON.findall(expand.text))
        assert shown <= expected_n and len(shown) == min(len(expected_n), 40), (user, pid)
        lines = export.text.splitlines()
        rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:-1]))))
        assert {row["mention_id"] for row in rows} == mine, (user, pid)
        assert lines[0] == lines[-1] == export.headers["x-classification"]


def _check_lists(env: Env, ds: Dataset, user: str, rule: Rule, vis: set[str]) -> None:
    """The priority list and the cross-force list, against the oracle (a purpose stated)."""
    t = ds.truth
    html = env.client.get("/perpetrators").text
    scored = t.scores_visible(rule)
    listed = _PRIORITY.findall(html)
    assert f"{len(scored)} scored perpetrator" in html, user
    assert set(listed) <= scored and len(listed) == min(len(scored), 100), user
    html = env.client.get("/crossforce").text
    spread = {p for p in t.persons if len(t.forces_of(p, vis)) > 1}
    assert f"{len(spread)} person" in html, user
    rows = _CROSSFORCE.findall(html)
    assert len(rows) == min(len(spread), 200), user
    for pid, forces, records in rows:
        assert pid in spread, (user, pid)
        assert forces.split(",") == t.forces_of(pid, vis), (user, pid)
        assert int(records) == len(t.person_mentions(pid, vis)), (user, pid)


def _check_stim(
    env: Env, ds: Dataset, user: str, role: str, rule: Rule | None, cases: list[str]
) -> None:
    """STIM cases: cross-matches (persons, values, forces, record counts) only from force
    records the user may see; partner users see none, nor the case's forces."""
    t = ds.truth
    auth = {"Authorization": f"Bearer {env.tokens[user]}"}
    listed = env.client.get("/api/v1/stim/cases", headers=auth, params={"limit": 1000})
    if role == "admin":
        assert listed.status_code == 403, user
        return
    vis = t.visible(rule)
    expected = t.crossmatch_visible(rule, vis, set(cases))
    by_case = {r["case_id"]: r for r in listed.json()}
    for case_id in cases:
        mine = {k: v for k, v in expected.items() if k[0] == case_id}
        strong = sorted({f for k, (forces, _) in mine.items() for f in forces if k[2] != "name"})
        r = env.client.get(f"/api/v1/stim/cases/{case_id}", headers=auth)
        if role == "partner":
            assert "crossmatch_forces" not in by_case.get(case_id, {}), (user, case_id)
            if r.status_code == 200:
                assert r.json()["crossmatch"] == [], (user, case_id)
                assert "crossmatch_forces" not in r.json()["case"], (user, case_id)
            continue
        body = r.json()
        shown = {
            (case_id, x["person_id"], x["match_kind"], x["matched_value"]): (
                x["forces"].split(","),
                x["n_records"],
            )
            for x in body["crossmatch"]
        }
        assert shown == mine, (user, case_id)
        assert "network_id" not in str(body["crossmatch"]), (user, case_id)
        assert body["case"]["crossmatch_forces"] == (",".join(strong) or None), (user, case_id)
        if case_id in by_case:  # the list holds assessed cases only
            assert by_case[case_id]["crossmatch_forces"] == (",".join(strong) or None), user
        if role == "analyst" and case_id == cases[-1]:  # the page, for the sensitive case
            page = env.client.get(f"/stim/cases/{case_id}").text
            assert set(_CROSSMATCH.findall(page)) == {k[1] for k in mine}, (user, case_id)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(env: Env, dataset: Dataset, role: str) -> None:
    """Analysts: every route for every person, the lists and the chosen STIM cases;
    supervisors (the same rule): every API route, the HTML routes for the lead person and
    one STIM case; roles without data access: every route for the lead person answers 403,
    and partner users see no force data in STIM cases."""
    for org in dataset.orgs:
        for handling in HANDLING:
            for clearance in CLEARANCES:
                user = f"{role}.{org}.{handling}.{clearance}"
                rule = _rule(dataset, role, org, handling, clearance)
                everyone = dataset.persons if role == "analyst" else dataset.persons[:1]
                _check_api(
                    env, dataset, user, rule, dataset.persons if role in DATA_ROLES else everyone
                )
                _check_html(env, dataset, user, rule, everyone, role == "analyst")
                if dataset.truth.crossmatch:
                    cases = dataset.stim_cases if role == "analyst" else dataset.stim_cases[:1]
                    _check_stim(env, dataset, user, role, rule, cases)


def test_no_agreement_means_no_trace(env: Env, dataset: Dataset) -> None:
    """A force-only analyst's responses never name another force, its persons or mentions."""
    org = next(o for o in dataset.orgs if o.startswith("force-"))
    user = f"analyst.{org}.P,C.SECRET"
    t = dataset.truth
    rule = _rule(dataset, "analyst", org, "P,C", "SECRET")
    vis = t.visible(rule)
    other_forces = {m["force"] for m in t.mentions.values()} - set(dataset.orgs[org])
    invisible_only = {p for p, ms in t.persons.items() if not ms & vis}
    auth = {"Authorization": f"Bearer {env.tokens[user]}"}
    bodies = [
        env.client.post(
            "/api/v1/search",
            headers=auth,
            json={"purpose": PURPOSE, "name": dataset.surname, "limit": 200},
        ).text
    ]
    for pid in dataset.persons:
        for path in (
            f"/api/v1/persons/{pid}",
            f"/api/v1/persons/{pid}/network",
            f"/api/v1/persons/{pid}/export",
        ):
            bodies.append(env.client.get(path, headers=auth, params={"purpose": PURPOSE}).text)
    for body in bodies:
        for force in other_forces:
            assert f'"{force}"' not in body, force
        assert not any(f'"{p}"' in body for p in invisible_only if p not in dataset.persons)
