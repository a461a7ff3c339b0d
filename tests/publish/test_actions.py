"""Recommended actions follow from the suspect's facts, each with its reason."""

from __future__ import annotations

from toex.publish.actions import recommended_actions

NAMES = {"cambs": "Cambridgeshire", "essex": "Essex"}
BILLY = {
    "days_since_last_vawg": 59,
    "escalating": True,
    "harm_12m": 6437.0,
    "harm_prev_12m": 2219.0,
    "n_oics": 19,
    "n_lpcs": 3,
    "n_vawg_offences": 19,
    "offence_forces": "cambs",
    "n_child_victims": 4,
    "n_victims": 7,
}


def test_the_billy_case_gets_the_briefings_responses() -> None:
    got = recommended_actions(BILLY, force_names=NAMES, victims_without_referral=7)
    assert [a.because for a in got] == [
        "his latest VAWG offence was 59 days before the data end",
        "harm is escalating (6,437 days of harm in the last 12 months against 2,219 in the "
        "12 before)",
        "his 19 VAWG offences are with 19 officers in charge across 3 LPCs",
        "4 victims were children at the first offence",
        "7 victims of his VAWG offences",
        "7 victims with no safeguarding referral recorded",
        "ranked in the force's top three priority VAWG perpetrators",
    ]
    assert got[2].text.startswith("Appoint a single point of coordination")


def test_each_rule_needs_its_fact() -> None:
    quiet = {
        "days_since_last_vawg": 400,
        "escalating": False,
        "n_oics": 1,
        "n_lpcs": 1,
        "n_vawg_offences": 1,
        "offence_forces": "cambs,essex",
        "n_child_victims": 0,
        "n_victims": 1,
    }
    got = recommended_actions(quiet, force_names=NAMES)
    assert [a.because for a in got] == [
        "his VAWG offences are recorded by Cambridgeshire, Essex",
        "ranked in the force's top three priority VAWG perpetrators",
    ]
