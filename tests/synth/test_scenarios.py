"""Every planted scenario is present, and the files say what its recorded finding says."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from toex.config import load_catalogue
from toex.synth.formats import SLOTS

from .files import fmt_of, norm_name, norm_postcode, parse_date, phone_digits

AS_OF = dt.date(2025, 12, 31)
PHONE = re.compile(r"(?:\+44 ?|0044 ?|44|\(?0)7[0-9a-z() -]{9,22}?\d(?![\d])")


def _scenarios(truth: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in truth["scenarios"] if s["type"] == kind]


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _entry(manifest: dict[str, Any], path: str) -> dict[str, Any]:
    return next(e for e in manifest["files"] if e["path"] == path)


def _crimes_of(
    pid: str,
    role: str,
    manifest: dict[str, Any],
    truth: dict[str, Any],
    file_records: dict[str, list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """The crime rows (as written) where ``pid`` is truly in ``role``, with their victims."""
    m: pd.DataFrame = truth["mentions"]
    his = m[(m.person_id == pid) & (m.role == role)]
    out = []
    for row in his.itertuples():
        entry = _entry(manifest, row.source_file)
        if entry["kind"] != "crime_person":
            continue
        crime_file = next(
            e for e in manifest["files"] if e["force"] == entry["force"] and e["kind"] == "crime"
        )
        fmt = fmt_of(crime_file)
        crime = next(r for r in file_records[crime_file["path"]] if r["reference"] == row.reference)
        people = m[(m.source_file == row.source_file) & (m.reference == row.reference)]
        written = file_records[row.source_file][row.source_row - 1]
        out.append(
            {
                "force": entry["force"],
                "fmt": fmt,
                "crime": crime,
                "date": parse_date(crime["occurred_from"], fmt),
                "victims": sorted(people[people.role == "victim"].person_id),
                "suspects": sorted(people[people.role == "suspect"].person_id),
                "written": written,
            }
        )
    return out


def test_every_scenario_type_is_planted(truth: dict[str, Any]) -> None:
    types = [s["type"] for s in truth["scenarios"]]
    assert types.count("serial_vawg_offender") >= 2
    for kind in (
        "trafficking_network",
        "frequent_missing_children",
        "registered_sex_offender",
        "organised_crime_group",
        "placeholder_hub",
        "twins",
        "same_name_and_dob",
    ):
        assert kind in types


def test_exploitation_networks_cover_every_type_and_scale(truth: dict[str, Any]) -> None:
    from toex.model import ExploitationType, GeographicScale

    planted = _scenarios(truth, "exploitation_network")
    for t in ExploitationType:
        assert sum(t.value in s["facts"]["types"] for s in planted) >= 2, t
    scales = {s["geographic_scale"] for s in planted}
    assert scales == {g.label for g in GeographicScale}
    assert sum(len(s["facts"]["types"]) == 2 for s in planted) >= 2
    decoys = [s for s in planted if s["facts"]["decoy"]]
    assert decoys and all(s["facts"]["types"] == ["other"] for s in decoys)
    ranks = sorted(s["facts"]["severity_rank"] for s in planted)
    assert ranks[0] == 1 and max(ranks) < len(planted)
    members = truth["members"]
    for s in truth["scenarios"]:
        assert (members.scenario_id == s["scenario_id"]).sum() == s["members"] > 0
        if s["principal_person_id"]:
            assert s["principal_person_id"] in set(
                members[members.scenario_id == s["scenario_id"]].person_id
            )
        assert s["finding"] and s["geographic_scale"] in (
            "Force",
            "Multi force within region",
            "Multi force outside region",
            "International",
        )


def test_serial_offenders_files_match_their_findings(
    manifest: dict[str, Any], truth: dict[str, Any], file_records: dict[str, list[dict[str, Any]]]
) -> None:
    persons = truth["persons"]
    for s in _scenarios(truth, "serial_vawg_offender"):
        facts = s["facts"]
        pid = s["principal_person_id"]
        crimes = _crimes_of(pid, "suspect", manifest, truth, file_records)
        assert len(crimes) == facts["vawg_offences"], s["scenario_id"]
        for c in crimes:
            assert c["crime"]["vawg"] == c["fmt"].boolean(True)
            assert len(c["victims"]) == 1
        victims = {v for c in crimes for v in c["victims"]}
        assert len(victims) == facts["victims"]
        assert persons.loc[list(victims)].gender.eq("F").all()
        first = {v: min(c["date"] for c in crimes if v in c["victims"]) for v in victims}
        ages = sorted(_age(persons.loc[v].dob, d) for v, d in first.items())
        assert ages == facts["victim_ages"]
        assert (ages[0], ages[-1]) == (facts["victim_age_min"], facts["victim_age_max"])
        recent = [c for c in crimes if c["date"] > AS_OF - dt.timedelta(days=365)]
        assert len(recent) == facts["vawg_offences_last_12_months"]
        assert len({(c["force"], c["crime"]["oic"]) for c in crimes}) == facts["distinct_oics"]
        assert sorted({f"{c['force']}:{c['crime']['lpc']}" for c in crimes}) == facts["lpcs"]
        assert sorted({c["force"] for c in crimes}) == facts["forces"]
        assert len(facts["lpcs"]) >= 2 and facts["vawg_offences"] >= 12
        span = (max(c["date"] for c in crimes) - min(c["date"] for c in crimes)).days
        assert 365 <= span <= 2 * 366
        assert _age(persons.loc[pid].dob, AS_OF) == facts["age_at_as_of"]
        # his records vary: not every record carries the same forename, nor the same DOB
        names = {norm_name(c["written"]["forename"]) for c in crimes}
        dobs = {c["written"]["dob"] for c in crimes}
        assert len(names) >= 2 and len(dobs) >= 2, (names, dobs)
        assert norm_name(persons.loc[pid].forename) in names


def test_the_first_serial_offender_is_the_briefing_billy(truth: dict[str, Any]) -> None:
    billy = next(s for s in truth["scenarios"] if s["scenario_id"] == "SERIAL-01")
    assert billy["finding"].startswith(
        "16 years old; 7 unique victims aged 12-32; 19 VAWG offences, 13 in the last 12 "
        "months; investigated by 19 different OICs across 3 LPCs"
    )


def test_serial_offenders_lead_their_force_on_recent_vawg_offences(truth: dict[str, Any]) -> None:
    ev: pd.DataFrame = truth["events"]
    m: pd.DataFrame = truth["mentions"]
    recent = ev[
        (ev.event_type == "crime")
        & (ev.vawg == True)  # noqa: E712
        & (pd.to_datetime(ev.occurred_from) > pd.Timestamp("2024-12-31"))
    ]
    sus = m[m.role == "suspect"].merge(recent[["force", "reference"]], on=["force", "reference"])
    sus = sus[~sus.person_id.isin(truth["persons"].index[truth["persons"].is_placeholder_identity])]
    counts = sus.groupby(["force", "person_id"]).size()
    for s in _scenarios(truth, "serial_vawg_offender"):
        home = (
            s["forces"][0]
            if len(s["forces"]) == 1
            else max(s["forces"], key=lambda f: counts.get((f, s["principal_person_id"]), 0))
        )
        in_force = counts.loc[home]
        assert in_force.idxmax() == s["principal_person_id"], s["scenario_id"]


def test_trafficking_network_spans_regions_and_shares_phones(
    manifest: dict[str, Any], truth: dict[str, Any], file_records: dict[str, list[dict[str, Any]]]
) -> None:
    net = _scenarios(truth, "trafficking_network")[0]
    catalogue = load_catalogue()
    assert len(net["forces"]) >= 4
    assert len({catalogue.region_of(f) for f in net["forces"]}) >= 2
    assert {"wmp", "norfolk", "lancs", "gmp"} <= set(net["forces"])
    members = truth["members"]
    people = set(members[members.scenario_id == net["scenario_id"]].person_id)
    m = truth["mentions"]
    seen = m[m.person_id.isin(people)]
    assert set(net["forces"]) <= set(seen.force)
    assert "asw" in set(seen.force)
    shared = {p.lstrip("+") for p in net["facts"]["shared_phones"]}
    where: dict[str, set[str]] = {}
    for entry in manifest["files"]:
        for rec in file_records[entry["path"]]:
            text = " | ".join(str(v) for v in rec.values() if v is not None)
            for found in PHONE.findall(text):
                if phone_digits(found) in shared:
                    where.setdefault(phone_digits(found), set()).add(entry["force"])
    assert all(
        len(where.get(p, set()) - {"asw"}) >= 2 and "asw" in where.get(p, set()) for p in shared
    ), where
    asw = truth["asw"]
    accounts = asw[asw.scenario_id == net["scenario_id"]]
    assert len(accounts) == net["facts"]["asw_accounts"]
    assert (accounts.controller_person_id == net["principal_person_id"]).all()
    assert accounts.trafficking.all() and accounts.case_id.nunique() == 1
    postcodes = {norm_postcode(p) for p in net["facts"]["shared_addresses"]}
    homes = truth["persons"].loc[sorted(people)].home_postcode.map(norm_postcode)
    assert set(homes) >= postcodes


def test_missing_children_are_found_at_network_addresses(
    manifest: dict[str, Any], truth: dict[str, Any], file_records: dict[str, list[dict[str, Any]]]
) -> None:
    s = _scenarios(truth, "frequent_missing_children")[0]
    members = truth["members"]
    m = truth["mentions"]
    net = _scenarios(truth, "trafficking_network")[0]
    net_people = set(members[members.scenario_id == net["scenario_id"]].person_id)
    for group, facts in enumerate(s["facts"]["per_child"]):
        g = members[(members.scenario_id == s["scenario_id"]) & (members.group_id == group)]
        child = g[g.member_role == "missing_child"].person_id.item()
        linked = g[g.member_role == "linked_member"].person_id.item()
        assert linked in net_people
        rows = m[(m.person_id == child) & (m.role == "missing")]
        assert len(rows) == facts["episodes"] >= 5
        found = [
            file_records[r.source_file][r.source_row - 1]["found_postcode"]
            for r in rows.itertuples()
        ]
        at_net = sum(norm_postcode(f) == norm_postcode(facts["network_address"]) for f in found)
        assert at_net == facts["found_at_network_address"] >= 3
        age = _age(truth["persons"].loc[child].dob, AS_OF)
        assert 13 <= age <= 17
        intel = m[(m.person_id == child) & (m.role == "associate")]
        subjects = m[
            (m.source_file.isin(intel.source_file))
            & (m.reference.isin(intel.reference))
            & (m.role == "subject")
        ]
        assert linked in set(subjects.person_id)


def test_registered_sex_offender_offends_later_in_another_force(
    manifest: dict[str, Any], truth: dict[str, Any], file_records: dict[str, list[dict[str, Any]]]
) -> None:
    s = _scenarios(truth, "registered_sex_offender")[0]
    pid = s["principal_person_id"]
    m = truth["mentions"]
    reg = m[(m.person_id == pid) & (m.role == "registrant")]
    assert list(reg.force) == [s["facts"]["visor_force"]]
    visor = reg.iloc[0]
    entry = _entry(manifest, visor.source_file)
    written = file_records[visor.source_file][visor.source_row - 1]
    registered = parse_date(written["registration_date"], fmt_of(entry))
    assert str(registered) == s["facts"]["registered"]
    crimes = _crimes_of(pid, "suspect", manifest, truth, file_records)
    assert len(crimes) == s["facts"]["later_vawg_offences"]
    assert (
        {c["force"] for c in crimes} == {s["facts"]["offence_force"]} != {s["facts"]["visor_force"]}
    )
    assert all(
        c["date"] > registered and c["crime"]["vawg"] == c["fmt"].boolean(True) for c in crimes
    )


def test_organised_crime_group_co_offends_around_its_principal(
    manifest: dict[str, Any], truth: dict[str, Any], file_records: dict[str, list[dict[str, Any]]]
) -> None:
    s = _scenarios(truth, "organised_crime_group")[0]
    members = truth["members"]
    group = set(members[members.scenario_id == s["scenario_id"]].person_id)
    assert len(group) == s["facts"]["members"]
    m = truth["mentions"]
    sid = s["scenario_id"]
    theirs = m[m.person_id.isin(group) & (m.role == "suspect") & (m.scenario_id == sid)]
    per_crime = theirs.groupby(["source_file", "reference"]).person_id.nunique()
    assert len(per_crime) == s["facts"]["crimes"]
    assert int((per_crime >= 2).sum()) == s["facts"]["co_offending_crimes"]
    principal = theirs[theirs.person_id == s["principal_person_id"]]
    assert len(principal) == s["facts"]["principal_crimes"] > 0
    assert sorted(set(theirs.force)) == s["facts"]["forces"]


def test_placeholder_hub_phone_is_on_many_unrelated_people(
    manifest: dict[str, Any], truth: dict[str, Any], file_records: dict[str, list[dict[str, Any]]]
) -> None:
    s = _scenarios(truth, "placeholder_hub")[0]
    m = truth["mentions"]
    on_hub = m[m.placeholder_fields.map(lambda x: "phone" in x)]
    assert on_hub.person_id.nunique() == s["facts"]["people"] >= 20
    obj = truth["objects"]
    hub = obj[obj.is_placeholder]
    assert list(hub.value) == ["+447000000000"]
    assert hub.holders.item() == s["facts"]["people"]
    written = 0
    for entry in manifest["files"]:
        for _slot, prefix in SLOTS.get(entry["kind"], ()):
            col = prefix + "phone"
            written += sum(r.get(col) == "07000000000" for r in file_records[entry["path"]])
    assert written == len(on_hub)


def test_twins_and_namesakes_are_distinct_people(truth: dict[str, Any]) -> None:
    persons = truth["persons"]
    members = truth["members"]
    for sid, same in (
        ("TWINS", ("surname", "dob", "household_id")),
        ("NAME-DOB", ("forename", "surname", "dob")),
    ):
        rows = members[members.scenario_id == sid]
        for _, pair in rows.groupby("group_id"):
            a, b = pair.person_id.tolist()
            assert a != b
            for col in same:
                assert persons.loc[a, col] == persons.loc[b, col], (sid, col)
        if sid == "TWINS":
            assert all(
                persons.loc[p.person_id.iloc[0]].forename
                != persons.loc[p.person_id.iloc[1]].forename
                for _, p in rows.groupby("group_id")
            )
