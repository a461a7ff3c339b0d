"""Code lists of the missing-person and ViSOR profiles: every source spelling, once.

Sources spell the APP missing-person risk levels their own way ("High Risk", "HIGH",
"High"); ViSOR exports spell RoSH and the MAPPA category and level in words or digits. Each
list maps a normalised spelling (:func:`spelling_key`) to the enum value; anything else is
unknown (a value issue, never a guess). The warning kinds shown on person pages are here too.
"""

from __future__ import annotations

import re
from enum import StrEnum

from toex.model.enums import MappaCategory, MappaLevel, MisperRisk, VisorRisk

#: APP missing-person risk as each source spells it (after :func:`spelling_key`). "absent"
#: was a separate APP category until 2021; it is now "no apparent risk".
MISPER_RISK_SPELLINGS: dict[str, MisperRisk] = {
    "high": MisperRisk.HIGH,
    "high risk": MisperRisk.HIGH,
    "h": MisperRisk.HIGH,
    "medium": MisperRisk.MEDIUM,
    "medium risk": MisperRisk.MEDIUM,
    "med": MisperRisk.MEDIUM,
    "m": MisperRisk.MEDIUM,
    "low": MisperRisk.LOW,
    "low risk": MisperRisk.LOW,
    "l": MisperRisk.LOW,
    "no apparent risk": MisperRisk.NO_APPARENT_RISK,
    "no apparent": MisperRisk.NO_APPARENT_RISK,
    "nar": MisperRisk.NO_APPARENT_RISK,
    "no risk": MisperRisk.NO_APPARENT_RISK,
    "absent": MisperRisk.NO_APPARENT_RISK,
}

#: Order of the APP risk levels (higher is more risk).
MISPER_RISK_ORDER: dict[MisperRisk, int] = {
    MisperRisk.NO_APPARENT_RISK: 0,
    MisperRisk.LOW: 1,
    MisperRisk.MEDIUM: 2,
    MisperRisk.HIGH: 3,
}

#: ViSOR / OASys risk of serious harm as spelled.
ROSH_SPELLINGS: dict[str, VisorRisk] = {
    "low": VisorRisk.LOW,
    "low risk": VisorRisk.LOW,
    "medium": VisorRisk.MEDIUM,
    "medium risk": VisorRisk.MEDIUM,
    "high": VisorRisk.HIGH,
    "high risk": VisorRisk.HIGH,
    "very high": VisorRisk.VERY_HIGH,
    "very high risk": VisorRisk.VERY_HIGH,
    "v high": VisorRisk.VERY_HIGH,
    "vhigh": VisorRisk.VERY_HIGH,
}

ROSH_ORDER: dict[VisorRisk, int] = {
    VisorRisk.LOW: 1,
    VisorRisk.MEDIUM: 2,
    VisorRisk.HIGH: 3,
    VisorRisk.VERY_HIGH: 4,
}

MAPPA_CATEGORY_SPELLINGS: dict[str, MappaCategory] = {
    **{k: c for c in MappaCategory for k in (c.value, f"cat {c.value}", f"category {c.value}")},
    "rso": MappaCategory.REGISTERED_SEX_OFFENDER,
    "registered sex offender": MappaCategory.REGISTERED_SEX_OFFENDER,
    "violent": MappaCategory.VIOLENT,
    "violent offender": MappaCategory.VIOLENT,
    "other dangerous": MappaCategory.OTHER_DANGEROUS,
    "other dangerous offender": MappaCategory.OTHER_DANGEROUS,
}

MAPPA_LEVEL_SPELLINGS: dict[str, MappaLevel] = {
    k: lv for lv in MappaLevel for k in (lv.value, f"level {lv.value}", f"l{lv.value}")
}

_PUNCTUATION = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


def spelling_key(raw: str | None) -> str | None:
    """Lower case, punctuation as spaces, single spaces: ``' High-Risk '`` -> ``'high risk'``;
    a float-looking digit ("2.0", from a spreadsheet) becomes its integer."""
    if raw is None:
        return None
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", str(raw).lower())).strip()
    if re.fullmatch(r"\d+ 0", text):
        text = text.split(" ")[0]
    return text or None


def normalise_misper_risk(raw: str | None) -> MisperRisk | None:
    """The APP risk level a source spelling means; None when blank or unknown."""
    key = spelling_key(raw)
    return MISPER_RISK_SPELLINGS.get(key) if key else None


def key_sql(column: str) -> str:
    """:func:`spelling_key` as a DuckDB expression over ``column``."""
    text = (
        f"trim(regexp_replace(regexp_replace(lower(CAST({column} AS VARCHAR)), "
        "'[^a-z0-9 ]+', ' ', 'g'), '\\s+', ' ', 'g'))"
    )
    return f"nullif(regexp_replace({text}, '^(\\d+) 0$', '\\1'), '')"


class WarningKind(StrEnum):
    """Warning markers shown beside a person (profile page, search, network, API)."""

    REGISTERED_SEX_OFFENDER = "registered_sex_offender"
    FREQUENT_MISSING = "frequent_missing"
    HIGH_RISK_MISSING = "high_risk_missing"
    EXPLOITATION_VICTIM = "exploitation_victim"
    PRIORITY_PERPETRATOR = "priority_perpetrator"

    @property
    def label(self) -> str:
        """The marker's wording."""
        return _WARNING_LABELS[self]


_WARNING_LABELS: dict[WarningKind, str] = {
    WarningKind.REGISTERED_SEX_OFFENDER: "Registered sex offender",
    WarningKind.FREQUENT_MISSING: "Frequent missing person",
    WarningKind.HIGH_RISK_MISSING: "High-risk missing person",
    WarningKind.EXPLOITATION_VICTIM: "Victim of exploitation",
    WarningKind.PRIORITY_PERPETRATOR: "Priority perpetrator",
}
