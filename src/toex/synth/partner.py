"""The partner adult-services website (ASW): accounts, adverts, payments and staff calls.

Most accounts are independent advertisers, each writing her own advert wording
(:mod:`toex.synth.adverts`). A share are flagged by the partner's staff (called and
assessed); most flagged accounts belong to a *case*: accounts run by one controller that
share phones or payers and the controller's own wording template (slots varied). Every
trafficking case carries a high-level staff/customer signal (male in the background,
customer flag of trafficking or under-age, other concern) on at least one member; the same
signals are thinned elsewhere so each stays near its briefing rate over flagged accounts.
The indicator flags of flagged accounts are drawn towards the briefing's STIM rates
(rates.yaml ``asw.indicators``) and the data is built to show them; truth then records the
flags as the data shows them (an account "uses multiple phones" exactly when its adverts
carry more than one number). Planted cases (the trafficking
network) come from :class:`toex.synth.scenarios.PlantedCase`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from toex.synth import contact
from toex.synth.adverts import AREAS, CITIES, DAYS, PRICES, WORKING_NAMES, advert_text
from toex.synth.dates import age_on
from toex.synth.places import load_places
from toex.synth.scenarios import PlantedCase
from toex.synth.world import World

INDICATORS = (
    "language_barrier",
    "multi_region",
    "linked_payer_phone",
    "multiple_phones",
    "multiple_payers",
    "male_name_email",
    "male_payer",
    "vague_misleading",
    "avoided_call",
    "male_in_background",
    "customer_flag_trafficking",
    "customer_flag_underage",
    "other_concern",
)
# The high-level staff/customer signals (stim_indicators.yaml levels): each trafficking case
# comes to notice through at least one of them on at least one member.
HIGH_FLAGS = (
    "male_in_background",
    "customer_flag_trafficking",
    "customer_flag_underage",
    "other_concern",
)
TEMPLATE_SPACE = 2**31
STAFF_FLAGS = (
    "language_barrier",
    "vague_misleading",
    "avoided_call",
    "male_in_background",
    "customer_flag_trafficking",
    "customer_flag_underage",
    "other_concern",
)


@dataclass
class Case:
    """Accounts run by one controller."""

    case_id: str
    controller: int
    trafficking: bool
    mode: str  # what the accounts share: phone, payer or both
    phones: list[int]
    shared_payer: int
    template: int
    scenario: str = ""
    third_person: bool = False  # the controller's wording speaks of "her" / "our girls"


@dataclass
class Account:
    """One account as planned, before its files are written."""

    holder: int
    case: Case | None
    flagged: bool
    intended: dict[str, bool]
    phones: list[int] = field(default_factory=list)
    payers: list[int] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    template: int = 0
    created: int = 0
    scenario: str = ""
    #: The registered email shows the man's forename (set by :func:`registered_email`).
    email_shows_male: bool = False


def _region_of(world: World, person: int) -> str:
    force = world.forces[int(world.pop.home_force[person])].code
    return str(load_places()["force_asw_region"][force])


def _intended(rng: np.random.Generator, targets: dict[str, float]) -> dict[str, bool]:
    return {k: bool(rng.random() < targets.get(k, 0.0)) for k in INDICATORS}


def plan_accounts(world: World, planted: list[PlantedCase]) -> list[Account]:
    """Every account of the website, in file order (cases interleaved with the rest)."""
    cfg = world.rates.section("asw")
    rng = world.rng("asw", "plan")
    pop = world.pop
    holders = np.flatnonzero(pop.kind == 3)
    n = len(holders)
    flagged = rng.random(n) < cfg["flagged_share"]
    targets = cfg["indicators"]
    linked = flagged & (rng.random(n) < targets["linked_payer_phone"])
    accounts = [
        Account(
            int(h),
            None,
            bool(f),
            _intended(rng, targets) if f else _intended(rng, cfg["unflagged_indicators"]),
        )
        for h, f in zip(holders.tolist(), flagged.tolist(), strict=True)
    ]
    order = np.flatnonzero(linked)
    rng.shuffle(order)
    lo, hi = cfg["case_size"]
    groups: list[list[int]] = []
    i = 0
    while i < len(order):
        size = int(rng.integers(lo, hi + 1))
        groups.append(order[i : i + size].tolist())
        i += size
    if len(groups) > 1 and len(groups[-1]) < 2:
        groups[-2].extend(groups.pop())
    modes = list(cfg["case_link_mode"])
    mode_p = np.array([cfg["case_link_mode"][m] for m in modes], dtype=float)
    for g, members in enumerate(groups):
        if len(members) < 2:
            continue
        force = int(pop.home_force[accounts[members[0]].holder])
        controller = int(world.pools[force].offender_m.sample(rng.random(1))[0])
        trafficking = bool(rng.random() < cfg["trafficking_share_of_cases"])
        case = Case(
            f"CASE-{g + 1:05d}",
            controller,
            trafficking,
            modes[int(rng.choice(len(modes), p=mode_p / mode_p.sum()))],
            [int(x) for x in contact.uk_mobiles(rng, 2)],
            accounts[members[0]].holder,
            int(rng.integers(0, TEMPLATE_SPACE)),
            third_person=bool(rng.random() < cfg["third_person_wording"][trafficking]),
        )
        for m in members:
            accounts[m].case = case
    for planted_case in planted:
        accounts.extend(_planted_accounts(world, planted_case))
    _high_signals(rng, accounts, targets)
    for acc in accounts:
        _fill(world, rng, acc)
    perm = rng.permutation(len(accounts))
    return [accounts[i] for i in perm.tolist()]


def _high_signals(
    rng: np.random.Generator, accounts: list[Account], targets: dict[str, float]
) -> None:
    """Give every trafficking case a high-level staff/customer signal on one member, then
    thin the same signals on accounts outside trafficking cases so that each stays near its
    briefing rate over the flagged accounts (trafficking comes to notice through them)."""
    weights = np.array([targets[k] for k in HIGH_FLAGS], dtype=float)
    by_case: dict[str, list[Account]] = {}
    for acc in accounts:
        if acc.case is not None and acc.case.trafficking:
            by_case.setdefault(acc.case.case_id, []).append(acc)
    for members in by_case.values():
        if any(m.intended[k] for m in members for k in HIGH_FLAGS):
            continue
        chosen = members[int(rng.integers(0, len(members)))]
        chosen.intended[HIGH_FLAGS[int(rng.choice(len(HIGH_FLAGS), p=weights / weights.sum()))]] = (
            True
        )
    flagged = [a for a in accounts if a.flagged]
    free = [a for a in flagged if a.case is None or not a.case.trafficking]
    for k in HIGH_FLAGS:
        excess = sum(a.intended[k] for a in flagged) - round(targets[k] * len(flagged))
        having = [a for a in free if a.intended[k]]
        if excess > 0 and having:
            for i in rng.choice(len(having), size=min(excess, len(having)), replace=False):
                having[int(i)].intended[k] = False


def _planted_accounts(world: World, pc: PlantedCase) -> list[Account]:
    case = Case(
        f"CASE-{pc.scenario_id}",
        pc.controller,
        pc.trafficking,
        "both",
        pc.phones,
        pc.payers[-1],
        7,
        pc.scenario_id,
        third_person=pc.trafficking,
    )
    out = []
    for j, holder in enumerate(pc.holders):
        intended = {k: False for k in INDICATORS}
        intended.update(
            multi_region=True,
            linked_payer_phone=True,
            multiple_phones=j % 2 == 0,
            multiple_payers=j % 3 == 0,
            male_name_email=j % 4 == 0,
            male_payer=True,
            vague_misleading=j in (1, 4),
            male_in_background=j == 2,
            customer_flag_trafficking=j == 5,
            other_concern=j == 6,
        )
        acc = Account(holder, case, True, intended, scenario=pc.scenario_id)
        acc.phones = [pc.phones[j % len(pc.phones)]]
        if intended["multiple_phones"]:
            acc.phones.append(pc.phones[(j + 1) % len(pc.phones)])
        acc.payers = [pc.controller] + (
            [pc.payers[1 + j % 2]] if intended["multiple_payers"] else []
        )
        acc.regions = pc.regions[j % 2 : j % 2 + 3]
        out.append(acc)
    return out


def _fill(world: World, rng: np.random.Generator, acc: Account) -> None:
    """Phones, payers, regions, template and creation date that show the intended flags."""
    pop = world.pop
    it = acc.intended
    acc.created = world.as_of_days - int(rng.integers(20, 900))
    if acc.scenario:
        acc.template = acc.case.template if acc.case else 0
        return
    own_phone = (
        int(pop.phone1[acc.holder])
        if pop.phone1[acc.holder] and pop.phone_cc[acc.holder] == 44
        else int(contact.uk_mobiles(rng, 1)[0])
    )
    case = acc.case
    if case is not None and case.mode in ("phone", "both"):
        acc.phones = [case.phones[int(rng.integers(0, len(case.phones)))]]
    else:
        acc.phones = [own_phone]
    if it["multiple_phones"]:
        extra = own_phone if acc.phones[0] != own_phone else int(contact.uk_mobiles(rng, 1)[0])
        acc.phones.append(extra)
    if case is not None and case.mode in ("payer", "both"):
        acc.payers = [case.shared_payer]
    else:
        acc.payers = [acc.holder]
    if it["male_payer"]:
        male = (
            case.controller
            if case is not None
            else int(
                world.pools[int(pop.home_force[acc.holder])].offender_m.sample(rng.random(1))[0]
            )
        )
        acc.payers = (
            [male]
            if not it["multiple_payers"] and acc.payers[0] == acc.holder
            else [*acc.payers, male]
        )
    if it["multiple_payers"] and len(set(acc.payers)) < 2:
        other = acc.holder if acc.holder not in acc.payers else _outside_payer(world, rng, acc)
        acc.payers.append(other)
    home = _region_of(world, acc.holder)
    acc.regions = [home]
    if it["multi_region"]:
        others = [r for r in CITIES if r != home]
        acc.regions += [
            others[int(i)]
            for i in rng.choice(len(others), size=int(rng.integers(1, 3)), replace=False)
        ]
    acc.template = case.template if case is not None else int(rng.integers(0, TEMPLATE_SPACE))


def _outside_payer(world: World, rng: np.random.Generator, acc: Account) -> int:
    """A woman from the holder's force paying for her adverts who holds no account herself
    (another advertiser paying would link the two accounts in the data, not in truth)."""
    pool = world.pools[int(world.pop.home_force[acc.holder])].public_f
    other = int(pool.sample(rng.random(1))[0])
    for _ in range(20):
        if world.pop.kind[other] != 3:
            break
        other = int(pool.sample(rng.random(1))[0])
    return other


def advert_count(rng: np.random.Generator, acc: Account, mean: float) -> int:
    """Adverts an account posts: enough to show each of its regions and phones."""
    need = max(len(acc.regions), len(acc.phones), 1)
    return max(need, int(rng.poisson(mean)))


def holder_age(world: World, acc: Account) -> int:
    """The holder's age on the reference date."""
    return int(age_on(np.array([world.pop.dob[acc.holder]]), np.array([world.as_of_days]))[0])


