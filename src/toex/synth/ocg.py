"""Planted organised crime group: a principal individual and members who co-offend.

The group co-offends on drugs, weapons and violence in Greater Manchester, with two crimes
across the border in Lancashire; two of its members are children (criminal exploitation).
"""

from __future__ import annotations

from toex.synth.dates import NO_DATE
from toex.synth.scenarios import (
    PlantedCrime,
    PlantedOperation,
    Scenario,
    ScenarioPlan,
    add_person,
    crime_chunk,
    custody_chunk,
    force_index,
    intel_chunk,
)
from toex.synth.world import World


def plant_ocg(world: World, plan: ScenarioPlan) -> None:
    """An organised crime group in Greater Manchester (and Lancashire) around a principal."""
    rng = world.rng("scenario", "ocg")
    sid = "OCG-01"
    home, away = force_index(world, "gmp"), force_index(world, "lancs")
    principal = add_person(world, rng, force=home, male=True, age=34.2, pnc=True)
    ages = [17.5, 19.0, 22.3, 26.8, 29.9, 15.4, 16.1]
    members = [add_person(world, rng, force=home, male=True, age=a, pnc=a > 16) for a in ages]
    codes = ["92A", "92A", "10D", "8N", "5D", "92A", "34B", "92A", "8N", "10D", "92A", "5D"]
    crimes: dict[int, list[PlantedCrime]] = {home: [], away: []}
    co_offending = 0
    principal_crimes = 0
    for i, code in enumerate(codes):
        target = away if i in (5, 9) else home
        fo = world.forces[target]
        k = int(rng.integers(2, 5))
        team = rng.choice(len(members), size=k, replace=False).tolist()
        suspects = [members[t] for t in team]
        if i % 3 == 0:
            suspects[0] = principal
            principal_crimes += 1
        people: list[tuple[str, int, dict[str, bool]]] = [
            ("suspect", s, {"nickname": bool(rng.random() < 0.3)}) for s in suspects
        ]
        if code in ("8N", "5D", "34B"):
            people.insert(
                0,
                (
                    "victim",
                    add_person(world, rng, force=target, male=True, age=float(rng.uniform(18, 40))),
                    {},
                ),
            )
        co_offending += len(suspects) >= 2
        day = as_of_minus(world, int(rng.integers(30, 1200)))
        crimes[target].append(
            PlantedCrime(
                day,
                code,
                int(rng.integers(0, len(fo.lpcs))),
                int(rng.integers(0, fo.officer_count)),
                people,
                False,
                day + 1,
                status=1,
            )
        )
    for target, rows in crimes.items():
        plan.add(target, crime_chunk(sid, rows))
    fo = world.forces[home]
    plan.add(
        home,
        custody_chunk(
            sid,
            [
                {
                    "day": as_of_minus(world, int(rng.integers(30, 1000))),
                    "code": "92A",
                    "lpc": int(rng.integers(0, len(fo.lpcs))),
                    "person": p,
                }
                for p in [principal, *members]
            ],
        ),
    )
    plan.add(
        home,
        intel_chunk(
            sid,
            [
                {
                    "day": as_of_minus(world, 60 * (j + 1)),
                    "lpc": int(rng.integers(0, len(fo.lpcs))),
                    "subject": m,
                    "associate": principal,
                    "grade": "1B",
                    "text": "Subject runs a drugs line for the associate and recruits "
                    "local children.",
                }
                for j, m in enumerate(members)
            ],
        ),
    )
    plan.operations.append(
        PlantedOperation(
            sid,
            "Op Harrier",
            "Child Criminal Exploitation",
            "gmp",
            as_of_minus(world, 200),
            NO_DATE,
            "Multi force within region",
        )
    )
    facts = {
        "members": len(members) + 1,
        "crimes": len(codes),
        "co_offending_crimes": co_offending,
        "principal_crimes": principal_crimes,
        "custody_records": len(members) + 1,
        "forces": ["gmp", "lancs"],
        "children_in_group": sum(a < 18 for a in ages),
    }
    finding = (
        f"Organised crime group of {len(members) + 1} around one principal in Greater "
        f"Manchester and Lancashire: {co_offending} co-offending drug and violence crimes, "
        f"{facts['children_in_group']} children exploited"
    )
    plan.scenarios.append(
        Scenario(
            sid,
            "organised_crime_group",
            ["gmp", "lancs"],
            "Multi force within region",
            principal,
            [(principal, "principal", None)] + [(m, "member", None) for m in members],
            facts,
            finding,
            ["north_west"],
        )
    )


def as_of_minus(world: World, days: int) -> int:
    """The day ``days`` before the reference date."""
    return world.as_of_days - days
