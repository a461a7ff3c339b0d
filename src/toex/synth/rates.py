"""Rates and volumes of the synthetic data set, read from ``data/rates.yaml``.

:class:`Rates` holds the whole file (sections stay plain mappings, read where they are used)
plus typed accessors for what every module needs: the reference date, the scale's volumes,
and the variation and placeholder rates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from toex.errors import ConfigError

SCALES = ("tiny", "small", "large")


@dataclass(frozen=True)
class Scale:
    """Volumes of one scale (tiny, small, large)."""

    name: str
    mentions: int
    asw_accounts: int
    operations: int
    serial_offenders: int
    serial_per_force: bool
    name_dob_pairs: int
    twins: int
    malformed_per_file: int
    chunk_rows: int


@dataclass(frozen=True)
class Rates:
    """The parsed ``rates.yaml``."""

    data: dict[str, Any]

    @property
    def as_of(self) -> dt.date:
        """Reference date of the data set."""
        value = self.data["as_of"]
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

    @property
    def start(self) -> dt.date:
        """First day events may fall on (``years`` before ``as_of``)."""
        return self.as_of.replace(year=self.as_of.year - int(self.data["years"])) + dt.timedelta(
            days=1
        )

    def scale(self, name: str) -> Scale:
        """The volumes of scale ``name``."""
        if name not in self.data["scales"]:
            raise ConfigError(f"unknown scale {name!r}; known: {', '.join(SCALES)}")
        return Scale(name=name, **self.data["scales"][name])

    def section(self, name: str) -> dict[str, Any]:
        """A top-level section of the file."""
        return dict(self.data[name])

    @property
    def variations(self) -> dict[str, float]:
        """Configured rate of each variation, in decision order."""
        return {k: float(v) for k, v in self.data["variations"].items()}

    @property
    def placeholders(self) -> dict[str, Any]:
        """Placeholder rates and values."""
        return dict(self.data["placeholders"])


@cache
def load_rates() -> Rates:
    """The shipped rates."""
    text = resources.files("toex.synth").joinpath("data/rates.yaml").read_text("utf-8")
    return Rates(yaml.safe_load(text))


def weighted(mapping: dict[Any, float]) -> tuple[list[Any], np.ndarray]:
    """Keys and normalised probabilities of a ``{value: weight}`` mapping (order kept)."""
    keys = list(mapping)
    p = np.array([float(mapping[k]) for k in keys], dtype=float)
    return keys, p / p.sum()


def cdf_of(p: np.ndarray) -> np.ndarray:
    """Cumulative distribution of weights ``p`` (normalised, last value exactly 1)."""
    c = np.cumsum(np.asarray(p, dtype=float))
    c /= c[-1]
    c[-1] = 1.0
    return c


def draw(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Indices drawn from a cumulative distribution for uniforms ``u`` in [0, 1)."""
    return np.searchsorted(cdf, u, side="right").astype(np.int64)


def choose(rng: np.random.Generator, mapping: dict[Any, float], n: int) -> np.ndarray:
    """``n`` indices into ``list(mapping)`` drawn with the mapping's weights."""
    _, p = weighted(mapping)
    return draw(cdf_of(p), rng.random(n))
