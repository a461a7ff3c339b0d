"""Cleaners: set-wise value cleaning, one class per kind of value.

:data:`CLEANERS` maps each cleaner name usable in a mapping to its class;
:func:`make_cleaner` builds one from a mapping's options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toex.ingest.cleaners.base import (
    MAX_VALUE_LENGTH,
    RAW,
    Cleaner,
    CleanerOptionError,
)
from toex.ingest.cleaners.codes import (
    BoolCleaner,
    ClassificationCleaner,
    CodeMapCleaner,
    CroCleaner,
    GradingCleaner,
    HandlingCodeCleaner,
    OffenceCodeCleaner,
    PncCleaner,
)
from toex.ingest.cleaners.contacts import EmailCleaner, PostcodeCleaner
from toex.ingest.cleaners.dates import DateCleaner
from toex.ingest.cleaners.names import (
    ForenameCleaner,
    ForenameSurnameCleaner,
    NameCleaner,
    SurnameCleaner,
    SurnameForenameCleaner,
)
from toex.ingest.cleaners.phones import PhoneCleaner
from toex.ingest.cleaners.text import (
    IntegerCleaner,
    LowerCleaner,
    NumberCleaner,
    TextCleaner,
    UpperCleaner,
)

CLEANERS: dict[str, type[Cleaner]] = {
    c.name: c
    for c in (
        TextCleaner,
        UpperCleaner,
        LowerCleaner,
        IntegerCleaner,
        NumberCleaner,
        DateCleaner,
        NameCleaner,
        ForenameCleaner,
        SurnameCleaner,
        SurnameForenameCleaner,
        ForenameSurnameCleaner,
        PhoneCleaner,
        EmailCleaner,
        PostcodeCleaner,
        OffenceCodeCleaner,
        GradingCleaner,
        HandlingCodeCleaner,
        ClassificationCleaner,
        CodeMapCleaner,
        BoolCleaner,
        PncCleaner,
        CroCleaner,
    )
}


def make_cleaner(name: str, args: Mapping[str, Any] | None = None) -> Cleaner:
    """The cleaner ``name`` with ``args``; :class:`CleanerOptionError` if either is unknown."""
    try:
        cls = CLEANERS[name]
    except KeyError:
        raise CleanerOptionError(
            f"unknown cleaner {name!r} (known: {', '.join(sorted(CLEANERS))})"
        ) from None
    return cls(args)


__all__ = ["CLEANERS", "MAX_VALUE_LENGTH", "RAW", "Cleaner", "CleanerOptionError", "make_cleaner"]
