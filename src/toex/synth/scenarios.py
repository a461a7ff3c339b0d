"""Planted scenarios: the plan, its people, its events and the findings recorded in truth.

A :class:`ScenarioPlan` collects what every scenario plants: people (appended to the
population with weight 0, so background events never draw them), rows for each force's files
(as chunks merged among background rows when the files are written), partner-website cases,
operations, and a :class:`Scenario` record per scenario with its members, facts and finding.
The builders live in :mod:`toex.synth.serial` (serial VAWG offenders, the registered sex
offender), :mod:`toex.synth.network` (trafficking network, missing children) and
:mod:`toex.synth.ocg` (organised crime group).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from toex.synth.chunks import ROLES, Chunk, CrimePeople, concat
from toex.synth.dates import NO_DATE
from toex.synth.people import SCENARIO, make_people
from toex.synth.world import World

GEOGRAPHIC_SCALES = (
    "Force",
    "Multi force within region",
    "Multi force outside region",
    "International",
)


@dataclass
class Scenario:
    """One planted scenario as recorded in ``truth/scenarios.json``."""

    scenario_id: str
    type: str
    forces: list[str]
    geographic_scale: str
    principal: int | None
    members: Sequence[tuple[int, str, int | None]]  # (person, member_role, group)
    facts: dict[str, Any]
    finding: str
    regions: list[str] = field(default_factory=list)


@dataclass
class PlantedCase:
    """A partner-website case planted by a scenario (accounts run by one controller)."""

    scenario_id: str
    controller: int
    holders: list[int]
    phones: list[int]  # UK national numbers shared by the case
    payers: list[int]  # people who pay for the adverts (tokens made per payer)
    regions: list[str]
    trafficking: bool


@dataclass
class PlantedOperation:
    """An operation of the regional unit planted by a scenario."""

    scenario_id: str
    name: str
    threat_type: str
    lead_force: str
    start: int
    end: int
    geographic_scale: str


@dataclass
class ScenarioPlan:
    """Everything the scenarios plant."""

    scenarios: list[Scenario] = field(default_factory=list)
    chunks: dict[tuple[int, str], list[Chunk]] = field(default_factory=dict)
    cases: list[PlantedCase] = field(default_factory=list)
    operations: list[PlantedOperation] = field(default_factory=list)
    tail: dict[tuple[int, str], list[Chunk]] = field(default_factory=dict)

    def add_tail(self, force: int, chunk: Chunk) -> None:
        """Plant ``chunk``'s rows at the end of ``force``'s file of its kind, after every
        other row (so adding them leaves the rest of the file as it was)."""
        self.tail.setdefault((force, chunk.kind), []).append(chunk)

    def planted_tail(self, force: int, kind: str) -> Chunk | None:
        """All rows planted at the end of one force's file of ``kind``."""
        parts = self.tail.get((force, kind))
        return concat(parts) if parts else None

    def add(self, force: int, chunk: Chunk) -> None:
        """Plant ``chunk``'s rows in ``force``'s file of its kind."""
        self.chunks.setdefault((force, chunk.kind), []).append(chunk)

    def planted(self, force: int, kind: str) -> Chunk | None:
        """All rows planted in one force's file of ``kind``."""
        parts = self.chunks.get((force, kind))
        return concat(parts) if parts else None


def force_index(world: World, code: str) -> int:
    """Index of the force with ``code`` in the catalogue."""
    return [f.code for f in world.forces].index(code)


