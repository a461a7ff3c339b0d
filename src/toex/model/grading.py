"""3x5x2 intelligence grading: parse and format the three-part grade.

A grade is written in many ways in force extracts ("1A P", "1/A/P", "1-A-P", "1AP",
"2 b c"); :func:`parse_grading` reads them all and returns ``None`` for anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toex.model.enums import HandlingCode, IntelligenceAssessment, SourceEvaluation

_GRADE = re.compile(r"^\s*([123])\s*[-/ ,.]?\s*([A-Ea-e])\s*[-/ ,.]?\s*([PpCc])\s*$")


@dataclass(frozen=True)
class Grading:
    """A 3x5x2 grade: source evaluation, intelligence assessment, handling code."""

    source: SourceEvaluation
    intelligence: IntelligenceAssessment
    handling: HandlingCode

    def __str__(self) -> str:
        return f"{self.source.value}{self.intelligence.value}{self.handling.value}"


def parse_grading(text: str | None) -> Grading | None:
    """Parse a 3x5x2 grade written in any common spelling; ``None`` if it is not one."""
    if text is None:
        return None
    m = _GRADE.match(str(text))
    if not m:
        return None
    return Grading(
        SourceEvaluation(m.group(1)),
        IntelligenceAssessment(m.group(2).upper()),
        HandlingCode(m.group(3).upper()),
    )
