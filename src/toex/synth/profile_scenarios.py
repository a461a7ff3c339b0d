"""Planted truth for the missing-person and ViSOR force profiles, in every force.

Per force: a frequently missing boy drawn into a county-lines group (found at its trap house
across the border), a frequently missing girl drawn into a CSE group, a frequently missing
adult linked to labour exploitation, a registrant re-offending against children, a
registrant in contact with the missing girl; and decoys that look alike but are benign: a
care-home child who goes missing often with no SOC contact, a compliant registrant.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from toex.synth.dates import from_days
from toex.synth.people import SCENARIO
from toex.synth.scenarios import (
    PlantedCrime,
    Scenario,
    ScenarioPlan,
    add_person,
    crime_chunk,
    intel_chunk,
    missing_chunk,
    visor_chunk,
)
from toex.synth.world import World

MISPER_TYPE = "profile_missing_person"
VISOR_TYPE = "profile_registrant"


def _addr(world: World, rng: np.random.Generator, force: int, avoid: int | None = None) -> int:
    """A random address of ``force`` where no planted person lives yet (so plants do not link
    to each other by chance); with ``avoid``, one outside that force's postcode areas (some
    areas are shared by two forces)."""
    pool = np.flatnonzero(world.addresses.force == force)
    taken = set(world.pop.addr[world.pop.kind == SCENARIO].tolist())
    while True:
        a = int(pool[rng.integers(0, len(pool))])
        if a in taken:
            continue
        area = re.match(r"[A-Z]+", world.addresses.postcode(a))
        if avoid is None or (area and area.group() not in world.forces[avoid].postcode_areas):
            return a


class _Force:
    """What every plant of one force needs: the world, rng, force index and its counters."""

    def __init__(self, world: World, plan: ScenarioPlan, fi: int) -> None:
        self.world, self.plan, self.fi = world, plan, fi
        self.f = world.forces[fi]
        self.code = self.f.code
        self.rng = world.rng("scenario", "profiles", fi)
        self.as_of = world.as_of_days
        self.neighbour = (fi + 1) % len(world.forces)

    def lpc(self) -> int:
        return int(self.rng.integers(0, len(self.f.lpcs)))

    def oic(self) -> int:
        return int(self.rng.integers(0, self.f.officer_count))

    def person(self, male: bool, age: float, addr: int | None = None) -> int:
        home = _addr(self.world, self.rng, self.fi) if addr is None else addr
        return add_person(self.world, self.rng, force=self.fi, male=male, age=age, addr=home)

    def episodes(
        self, sid: str, person: int, ago: list[int], found: list[int], risks: list[str]
    ) -> list[int]:
        """Missing episodes ``ago`` days before the reference date; returns their days."""
        days = [self.as_of - a for a in ago]
        rows = [
            {
                "day": d,
                "found": d + 1,
                "risk": r,
                "found_addr": fa,
                "lpc": self.lpc(),
                "oic": self.oic(),
                "person": person,
                "forced": {"nickname": k == 1},
            }
            for k, (d, fa, r) in enumerate(zip(days, found, risks, strict=True))
        ]
        self.plan.add_tail(self.fi, missing_chunk(sid, rows))
        return days

    def intel(self, sid: str, day: int, subject: int, associate: int, text: str) -> None:
        self.plan.add_tail(
            self.fi,
            intel_chunk(
                sid,
                [
                    {
                        "day": day,
                        "lpc": self.lpc(),
                        "subject": subject,
                        "associate": associate,
                        "text": text,
                    }
                ],
            ),
        )

    def crimes(self, sid: str, rows: list[tuple[int, str, list[tuple[str, int]]]]) -> None:
        self.plan.add_tail(
            self.fi,
            crime_chunk(
                sid,
                [
                    PlantedCrime(
                        day,
                        code,
                        self.lpc(),
                        self.oic(),
                        [(role, p, {}) for role, p in people],
                        False,
                        day + 1,
                    )
                    for day, code, people in rows
                ],
            ),
        )

    def register(self, sid: str, person: int, ago: int, level: str, rosh: str, code: str) -> int:
        day = self.as_of - ago
        self.plan.add_tail(
            self.fi,
            visor_chunk(
                sid,
                [
                    {
                        "day": day,
                        "category": "1",
                        "level": level,
                        "rosh": rosh,
                        "code": code,
                        "person": person,
                    }
                ],
            ),
        )
        return day


def _facts(days: list[int], as_of: int, found_other: int) -> dict[str, Any]:
    return {
        "episodes": len(days),
        "episodes_90d": sum(1 for d in days if d > as_of - 90),
        "episodes_365d": sum(1 for d in days if d > as_of - 365),
        "found_other_force": found_other,
    }


def plant_force(world: World, plan: ScenarioPlan, fi: int) -> None:
    """Every profile plant of force ``fi``."""
    p = _Force(world, plan, fi)
    code, as_of = p.code, p.as_of
    # county lines: two dealers, a trap house across the border, a boy of 15
    sid = f"PROFILE-{code.upper()}-CL"
    trap = _addr(world, p.rng, p.neighbour, avoid=fi)
    dealer = p.person(True, 27.4, trap)
    runner = p.person(True, 21.8)
    boy = p.person(True, 15.3)
    p.crimes(
        sid,
        [
            (as_of - 200, "92A", [("suspect", dealer), ("suspect", runner)]),
            (as_of - 70, "92A", [("suspect", dealer)]),
        ],
    )
    own = int(world.pop.addr[boy])
    found = [own, trap, trap, own, trap]
    days = p.episodes(
        sid, boy, [150, 80, 45, 20, 6], found, ["low", "medium", "medium", "high", "high"]
    )
    p.intel(
        sid,
        days[2] + 2,
        dealer,
        boy,
        "Subject seen with a missing 15-year-old boy at a trap house; the boy has a new phone "
        "and is believed to be running drugs on a county lines deal line.",
    )
    facts = _facts(days, as_of, found.count(trap))
    plan.scenarios.append(
        Scenario(
            sid,
            MISPER_TYPE,
            [code, world.forces[p.neighbour].code],
            "Force",
            None,
            [
                (boy, "at_risk_missing_person", 0),
                (dealer, "soc_suspect", 0),
                (runner, "soc_suspect", 0),
            ],
            {**facts, "soc_link": "county_lines", "child": True},
            f"Frequently missing boy (15, {code}) found {facts['found_other_force']} times at a "
            "county-lines trap house in another force area; linked to a drug-supply suspect",
            [world.forces[fi].region],
        )
    )
    # CSE group: two men, a girl of 14 found at their addresses
    sid = f"PROFILE-{code.upper()}-CSE"
    flat = _addr(world, p.rng, fi)
    man1 = p.person(True, 38.2, flat)
    man2 = p.person(True, 44.9)
    other_victim = p.person(False, 15.0)
    girl = p.person(False, 14.2)
    p.crimes(
        sid, [(as_of - 240, "71", [("victim", other_victim), ("suspect", man1), ("suspect", man2)])]
    )
    home = int(world.pop.addr[girl])
    reg_flat = _addr(world, p.rng, fi)
    found = [home, flat, flat, reg_flat, flat, flat]
    days = p.episodes(
        sid,
        girl,
        [300, 120, 60, 33, 15, 4],
        found,
        ["medium", "medium", "high", "high", "high", "high"],
    )
    p.intel(
        sid,
        days[3] + 1,
        man1,
        girl,
        "Girl reported missing seen getting into cars with older men and taken to parties at "
        "a hotel; she has been given gifts and a new phone.",
    )
    facts = _facts(days, as_of, 0)
    plan.scenarios.append(
        Scenario(
            sid,
            MISPER_TYPE,
            [code],
            "Force",
            None,
            [
                (girl, "at_risk_missing_person", 0),
                (man1, "soc_suspect", 0),
                (man2, "soc_suspect", 0),
            ],
            {**facts, "soc_link": "cse_group", "child": True},
            f"Frequently missing girl (14, {code}) found repeatedly at the address of a suspect of "
            "child sexual exploitation; intelligence of older men, parties and gifts",
            [world.forces[fi].region],
        )
    )
    # labour exploitation: an adult found at a gangmaster's car wash
    sid = f"PROFILE-{code.upper()}-LAB"
    yard = _addr(world, p.rng, fi)
    gangmaster = p.person(True, 46.0, yard)
    worker = p.person(True, 33.0)
    adult = p.person(True, 29.5)
    p.crimes(sid, [(as_of - 180, "106", [("victim", worker), ("suspect", gangmaster)])])
    own = int(world.pop.addr[adult])
    found = [yard, own, yard, yard]
    days = p.episodes(sid, adult, [200, 75, 40, 10], found, ["low", "medium", "medium", "medium"])
    p.intel(
        sid,
        days[2] + 1,
        gangmaster,
        adult,
        "Man reported missing is working long hours for no pay at a car wash; his passport "
        "held by the subject.",
    )
    facts = _facts(days, as_of, 0)
    plan.scenarios.append(
        Scenario(
            sid,
            MISPER_TYPE,
            [code],
            "Force",
            None,
            [(adult, "at_risk_missing_person", 0), (gangmaster, "soc_suspect", 0)],
            {**facts, "soc_link": "labour_exploitation", "child": False},
            f"Frequently missing adult ({code}) found at a car wash run by a modern-slavery "
            "suspect",
            [world.forces[fi].region],
        )
    )
    # decoy: a care-home child, often missing, always found at the home, no SOC contact
    sid = f"PROFILE-{code.upper()}-DECOY-MP"
    care = p.person(False, 15.6)
    home = int(world.pop.addr[care])
    days = p.episodes(
        sid,
        care,
        [170, 85, 62, 40, 22, 9, 3],
        [home] * 7,
        ["low", "low", "medium", "low", "medium", "low", "medium"],
    )
    p.intel(
        sid,
        days[-2] + 1,
        care,
        -1,
        "Return home interview completed at the care home; no evidence of county lines or "
        "exploitation, she goes missing to see friends.",
    )
    plan.scenarios.append(
        Scenario(
            sid,
            MISPER_TYPE,
            [code],
            "Force",
            None,
            [(care, "decoy_missing_person", 0)],
            {**_facts(days, as_of, 0), "soc_link": None, "child": True},
            f"Decoy: care-home child ({code}) often missing, always found at the home, no SOC "
            "contact",
            [world.forces[fi].region],
        )
    )
    # registrant re-offending against children
    sid = f"PROFILE-{code.upper()}-RSO"
    rso = p.person(True, 52.0)
    registered = p.register(sid, rso, 3 * 365, "2", "high", "20A")
    kids = [p.person(False, 13.1), p.person(False, 14.8), p.person(False, 12.4)]
    offences = [(240, "88A"), (120, "22B"), (30, "20B")]
    p.crimes(
        sid,
        [
            (as_of - ago, code_, [("victim", kid), ("suspect", rso)])
            for (ago, code_), kid in zip(offences, kids, strict=True)
        ],
    )
    p.intel(
        sid,
        as_of - 60,
        rso,
        -1,
        "Registered offender failed to notify a change of address; believed living with a "
        "family with young children.",
    )
    plan.scenarios.append(
        Scenario(
            sid,
            VISOR_TYPE,
            [code],
            "Force",
            rso,
            [(rso, "active_registrant", 0)],
            {
                "registered": str(from_days(registered)),
                "mappa_category": "1",
                "mappa_level": "2",
                "rosh": "high",
                "crimes_since": 3,
                "child_victims_since": 3,
                "breaches": 1,
            },
            f"Registrant ({code}, MAPPA 1 level 2, RoSH high) suspected of 3 sexual offences "
            "against children since registration and failing to notify",
            [world.forces[fi].region],
        )
    )
    # registrant in contact with the missing girl: she is found at his flat
    sid = f"PROFILE-{code.upper()}-RSO-MP"
    contact = p.person(True, 58.3, reg_flat)
    registered = p.register(sid, contact, 4 * 365, "1", "medium", "20B")
    second = p.person(False, 13.7)
    p.episodes(sid, second, [50, 18], [reg_flat, reg_flat], ["medium", "high"])
    p.intel(
        sid,
        as_of - 17,
        contact,
        second,
        "Second missing girl found at the subject's flat; he had given her a new phone.",
    )
    p.intel(
        sid,
        as_of - 30,
        contact,
        girl,
        "Subject seen with a missing teenage girl at his flat late at night.",
    )
    p.intel(
        sid,
        as_of - 12,
        contact,
        girl,
        "Girl reported missing was collected by the subject in his car.",
    )
    plan.scenarios.append(
        Scenario(
            sid,
            VISOR_TYPE,
            [code],
            "Force",
            contact,
            [
                (contact, "active_registrant", 0),
                (girl, "missing_child_contact", 0),
                (second, "missing_child_contact", 0),
            ],
            {
                "registered": str(from_days(registered)),
                "mappa_category": "1",
                "mappa_level": "1",
                "rosh": "medium",
                "missing_children_shared": 2,
            },
            f"Registrant ({code}) with whom a frequently missing girl was found and seen",
            [world.forces[fi].region],
        )
    )
    # decoy: a compliant registrant
    sid = f"PROFILE-{code.upper()}-DECOY-RSO"
    quiet = p.person(True, 61.0)
    registered = p.register(sid, quiet, 8 * 365, "1", "low", "20A")
    plan.scenarios.append(
        Scenario(
            sid,
            VISOR_TYPE,
            [code],
            "Force",
            quiet,
            [(quiet, "decoy_registrant", 0)],
            {
                "registered": str(from_days(registered)),
                "mappa_category": "1",
                "mappa_level": "1",
                "rosh": "low",
            },
            f"Decoy: compliant registrant ({code}), nothing recorded since registration",
            [world.forces[fi].region],
        )
    )


def plant_profiles(world: World, plan: ScenarioPlan) -> None:
    """The profile plants of every force."""
    for fi in range(len(world.forces)):
        plant_force(world, plan, fi)
