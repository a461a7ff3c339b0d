"""Splink comparisons for UK police nominal data (pure: builds Splink creator objects).

Each comparison's levels run from most to least specific; Splink assigns a pair the first
level whose condition holds. Columns are those of :mod:`toex.resolve.features`.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

_DUCK = "duckdb"

DIFFERENT_GENDER_M = 0.01
"""Share of true matches recorded with opposite genders (a fixed prior: keying errors)."""

DIFFERENT_IDENTIFIER_M = 0.01
"""Share of true matches holding two different PNC IDs / CRO numbers (a fixed prior: keying
errors); EM cannot estimate it because such pairs almost never look like matches."""


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str=_DUCK)


def forename_comparison() -> ComparisonCreator:
    """Forename: exact (term-frequency adjusted), swapped with surname, nickname group,
    Jaro-Winkler >= 0.92, forename is the other's middle name, Jaro-Winkler >= 0.8, initial."""
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            cll.ExactMatchLevel("forename", term_frequency_adjustments=True),
            _custom(
                "forename_l = surname_r AND surname_l = forename_r", "forename and surname swapped"
            ),
            cll.ArrayIntersectLevel("forename_groups", 1).configure(
                label_for_charts="nickname or diminutive of the same name"
            ),
            cll.JaroWinklerLevel("forename", 0.92),
            _custom(
                "forename_l = middle_first_r OR middle_first_l = forename_r",
                "forename is the other's middle name",
            ),
            cll.JaroWinklerLevel("forename", 0.8),
            _custom(
                "(length(forename_l) = 1 OR length(forename_r) = 1) AND "
                "substr(forename_l, 1, 1) = substr(forename_r, 1, 1)",
                "initial agrees",
            ),
            cll.ElseLevel(),
        ],
    )


def surname_comparison() -> ComparisonCreator:
    """Surname: exact (TF), swapped, Jaro-Winkler >= 0.92, Double Metaphone, shares a part of
    a hyphenated/double-barrelled name, Jaro-Winkler >= 0.8, differs between two women
    (possible name change), else."""
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            _custom(
                "forename_l = surname_r AND surname_l = forename_r", "forename and surname swapped"
            ),
            cll.JaroWinklerLevel("surname", 0.92),
            cll.ArrayIntersectLevel("surname_metaphones", 1).configure(
                label_for_charts="same Double Metaphone key"
            ),
            cll.ArrayIntersectLevel("surname_parts", 1).configure(
                label_for_charts="shares a part of a hyphenated or double-barrelled surname"
            ),
            cll.JaroWinklerLevel("surname", 0.8),
            _custom(
                "gender_l = 'F' AND gender_r = 'F'",
                "different surname, both female (possible change of name)",
            ),
            cll.ElseLevel(),
        ],
    )


def dob_comparison() -> ComparisonCreator:
    """Date of birth: exact, day/month transposed, one-digit typo, year off by one with day
    and month equal, partial date agreeing, same year, else."""
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            _custom("dob_year_l IS NULL OR dob_year_r IS NULL", "DOB missing").configure(
                is_null_level=True
            ),
            cll.ExactMatchLevel("dob"),
            _custom(
                "dob_year_l = dob_year_r AND dob_day_l = dob_month_r AND dob_month_l = dob_day_r",
                "day and month transposed",
            ),
            cll.DamerauLevenshteinLevel("dob_str", 1).configure(
                label_for_charts="one digit different or two adjacent digits swapped"
            ),
            _custom(
                "dob_month_l = dob_month_r AND dob_day_l = dob_day_r AND "
                "abs(dob_year_l - dob_year_r) = 1",
                "year off by one",
            ),
            _custom(
                "(dob_l IS NULL OR dob_r IS NULL) AND dob_year_l = dob_year_r AND "
                "(dob_month_l IS NULL OR dob_month_r IS NULL OR "
                "dob_month_l = dob_month_r)",
                "partial date agrees",
            ),
            _custom("dob_year_l = dob_year_r", "same year of birth"),
            cll.ElseLevel(),
        ],
    )


def exact_comparison(column: str, else_m: float | None = None) -> ComparisonCreator:
    """Null / exact / else on one column; ``else_m`` fixes the m of the else level (for a
    field that true matches almost never disagree on, where EM's estimate underflows)."""
    other: ComparisonLevelCreator = cll.ElseLevel()
    if else_m is not None:
        other = other.configure(m_probability=else_m, fix_m_probability=True)
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[cll.NullLevel(column), cll.ExactMatchLevel(column), other],
    )


def postcode_comparison() -> ComparisonCreator:
    """Postcode: full, sector, district, else."""
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode_district"),
            cll.ExactMatchLevel("postcode"),
            cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="same sector"),
            cll.ExactMatchLevel("postcode_district").configure(label_for_charts="same district"),
            cll.ElseLevel(),
        ],
    )


def identifier_comparison() -> ComparisonCreator:
    """Strong identifiers: PNC ID or CRO number equal, both held and different, else."""
    return cl.CustomComparison(
        output_column_name="identifiers",
        comparison_levels=[
            _custom(
                "(pnc_id_l IS NULL OR pnc_id_r IS NULL) AND "
                "(cro_number_l IS NULL OR cro_number_r IS NULL)",
                "no PNC ID or CRO number on both",
            ).configure(is_null_level=True),
            _custom(
                "pnc_id_l = pnc_id_r OR cro_number_l = cro_number_r", "same PNC ID or CRO number"
            ),
            # Fixed: EM sees (almost) no true matches here and m underflows to zero.
            cll.ElseLevel().configure(
                label_for_charts="different PNC ID or CRO number",
                m_probability=DIFFERENT_IDENTIFIER_M,
                fix_m_probability=True,
            ),
        ],
    )


def person_comparisons() -> list[ComparisonCreator]:
    """Every comparison of the person model, in explanation order."""
    return [
        forename_comparison(),
        surname_comparison(),
        dob_comparison(),
        exact_comparison("gender", else_m=DIFFERENT_GENDER_M),
        postcode_comparison(),
        exact_comparison("phone"),
        exact_comparison("email"),
        identifier_comparison(),
    ]


def generic_comparisons() -> list[ComparisonCreator]:
    """The benchmark's "generic Splink" reference: JW names, exact DOB, postcode."""
    return [
        cl.JaroWinklerAtThresholds("forename", [0.92, 0.8]),
        cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]),
        cl.ExactMatch("dob"),
        cl.ExactMatch("postcode"),
    ]
