"""Blocking rules of the person model (pure), and the SQL measuring their recall and cost.

Prediction rules are OR-ed: a pair is scored when any rule holds. Each rule is a
:class:`Block`: equality on some feature columns, where an array column is *exploded* (one
key per element: two mentions meet when their arrays share an element). The same
definition builds the Splink rule and the SQL that measures pairwise blocking recall against
truth and counts the comparisons (:func:`blocking_recall_sql`, :func:`comparisons_sql`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator


@dataclass(frozen=True)
class Block:
    """One blocking rule: equality on ``columns``; those also in ``explode`` are arrays
    that meet when they share an element."""

    columns: tuple[str, ...]
    explode: tuple[str, ...] = ()

    def rule(self) -> BlockingRuleCreator:
        """The Splink blocking rule."""
        return block_on(*self.columns, arrays_to_explode=list(self.explode) or None)

    def condition(self, left: str = "l", right: str = "r") -> str:
        """The rule as a condition on two feature rows (arrays by overlap)."""
        parts = [
            f"list_has_any({left}.{c}, {right}.{c})"
            if c in self.explode
            else f"{left}.{c} = {right}.{c}"
            for c in self.columns
        ]
        return " AND ".join(parts)

    def pairs_sql(self, features: str) -> str:
        """SQL of the ``mention_id_l < mention_id_r`` pairs the rule generates."""
        cols = ", ".join(f"unnest({c}) AS {c}" if c in self.explode else c for c in self.columns)
        keyed = f"(SELECT mention_id, {cols} FROM {features})"
        on = " AND ".join(f"l.{c} = r.{c}" for c in self.columns)
        return (
            f"SELECT DISTINCT l.mention_id AS mention_id_l, r.mention_id AS mention_id_r "
            f"FROM {keyed} l JOIN {keyed} r ON {on} AND l.mention_id < r.mention_id"
        )


PERSON_BLOCKS: tuple[Block, ...] = (
    Block(("name_bag",)),
    Block(("name_tokens", "dob"), ("name_tokens",)),
    Block(("forename_groups", "surname_dm"), ("forename_groups",)),
    Block(("surname_dm", "dob_year")),
    Block(("forename_groups", "dob_year", "dob_month"), ("forename_groups",)),
    Block(("pnc_id",)),
    Block(("cro_number",)),
    Block(("phone",)),
    Block(("email",)),
    Block(("dob", "police_force")),
    Block(("dob", "postcode_district")),
    Block(("surname", "police_force")),
    Block(("postcode",)),
    Block(("forename_groups", "surname_prefix"), ("forename_groups",)),
    Block(("surname_dm", "dob_month", "dob_day")),
)
"""The person model's blocking rules.

Names meet through their nickname groups (BILLY meets WILLIAM; RICKY meets ERIC and
RICHARD) and name tokens (the groups of every word of the name: records with the names
swapped or a double-barrelled surname shortened). Every rule keys on a combination that
stays rare: a name with a DOB or a force area, a DOB with a force area or district, a
surname sound with DOB parts, a postcode, or a strong identifier."""


def person_blocking_rules() -> list[BlockingRuleCreator]:
    """Rules generating the pairs the person model scores (any rule holding is enough)."""
    return [b.rule() for b in PERSON_BLOCKS]


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


def blocking_recall_sql(pairs_table: str, features_table: str, blocks: Sequence[Block]) -> str:
    """SQL returning ``n_pairs, n_found`` for the true pairs in ``pairs_table``.

    ``pairs_table`` has ``mention_id_l, mention_id_r``; a pair is found when any block's
    condition holds on the two feature rows.
    """
    cond = " OR ".join(f"coalesce(({b.condition()}), FALSE)" for b in blocks)
    return (
        f"SELECT count(*) AS n_pairs, count(*) FILTER (WHERE {cond}) AS n_found "
        f"FROM {pairs_table} p "
        f"JOIN {features_table} l ON l.mention_id = p.mention_id_l "
        f"JOIN {features_table} r ON r.mention_id = p.mention_id_r"
    )


def comparisons_sql(features_table: str, blocks: Sequence[Block]) -> str:
    """SQL returning ``n_comparisons``: the distinct pairs the blocks generate together."""
    union = " UNION ".join(b.pairs_sql(features_table) for b in blocks)
    return f"SELECT count(*) AS n_comparisons FROM ({union})"