def add_person(
    world: World,
    rng: np.random.Generator,
    *,
    force: int,
    male: bool,
    age: float,
    nationality: str = "British",
    forename: str | None = None,
    surname: str | None = None,
    addr: int | None = None,
    dob: int | None = None,
    pnc: bool = False,
) -> int:
    """Append one scenario person; returns their population index."""
    nat_names = list(world.rates.section("nationalities"))
    forces_addr = np.flatnonzero(world.addresses.force == force)
    a = int(forces_addr[rng.integers(0, len(forces_addr))]) if addr is None else addr
    people = make_people(
        rng,
        world.rates,
        world.names,
        np.array([SCENARIO]),
        np.array([nat_names.index(nationality)]),
        np.array([male]),
        np.array([age]),
        np.array([force]),
        np.array([a]),
    )
    names = world.names
    if forename is not None:
        people.fore[0] = _index_of(names.forenames, forename)
    if surname is not None:
        people.sur[0] = _index_of(names.surnames, surname)
        people.sur2[0] = -1
    if dob is not None:
        people.dob[0] = dob
    if pnc and people.pnc_year[0] < 0:
        people.pnc_year[0] = max(2000, world.rates.as_of.year - int(age) + 13)
    people.alias_fore[0] = people.alias_sur[0] = -1
    people.weight[0] = 0.0
    return int(world.pop.extend(people)[0])


def _index_of(vocab: np.ndarray, name: str) -> int:
    hits = np.flatnonzero(vocab == name)
    if len(hits) == 0:
        raise ValueError(f"name {name!r} is not in the vocabulary")
    return int(hits[0])


@dataclass
class PlantedCrime:
    """One planted crime: date, code, LPC, OIC, and its people with roles."""

    day: int
    code: str
    lpc: int
    oic: int
    people: list[tuple[str, int, dict[str, bool]]]  # (role, person, forced variations)
    vawg: bool
    reported: int | None = None
    status: int = 0


def crime_chunk(scenario_id: str, crimes: list[PlantedCrime]) -> Chunk:
    """A chunk of planted crimes with their crime persons."""
    n = len(crimes)
    day = np.array([c.day for c in crimes], dtype=np.int64)
    events, roles, persons, forced_rows = [], [], [], []
    for i, c in enumerate(crimes):
        for role, person, flags in c.people:
            events.append(i)
            roles.append(ROLES.index(role))
            persons.append(person)
            forced_rows.append(flags)
    names = sorted({k for f in forced_rows for k in f})
    forced = {k: np.array([bool(f.get(k)) for f in forced_rows]) for k in names}
    people = CrimePeople(
        np.array(events, dtype=np.int64),
        np.array(roles, dtype=np.int8),
        np.array(persons, dtype=np.int64),
        _ids(scenario_id, len(persons)),
        forced,
        np.zeros(len(persons), dtype=bool),
    )
    cols: dict[str, np.ndarray] = {
        "occurred_from": day,
        "occurred_to": np.full(n, NO_DATE, dtype=np.int64),
        "reported_date": np.array(
            [c.reported if c.reported is not None else c.day for c in crimes], dtype=np.int64
        ),
        "offence_code": np.array([c.code for c in crimes], dtype=object),
        "vawg": np.array([c.vawg for c in crimes]),
        "lpc": np.array([c.lpc for c in crimes], dtype=np.int64),
        "oic": np.array([c.oic for c in crimes], dtype=np.int64),
        "status": np.array([c.status for c in crimes], dtype=np.int64),
        "handling_code": _obj(["P"] * n),
        "classification": _obj(["OFFICIAL-SENSITIVE"] * n),
    }
    return Chunk("crime", cols, {}, _ids(scenario_id, n), people=people)


def _ids(scenario_id: str, n: int) -> np.ndarray:
    return _obj([scenario_id] * n)


