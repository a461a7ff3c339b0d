"""3x5x2 grades are read in every common spelling."""

from __future__ import annotations

import pytest

from toex.model import Classification, parse_grading


@pytest.mark.parametrize("text", ["1AP", "1/A/P", "1-a-p", " 1 A P ", "1,A,P"])
def test_spellings_of_one_grade(text: str) -> None:
    assert str(parse_grading(text)) == "1AP"


@pytest.mark.parametrize("text", ["4AP", "1FP", "1AX", "", None, "1A"])
def test_not_grades(text: str | None) -> None:
    assert parse_grading(text) is None


def test_highest_classification() -> None:
    assert Classification.highest(["OFFICIAL", "SECRET", "OFFICIAL-SENSITIVE"]) == "SECRET"
    assert Classification.highest([]) == "OFFICIAL"
