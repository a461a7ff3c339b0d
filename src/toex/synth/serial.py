"""Planted offenders: fragmented serial VAWG offenders ("Billy") and a registered sex offender.

A serial offender commits many VAWG offences against several girls and women over 12-24
months, most in the last 12 months, each crime investigated by a different officer across
2-3 LPCs; his records vary (his nickname on some, a transposed or mistyped DOB on others).
The first one planted reproduces the briefing's "Billy": 16 years old, 7 victims aged 12-32,
19 VAWG offences, 13 in the last 12 months, 3 LPCs.

The registered sex offender is on one force's ViSOR register and later commits VAWG offences
in another force under a varied name.
"""

from __future__ import annotations

import numpy as np

from toex.synth.dates import age_on, from_days, to_days
from toex.synth.events import adjust_code_for_age, is_vawg
from toex.synth.scenarios import (
    PlantedCrime,
    Scenario,
    ScenarioPlan,
    add_person,
    crime_chunk,
    custody_chunk,
    distinct_oics,
    force_index,
    intel_chunk,
    visor_chunk,
)
from toex.synth.world import World

BILLY_FORENAMES = (
    "William",
    "Robert",
    "Richard",
    "James",
    "Michael",
    "Thomas",
    "Daniel",
    "Joseph",
    "Anthony",
    "Matthew",
    "Christopher",
    "Andrew",
    "Edward",
)
SERIAL_CODES = ("19C", "19C", "20A", "20A", "22B", "8N", "105A", "105A", "9A", "8Q", "8L", "88E")


def _dob_transposable(rng: np.random.Generator, as_of: int, age: float) -> int:
    """A DOB giving ``age`` on ``as_of`` whose day is 12 or less and differs from the month."""
    ref = from_days(as_of)
    month = int(rng.integers(1, 13))
    day = int(rng.integers(1, 13))
    if day == month:
        day = day % 12 + 1
    year = ref.year - int(age) - (1 if (month, day) > (ref.month, ref.day) else 0)
    return to_days(ref.replace(year=year, month=month, day=day))


def plant_serial_offenders(world: World, plan: ScenarioPlan, count: int, per_force: bool) -> None:
    """Plant ``count`` serial VAWG offenders (one per force when ``per_force``)."""
    rng = world.rng("scenario", "serial")
    forces = list(range(len(world.forces)))
    homes = forces[:count] if per_force else [forces[i * 3 % len(forces)] for i in range(count)]
    for k, home in enumerate(homes):
        _plant_one(world, plan, rng, k, home)


