"""The synthetic population: every true person as numpy columns.

A :class:`Population` holds each person's true identity (names as vocabulary indices, DOB as
a day number, nationality, home force and other forces, addresses, phones, email, PNC/CRO,
vehicle) and an activity weight that makes mentions per person heavy-tailed. Households share
an address (often a surname); twins and distinct people with the same name and DOB are
planted by :func:`plant_twins` and :func:`plant_name_dob_pairs`.

Person kinds: ``offender`` (suspects, detainees, intelligence subjects), ``public`` (victims,
witnesses, reporting persons), ``youth`` (children prone to go missing), ``asw`` (partner
website account holders) and ``scenario`` (people of planted scenarios, kept out of
background sampling).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from toex.synth import contact
from toex.synth.dates import to_days
from toex.synth.names import NameBook
from toex.synth.rates import Rates, cdf_of, draw, weighted

KINDS = ("offender", "public", "youth", "asw", "scenario")
OFFENDER, PUBLIC, YOUTH, ASW, SCENARIO = range(5)


@dataclass
class Population:
    """Every true person, one row per person, as numpy columns."""

    kind: np.ndarray  # int8 index into KINDS
    male: np.ndarray  # bool
    nat: np.ndarray  # int8 index into Rates nationalities
    locale: np.ndarray  # int8 index into the name locales
    fore: np.ndarray  # int32 forename index
    middle: np.ndarray  # int32, -1 none
    sur: np.ndarray  # int32 surname index
    sur2: np.ndarray  # int32 second part of a double-barrelled surname, -1 none
    prev_sur: np.ndarray  # int32 previous (maiden) surname, -1 none
    alias_fore: np.ndarray  # int32, -1 none
    alias_sur: np.ndarray  # int32, -1 none
    dob: np.ndarray  # int32 day number
    home_force: np.ndarray  # int8
    force2: np.ndarray  # int8, -1 none
    force3: np.ndarray  # int8, -1 none
    addr: np.ndarray  # int32 address index
    prev_addr: np.ndarray  # int32, -1 none
    phone_cc: np.ndarray  # int16 country code of phone1
    phone1: np.ndarray  # int64 national number, 0 none
    phone2: np.ndarray  # int64 second (UK) phone, 0 none
    email_pat: np.ndarray  # int8 email pattern, -1 none
    email_num: np.ndarray  # int16
    email_dom: np.ndarray  # int8
    pnc_year: np.ndarray  # int16, -1 none
    pnc_serial: np.ndarray  # int32
    cro_serial: np.ndarray  # int32, -1 none
    vrm: np.ndarray  # int64, -1 none
    weight: np.ndarray  # float64 activity weight (0: never drawn for background events)

    def __len__(self) -> int:
        return len(self.kind)

    def extend(self, other: Population) -> np.ndarray:
        """Append ``other``'s rows; returns their new indices."""
        start = len(self)
        for f in fields(self):
            setattr(self, f.name, np.concatenate([getattr(self, f.name), getattr(other, f.name)]))
        return np.arange(start, len(self), dtype=np.int64)


def person_id(index: int) -> str:
    """The truth person ID of population row ``index``."""
    return f"P{index + 1:07d}"


def _ages_to_dob(rng: np.random.Generator, ages: np.ndarray, as_of: int) -> np.ndarray:
    return (as_of - np.floor(ages * 365.25) - rng.integers(0, 365, len(ages))).astype(np.int32)


