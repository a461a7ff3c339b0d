"""The threat scoring matrix (``data/threat_scoring.yaml``), validated.

A MoRiLE-like matrix: three scored dimensions (harm to victims and community, likelihood,
capability of the group) and a reported one (confidence in the intelligence). Each
dimension is a weighted mean of factors; each factor reads one named input of a network
(:data:`INPUTS`) and scales it to [0, 1]: ``linear`` (value / cap, capped at 1), ``log``
(log1p(value) / log1p(cap), capped), ``recency`` (0.5 ** (days / half_life_days)). The
threat score is 100 x the weighted mean of the scored dimensions; the band is the first of
``bands`` (highest first) whose ``at_least`` the score reaches. Inputs are fixed: none is
nationality or ethnicity.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from toex.assess.exploitation_yaml import KeyPath, load_model

#: The inputs a factor may read, with what each is (docs/methods.md lists them too).
INPUTS: dict[str, str] = {
    "total_harm_days": "crime harm of the network's crimes (days, the harm scheme's weights)",
    "victims": "distinct victims on the network's crimes",
    "children": "distinct children (under 18) among the victims and suspects of its crimes",
    "crimes": "crimes a member is named on",
    "days_since_last_activity": "days from its latest event to the reference date",
    "crimes_last_year": "its crimes in the year before the reference date",
    "members": "persons in the network",
    "scale_rank": "geographic scale: 0 force, 1 within region, 2 outside region, 3 international",
    "violence_weapons_crimes": "its crimes of violence or weapons",
    "intel_reports": "intelligence reports naming a member",
    "best_intel_grade": "best 3x5x2 grade among them: 1 for 1A ... 0 for none (see methods)",
    "forces": "forces holding its records (independent sources)",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Factor(_Strict):
    """One input, scaled to [0, 1], with its weight in the dimension."""

    input: str
    scale: Literal["linear", "log", "recency"] = "linear"
    cap: float = Field(1.0, gt=0)
    half_life_days: float = Field(180.0, gt=0)
    weight: float = Field(ge=0.0, le=1.0)


class Dimension(_Strict):
    """A MoRiLE dimension: weighted mean of its factors, with its weight in the score."""

    weight: float = Field(ge=0.0, le=1.0)
    factors: tuple[Factor, ...] = Field(min_length=1)


class Band(_Strict):
    """A band and the score it starts at."""

    name: Literal["high", "medium", "low"]
    at_least: float = Field(ge=0.0, le=100.0)


class ThreatScoring(_Strict):
    """The whole matrix."""

    version: Literal[1] = 1
    min_members: int = Field(2, ge=2)
    min_crimes: int = Field(1, ge=0)
    harm: Dimension
    likelihood: Dimension
    capability: Dimension
    confidence: Dimension
    bands: tuple[Band, ...] = Field(min_length=1)
    top: int = Field(10, ge=1, le=1000)

    def dimensions(self) -> dict[str, Dimension]:
        """The scored dimensions (confidence is reported beside the score)."""
        return {"harm": self.harm, "likelihood": self.likelihood, "capability": self.capability}


def _checks(cfg: ThreatScoring) -> list[tuple[KeyPath, str]]:
    out: list[tuple[KeyPath, str]] = []
    for name in ("harm", "likelihood", "capability", "confidence"):
        dim = getattr(cfg, name)
        for i, f in enumerate(dim.factors):
            if f.input not in INPUTS:
                out.append(
                    (
                        (name, "factors", i, "input"),
                        f"unknown input '{f.input}'; known: {', '.join(INPUTS)}",
                    )
                )
        if sum(f.weight for f in dim.factors) <= 0:
            out.append(((name, "factors"), "the factors' weights sum to 0"))
    if sum(d.weight for d in cfg.dimensions().values()) <= 0:
        out.append(((), "the dimensions' weights sum to 0"))
    levels = [b.at_least for b in cfg.bands]
    if levels != sorted(levels, reverse=True) or levels[-1] != 0:
        out.append((("bands",), "bands go from highest to lowest and the last starts at 0"))
    return out


def default_scoring_path() -> Path:
    """The shipped matrix."""
    return Path(str(resources.files("toex.assess").joinpath("data/threat_scoring.yaml")))


def load_scoring(path: Path | None = None) -> ThreatScoring:
    """Load and validate a matrix (default: the shipped one)."""
    if path is None:
        return _default()
    return load_model(Path(path), ThreatScoring, _checks)


@cache
def _default() -> ThreatScoring:
    return load_model(default_scoring_path(), ThreatScoring, _checks)