def _plant_one(
    world: World, plan: ScenarioPlan, rng: np.random.Generator, k: int, home: int
) -> None:
    sid = f"SERIAL-{k + 1:02d}"
    force = world.forces[home]
    as_of = world.as_of_days
    billy = k == 0
    age = 16.4 if billy else float(rng.uniform(16, 27))
    forename = BILLY_FORENAMES[0 if billy else int(rng.integers(0, len(BILLY_FORENAMES)))]
    dob = _dob_transposable(rng, as_of, age)
    offender = add_person(
        world, rng, force=home, male=True, age=age, forename=forename, dob=dob, pnc=True
    )
    n_off = 19 if billy else int(rng.integers(14, 22))
    n_recent = 13 if billy else int(rng.integers(max(8, n_off // 2), n_off - 1))
    n_vic = 7 if billy else int(rng.integers(4, 9))
    span = int(rng.integers(450, 720))
    recent = as_of - rng.integers(0, 365, n_recent)
    older = as_of - rng.integers(366, span, n_off - n_recent)
    days = np.sort(np.concatenate([recent, older])).astype(np.int64)
    victim_ages = np.sort(rng.uniform(12, 33, n_vic))
    if billy:
        victim_ages = np.array([12.3, 14.5, 15.2, 17.8, 22.6, 27.1, 32.4])
    # each victim at least once, the rest spread over them
    assign = list(range(n_vic)) + rng.choice(n_vic, size=n_off - n_vic).tolist()
    assign = [assign[i] for i in rng.permutation(n_off).tolist()]
    victims = []
    for v, a in enumerate(victim_ages.tolist()):
        first = min(int(days[i]) for i in range(n_off) if assign[i] == v)
        vdob = int(first - a * 365.25 - 20)
        victims.append(
            add_person(world, rng, force=home, male=False, age=(as_of - vdob) / 365.25, dob=vdob)
        )
    n_lpc = 3 if billy else int(rng.integers(2, 4))
    lpcs = rng.choice(len(force.lpcs), size=min(n_lpc, len(force.lpcs)), replace=False).tolist()
    lpc_of = [lpcs[i % len(lpcs)] for i in range(n_off)]
    oics = distinct_oics(rng, force.officer_count, n_off, 0 if billy else int(rng.integers(0, 3)))
    second_force = home if k != 1 else _neighbour(world, home)
    crimes, forces_used = [], {force.code}
    for i in range(n_off):
        victim = victims[assign[i]]
        vage = int(age_on(np.array([world.pop.dob[victim]]), np.array([days[i]]))[0])
        code = adjust_code_for_age(SERIAL_CODES[int(rng.integers(0, len(SERIAL_CODES)))], vage)
        forced = {
            "nickname": bool(rng.random() < 0.5),
            "dob_transposed": bool(rng.random() < 0.15),
            "dob_digit_typo": bool(rng.random() < 0.1),
            "dob_missing": bool(rng.random() < 0.1),
        }
        crimes.append(
            (
                i,
                PlantedCrime(
                    int(days[i]),
                    code,
                    lpc_of[i],
                    oics[i],
                    [("victim", victim, {}), ("suspect", offender, forced)],
                    is_vawg(code, True),
                    int(days[i]) + int(rng.integers(0, 3)),
                    status=0,
                ),
            )
        )
    # the second offender also offends across the border in a neighbouring force
    moved = [i for i in range(n_off) if k == 1 and i % 4 == 3]
    for target, idxs in (
        (home, [i for i in range(n_off) if i not in moved]),
        (second_force, moved),
    ):
        if not idxs:
            continue
        tforce = world.forces[target]
        chosen = []
        for i in idxs:
            crime = crimes[i][1]
            if target != home:
                crime.lpc = int(rng.integers(0, len(tforce.lpcs)))
                crime.oic = int(rng.integers(0, tforce.officer_count))
            chosen.append(crime)
        forces_used.add(tforce.code)
        plan.add(target, crime_chunk(sid, chosen))
    # a custody record and an intelligence report with his PNC
    plan.add(
        home,
        custody_chunk(
            sid,
            [
                {
                    "day": int(days[-3]) + 1,
                    "code": "20A",
                    "lpc": lpc_of[-3],
                    "person": offender,
                    "forced": {"nickname": True},
                }
            ],
        ),
    )
    plan.add(
        home,
        intel_chunk(
            sid,
            [
                {
                    "day": int(days[len(days) // 2]),
                    "lpc": lpc_of[0],
                    "subject": offender,
                    "grade": "2B",
                    "text": "Subject is said to be targeting girls at bus "
                    "stations and parks and sharing their images.",
                }
            ],
        ),
    )
    all_crimes = [c for _, c in crimes]
    lpc_names = sorted(
        {
            _lpc_name(world, home if i not in moved else second_force, c.lpc)
            for i, c in enumerate(all_crimes)
        }
    )
    oic_ids = sorted(
        {
            _oic_name(world, home if i not in moved else second_force, c.oic)
            for i, c in enumerate(all_crimes)
        }
    )
    ages_at = [
        int(
            age_on(
                np.array([world.pop.dob[v]]),
                np.array([min(c.day for c in all_crimes if any(p[1] == v for p in c.people))]),
            )[0]
        )
        for v in victims
    ]
    recent_count = sum(1 for c in all_crimes if c.day > as_of - 365)
    age_now = int(age_on(np.array([dob]), np.array([as_of]))[0])
    facts = {
        "age_at_as_of": age_now,
        "victims": len(victims),
        "victim_ages": sorted(ages_at),
        "victim_age_min": min(ages_at),
        "victim_age_max": max(ages_at),
        "vawg_offences": len(all_crimes),
        "vawg_offences_last_12_months": recent_count,
        "distinct_oics": len(oic_ids),
        "lpcs": lpc_names,
        "forces": sorted(forces_used),
        "first_offence": str(from_days(int(days[0]))),
        "last_offence": str(from_days(int(days[-1]))),
    }
    finding = (
        f"{age_now} years old; {len(victims)} unique victims aged {min(ages_at)}-"
        f"{max(ages_at)}; {len(all_crimes)} VAWG offences, {recent_count} in the last "
        f"12 months; investigated by {len(oic_ids)} different OICs across "
        f"{len(lpc_names)} LPCs in {len(forces_used)} force(s)"
    )
    regions = sorted({world.catalogue.force(f).region for f in forces_used})
    plan.scenarios.append(
        Scenario(
            sid,
            "serial_vawg_offender",
            sorted(forces_used),
            "Force" if len(forces_used) == 1 else "Multi force within region",
            offender,
            [(offender, "offender", None)] + [(v, "victim", None) for v in victims],
            facts,
            finding,
            regions,
        )
    )


def _neighbour(world: World, home: int) -> int:
    region = world.forces[home].region
    same = [i for i, f in enumerate(world.forces) if f.region == region and i != home]
    return same[0] if same else (home + 1) % len(world.forces)


def _lpc_name(world: World, force: int, lpc: int) -> str:
    return f"{world.forces[force].code}:{world.forces[force].lpcs[lpc]}"


def _oic_name(world: World, force: int, oic: int) -> str:
    return world.forces[force].officer_ids()[oic]


def plant_registered_offender(world: World, plan: ScenarioPlan) -> None:
    """A ViSOR registrant in Norfolk who later commits VAWG offences in Cambridgeshire."""
    rng = world.rng("scenario", "rso")
    sid = "RSO-01"
    reg_force = force_index(world, "norfolk")
    off_force = force_index(world, "cambs")
    as_of = world.as_of_days
    rso = add_person(world, rng, force=reg_force, male=True, age=47.0, forename="Robert", pnc=True)
    registered = as_of - 6 * 365 - int(rng.integers(0, 200))
    plan.add(
        reg_force,
        visor_chunk(
            sid,
            [
                {
                    "day": registered,
                    "category": "1",
                    "level": "2",
                    "rosh": "high",
                    "code": "20A",
                    "person": rso,
                }
            ],
        ),
    )
    codes = ("20A", "8Q", "88E", "20A")
    cforce = world.forces[off_force]
    crimes, victims = [], []
    for i, code in enumerate(codes):
        victim = add_person(world, rng, force=off_force, male=False, age=float(rng.uniform(19, 40)))
        victims.append(victim)
        day = as_of - 700 + i * 150 + int(rng.integers(0, 60))
        crimes.append(
            PlantedCrime(
                day,
                code,
                int(rng.integers(0, len(cforce.lpcs))),
                int(rng.integers(0, cforce.officer_count)),
                [
                    ("victim", victim, {}),
                    ("suspect", rso, {"nickname": i % 2 == 0, "old_address": True}),
                ],
                is_vawg(code, True),
                day + 2,
            )
        )
    plan.add(off_force, crime_chunk(sid, crimes))
    facts = {
        "visor_force": "norfolk",
        "registered": str(from_days(registered)),
        "mappa_category": "1",
        "mappa_level": "2",
        "rosh": "high",
        "later_vawg_offences": len(crimes),
        "offence_force": "cambs",
        "first_later_offence": str(from_days(min(c.day for c in crimes))),
    }
    finding = (
        f"Registered sex offender (ViSOR, Norfolk, registered {facts['registered']}, "
        f"MAPPA category 1 level 2, RoSH high) suspected of {len(crimes)} later VAWG "
        f"offences in Cambridgeshire, recorded under a varied name"
    )
    plan.scenarios.append(
        Scenario(
            sid,
            "registered_sex_offender",
            ["cambs", "norfolk"],
            "Multi force within region",
            rso,
            [(rso, "registrant", None)] + [(v, "victim", None) for v in victims],
            facts,
            finding,
            ["eastern"],
        )
    )
