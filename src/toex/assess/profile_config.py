"""The profiles configuration (``data/profiles.yaml``): the frequent rule, SOC offences,
indicator phrases, weights of the missing-person and ViSOR profiles and the warnings.

A bad file raises :class:`toex.errors.ConfigError` naming the file and the field.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from toex.errors import ConfigError
from toex.model import MappaLevel, MisperRisk, VisorRisk


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FrequentRule(_Strict):
    """At least ``episodes`` missing episodes within ``within_days`` of the reference date."""

    episodes: int = Field(3, ge=1)
    within_days: int = Field(90, ge=1)


class SocWeights(_Strict):
    """Points per SOC-link signal kind."""

    soc_network: float = 12
    soc_contact: float = 15
    priority_contact: float = 10
    shared_address: float = 15
    shared_object: float = 10


class MisperWeights(_Strict):
    """Points of the missing-person score."""

    frequent: float = 10
    episode_90d: float = 2
    episode_90d_cap: int = Field(5, ge=0)
    risk: dict[str, float] = Field(default_factory=dict)
    risk_escalating: float = 3
    intervals_shortening: float = 3
    found_other_force: float = 4
    no_rhi: float = 1
    soc: SocWeights = SocWeights()
    indicator: float = 5

    @field_validator("risk")
    @classmethod
    def _risks(cls, value: dict[str, float]) -> dict[str, float]:
        known = {r.value for r in MisperRisk}
        bad = sorted(set(value) - known)
        if bad:
            raise ValueError(f"unknown APP risk level(s) {bad}; known: {sorted(known)}")
        return value


class RhiPhrases(_Strict):
    """Phrases recording a return-home interview declined or done."""

    declined: tuple[str, ...] = ()
    done: tuple[str, ...] = ()


class MisperConfig(_Strict):
    """The missing-person profile."""

    frequent: FrequentRule = FrequentRule()
    child_age: int = Field(18, ge=1)
    older_associate_years: int = Field(5, ge=0)
    max_persons_per_address: int = Field(15, ge=1)
    soc_offence_codes: tuple[str, ...] = ()
    priority_top: int = Field(20, ge=0)
    weights: MisperWeights = MisperWeights()
    indicators: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    negations: tuple[str, ...] = ()
    rhi: RhiPhrases = RhiPhrases()


class VisorWeights(_Strict):
    """Points of the ViSOR score."""

    crime_since: float = 4
    sexual_since: float = 10
    child_victim: float = 10
    intel_since: float = 1
    intel_since_cap: int = Field(5, ge=0)
    child_contact: float = 8
    missing_contact: float = 20
    missing_shared: float = 15
    network_shared: float = 8
    breach: float = 8
    mappa_level: dict[str, float] = Field(default_factory=dict)
    rosh: dict[str, float] = Field(default_factory=dict)

    @field_validator("mappa_level")
    @classmethod
    def _levels(cls, value: dict[str, float]) -> dict[str, float]:
        bad = sorted(set(value) - {lv.value for lv in MappaLevel})
        if bad:
            raise ValueError(f"unknown MAPPA level(s) {bad}")
        return value

    @field_validator("rosh")
    @classmethod
    def _rosh(cls, value: dict[str, float]) -> dict[str, float]:
        bad = sorted(set(value) - {r.value for r in VisorRisk})
        if bad:
            raise ValueError(f"unknown RoSH level(s) {bad}")
        return value


class VisorConfig(_Strict):
    """The ViSOR profile."""

    breach_words: tuple[str, ...] = ()
    recent_days: int = Field(365, ge=1)
    older_factor: float = Field(0.25, ge=0, le=1)
    weights: VisorWeights = VisorWeights()


class WarningConfig(_Strict):
    """Which records raise warnings."""

    exploitation_offence_codes: tuple[str, ...] = ()
    priority_top: int = Field(20, ge=0)


class ProfilesConfig(_Strict):
    """The whole profiles configuration."""

    misper: MisperConfig = MisperConfig()
    visor: VisorConfig = VisorConfig()
    warnings: WarningConfig = WarningConfig()


def parse_profiles_config(data: object, where: str) -> ProfilesConfig:
    """Validate parsed YAML; a bad field raises ``ConfigError`` naming ``where`` and it."""
    try:
        return ProfilesConfig.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(f"{where}: field {field!r}: {first['msg']}") from None


def _shipped_data() -> dict[str, Any]:
    text = resources.files("toex.assess").joinpath("data/profiles.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@cache
def _shipped() -> ProfilesConfig:
    return parse_profiles_config(_shipped_data(), "profiles.yaml")


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` laid over it, mapping by mapping (lists are replaced)."""
    out = dict(base)
    for key, value in changes.items():
        old = out.get(key)
        out[key] = (
            merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        )
    return out


def load_profiles_config(path: Path | None = None) -> ProfilesConfig:
    """The shipped configuration, or the shipped one with the file at ``path`` laid over it
    (a file names only what it changes)."""
    if path is None:
        return _shipped()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read profiles configuration ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path}: a profiles configuration is a mapping")
    return parse_profiles_config(merged(_shipped_data(), data or {}), str(path))