def advert(
    world: World, rng: np.random.Generator, acc: Account, k: int, name: str
) -> tuple[str, str, str, str]:
    """Region, title, body and written contact phone of advert ``k`` of ``acc``."""
    cfg = world.rates.section("asw")
    region = acc.regions[k % len(acc.regions)]
    cities = CITIES[region]
    phone = contact.spell_uk(
        acc.phones[k % len(acc.phones)],
        ("{0}{1} {2}", "{0}{1}{2}", "+44 {1} {2}")[int(rng.integers(0, 3))],
    )
    if rng.random() < cfg["obscured_phone"]:
        phone = contact.obscure(phone, float(rng.random()))
    nat = str(list(world.rates.section("nationalities"))[int(world.pop.nat[acc.holder])])
    title, body = advert_text(
        acc.template,
        name,
        holder_age(world, acc),
        nat,
        cities[int(rng.integers(0, len(cities)))],
        DAYS[int(rng.integers(0, len(DAYS)))],
        phone,
        area=AREAS[int(rng.integers(0, len(AREAS)))],
        price=PRICES[int(rng.integers(0, len(PRICES)))],
        third_person=acc.case.third_person if acc.case is not None else False,
    )
    return region, title, body, phone


def display_name(world: World, rng: np.random.Generator, acc: Account) -> tuple[str, bool]:
    """The account's display name and whether it is a working name."""
    if rng.random() < world.rates.section("asw")["working_name"]:
        return WORKING_NAMES[int(rng.integers(0, len(WORKING_NAMES)))], True
    return str(world.names.forenames[world.pop.fore[acc.holder]]), False


