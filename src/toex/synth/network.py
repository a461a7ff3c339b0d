"""Planted networks: a cross-region trafficking network and the missing children connected to it.

The trafficking network spans West Midlands, Greater Manchester, Lancashire and Norfolk (three
regions, as in the briefing). Its members share "work" phones and addresses; the women it
exploits live at those addresses, use those phones and advertise on the partner website
through accounts the principal controls and pays for. Three frequently missing girls are found
again and again at the network's addresses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from toex.synth import contact
from toex.synth.dates import NO_DATE, to_days
from toex.synth.events import is_vawg
from toex.synth.scenarios import (
    PlantedCase,
    PlantedCrime,
    PlantedOperation,
    Scenario,
    ScenarioPlan,
    add_person,
    crime_chunk,
    custody_chunk,
    force_index,
    intel_chunk,
    missing_chunk,
)
from toex.synth.world import World

NETWORK_FORCES = ("wmp", "gmp", "lancs", "norfolk")


def _addr_in(world: World, rng: np.random.Generator, force: int) -> int:
    pool = np.flatnonzero(world.addresses.force == force)
    return int(pool[rng.integers(0, len(pool))])


def _day(text: str) -> int:
    return to_days(dt.date.fromisoformat(text))


def plant_trafficking_network(world: World, plan: ScenarioPlan) -> dict[str, Any]:
    """Plant the network; returns its members, addresses and phones for later scenarios."""
    rng = world.rng("scenario", "network")
    sid = "NETWORK-01"
    f = {code: force_index(world, code) for code in NETWORK_FORCES}
    addr = {code: _addr_in(world, rng, f[code]) for code in ("wmp", "gmp", "norfolk")}
    work = [int(x) for x in contact.uk_mobiles(rng, 3)]
    pop = world.pop

    def member(
        code: str, male: bool, age: float, nat: str, home: int | None, phones: tuple[int, int]
    ) -> int:
        """Add a network member with the given phones (0 keeps their own)."""
        i = add_person(
            world, rng, force=f[code], male=male, age=age, nationality=nat, addr=home, pnc=male
        )
        pop.phone_cc[i] = 44
        pop.phone1[i], pop.phone2[i] = phones[0] or pop.phone1[i] or work[0], phones[1]
        return i

    principal = member("wmp", True, 38.5, "Romanian", addr["wmp"], (0, work[0]))
    lieut = member("gmp", True, 31.2, "Romanian", addr["gmp"], (0, work[1]))
    enforcer = member("gmp", True, 29.0, "Albanian", None, (work[1], 0))
    driver = member("lancs", True, 27.3, "British", None, (0, work[0]))
    recruiter = member("norfolk", False, 34.1, "Romanian", addr["norfolk"], (work[2], 0))
    landlord = member("wmp", True, 45.6, "British", None, (0, 0))
    members = [principal, lieut, enforcer, driver, recruiter, landlord]
    homes = ["gmp", "gmp", "gmp", "norfolk", "norfolk", "norfolk", "wmp", "wmp"]
    nats = ["Romanian"] * 5 + ["Brazilian"] * 2 + ["Hungarian"]
    victims = []
    for j, (home, nat) in enumerate(zip(homes, nats, strict=True)):
        v = add_person(
            world,
            rng,
            force=f[home],
            male=False,
            age=float(rng.uniform(19, 29)),
            nationality=nat,
            addr=addr[home],
        )
        pop.prev_addr[v] = addr[homes[(j + 3) % len(homes)]]
        pop.phone_cc[v] = 44
        pop.phone1[v] = work[j % 3]
        victims.append(v)
    street = {k: world.addresses.line(a) for k, a in addr.items()}
    spelled = [contact.spell_uk(w, "{0}{1} {2}") for w in work]
    intel: dict[str, list[dict[str, Any]]] = {
        "wmp": [
            {
                "day": _day("2024-09-14"),
                "subject": principal,
                "associate": lieut,
                "text": f"Subject controls several Romanian females working from {street['gmp']}"
                f" and {street['wmp']}; uses {spelled[0]}.",
            },
            {
                "day": _day("2025-02-03"),
                "subject": principal,
                "associate": driver,
                "text": f"Females moved between Birmingham, Manchester and Norwich by a driver; "
                f"bookings via {spelled[0]}.",
            },
            {
                "day": _day("2025-06-20"),
                "subject": landlord,
                "associate": principal,
                "text": f"Landlord lets {street['wmp']} to subject; several women seen there. "
                f"Women there call {spelled[1]}.",
            },
        ],
        "gmp": [
            {
                "day": _day("2024-07-01"),
                "subject": lieut,
                "associate": enforcer,
                "text": f"Subject and associate collect cash from women at {street['gmp']}; "
                f"phone {spelled[1]}.",
            },
            {
                "day": _day("2024-12-11"),
                "subject": enforcer,
                "associate": principal,
                "text": f"Associate believed to run the operation from Birmingham; {spelled[1]}; "
                f"recruits via {spelled[2]}.",
            },
            {
                "day": _day("2025-05-30"),
                "subject": lieut,
                "associate": principal,
                "text": "Adverts on an adult services website link to this address.",
            },
        ],
        "lancs": [
            {
                "day": _day("2024-10-05"),
                "subject": driver,
                "associate": principal,
                "text": "Subject drives young females to Preston and Blackpool; "
                f"uses {spelled[0]}.",
            },
            {
                "day": _day("2025-04-17"),
                "subject": driver,
                "associate": lieut,
                "text": f"Vehicle stopped with three females; driver evasive. {street['gmp']}.",
            },
        ],
        "norfolk": [
            {
                "day": _day("2024-08-22"),
                "subject": recruiter,
                "associate": principal,
                "text": f"Subject recruits women from Romania, housed at {street['norfolk']}; "
                f"uses {spelled[2]}.",
            },
            {
                "day": _day("2025-03-09"),
                "subject": recruiter,
                "associate": lieut,
                "text": "Women at the address are moved to Manchester every few weeks.",
            },
        ],
    }
    for code, rows in intel.items():
        for r in rows:
            r["lpc"] = int(rng.integers(0, len(world.forces[f[code]].lpcs)))
        plan.add(f[code], intel_chunk(sid, rows))
    _network_crimes(
        world, plan, rng, sid, f, principal, lieut, enforcer, driver, landlord, victims, addr
    )
    plan.cases.append(
        PlantedCase(
            sid,
            principal,
            victims,
            work,
            [principal, lieut, recruiter],
            ["West Midlands", "North West", "East of England", "London"],
            True,
        )
    )
    plan.operations.append(
        PlantedOperation(
            sid,
            "Op Kestrel",
            "Adult Sexual Exploitation",
            "wmp",
            _day("2025-05-01"),
            NO_DATE,
            "Multi force outside region",
        )
    )
    roles = ["principal", "lieutenant", "enforcer", "driver", "recruiter", "landlord"]
    facts = {
        "forces": sorted(NETWORK_FORCES),
        "regions": ["eastern", "north_west", "west_midlands"],
        "members": len(members),
        "victims": len(victims),
        "shared_phones": [contact.e164(44, w) for w in work],
        "shared_addresses": [world.addresses.postcode(a) for a in addr.values()],
        "asw_accounts": len(victims),
        "payers": 3,
    }
    finding = (
        "Trafficking network across West Midlands, Greater Manchester, Lancashire and "
        "Norfolk (3 regions) around one principal: 6 members and 8 exploited women "
        "linked by 3 shared phones, 3 addresses, 8 partner-website accounts and 3 payers"
    )
    plan.scenarios.append(
        Scenario(
            sid,
            "trafficking_network",
            sorted(NETWORK_FORCES),
            "Multi force outside region",
            principal,
            [(m, r, None) for m, r in zip(members, roles, strict=True)]
            + [(v, "victim", None) for v in victims],
            facts,
            finding,
            ["eastern", "north_west", "west_midlands"],
        )
    )
    return {
        "members": dict(zip(roles, members, strict=True)),
        "addr": addr,
        "work": work,
        "forces": f,
        "victims": victims,
    }


def _network_crimes(
    world: World,
    plan: ScenarioPlan,
    rng: np.random.Generator,
    sid: str,
    f: dict[str, int],
    principal: int,
    lieut: int,
    enforcer: int,
    driver: int,
    landlord: int,
    victims: list[int],
    addr: dict[str, int],
) -> None:
    def crime(code: str, day: str, people: list[tuple[str, int]], force: str) -> PlantedCrime:
        """A planted network crime in ``force``."""
        fo = world.forces[f[force]]
        return PlantedCrime(
            _day(day),
            code,
            int(rng.integers(0, len(fo.lpcs))),
            int(rng.integers(0, fo.officer_count)),
            [(r, p, {}) for r, p in people],
            is_vawg(code, True),
            _day(day) + 5,
        )

    plan.add(
        f["wmp"],
        crime_chunk(
            sid,
            [
                crime(
                    "72",
                    "2025-03-18",
                    [
                        ("victim", victims[6]),
                        ("victim", victims[7]),
                        ("suspect", principal),
                        ("suspect", landlord),
                    ],
                    "wmp",
                )
            ],
        ),
    )
    plan.add(
        f["gmp"],
        crime_chunk(
            sid,
            [
                crime(
                    "106",
                    "2024-11-02",
                    [
                        ("victim", victims[0]),
                        ("victim", victims[1]),
                        ("suspect", lieut),
                        ("suspect", enforcer),
                    ],
                    "gmp",
                )
            ],
        ),
    )
    plan.add(
        f["lancs"],
        crime_chunk(
            sid, [crime("8N", "2025-01-26", [("victim", victims[2]), ("suspect", driver)], "lancs")]
        ),
    )
    plan.add(
        f["wmp"],
        custody_chunk(
            sid, [{"day": _day("2025-04-02"), "code": "72", "lpc": 0, "person": principal}]
        ),
    )
    plan.add(
        f["gmp"],
        custody_chunk(sid, [{"day": _day("2024-11-09"), "code": "106", "lpc": 0, "person": lieut}]),
    )
    nf = world.forces[f["norfolk"]]
    plan.add(
        f["norfolk"],
        missing_chunk(
            sid,
            [
                {
                    "day": _day(d),
                    "found": _day(d) + 4,
                    "risk": "high",
                    "found_addr": addr["gmp"],
                    "lpc": int(rng.integers(0, len(nf.lpcs))),
                    "oic": int(rng.integers(0, nf.officer_count)),
                    "person": victims[3 + k],
                }
                for k, d in enumerate(("2024-09-30", "2025-02-14"))
            ],
        ),
    )


def plant_missing_children(world: World, plan: ScenarioPlan, network: dict[str, Any]) -> None:
    """Three girls repeatedly missing and found at the network's addresses."""
    rng = world.rng("scenario", "missing")
    sid = "MISSING-01"
    f, addr, m = network["forces"], network["addr"], network["members"]
    as_of = world.as_of_days
    spec = [
        ("norfolk", 14.2, "British", 7, "norfolk", "recruiter"),
        ("lancs", 15.1, "British", 6, "gmp", "driver"),
        ("wmp", 16.3, "Romanian", 5, "wmp", "principal"),
    ]
    members: list[tuple[int, str, int | None]] = []
    per_child: list[dict[str, Any]] = []
    for g, (home, age, nat, episodes, found_at, linked) in enumerate(spec):
        child = add_person(world, rng, force=f[home], male=False, age=age, nationality=nat)
        fo = world.forces[f[home]]
        days = np.sort(as_of - rng.choice(np.arange(5, 360), size=episodes, replace=False))
        at_network = [k % 3 != 2 for k in range(episodes)]
        rows = [
            {
                "day": int(d),
                "found": int(d) + int(rng.integers(0, 3)),
                "risk": "high" if k % 2 else "medium",
                "found_addr": addr[found_at] if at_network[k] else int(world.pop.addr[child]),
                "lpc": int(
                    world.addresses.lpc_index(np.array([world.pop.addr[child]]), len(fo.lpcs))[0]
                ),
                "oic": int(rng.integers(0, fo.officer_count)),
                "person": child,
                "forced": {"nickname": k == 1},
            }
            for k, d in enumerate(days.tolist())
        ]
        plan.add(f[home], missing_chunk(sid, rows))
        plan.add(
            f[home],
            intel_chunk(
                sid,
                [
                    {
                        "day": int(days[-2]) + 1,
                        "lpc": rows[0]["lpc"],
                        "subject": m[linked],
                        "associate": child,
                        "text": "Subject seen collecting a missing teenage girl in a car "
                        "late at night.",
                    }
                ],
            ),
        )
        members += [(child, "missing_child", g), (m[linked], "linked_member", g)]
        per_child.append(
            {
                "force": home,
                "episodes": episodes,
                "found_at_network_address": sum(at_network),
                "network_address": world.addresses.postcode(addr[found_at]),
                "linked_member_role": linked,
            }
        )
    facts = {
        "children": len(spec),
        "per_child": per_child,
        "episodes": sum(c["episodes"] for c in per_child),
    }
    finding = (
        "3 frequently missing girls (Norfolk, Lancashire, West Midlands) found "
        f"{sum(c['found_at_network_address'] for c in per_child)} times at the "
        "trafficking network's addresses and seen with its members"
    )
    plan.scenarios.append(
        Scenario(
            sid,
            "frequent_missing_children",
            ["lancs", "norfolk", "wmp"],
            "Multi force outside region",
            None,
            members,
            facts,
            finding,
            ["eastern", "north_west", "west_midlands"],
        )
    )
