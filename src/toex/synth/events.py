"""Background events of one force: crimes, intelligence, missing episodes, custody, ViSOR.

Each ``*_chunk`` function draws a batch of events as numpy columns with the people in each
slot drawn from the force's pools (:mod:`toex.synth.population`), respecting ages (a victim
is born before the offence, a suspect is at least 10). Offence codes follow the configured
mix; a crime is VAWG when its code is VAWG by type, or VAWG in context with a female victim.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from toex.model import offence_table
from toex.synth.chunks import ROLES, Chunk, CrimePeople, empty_like_scenario
from toex.synth.dates import NO_DATE, age_on
from toex.synth.population import Pool
from toex.synth.rates import cdf_of, choose, draw, weighted
from toex.synth.world import World

YEAR = 365.25
BUSINESS_CODES = frozenset({"46", "30C"})
MALE_VICTIM_CODES = frozenset({"17A", "17B", "19F"})


def sample_aged(
    pool: Pool,
    rng: np.random.Generator,
    dob: np.ndarray,
    days: np.ndarray,
    idx: np.ndarray,
    min_age: float,
    drop: bool = False,
    tries: int = 12,
) -> np.ndarray:
    """People from ``pool`` for rows ``idx``, redrawn until at least ``min_age`` on ``days``.

    Rows still unmatched after ``tries`` draws get -1 when ``drop``, else the event date
    ``days[row]`` (changed in place) moves to the person's birthday of that age.
    """
    on = days[idx]
    people = pool.sample(rng.random(len(idx)))
    for _ in range(tries):
        bad = np.flatnonzero(dob[people] > on - min_age * YEAR)
        if len(bad) == 0:
            return people
        people[bad] = pool.sample(rng.random(len(bad)))
    bad = dob[people] > on - min_age * YEAR
    if drop:
        people[bad] = -1
    else:
        days[idx[bad]] = (dob[people[bad]] + np.ceil(min_age * YEAR)).astype(days.dtype)
    return people


def event_days(world: World, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` event days spread over the window, slightly more in recent years."""
    span = world.as_of_days - world.start_days
    return (world.start_days + np.floor(rng.random(n) ** 0.9 * span)).astype(np.int64)


def _handling(rng: np.random.Generator, n: int, c_share: float) -> np.ndarray:
    return np.where(rng.random(n) < c_share, "C", "P").astype(object)


def _classification(rng: np.random.Generator, mapping: dict[str, float], n: int) -> np.ndarray:
    keys, _ = weighted(mapping)
    return np.array(keys, dtype=object)[choose(rng, mapping, n)]


