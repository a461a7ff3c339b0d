"""Splink comparisons for UK police nominal data (pure: builds Splink creator objects).

Each comparison's levels run from most to least specific; Splink assigns a pair the first
level whose condition holds. Columns are those of :mod:`toex.resolve.features`.
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from toex.resolve.clusters import AttributeConflict

_DUCK = "duckdb"

DIFFERENT_GENDER_M = 0.01
"""Share of true matches recorded with opposite genders (a fixed prior: keying errors)."""

SWAPPED_SURNAME_MU = 0.01
"""m and u of the surname comparison's "swapped" level, equal and fixed (weight 0): the
forename comparison weighs a swap once, by how common the pair of names is."""

DIFFERENT_IDENTIFIER_M = 0.01
"""Share of true matches holding two different PNC IDs / CRO numbers (a fixed prior: keying
errors); EM cannot estimate it because such pairs almost never look like matches."""


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str=_DUCK)


def _swapped(a: str, b: str) -> str:
    # array_length(array_intersect(...)) rather than list_has_any: it transpiles to Spark.
    return (
        f"CASE WHEN forename_{a} IN (surname_first_{b}, surname_last_{b}) THEN "
        f"array_length(array_intersect(surname_first_groups_{a}, forename_groups_{b})) > 0 "
        f"OR damerau_levenshtein(surname_first_{a}, forename_{b}) <= 1 ELSE FALSE END"
    )


SWAPPED_SQL = f"({_swapped('l', 'r')}) OR ({_swapped('r', 'l')})"
"""Forename and surname swapped between the two records: one's forename is the first or
last word of the other's surname, and its surname (first word) is the other's forename, a
nickname of it, or one edit from it (``KIELY / REBECCA`` and ``BECCA KIELY``;
``THOMAS / HOLLY ELLIE`` and ``HOLLY THOMAS``; ``BENTLEY / DAVID`` and
``DAVID BENTLEY-LEARY``)."""


def near_variant_sql(edits: int) -> str:
    """One forename is at most ``edits`` edits (insertion, deletion, substitution or swap of
    adjacent letters) from the other or from one of the other's nicknames."""

    def side(a: str, b: str) -> str:
        return (
            f"array_length(list_filter(forename_variants_{a}, "
            f"x -> abs(length(x) - length(forename_{b})) <= {edits} "
            f"AND damerau_levenshtein(x, forename_{b}) <= {edits})) > 0"
        )

    return f"({side('l', 'r')}) OR ({side('r', 'l')})"


ONE_EDIT_SQL = (
    "(contains(forename_near_l, '|' || forename_r || '|') "
    "OR contains(forename_near_r, '|' || forename_l || '|'))"
)
"""One forename is one edit from the other or from one of the other's nicknames (the
relation is precomputed per distinct forename, :func:`toex.resolve.name_keys.
one_edit_relation`, and each related pair held by the rarer forename's list, so both
sides are looked at): typos on nicknames (``DAVE`` and ``EDAVID``, ``SUE`` and ``SLSAN``,
``IAN`` and ``IBN``)."""

NICKNAME_SQL = "contains(forename_nicks_l, '|' || forename_r || '|')"
"""The forenames share a nickname group (one is in the other's variants)."""


def forename_comparison() -> ComparisonCreator:
    """Forename: exact (term-frequency adjusted), swapped with surname (adjusted by the
    frequency of the pair of names, ``name_bag``), nickname group,
    Jaro-Winkler >= 0.92, forename is the other's middle name, Jaro-Winkler >= 0.8, one
    edit from the other or its nicknames, initial, else."""
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            cll.ExactMatchLevel("forename", term_frequency_adjustments=True),
            _custom(SWAPPED_SQL, "forename and surname swapped").configure(
                tf_adjustment_column="name_bag", disable_tf_exact_match_detection=True
            ),
            _custom(NICKNAME_SQL, "nickname or diminutive of the same name"),
            cll.JaroWinklerLevel("forename", 0.92),
            _custom(
                "forename_l = middle_first_r OR middle_first_l = forename_r",
                "forename is the other's middle name",
            ),
            cll.JaroWinklerLevel("forename", 0.8),
            _custom(ONE_EDIT_SQL, "one edit from the other or from one of its nicknames"),
            _custom(
                "(length(forename_l) = 1 OR length(forename_r) = 1) AND "
                "substr(forename_l, 1, 1) = substr(forename_r, 1, 1)",
                "initial agrees",
            ),
            cll.ElseLevel(),
        ],
    )


