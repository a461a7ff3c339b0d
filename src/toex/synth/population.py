"""Build the background population and the per-force sampling pools.

:func:`build_population` sizes the population from the scale (mentions / mean mentions per
person), gives everyone a kind, nationality, sex, age, home force and address, makes a share
of people active in a second (and third) force, groups people into households, and draws
activity weights. :func:`build_pools` turns it into weighted pools per force from which event
generation draws suspects, victims, missing people and ViSOR registrants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from toex.config import Catalogue
from toex.synth.dates import to_days
from toex.synth.names import NameBook
from toex.synth.people import (
    ASW,
    KINDS,
    OFFENDER,
    PUBLIC,
    YOUTH,
    Population,
    activity_weights,
    draw_ages,
    make_people,
)
from toex.synth.places import AddressBook, build_addresses
from toex.synth.rates import Rates, Scale, cdf_of, draw, weighted


@dataclass
class Pool:
    """People to draw from, with cumulative weights."""

    idx: np.ndarray
    cdf: np.ndarray

    def sample(self, u: np.ndarray) -> np.ndarray:
        """People for uniforms ``u``."""
        if len(self.idx) == 0:
            raise ValueError("empty pool")
        return self.idx[draw(self.cdf, u)]


@dataclass
class ForcePools:
    """The pools of one force."""

    offender_m: Pool
    offender_f: Pool
    public_m: Pool
    public_f: Pool
    missing: Pool
    registrants: np.ndarray  # ViSOR registrants living in the force (one record each)


def force_weights(catalogue: Catalogue) -> np.ndarray:
    """Relative size of each force (its officer pool), normalised."""
    w = np.array([f.officer_count for f in catalogue.forces], dtype=float)
    return w / w.sum()


def build_population(
    rng: np.random.Generator, rates: Rates, scale: Scale, catalogue: Catalogue, book: NameBook
) -> tuple[Population, AddressBook]:
    """The background population and the address book it lives in."""
    cfg = rates.section("population")
    n_asw = scale.asw_accounts
    n = max(int(scale.mentions / cfg["mean_mentions_per_person"]), 400) + n_asw
    kinds, p = weighted(cfg["kinds"])
    kind = np.full(n, ASW, dtype=np.int8)
    kind[: n - n_asw] = np.array([KINDS.index(k) for k in kinds])[
        draw(cdf_of(p), rng.random(n - n_asw))
    ]
    nat_names = list(rates.section("nationalities"))
    _, nat_p = weighted({k: v["share"] for k, v in rates.section("nationalities").items()})
    nat = draw(cdf_of(nat_p), rng.random(n)).astype(np.int8)
    hk, hp = weighted(rates.section("asw")["holder_nationalities"])
    nat[kind == ASW] = np.array([nat_names.index(k) for k in hk])[
        draw(cdf_of(hp), rng.random(n_asw))
    ]
    male_p = np.array([cfg["male_share"].get(k, 0.0) for k in KINDS])[kind]
    male = rng.random(n) < male_p
    ages = draw_ages(rng, kind)
    n_forces = len(catalogue.forces)
    home = draw(cdf_of(force_weights(catalogue)), rng.random(n)).astype(np.int8)
    # addresses: households share one; previous addresses come from the same book
    per_force = np.bincount(home, minlength=n_forces)
    n_addr = [int(c * (1 - cfg["household_share"] / 2)) + 1 for c in per_force]
    book_addr = build_addresses(
        catalogue.forces, n_addr, rng, rates.section("formatting")["flat_share"]
    )
    first_addr = np.concatenate([[0], np.cumsum(n_addr)[:-1]])
    addr = np.zeros(n, dtype=np.int64)
    joined = np.zeros(n, dtype=bool)
    for fi in range(n_forces):
        members = np.flatnonzero(home == fi)
        rng.shuffle(members)
        k = min(n_addr[fi], len(members))
        addr[members[:k]] = first_addr[fi] + np.arange(k)
        rest = members[k:]
        addr[rest] = first_addr[fi] + rng.integers(0, max(k, 1), len(rest))
        joined[rest] = True
    pop = make_people(rng, rates, book, kind, nat, male, ages, home, addr)
    _households(rng, pop, joined, cfg["household_same_surname"])
    moved = rng.random(n) < cfg["previous_address_share"]
    span = np.array(n_addr)[home]
    pop.prev_addr[moved] = (first_addr[home] + rng.integers(0, 1 << 30, n) % span)[moved]
    pop.prev_addr[pop.prev_addr == pop.addr] = -1
    _multi_force(rng, pop, catalogue, cfg)
    pop.weight = activity_weights(rng, kind, cfg)
    return pop, book_addr


def _households(
    rng: np.random.Generator, pop: Population, joined: np.ndarray, same_surname: float
) -> None:
    """People who joined an address often take the surname of its first occupant."""
    order = np.argsort(pop.addr, kind="stable")
    addr_sorted = pop.addr[order]
    first_of_group = np.ones(len(order), dtype=bool)
    first_of_group[1:] = addr_sorted[1:] != addr_sorted[:-1]
    head = order[np.maximum.accumulate(np.where(first_of_group, np.arange(len(order)), 0))]
    take = joined[order] & ~first_of_group & (rng.random(len(order)) < same_surname)
    src, dst = head[take], order[take]
    for name in ("sur", "sur2", "nat", "locale"):
        getattr(pop, name)[dst] = getattr(pop, name)[src]


def _multi_force(
    rng: np.random.Generator, pop: Population, catalogue: Catalogue, cfg: dict[str, float]
) -> None:
    n = len(pop)
    forces = catalogue.forces
    regions = [f.region for f in forces]
    multi = np.flatnonzero(rng.random(n) < cfg["multi_force_share"])
    same = rng.random(len(multi)) < cfg["multi_force_same_region"]
    u = rng.random(len(multi))
    for j, i in enumerate(multi):
        home = int(pop.home_force[i])
        same_region = [k for k in range(len(forces)) if k != home and regions[k] == regions[home]]
        other = [k for k in range(len(forces)) if regions[k] != regions[home]]
        choices = same_region if same[j] and same_region else other
        pop.force2[i] = choices[int(u[j] * len(choices))]
    third = multi[rng.random(len(multi)) < 0.2]
    for i in third:
        left = [k for k in range(len(forces)) if k not in (pop.home_force[i], pop.force2[i])]
        pop.force3[i] = left[int(rng.integers(0, len(left)))]


def _presence(pop: Population, force: int, share_out: float) -> np.ndarray:
    """Share of each person's activity that falls in ``force``."""
    multi = pop.force2 >= 0
    has3 = pop.force3 >= 0
    home = np.where(pop.home_force == force, np.where(multi, 1 - share_out, 1.0), 0.0)
    second = np.where(pop.force2 == force, share_out * np.where(has3, 0.65, 1.0), 0.0)
    third = np.where(pop.force3 == force, share_out * 0.35, 0.0)
    return home + second + third


