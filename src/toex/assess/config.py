"""The assess configuration: harm scheme, VAWG rule, RFG/RFGV bands and weights, checks.

Loaded from the shipped ``data/priority.yaml`` or a copy a force edits. Every value is
documented in that file and in ``docs/methods.md``; the official RFG/RFGV point scales are
not public, so these are toex's defaults. A bad file raises :class:`toex.errors.ConfigError`
naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toex.errors import ConfigError
from toex.model.harm import HarmWeight, harm_table


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HarmConfig(_Strict):
    """Which harm weights to use."""

    scheme: Literal["cchi", "ons_css"] = "cchi"
    table: Path | None = None
    default_days: float = Field(1.0, ge=0)


class VawgConfig(_Strict):
    """How an offence is classified VAWG."""

    use_source_flag: bool = True


class RecencyBand(_Strict):
    """Points for a latest offence at most ``within_days`` before the reference date."""

    within_days: int = Field(ge=0)
    points: float = Field(ge=0)


class CountBand(_Strict):
    """Points for a value of at least ``at_least``."""

    at_least: float = Field(ge=0)
    points: float = Field(ge=0)


class Weights(_Strict):
    """Multipliers of each component's points."""

    recency: float = Field(1.0, ge=0)
    frequency: float = Field(1.0, ge=0)
    gravity: float = Field(1.0, ge=0)
    victims: float = Field(1.0, ge=0)


class HarmScoreConfig(_Strict):
    """Recency decay of the harm-weighted score."""

    half_life_days: float = Field(365.0, gt=0)


class EscalationConfig(_Strict):
    """When recent harm counts as escalating."""

    factor: float = Field(1.5, gt=0)
    min_days: float = Field(10.0, ge=0)


class SafeguardingConfig(_Strict):
    """Parameters of the safeguarding health checks."""

    top_n_per_force: int = Field(10, ge=1)
    child_age: int = Field(18, ge=1)
    high_harm_top_pct: float = Field(5.0, gt=0, le=100)
    repeat_victim_min: int = Field(2, ge=2)
    referral_keywords: tuple[str, ...] = ()


class PowerFewConfig(_Strict):
    """Which "top x%" rows the power-few table holds."""

    top_pcts: tuple[float, ...] = (1, 2, 3, 5, 10, 20, 50)


class AssessConfig(_Strict):
    """Everything the assess analytics take from configuration."""

    as_of: dt.date | None = None
    harm: HarmConfig = HarmConfig()
    vawg: VawgConfig = VawgConfig()
    window_months: int = Field(36, ge=1)
    recent_months: int = Field(12, ge=1)
    frequency_over: Literal["recent", "window"] = "recent"
    recency: tuple[RecencyBand, ...]
    frequency: tuple[CountBand, ...]
    gravity: tuple[CountBand, ...]
    victims: tuple[CountBand, ...]
    weights: Weights = Weights()
    harm_score: HarmScoreConfig = HarmScoreConfig()
    escalation: EscalationConfig = EscalationConfig()
    rank_by: Literal["rfgv", "rfg", "harm"] = "rfgv"
    safeguarding: SafeguardingConfig = SafeguardingConfig()
    power_few: PowerFewConfig = PowerFewConfig()

    @model_validator(mode="after")
    def _bands_descending(self) -> AssessConfig:
        if [b.within_days for b in self.recency] != sorted(b.within_days for b in self.recency):
            raise ValueError("recency bands must be in ascending order of within_days")
        for name in ("frequency", "gravity", "victims"):
            bands: tuple[CountBand, ...] = getattr(self, name)
            levels = [b.at_least for b in bands]
            if levels != sorted(levels, reverse=True):
                raise ValueError(f"{name} bands must be in descending order of at_least")
        return self

    def updated(self, changes: dict[str, Any]) -> AssessConfig:
        """A copy with ``changes`` merged in (nested dicts merge), validated again."""

        def merge(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
            out = dict(base)
            for key, value in new.items():
                if isinstance(value, dict) and isinstance(out.get(key), dict):
                    out[key] = merge(out[key], value)
                else:
                    out[key] = value
            return out

        return parse_assess_config(merge(self.model_dump(), changes), "configuration changes")

    def harm_weights(self) -> dict[str, HarmWeight]:
        """The harm table this configuration names (a ConfigError when it is malformed)."""
        try:
            return harm_table(self.harm.scheme, self.harm.table)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"harm table: {exc}") from exc


def parse_assess_config(data: object, where: str) -> AssessConfig:
    """Check a parsed YAML structure; a ConfigError names ``where`` and the first bad field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping at the top level")
    try:
        return AssessConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "top level"
        raise ConfigError(f"{where}: {field}: {err['msg']}") from None


@cache
def _shipped() -> AssessConfig:
    text = resources.files("toex.assess").joinpath("data/priority.yaml").read_text("utf-8")
    return parse_assess_config(yaml.safe_load(text), "priority.yaml")


def load_assess_config(path: Path | None = None) -> AssessConfig:
    """The shipped configuration, or the YAML file at ``path``."""
    if path is None:
        return _shipped()
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"assess configuration {path}: {exc.strerror}") from exc
    return parse_assess_config(yaml.safe_load(text), str(path))
