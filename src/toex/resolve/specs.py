"""The model specs of person resolution: toex's person model and the generic reference.

Both read the features of :mod:`toex.resolve.features`; the FEBRL spec lives in
:mod:`toex.resolve.febrl`.
"""

from __future__ import annotations

from splink import block_on

from toex.resolve.blocking import (
    PERSON_BLOCKS,
    person_blocking_rules,
    person_deterministic_rules,
    person_training_rules,
)
from toex.resolve.comparisons import (
    dob_conflict,
    family_conflict_sql,
    generic_comparisons,
    identifier_conflicts,
    person_comparisons,
)
from toex.resolve.model import ModelSpec


def person_spec(u_max_pairs: float = 1e6, em_max_pairs: float | None = 1e6) -> ModelSpec:
    """toex's person model (comparisons for UK police nominal data)."""
    return ModelSpec(
        name="toex_person_v2",
        comparisons=person_comparisons,
        blocking_rules=person_blocking_rules,
        blocks=PERSON_BLOCKS,
        training_rules=person_training_rules,
        deterministic_rules=person_deterministic_rules,
        deterministic_recall=0.6,
        u_max_pairs=u_max_pairs,
        em_max_pairs=em_max_pairs,
        conflict=family_conflict_sql,
        conflict_columns=("forename", "forename_variants", "forename_typo", "forename_typo_of"),
        attribute_conflicts=lambda: [dob_conflict(), *identifier_conflicts()],
    )


def generic_spec(u_max_pairs: float = 1e6, em_max_pairs: float | None = 1e6) -> ModelSpec:
    """The benchmark's reference: Splink with generic comparisons (JW names, exact DOB,
    postcode), trained the same way, scoring the same candidate pairs as toex's model
    (the bounded blocking rules).

    Same candidate pairs, so the benchmark compares the comparisons and the clustering,
    not the blocking; plain uncapped rules (forename + surname, surname + DOB, ...) would
    also generate a number of pairs growing with the square of the data (common names),
    beyond the benchmark's time at 5 million mentions."""
    return ModelSpec(
        name="generic_splink",
        comparisons=generic_comparisons,
        blocking_rules=person_blocking_rules,
        blocks=PERSON_BLOCKS,
        training_rules=lambda: [block_on("dob"), block_on("forename", "surname")],
        deterministic_rules=lambda: [block_on("forename", "surname", "dob")],
        deterministic_recall=0.6,
        u_max_pairs=u_max_pairs,
        em_max_pairs=em_max_pairs,
    )
