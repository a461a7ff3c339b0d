"""The STIM indicator set: the briefing's 13 indicators, each with a configurable risk level
and a documented definition, plus the text-signal lexicon reported beside them.

Loaded from the shipped ``toex/assess/data/stim_indicators.yaml`` or a copy a force edits
(``TOEX_STIM_INDICATORS``). A bad file raises :class:`toex.errors.ConfigError` naming the file
and the field. The codes are fixed (the derivation code knows them); labels, definitions,
levels and the lexicon are data.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toex.errors import ConfigError


class RiskLevel(StrEnum):
    """STIM risk levels, lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """1 for low, 2 for medium, 3 for high."""
        return ("low", "medium", "high").index(self.value) + 1


#: Indicators computed from the partner's data.
DERIVED_CODES: tuple[str, ...] = (
    "multi_region",
    "linked_accounts",
    "multiple_phones",
    "multiple_payers",
    "male_name_email",
    "male_payer",
)
#: Indicators recorded by staff (staff_calls) or by partner users in the web app.
RECORDED_CODES: tuple[str, ...] = (
    "language_barrier",
    "vague_misleading",
    "avoided_call",
    "male_in_background",
    "customer_flag_trafficking",
    "customer_flag_underage",
    "other_concern",
)
#: The 13 in the order of the briefing's table.
INDICATOR_ORDER: tuple[str, ...] = (
    "language_barrier",
    "multi_region",
    "linked_accounts",
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
#: Words no indicator or text signal may be about: nationality is a breakdown only.
FORBIDDEN_INPUTS: tuple[str, ...] = ("nationality", "ethnicity", "ethnic", "national")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Indicator(_Strict):
    """One STIM indicator: code, the briefing's label, where it comes from, level, meaning."""

    code: str
    label: str
    source: Literal["derived", "recorded"]
    level: RiskLevel
    definition: str = Field(min_length=10)


class TextSignal(_Strict):
    """A text signal: a label and the words or phrases that show it."""

    label: str
    terms: tuple[str, ...] = Field(min_length=1)


class LinkingConfig(_Strict):
    """How accounts are linked into cases."""

    phone: bool = True
    #: Phone numbers written in the advert text (spelled out, spaced, emoji) link too.
    text_phones: bool = True
    payer: bool = True
    email: bool = True
    template: bool = False
    max_accounts_per_key: int = Field(25, ge=2)
    max_accounts_per_template: int = Field(25, ge=2)
    minhash_threshold: float = Field(0.5, gt=0, le=1)
    minhash_num_perm: int = Field(64, ge=8, le=512)
    minhash_seed: int = 1
    shingle_words: int = Field(3, ge=1, le=8)
    #: Names, numbers and proper nouns become one token before shingling
    #: (:mod:`toex.assess.stim.slots`).
    mask_slots: bool = True
    #: Weight of a missed pair when choosing the LSH bands (datasketch's 0.5 gives 14 x 4
    #: rows for 64 permutations; 0.9 gives 21 x 3).
    lsh_recall_weight: float = Field(0.9, gt=0, lt=1)
    #: Each advert is paired with the next this many adverts of its LSH bucket.
    lsh_bucket_window: int = Field(16, ge=1, le=256)


class IndicatorSet(_Strict):
    """The 13 indicators, the text-signal lexicon and the linking settings."""

    version: int = 1
    indicators: tuple[Indicator, ...]
    text_signals: dict[str, TextSignal] = Field(default_factory=dict)
    linking: LinkingConfig = LinkingConfig()

    @model_validator(mode="after")
    def _exactly_the_thirteen(self) -> IndicatorSet:
        codes = [i.code for i in self.indicators]
        if sorted(codes) != sorted(INDICATOR_ORDER):
            missing = sorted(set(INDICATOR_ORDER) - set(codes))
            extra = sorted(set(codes) - set(INDICATOR_ORDER))
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            raise ValueError(
                f"indicators must be the 13 STIM codes (missing: {missing}, "
                f"unknown: {extra}, repeated: {dupes})"
            )
        for ind in self.indicators:
            expected = "derived" if ind.code in DERIVED_CODES else "recorded"
            if ind.source != expected:
                raise ValueError(f"indicator {ind.code} is {expected}, not {ind.source}")
        for name, signal in self.text_signals.items():
            words = " ".join((name, signal.label, *signal.terms)).lower()
            if any(bad in words for bad in FORBIDDEN_INPUTS):
                raise ValueError(f"text signal {name} may not be about nationality or ethnicity")
        return self

    @property
    def by_code(self) -> dict[str, Indicator]:
        """Indicators keyed by code."""
        return {i.code: i for i in self.indicators}

    def level_of(self, code: str) -> RiskLevel:
        """The configured risk level of an indicator."""
        return self.by_code[code].level

    def ordered(self) -> list[Indicator]:
        """The indicators in the briefing's order."""
        by = self.by_code
        return [by[c] for c in INDICATOR_ORDER]

    def with_levels(self, levels: dict[str, str]) -> IndicatorSet:
        """A copy with some indicators' risk levels changed (``{code: level}``)."""
        unknown = sorted(set(levels) - set(INDICATOR_ORDER))
        if unknown:
            raise ConfigError(f"unknown STIM indicators: {', '.join(unknown)}")
        changed = tuple(
            i.model_copy(update={"level": RiskLevel(levels[i.code])}) if i.code in levels else i
            for i in self.indicators
        )
        return self.model_copy(update={"indicators": changed})


def parse_indicator_set(data: object, where: str) -> IndicatorSet:
    """Check a parsed YAML structure; a ConfigError names ``where`` and the first bad field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping at the top level")
    try:
        return IndicatorSet.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "top level"
        raise ConfigError(f"{where}: {field}: {err['msg']}") from None


@cache
def _shipped() -> IndicatorSet:
    text = resources.files("toex.assess").joinpath("data/stim_indicators.yaml").read_text("utf-8")
    return parse_indicator_set(yaml.safe_load(text), "stim_indicators.yaml")


def load_indicators(path: Path | None = None) -> IndicatorSet:
    """The indicator set at ``path``, else ``TOEX_STIM_INDICATORS``, else the shipped one."""
    chosen = path or (
        Path(os.environ["TOEX_STIM_INDICATORS"]) if os.environ.get("TOEX_STIM_INDICATORS") else None
    )
    if chosen is None:
        return _shipped()
    try:
        text = Path(chosen).read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"STIM indicators {chosen}: {exc.strerror}") from exc
    return parse_indicator_set(yaml.safe_load(text), str(chosen))