def _pool(idx: np.ndarray, w: np.ndarray) -> Pool:
    keep = w[idx] > 0
    idx = idx[keep]
    return Pool(idx.astype(np.int64), cdf_of(w[idx]) if len(idx) else np.zeros(0))


def build_pools(
    pop: Population,
    catalogue: Catalogue,
    rates: Rates,
    visor_counts: list[int],
    rng: np.random.Generator,
) -> list[ForcePools]:
    """Weighted pools of each force (scenario people have weight 0 and never appear)."""
    cfg = rates.section("population")
    as_of = to_days(rates.as_of)
    age_now = (as_of - pop.dob) / 365.25
    out = []
    kind = pop.kind
    for fi in range(len(catalogue.forces)):
        w = pop.weight * _presence(pop, fi, cfg["second_force_weight"])
        off = np.flatnonzero((kind == OFFENDER) & (w > 0))
        victim_w = w * np.select(
            [kind == PUBLIC, kind == OFFENDER, kind == YOUTH, kind == ASW],
            [1.0, 0.5, 0.8, 0.3],
            0.0,
        )
        pub = np.flatnonzero(victim_w > 0)
        youth = (kind == YOUTH) & (w > 0)
        others = (kind != YOUTH) & (w > 0) & (kind != ASW)
        miss_w = np.zeros(len(pop))
        miss_w[youth] = 0.7 * w[youth] / max(w[youth].sum(), 1e-9)
        miss_w[others] = 0.3 * w[others] / max(w[others].sum(), 1e-9)
        miss = np.flatnonzero(miss_w > 0)
        home_off = np.flatnonzero(
            (kind == OFFENDER)
            & pop.male
            & (pop.home_force == fi)
            & (age_now >= 22)
            & (pop.weight > 0)
        )
        n_reg = visor_counts[fi]
        registrants = np.sort(rng.choice(home_off, size=min(n_reg, len(home_off)), replace=False))
        out.append(
            ForcePools(
                offender_m=_pool(off[pop.male[off]], w),
                offender_f=_pool(off[~pop.male[off]], w),
                public_m=_pool(pub[pop.male[pub]], victim_w),
                public_f=_pool(pub[~pop.male[pub]], victim_w),
                missing=_pool(miss, miss_w),
                registrants=registrants,
            )
        )
    return out
