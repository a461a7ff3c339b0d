"""The model specs of person resolution: toex's person model and the generic reference.

Both read the features of :mod:`toex.resolve.features`; the FEBRL spec lives in
:mod:`toex.resolve.febrl`.
"""

from __future__ import annotations

from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

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
        conflict_columns=("forename", "forename_variants"),
        attribute_conflicts=lambda: [dob_conflict()],
    )


def _generic_blocking() -> list[BlockingRuleCreator]:
    return [
        block_on("forename", "surname"),
        block_on("surname", "dob"),
        block_on("forename", "dob"),
        block_on("dob", "postcode"),
    ]


def generic_spec(u_max_pairs: float = 1e6, em_max_pairs: float | None = 1e6) -> ModelSpec:
    """The benchmark's reference: Splink with generic comparisons (JW names, exact DOB,
    postcode) and plain blocking."""
    return ModelSpec(
        name="generic_splink",
        comparisons=generic_comparisons,
        blocking_rules=_generic_blocking,
        training_rules=lambda: [block_on("dob"), block_on("forename", "surname")],
        deterministic_rules=lambda: [block_on("forename", "surname", "dob")],
        deterministic_recall=0.6,
        u_max_pairs=u_max_pairs,
        em_max_pairs=em_max_pairs,
    )
