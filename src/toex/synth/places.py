"""Addresses and real-format UK postcodes for the synthetic forces.

An :class:`AddressBook` holds addresses as numpy columns (force, postcode area, district,
sector, unit letters, house number, street, flat). A postcode is written as area + district
+ space + sector digit + two unit letters ("CB1 2AB", "M14 5TR"); unit letters avoid C, I,
K, M, O and V as real inward codes do. Each address belongs to one of its force's local
policing commands (chosen by district), so events near a person's home carry that LPC.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from toex.config import Force
from toex.synth.rates import cdf_of, draw

UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@cache
def load_places() -> dict[str, Any]:
    """The shipped ``data/places.yaml``."""
    text = resources.files("toex.synth").joinpath("data/places.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@dataclass
class AddressBook:
    """Every address of the data set as numpy columns."""

    areas: list[str]  # global list of postcode areas
    streets: np.ndarray  # object array of street names
    force: np.ndarray  # int8 index into the catalogue's forces
    area: np.ndarray  # int16 index into ``areas``
    district: np.ndarray  # int16
    sector: np.ndarray  # int8
    unit: np.ndarray  # int16, two letters of UNIT_LETTERS
    house: np.ndarray  # int16
    street: np.ndarray  # int32 index into ``streets``
    flat: np.ndarray  # int16, 0 when none

    def __len__(self) -> int:
        return len(self.force)

    def postcode(self, i: int) -> str:
        """The canonical postcode of address ``i``."""
        unit = int(self.unit[i])
        return (
            f"{self.areas[self.area[i]]}{self.district[i]} {self.sector[i]}"
            f"{UNIT_LETTERS[unit // 20]}{UNIT_LETTERS[unit % 20]}"
        )

    def line(self, i: int) -> str:
        """The address line in canonical form ("Flat 2, 14 Mill Road, Cambridge")."""
        town = load_places()["towns"].get(self.areas[self.area[i]], self.areas[self.area[i]])
        flat = f"Flat {self.flat[i]}, " if self.flat[i] else ""
        return f"{flat}{self.house[i]} {self.streets[self.street[i]]}, {town}"

    def lpc_index(self, idx: np.ndarray, n_lpcs: int | np.ndarray) -> np.ndarray:
        """Index of the LPC (within its force) of each address in ``idx``."""
        return (self.district[idx].astype(np.int64) * 7 + self.sector[idx]) % n_lpcs


def _street_vocab() -> tuple[np.ndarray, np.ndarray]:
    places = load_places()
    words = places["street_words"]
    suffixes = places["street_suffixes"]
    names = [f"{w} {s}" for w in words for s in suffixes]
    weights = np.array([float(suffixes[s]) for _ in words for s in suffixes])
    arr = np.empty(len(names), dtype=object)
    arr[:] = names
    return arr, cdf_of(weights)


def build_addresses(
    forces: tuple[Force, ...], counts: list[int], rng: np.random.Generator, flat_share: float
) -> AddressBook:
    """``counts[i]`` addresses in force ``i``'s postcode areas."""
    places = load_places()
    areas = sorted({a for f in forces for a in f.postcode_areas})
    area_pos = {a: i for i, a in enumerate(areas)}
    streets, street_cdf = _street_vocab()
    force_col, area_col = [], []
    for fi, (force, n) in enumerate(zip(forces, counts, strict=True)):
        force_col.append(np.full(n, fi, dtype=np.int8))
        own = np.array([area_pos[a] for a in force.postcode_areas], dtype=np.int16)
        # the first area named is the force's main one
        w = np.array([2.0] + [1.0] * (len(own) - 1))
        area_col.append(own[draw(cdf_of(w), rng.random(n))])
    force_arr = np.concatenate(force_col)
    area_arr = np.concatenate(area_col)
    total = len(force_arr)
    max_d = places["max_district"]
    top = np.array([max_d.get(a, max_d["default"]) for a in areas], dtype=np.int64)
    district = (1 + np.floor(rng.random(total) ** 1.6 * top[area_arr])).astype(np.int16)
    house = (1 + np.floor(rng.gamma(1.5, 30.0, total))).clip(1, 480).astype(np.int16)
    flat = np.where(rng.random(total) < flat_share, rng.integers(1, 40, total), 0)
    return AddressBook(
        areas=areas,
        streets=streets,
        force=force_arr,
        area=area_arr,
        district=district,
        sector=rng.integers(0, 10, total).astype(np.int8),
        unit=rng.integers(0, 400, total).astype(np.int16),
        house=house,
        street=draw(street_cdf, rng.random(total)).astype(np.int32),
        flat=flat.astype(np.int16),
    )


def spell_postcode(canonical: str, style: int) -> str:
    """A postcode as written: 0 canonical, 1 without the space, 2 lower case."""
    if style == 1:
        return canonical.replace(" ", "")
    if style == 2:
        return canonical.lower()
    return canonical


def spell_address(line: str, system: str) -> str:
    """The address line in a system's usual style."""
    if system in ("niche", "visor"):
        return line.upper() if system == "niche" else line.upper().replace(",", "")
    if system == "connect":
        return line.replace(" Road", " Rd").replace(" Street", " St")
    return line