def draw_ages(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Age in years on the reference date of each person, by kind."""
    n = len(kind)
    age = np.empty(n)
    off = kind == OFFENDER
    age[off] = np.clip(14 + rng.gamma(2.2, 8.0, int(off.sum())), 14, 85)
    pub = kind == PUBLIC
    age[pub] = np.clip(rng.gamma(3.0, 12.0, int(pub.sum())), 0.5, 95)
    yth = kind == YOUTH
    age[yth] = rng.uniform(11, 20, int(yth.sum()))
    asw = kind == ASW
    age[asw] = rng.uniform(19, 45, int(asw.sum()))
    sc = kind == SCENARIO
    age[sc] = rng.uniform(18, 50, int(sc.sum()))
    return age


def name_locales(rates: Rates) -> list[str]:
    """Every name locale the configured nationalities use, in first-seen order."""
    out: dict[str, None] = {}
    for spec in rates.section("nationalities").values():
        for loc in spec["locales"]:
            out[loc] = None
    return list(out)


def make_people(
    rng: np.random.Generator,
    rates: Rates,
    book: NameBook,
    kind: np.ndarray,
    nat: np.ndarray,
    male: np.ndarray,
    ages: np.ndarray,
    home_force: np.ndarray,
    addr: np.ndarray,
) -> Population:
    """People of the given kind, nationality, sex, age, force and address; other attributes
    (names, phones, email, PNC...) are drawn from the configured rates."""
    n = len(kind)
    pop_cfg = rates.section("population")
    nats = rates.section("nationalities")
    nat_names = list(nats)
    locales = name_locales(rates)
    as_of = to_days(rates.as_of)
    locale = np.zeros(n, dtype=np.int8)
    for ni, name in enumerate(nat_names):
        sel = np.flatnonzero(nat == ni)
        keys, p = weighted(nats[name]["locales"])
        picks = draw(cdf_of(p), rng.random(len(sel)))
        locale[sel] = np.array([locales.index(k) for k in keys], dtype=np.int8)[picks]
    fore = np.zeros(n, dtype=np.int32)
    middle = np.full(n, -1, dtype=np.int32)
    sur = np.zeros(n, dtype=np.int32)
    sur2 = np.full(n, -1, dtype=np.int32)
    prev_sur = np.full(n, -1, dtype=np.int32)
    alias_fore = np.full(n, -1, dtype=np.int32)
    alias_sur = np.full(n, -1, dtype=np.int32)
    dob = _ages_to_dob(rng, ages, as_of)
    adult_woman = (~male) & (ages >= 20)
    alias_p = np.array([pop_cfg["alias_share"].get(k, 0.0) for k in KINDS])[kind]
    for li, loc in enumerate(locales):
        sel = np.flatnonzero(locale == li)
        if len(sel) == 0:
            continue
        m = male[sel]
        fore[sel] = book.sample_forenames(loc, m, rng.random(len(sel)))
        sur[sel] = book.sample_surnames(loc, m, rng.random(len(sel)))
        mid = rng.random(len(sel)) < pop_cfg["middle_name_share"]
        middle[sel[mid]] = book.sample_forenames(loc, m[mid], rng.random(int(mid.sum())))
        middle[sel[mid & (middle[sel] == fore[sel])]] = -1
        if loc == "en_GB":
            hy = rng.random(len(sel)) < pop_cfg["hyphenated_share"]
            sur2[sel[hy]] = book.sample_surnames(loc, m[hy], rng.random(int(hy.sum())))
        ps = adult_woman[sel] & (rng.random(len(sel)) < pop_cfg["previous_surname_share"])
        prev_sur[sel[ps]] = book.sample_surnames(
            loc, np.ones(int(ps.sum()), dtype=bool), rng.random(int(ps.sum()))
        )
        al = rng.random(len(sel)) < alias_p[sel]
        alias_fore[sel[al]] = book.sample_forenames(loc, m[al], rng.random(int(al.sum())))
        alias_sur[sel[al]] = book.sample_surnames(loc, m[al], rng.random(int(al.sum())))
    sur2[sur2 == sur] = -1
    prev_sur[prev_sur == sur] = -1
    # phones: children under 11 have none; foreign nationals often a foreign number
    has_phone = (ages >= 11) & (rng.random(n) < pop_cfg["phone_share"])
    cc = np.array([nats[k]["phone_cc"] for k in nat_names], dtype=np.int16)[nat]
    foreign = (cc != 44) & (rng.random(n) < pop_cfg["foreign_phone_share"])
    phone_cc = np.where(foreign, cc, 44).astype(np.int16)
    phone1 = np.where(has_phone, contact.uk_mobiles(rng, n), 0)
    phone1[foreign & has_phone] = contact.foreign_numbers(rng, phone_cc[foreign & has_phone])
    phone2 = np.where(
        has_phone & (rng.random(n) < pop_cfg["second_phone_share"]), contact.uk_mobiles(rng, n), 0
    )
    has_email = (ages >= 13) & (rng.random(n) < pop_cfg["email_share"])
    pnc_p = np.array([pop_cfg["pnc_share"].get(k, 0.0) for k in KINDS])[kind]
    has_pnc = (ages >= 12) & (rng.random(n) < pnc_p)
    first_arrest = np.minimum(
        rates.as_of.year, rates.as_of.year - np.floor(ages) + 12 + rng.integers(0, 10, n)
    ).astype(np.int16)
    veh_p = np.array([pop_cfg["vehicle_share"].get(k, 0.0) for k in KINDS])[kind]
    has_veh = (ages >= 17) & (rng.random(n) < veh_p)
    return Population(
        kind=kind.astype(np.int8),
        male=male.astype(bool),
        nat=nat.astype(np.int8),
        locale=locale,
        fore=fore,
        middle=middle,
        sur=sur,
        sur2=sur2,
        prev_sur=prev_sur,
        alias_fore=alias_fore,
        alias_sur=alias_sur,
        dob=dob,
        home_force=home_force.astype(np.int8),
        force2=np.full(n, -1, dtype=np.int8),
        force3=np.full(n, -1, dtype=np.int8),
        addr=addr.astype(np.int32),
        prev_addr=np.full(n, -1, dtype=np.int32),
        phone_cc=phone_cc,
        phone1=phone1.astype(np.int64),
        phone2=phone2.astype(np.int64),
        email_pat=np.where(has_email, rng.integers(0, 6, n), -1).astype(np.int8),
        email_num=rng.integers(1, 999, n).astype(np.int16),
        email_dom=rng.integers(0, len(contact.EMAIL_DOMAINS), n).astype(np.int8),
        pnc_year=np.where(has_pnc, first_arrest, -1).astype(np.int16),
        pnc_serial=rng.integers(1, 9_999_999, n).astype(np.int32),
        cro_serial=np.where(
            has_pnc & (rng.random(n) < pop_cfg["cro_share"]), rng.integers(1, 999_999, n), -1
        ).astype(np.int32),
        vrm=np.where(has_veh, rng.integers(0, 2**40, n), -1).astype(np.int64),
        weight=np.zeros(n),
    )


def activity_weights(rng: np.random.Generator, kind: np.ndarray, cfg: dict[str, Any]) -> np.ndarray:
    """Heavy-tailed (log-normal, capped) activity weight of each person by kind."""
    sigma = np.array([cfg["activity_sigma"].get(k, 0.0) for k in KINDS])[kind]
    w = np.exp(rng.normal(0.0, 1.0, len(kind)) * sigma)
    return np.minimum(w, float(cfg["activity_cap"]))


def plant_twins(
    rng: np.random.Generator, pop: Population, book: NameBook, count: int, candidates: np.ndarray
) -> list[tuple[int, int]]:
    """Make ``count`` pairs twins: same surname, DOB, address and force, another forename."""
    picks = rng.choice(candidates, size=2 * count, replace=False)
    pairs = []
    for a, b in zip(picks[:count], picks[count:], strict=True):
        for name in ("sur", "sur2", "dob", "addr", "home_force", "nat", "locale", "prev_addr"):
            getattr(pop, name)[b] = getattr(pop, name)[a]
        pop.prev_sur[b] = -1
        if pop.fore[b] == pop.fore[a]:
            pop.fore[b] = (pop.fore[a] + 1) % len(book.forenames)
        pairs.append((int(a), int(b)))
    return pairs


def plant_name_dob_pairs(
    rng: np.random.Generator, pop: Population, count: int, candidates: np.ndarray
) -> list[tuple[int, int]]:
    """Give ``count`` distinct people the forename, surname and DOB of another person."""
    picks = rng.choice(candidates, size=2 * count, replace=False)
    pairs = []
    for a, b in zip(picks[:count], picks[count:], strict=True):
        for name in ("fore", "sur", "dob", "male", "locale"):
            getattr(pop, name)[b] = getattr(pop, name)[a]
        pop.sur2[b] = pop.sur2[a]
        pop.middle[b] = -1
        pairs.append((int(a), int(b)))
    return pairs
