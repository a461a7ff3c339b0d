"""The generation context every step shares: catalogue, rates, names, people, addresses.

A :class:`World` is built once per run from the seed and scale. Random streams are derived
from the seed and a stable key (``world.rng("crime", force, chunk)``) so each part of the
output is reproducible on its own, whatever order the parts are generated in.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from toex.config import Catalogue, Force
from toex.synth.dates import to_days
from toex.synth.names import NameBook
from toex.synth.people import Population
from toex.synth.places import AddressBook
from toex.synth.population import ForcePools
from toex.synth.rates import Rates, Scale


def stream_key(*parts: str | int) -> list[int]:
    """A stable integer key for a named random stream (CRC32 of string parts)."""
    return [p if isinstance(p, int) else zlib.crc32(p.encode("utf-8")) for p in parts]


@dataclass
class World:
    """Everything generation steps read, plus the few counters they advance."""

    seed: int
    scale: Scale
    rates: Rates
    catalogue: Catalogue
    names: NameBook
    pop: Population
    addresses: AddressBook
    pools: list[ForcePools] = field(default_factory=list)
    n_identified: int = 0  # people with index >= this are unidentified
    unidentified: int = 0  # unidentified suspects allocated so far
    duplicate_nominals: dict[int, int] = field(default_factory=dict)
    mention_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    forces_seen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    hub: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def rng(self, *parts: str | int) -> np.random.Generator:
        """The random stream named by ``parts`` for this seed."""
        return np.random.default_rng([self.seed, *stream_key(*parts)])

    @property
    def forces(self) -> tuple[Force, ...]:
        """The catalogue's forces in order."""
        return self.catalogue.forces

    @property
    def as_of_days(self) -> int:
        """Day number of the reference date."""
        return to_days(self.rates.as_of)

    @property
    def start_days(self) -> int:
        """Day number of the first day events may fall on."""
        return to_days(self.rates.start)

    def new_unidentified(self, n: int) -> np.ndarray:
        """Indices of ``n`` fresh unidentified people (each a distinct unknown identity)."""
        first = self.n_identified + self.unidentified
        self.unidentified += n
        return np.arange(first, first + n, dtype=np.int64)

    def start_counting(self) -> None:
        """Freeze the population: later people are unidentified; zero the counters."""
        self.n_identified = len(self.pop)
        self.mention_counts = np.zeros(self.n_identified, dtype=np.int64)
        self.forces_seen = np.zeros(self.n_identified, dtype=np.int16)
        self.hub = np.zeros(self.n_identified, dtype=bool)

    def count_mentions(self, persons: np.ndarray, force: int) -> None:
        """Record that ``persons`` were mentioned in force ``force`` (-1: not a force)."""
        persons = persons[(persons >= 0) & (persons < self.n_identified)]
        self.mention_counts += np.bincount(persons, minlength=len(self.mention_counts))
        if force >= 0:
            self.forces_seen[persons] |= np.int16(1 << force)