def lpc_of(world: World, force: int, people: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """LPC index of each event: the person's home LPC when they live in the force."""
    n_lpc = len(world.forces[force].lpcs)
    addr = world.pop.addr[np.maximum(people, 0)]
    home = (people >= 0) & (world.addresses.force[addr] == force)
    local = world.addresses.lpc_index(addr, n_lpc)
    return np.where(home, local, rng.integers(0, n_lpc, len(people))).astype(np.int64)


def officers(world: World, force: int, rng: np.random.Generator, n: int) -> np.ndarray:
    """Officer (OIC) indices, some officers carrying more cases than others."""
    count = world.forces[force].officer_count
    w = 1.0 / np.arange(1, count + 1) ** 0.5
    return draw(cdf_of(w), rng.random(n))


def adjust_code_for_age(code: str, age: int) -> str:
    """The age-banded variant of a sexual offence code for a victim of ``age``."""
    if code in ("19C", "19D", "19E"):
        return "19E" if age < 13 else "19D" if age < 16 else "19C"
    if code in ("20A", "20B"):
        return "20B" if age < 13 else "20A"
    if code == "22B" and age >= 16:
        return "22A"
    return code


def is_vawg(code: str, female_victim: bool) -> bool:
    """VAWG flag of a crime with offence ``code``."""
    off = offence_table()[code]
    return off.vawg or (off.vawg_context and female_victim)


def crime_chunk(world: World, force: int, n: int, rng: np.random.Generator) -> Chunk:
    """``n`` background crimes of ``force`` with their suspects, victims, witnesses."""
    cfg = world.rates.section("crime")
    pools = world.pools[force]
    dob = world.pop.dob
    table = offence_table()
    codes, _ = weighted(cfg["offence_mix"])
    code = np.array(codes, dtype=object)[choose(rng, cfg["offence_mix"], n)]
    day = event_days(world, rng, n)
    female_only = np.array([table[c].vawg and table[c].sexual for c in code])
    vawg_type = np.array([table[c].vawg and not table[c].sexual for c in code])
    male_only = np.array([c in MALE_VICTIM_CODES for c in code])
    business = np.array([c in BUSINESS_CODES for c in code])
    female_p = np.where(vawg_type, cfg["vawg_type_female_share"], cfg["female_victim_share"])
    vic_female = np.where(female_only, True, np.where(male_only, False, rng.random(n) < female_p))
    no_victim = business & (rng.random(n) < cfg["business_no_victim_share"])
    victim = np.full(n, -1, dtype=np.int64)
    fv = np.flatnonzero(vic_female & ~no_victim)
    mv = np.flatnonzero(~vic_female & ~no_victim)
    victim[fv] = sample_aged(pools.public_f, rng, dob, day, fv, 0.5)
    victim[mv] = sample_aged(pools.public_m, rng, dob, day, mv, 0.5)
    has_v = victim >= 0
    age_v = np.where(has_v, age_on(dob[np.maximum(victim, 0)], day), 30)
    code = np.array(
        [adjust_code_for_age(c, int(a)) for c, a in zip(code, age_v, strict=True)], dtype=object
    )
    vawg = np.array(
        [is_vawg(c, bool(f) and h) for c, f, h in zip(code, vic_female, has_v, strict=True)]
    )
    sexual = np.array([table[c].sexual for c in code])
    has_s = rng.random(n) < cfg["suspect_share"]
    male_s = np.where(sexual | vawg, True, rng.random(n) < 0.8)
    suspect = np.full(n, -1, dtype=np.int64)
    for sel, pool in ((has_s & male_s, pools.offender_m), (has_s & ~male_s, pools.offender_f)):
        idx = np.flatnonzero(sel)
        suspect[idx] = sample_aged(pool, rng, dob, day, idx, 10, drop=True)
    has_s &= suspect >= 0
    unknown = has_s & (
        rng.random(n) < world.rates.section("population")["unidentified_suspect_share"]
    )
    suspect[unknown] = world.new_unidentified(int(unknown.sum()))
    second = has_s & ~unknown & (rng.random(n) < cfg["second_suspect_share"])
    suspect2 = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(second)
    suspect2[idx] = sample_aged(pools.offender_m, rng, dob, day, idx, 10, drop=True)
    suspect2[suspect2 == suspect] = -1
    witness = _optional(rng, pools, dob, day, cfg["witness_share"], 8)
    reporting = _optional(rng, pools, dob, day, cfg["reporting_share"], 16)
    reporting[no_victim] = _optional(rng, pools, dob, day, 1.0, 16)[no_victim]
    people = _crime_people(n, victim, suspect, suspect2, witness, reporting)
    reported = day + np.floor(rng.exponential(2.0, n)).astype(np.int64)
    historic = sexual & (rng.random(n) < 0.15)
    reported[historic] += rng.integers(30, 700, int(historic.sum()))
    reported = np.minimum(reported, world.as_of_days)
    to = np.where(
        rng.random(n) < cfg["occurred_to_share"],
        np.minimum(day + rng.integers(0, 4, n), reported),
        NO_DATE,
    )
    lead = np.where(victim >= 0, victim, np.where(suspect < world.n_identified, suspect, -1))
    cols: dict[str, np.ndarray] = {
        "occurred_from": day,
        "occurred_to": to,
        "reported_date": reported,
        "offence_code": code,
        "vawg": vawg,
        "lpc": lpc_of(world, force, lead, rng),
        "oic": officers(world, force, rng, n),
        "status": _statuses(rng, cfg["statuses"], suspect >= 0),
        "handling_code": _handling(rng, n, cfg["handling_c_share"]),
        "classification": _classification(rng, cfg["classification"], n),
    }
    return Chunk("crime", cols, {}, empty_like_scenario(n), people=people)


def _statuses(rng: np.random.Generator, statuses: list[str], has_suspect: np.ndarray) -> np.ndarray:
    """Crime status: "No suspect identified" (or "Filed") only when there is no suspect."""
    none, filed = statuses.index("No suspect identified"), statuses.index("Filed")
    others = [i for i in range(len(statuses)) if i != none]
    pick = np.array(others)[rng.integers(0, len(others), len(has_suspect))]
    unsolved = np.where(rng.random(len(has_suspect)) < 0.8, none, filed)
    return np.where(has_suspect, pick, unsolved).astype(np.int64)


def _optional(
    rng: np.random.Generator,
    pools: Any,
    dob: np.ndarray,
    day: np.ndarray,
    share: float,
    min_age: float,
) -> np.ndarray:
    out = np.full(len(day), -1, dtype=np.int64)
    has = rng.random(len(day)) < share
    female = rng.random(len(day)) < 0.5
    for sel, pool in ((has & female, pools.public_f), (has & ~female, pools.public_m)):
        idx = np.flatnonzero(sel)
        out[idx] = sample_aged(pool, rng, dob, day, idx, min_age, drop=True)
    return out


def _crime_people(
    n: int,
    victim: np.ndarray,
    suspect: np.ndarray,
    suspect2: np.ndarray,
    witness: np.ndarray,
    reporting: np.ndarray,
) -> CrimePeople:
    columns = [
        (victim, "victim"),
        (suspect, "suspect"),
        (suspect2, "suspect"),
        (witness, "witness"),
        (reporting, "reporting"),
    ]
    events, roles, persons = [], [], []
    for people, role in columns:
        idx = np.flatnonzero(people >= 0)
        events.append(idx)
        roles.append(np.full(len(idx), ROLES.index(role), dtype=np.int8))
        persons.append(people[idx])
    ev = np.concatenate(events)
    order = np.argsort(ev, kind="stable")
    ev = ev[order]
    role_of = np.concatenate(roles)[order]
    person = np.concatenate(persons)[order]
    # a person appears once per crime (the first role drawn wins)
    _, first = np.unique(np.stack([ev, person]), axis=1, return_index=True)
    keep = np.sort(first)
    return CrimePeople(
        ev[keep].astype(np.int64), role_of[keep], person[keep], empty_like_scenario(len(keep))
    )


def intel_chunk(world: World, force: int, n: int, rng: np.random.Generator) -> Chunk:
    """``n`` background intelligence reports of ``force``."""
    cfg = world.rates.section("intel")
    pools = world.pools[force]
    dob = world.pop.dob
    day = event_days(world, rng, n)
    male = rng.random(n) < 0.8
    subject = np.zeros(n, dtype=np.int64)
    for sel, pool in ((male, pools.offender_m), (~male, pools.offender_f)):
        idx = np.flatnonzero(sel)
        subject[idx] = sample_aged(pool, rng, dob, day, idx, 12)
    associate = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(rng.random(n) < cfg["associate_share"])
    associate[idx] = sample_aged(pools.offender_m, rng, dob, day, idx, 12, drop=True)
    associate[associate == subject] = -1
    src_keys, _ = weighted(cfg["source"])
    ass_keys, _ = weighted(cfg["assessment"])
    cols: dict[str, np.ndarray] = {
        "intel_date": day,
        "lpc": lpc_of(world, force, subject, rng),
        "source": np.array(src_keys, dtype=object)[choose(rng, cfg["source"], n)],
        "assessment": np.array(ass_keys, dtype=object)[choose(rng, cfg["assessment"], n)],
        "handling_code": _handling(rng, n, cfg["handling_c_share"]),
        "classification": _classification(rng, cfg["classification"], n),
        "text": empty_like_scenario(n),
    }
    return Chunk(
        "intel", cols, {"subject": subject, "associate": associate}, empty_like_scenario(n)
    )


def missing_chunk(world: World, force: int, n: int, rng: np.random.Generator) -> Chunk:
    """``n`` background missing episodes of ``force`` (children over-represented)."""
    cfg = world.rates.section("missing")
    pool = world.pools[force].missing
    dob = world.pop.dob
    person = pool.sample(rng.random(n))
    for _ in range(8):
        bad = np.flatnonzero(dob[person] + 10 * YEAR > world.as_of_days - 30)
        if len(bad) == 0:
            break
        person[bad] = pool.sample(rng.random(len(bad)))
    earliest = np.maximum(world.start_days, dob[person] + np.ceil(10 * YEAR)).astype(np.int64)
    day = earliest + np.floor(rng.random(n) * np.maximum(world.as_of_days - earliest, 1)).astype(
        np.int64
    )
    risk = choose(rng, cfg["risk"], n)
    child = age_on(dob[person], day) < 13
    risk = np.where(child & (risk >= 2), rng.integers(0, 2, n), risk)  # under 13: medium+
    found = np.minimum(day + np.floor(rng.exponential(1.2, n)).astype(np.int64), world.as_of_days)
    found[rng.random(n) < cfg["not_found_share"]] = NO_DATE
    elsewhere = rng.random(n) < cfg["found_elsewhere_share"]
    same_force = np.flatnonzero(world.addresses.force == force)
    found_addr = np.where(
        elsewhere, same_force[rng.integers(0, len(same_force), n)], world.pop.addr[person]
    )
    found_addr[found == NO_DATE] = -1
    risk_keys, _ = weighted(cfg["risk"])
    cols: dict[str, np.ndarray] = {
        "missing_date": day,
        "found_date": found,
        "risk_level": np.array(risk_keys, dtype=object)[risk],
        "found_addr": found_addr.astype(np.int64),
        "lpc": lpc_of(world, force, person, rng),
        "oic": officers(world, force, rng, n),
        "handling_code": _handling(rng, n, cfg["handling_c_share"]),
        "classification": _classification(rng, cfg["classification"], n),
    }
    return Chunk("missing", cols, {"person": person}, empty_like_scenario(n))


def custody_chunk(world: World, force: int, n: int, rng: np.random.Generator) -> Chunk:
    """``n`` background custody records of ``force``."""
    cfg = world.rates.section("custody")
    pools = world.pools[force]
    day = event_days(world, rng, n)
    male = rng.random(n) < 0.82
    person = np.zeros(n, dtype=np.int64)
    for sel, pool in ((male, pools.offender_m), (~male, pools.offender_f)):
        idx = np.flatnonzero(sel)
        person[idx] = sample_aged(pool, rng, world.pop.dob, day, idx, 10)
    codes, _ = weighted(cfg["offence_mix"])
    cols: dict[str, np.ndarray] = {
        "arrest_date": day,
        "offence_code": np.array(codes, dtype=object)[choose(rng, cfg["offence_mix"], n)],
        "lpc": lpc_of(world, force, person, rng),
        "handling_code": _handling(rng, n, cfg["handling_c_share"]),
        "classification": _classification(rng, cfg["classification"], n),
    }
    return Chunk("custody", cols, {"person": person}, empty_like_scenario(n))


def visor_chunk(
    world: World, force: int, registrants: np.ndarray, rng: np.random.Generator
) -> Chunk:
    """One ViSOR registration for each of ``registrants``."""
    cfg = world.rates.section("visor")
    n = len(registrants)
    dob = world.pop.dob[registrants]
    earliest = np.maximum(dob + np.ceil(18 * YEAR), world.as_of_days - 17 * 365).astype(np.int64)
    latest = world.as_of_days - 30
    day = earliest + np.floor(rng.random(n) ** 0.7 * np.maximum(latest - earliest, 1)).astype(
        np.int64
    )
    keys = {
        k: weighted(cfg[k])[0] for k in ("mappa_category", "mappa_level", "rosh", "index_offences")
    }
    cols: dict[str, np.ndarray] = {
        "registration_date": day,
        "mappa_category": np.array(keys["mappa_category"], dtype=object)[
            choose(rng, cfg["mappa_category"], n)
        ],
        "mappa_level": np.array(keys["mappa_level"], dtype=object)[
            choose(rng, cfg["mappa_level"], n)
        ],
        "risk_level": np.array(keys["rosh"], dtype=object)[choose(rng, cfg["rosh"], n)],
        "offence_code": np.array(keys["index_offences"], dtype=object)[
            choose(rng, cfg["index_offences"], n)
        ],
        "handling_code": _handling(rng, n, 1.0),
        "classification": _classification(rng, cfg["classification"], n),
    }
    return Chunk("visor", cols, {"person": registrants.astype(np.int64)}, empty_like_scenario(n))