def registered_email(world: World, rng: np.random.Generator, acc: Account, name: str) -> str:
    """The account's registered email (a man's name in it when that flag is intended)."""
    pop, names = world.pop, world.names
    if acc.intended["male_name_email"]:
        man = acc.case.controller if acc.case is not None else -1
        fore = (
            str(names.forenames[pop.fore[man]])
            if man >= 0
            else str(names.forenames[names.locales["en_GB"].male[int(rng.integers(0, 50))]])
        )
        sur = str(names.surnames[pop.sur[man]]) if man >= 0 else "Smith"
        pattern = int(rng.integers(0, 6))
        # Initial and surname ("jsmith12", pattern 2) does not show his forename: the truth
        # records the indicator as the data shows it.
        acc.email_shows_male = pattern != 2
        return contact.email_address(
            fore, sur, pattern, int(rng.integers(1, 99)), int(rng.integers(0, 8))
        )
    return contact.email_address(
        name,
        str(names.surnames[pop.sur[acc.holder]]),
        int(rng.integers(0, 6)),
        int(rng.integers(1, 999)),
        int(rng.integers(0, 8)),
    )


def payer_token(person: int, seed: int) -> str:
    """The card token the website holds for a payer."""
    return f"tok_{(person * 0x9E3779B97F4A7C15 + seed * 7919) & 0xFFFFFFFFFFFF:012x}"