def _obj(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def single_chunk(
    kind: str,
    scenario_id: str,
    cols: dict[str, list[Any]],
    slots: dict[str, list[int]],
    forced: dict[str, list[dict[str, bool]]] | None = None,
) -> Chunk:
    """A chunk of planted rows of a one-row-per-event kind (intel, missing, custody, visor)."""
    n = len(next(iter(slots.values())))
    arrays: dict[str, np.ndarray] = {}
    for k, v in cols.items():
        arrays[k] = (
            np.array(v, dtype=np.int64)
            if v and isinstance(v[0], (int, np.integer)) and not isinstance(v[0], bool)
            else _obj(v)
        )
    forced_arrays = {}
    for slot, rows in (forced or {}).items():
        names = sorted({k for f in rows for k in f})
        forced_arrays[slot] = {k: np.array([bool(f.get(k)) for f in rows]) for k in names}
    return Chunk(
        kind,
        arrays,
        {s: np.array(v, dtype=np.int64) for s, v in slots.items()},
        _ids(scenario_id, n),
        forced_arrays,
        {s: np.zeros(n, dtype=bool) for s in slots},
    )


def intel_chunk(scenario_id: str, rows: list[dict[str, Any]]) -> Chunk:
    """Planted intelligence reports: dicts with day, lpc, subject, associate, text, grade."""
    return single_chunk(
        "intel",
        scenario_id,
        {
            "intel_date": [r["day"] for r in rows],
            "lpc": [r["lpc"] for r in rows],
            "source": [r.get("grade", "2B")[0] for r in rows],
            "assessment": [r.get("grade", "2B")[1] for r in rows],
            "handling_code": [r.get("handling", "P") for r in rows],
            "classification": [r.get("classification", "OFFICIAL-SENSITIVE") for r in rows],
            "text": [r["text"] for r in rows],
        },
        {
            "subject": [r["subject"] for r in rows],
            "associate": [r.get("associate", -1) for r in rows],
        },
        {"subject": [r.get("forced", {}) for r in rows]},
    )


def missing_chunk(scenario_id: str, rows: list[dict[str, Any]]) -> Chunk:
    """Planted missing episodes: dicts with day, found, risk, found_addr, lpc, oic, person."""
    return single_chunk(
        "missing",
        scenario_id,
        {
            "missing_date": [r["day"] for r in rows],
            "found_date": [r["found"] for r in rows],
            "risk_level": [r["risk"] for r in rows],
            "found_addr": [r["found_addr"] for r in rows],
            "lpc": [r["lpc"] for r in rows],
            "oic": [r["oic"] for r in rows],
            "handling_code": ["P"] * len(rows),
            "classification": ["OFFICIAL-SENSITIVE"] * len(rows),
        },
        {"person": [r["person"] for r in rows]},
        {"person": [r.get("forced", {}) for r in rows]},
    )


def custody_chunk(scenario_id: str, rows: list[dict[str, Any]]) -> Chunk:
    """Planted custody records: dicts with day, code, lpc, person."""
    return single_chunk(
        "custody",
        scenario_id,
        {
            "arrest_date": [r["day"] for r in rows],
            "offence_code": [r["code"] for r in rows],
            "lpc": [r["lpc"] for r in rows],
            "handling_code": ["P"] * len(rows),
            "classification": ["OFFICIAL"] * len(rows),
        },
        {"person": [r["person"] for r in rows]},
        {"person": [r.get("forced", {}) for r in rows]},
    )


def visor_chunk(scenario_id: str, rows: list[dict[str, Any]]) -> Chunk:
    """Planted ViSOR registrations."""
    return single_chunk(
        "visor",
        scenario_id,
        {
            "registration_date": [r["day"] for r in rows],
            "mappa_category": [r["category"] for r in rows],
            "mappa_level": [r["level"] for r in rows],
            "risk_level": [r["rosh"] for r in rows],
            "offence_code": [r["code"] for r in rows],
            "handling_code": ["C"] * len(rows),
            "classification": ["OFFICIAL-SENSITIVE"] * len(rows),
        },
        {"person": [r["person"] for r in rows]},
        {"person": [r.get("forced", {}) for r in rows]},
    )


def distinct_oics(rng: np.random.Generator, count: int, n: int, repeats: int) -> list[int]:
    """``n`` officer indices with exactly ``n - repeats`` distinct officers."""
    distinct = rng.choice(count, size=n - repeats, replace=False).tolist()
    extra = [distinct[int(rng.integers(0, len(distinct)))] for _ in range(repeats)]
    out = distinct + extra
    order = rng.permutation(len(out)).tolist()
    return [out[i] for i in order]
