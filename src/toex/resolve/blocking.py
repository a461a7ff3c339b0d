"""Blocking rules of the person model (pure), and the SQL measuring their recall.

Prediction rules are OR-ed: a pair is scored when any rule holds. They are chosen so that
pairwise blocking recall on the synthetic truth stays at or above 99.5% while every rule
keys on a rare-enough combination to bound the number of comparisons.
"""

from __future__ import annotations

from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.blocking_rule_library import CustomRule


def person_blocking_rules() -> list[BlockingRuleCreator]:
    """Rules generating the pairs the person model scores."""
    return [
        block_on("forename", "surname"),
        block_on("surname", "dob"),
        block_on("forename", "dob"),
        block_on("forename_canon", "surname_dm"),
        block_on("surname_dm", "dob_year"),
        block_on("forename_canon", "dob_year", "dob_month"),
        block_on("dob", "postcode_district"),
        block_on("pnc_id"),
        block_on("cro_number"),
        block_on("phone"),
        block_on("email"),
        block_on("postcode", "forename_canon"),
        CustomRule("l.forename = r.surname AND l.surname = r.forename", sql_dialect="duckdb"),
    ]


def person_training_rules() -> list[BlockingRuleCreator]:
    """EM training rules: each leaves some comparisons free to be estimated."""
    return [
        block_on("dob"),
        block_on("forename", "surname"),
        block_on("postcode", "dob_year"),
    ]


def person_deterministic_rules() -> list[BlockingRuleCreator]:
    """Near-certain rules used to estimate the prior probability of a match."""
    return [
        block_on("forename", "surname", "dob"),
        block_on("pnc_id"),
    ]


def rule_sql(rule: BlockingRuleCreator, dialect: str = "duckdb") -> str:
    """The SQL condition of a blocking rule over ``l`` and ``r`` in ``dialect``."""
    return str(rule.get_blocking_rule(dialect).blocking_rule_sql)


def blocking_recall_sql(pairs_table: str, features_table: str, rules: list[str]) -> str:
    """SQL returning ``n_pairs, n_found`` for the true pairs in ``pairs_table``.

    ``pairs_table`` has ``mention_id_l, mention_id_r``; a pair is found when any rule
    condition holds on the two feature rows.
    """
    cond = " OR ".join(f"({r})" for r in rules)
    return (
        f"SELECT count(*) AS n_pairs, count(*) FILTER (WHERE {cond}) AS n_found "
        f"FROM {pairs_table} p "
        f"JOIN {features_table} l ON l.mention_id = p.mention_id_l "
        f"JOIN {features_table} r ON r.mention_id = p.mention_id_r"
    )