def surname_comparison() -> ComparisonCreator:
    """Surname: exact (term-frequency adjusted), swapped (neutral: weighed by the forename
    comparison), Jaro-Winkler >= 0.92, Double Metaphone, shares a part of a
    hyphenated/double-barrelled name, Jaro-Winkler >= 0.8, differs between two women
    (possible change of name), else."""
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            # Weighed once, in the forename comparison: neutral here (m = u, fixed).
            _custom(
                SWAPPED_SQL, "forename and surname swapped (weighed with the forename)"
            ).configure(
                m_probability=SWAPPED_SURNAME_MU,
                u_probability=SWAPPED_SURNAME_MU,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.JaroWinklerLevel("surname", 0.92),
            _custom(
                "surname_dm_l IN (surname_dm_r, surname_dm2_r) OR "
                "surname_dm2_l IN (surname_dm_r, surname_dm2_r)",
                "same Double Metaphone key",
            ),
            _custom(
                "surname_first_l IN (surname_first_r, surname_last_r) OR "
                "surname_last_l IN (surname_first_r, surname_last_r)",
                "shares a part of a hyphenated or double-barrelled surname",
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
            _custom(
                # A one-digit typo or swap leaves the year, or the day and month, intact:
                # the cheap test first, the edit distance only for those pairs.
                "CASE WHEN dob_year_l = dob_year_r OR "
                "(dob_month_l = dob_month_r AND dob_day_l = dob_day_r) "
                "THEN damerau_levenshtein(dob_str_l, dob_str_r) <= 1 ELSE FALSE END",
                "one digit different or two adjacent digits swapped",
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


def location_comparison() -> ComparisonCreator:
    """Where the person was recorded, most specific first: same full postcode, same sector,
    same district; then, for police records, the same force area (with different postcodes,
    or a postcode missing), else a different force area. Null when neither a postcode pair
    nor a police force pair can be compared (partner data without postcodes).

    One comparison, not two, because the levels are nested (a shared postcode implies a
    shared force area): two comparisons would count the same evidence twice. The output
    column keeps the name ``postcode``."""
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            _custom(
                "(postcode_district_l IS NULL OR postcode_district_r IS NULL) AND "
                "(police_force_l IS NULL OR police_force_r IS NULL)",
                "no postcode or police force area to compare",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("postcode"),
            cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="same sector"),
            cll.ExactMatchLevel("postcode_district").configure(label_for_charts="same district"),
            _custom(
                "police_force_l = police_force_r AND postcode_district_l IS NOT NULL AND "
                "postcode_district_r IS NOT NULL",
                "different district, same force area",
            ),
            _custom("police_force_l = police_force_r", "postcode missing, same force area"),
            cll.ElseLevel().configure(label_for_charts="different force area"),
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
        location_comparison(),
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


def level_gamma(comparison: ComparisonCreator, label: str) -> int:
    """The gamma value (comparison vector value) of the level of ``comparison`` whose chart
    label is ``label``."""
    for lv in comparison.get_comparison(_DUCK).comparison_levels:
        if lv.label_for_charts == label:
            return int(lv.comparison_vector_value)
    raise KeyError(f"no level {label!r} in comparison {comparison.create_output_column_name()}")


SAME_FAMILY_NAME_LEVELS = (
    "Exact match on surname",
    "Jaro-Winkler distance of surname >= 0.92",
    "shares a part of a hyphenated or double-barrelled surname",
)
"""Surname levels that mean one family name."""


def family_conflict_sql() -> str:
    """Condition on a scored pair joined to both mentions' features (``gamma_`` columns and
    ``<feature>_l`` / ``<feature>_r``) marking two people of one family: both forenames
    known and unrelated (not equal, swapped, nicknames, a middle name or an initial of each
    other, and more than two edits from each other and from each other's nicknames),
    unless one reads as a keying error of a much commoner forename (``forename_typo``) and
    the other is a typo too or the name (or a nickname of the name) it was meant as
    (``SARANH`` and ``AALLY``, typos of SARAH and of its nickname SALLY, are not two
    sisters; ``DFAVID``, a typo of DAVID, and his twin ``RAY`` are), under one family name,
    with no shared PNC ID or CRO number.

    Twins share a surname, DOB and address, siblings and spouses a surname and address;
    one person recorded under two unrelated forenames with the same surname is rarer than
    either (an alias usually changes the whole name). Clustering keeps such pairs apart
    (:mod:`toex.resolve.clusters`)."""
    sur = surname_comparison()
    family = ", ".join(str(level_gamma(sur, label)) for label in SAME_FAMILY_NAME_LEVELS)
    same_id = level_gamma(identifier_comparison(), "same PNC ID or CRO number")
    typo_l, typo_r = "coalesce(forename_typo_l, FALSE)", "coalesce(forename_typo_r, FALSE)"
    meant_r = "contains(coalesce(forename_typo_of_l, ''), '|' || forename_r || '|')"
    meant_l = "contains(coalesce(forename_typo_of_r, ''), '|' || forename_l || '|')"
    return (
        "gamma_forename = 0 "
        f"AND NOT ({typo_l} AND ({typo_r} OR {meant_r})) "
        f"AND NOT ({typo_r} AND ({typo_l} OR {meant_l})) "
        f"AND gamma_surname IN ({family}) "
        f"AND gamma_identifiers <> {same_id} "
        f"AND NOT ({near_variant_sql(2)})"
    )


COMPATIBLE_DOB_LEVELS = (
    "Exact match on dob",
    "day and month transposed",
    "one digit different or two adjacent digits swapped",
    "year off by one",
)
"""DOB levels that one person's records can show (the same date, or a keying error)."""


def dob_conflict() -> AttributeConflict:
    """Two full dates of birth in one cluster that no keying error explains (not equal,
    day/month transposed, one digit or adjacent swap, year off by one) belong to two
    people, unless the mentions share a PNC ID or CRO number. Thin mentions (a name and a
    force area only) otherwise chain a father and son, or two namesakes, into one person."""
    levels = dob_comparison().get_comparison(_DUCK).comparison_levels
    compatible = [
        f"({lv.sql_condition})" for lv in levels if lv.label_for_charts in COMPATIBLE_DOB_LEVELS
    ]
    if len(compatible) != len(COMPATIBLE_DOB_LEVELS):
        raise KeyError("the DOB comparison lacks a level of COMPATIBLE_DOB_LEVELS")
    return AttributeConflict(
        keys=("dob", "dob_str", "dob_year", "dob_month", "dob_day"),
        incompatible="NOT (" + " OR ".join(compatible) + ")",
        exempt="pnc_id_l = pnc_id_r OR cro_number_l = cro_number_r",
        exempt_columns=("pnc_id", "cro_number"),
    )


def identifier_conflicts() -> list[AttributeConflict]:
    """Two different PNC IDs, or two different CRO numbers, in one cluster belong to two
    people. Both are national identifiers issued once per person (the PNC ID carries a
    check character, so a mistyped one is rarely valid); the identifier comparison
    already weighs "both held and different" against a match, but transitivity through
    mentions without an identifier (a name and a DOB only) would still chain two
    namesakes, each with his own PNC record, into one person. An analyst's "same"
    decision overrides it (duplicate records on the PNC do exist)."""
    return [
        AttributeConflict(keys=("pnc_id",), incompatible="pnc_id_l <> pnc_id_r"),
        AttributeConflict(keys=("cro_number",), incompatible="cro_number_l <> cro_number_r"),
    ]
