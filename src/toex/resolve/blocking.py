"""Blocking rules of the person model (pure), and the SQL measuring their recall and cost.

Prediction rules are OR-ed: a pair is scored when any rule holds. Each rule is a
:class:`Block`: equality on some feature columns, where an array column is *exploded* (one
key per element: two mentions meet when their arrays share an element). The same
definition builds the Splink rule and the SQL of the pairs to score
(:func:`blocked_pairs_sql`, which the run registers with Splink instead of letting Splink
block), whose recall against truth :func:`toex.resolve.evaluate.blocking_report` measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator


@dataclass(frozen=True)
class Block:
    """One blocking rule: equality on ``columns``; those also in ``explode`` are arrays
    that meet when they share an element. With a ``cap``, a key held by more than ``cap``
    mentions generates no pairs (its pairs, ``cap`` squared over 2 or more, are left to the
    other rules), so the rule's cost grows linearly with the data."""

    columns: tuple[str, ...]
    explode: tuple[str, ...] = ()
    cap: int | None = None

    def rule(self) -> BlockingRuleCreator:
        """The Splink blocking rule."""
        return block_on(*self.columns, arrays_to_explode=list(self.explode) or None)

    def keys_sql(self, features: str, id_column: str = "mention_id") -> str:
        """SQL of ``id_column`` and the rule's key columns (arrays exploded, null keys
        dropped, keys over the cap dropped)."""
        cols = ", ".join(f"unnest({c}) AS {c}" if c in self.explode else c for c in self.columns)
        known = " AND ".join(f"{c} IS NOT NULL" for c in self.columns)
        keyed = f"SELECT DISTINCT * FROM (SELECT {id_column}, {cols} FROM {features}) WHERE {known}"
        if self.cap is None:
            return keyed
        by = ", ".join(self.columns)
        counted = f"SELECT *, count(*) OVER (PARTITION BY {by}) AS n_key FROM ({keyed})"
        return f"SELECT {id_column}, {by} FROM ({counted}) WHERE n_key <= {int(self.cap)}"

    def pairs_sql(
        self,
        features: str,
        id_column: str = "mention_id",
        keys: str | None = None,
        part: tuple[int, int] | None = None,
    ) -> str:
        """SQL of the ``mention_id_l < mention_id_r`` pairs the rule generates (values of
        ``id_column``). ``keys`` names a table already holding :meth:`keys_sql` (else it is
        computed inline); with ``part`` ``(n, i)``, only the pairs whose left mention's
        ``id_column`` (an integer) is ``i`` modulo ``n``."""
        keyed = keys if keys is not None else f"({self.keys_sql(features, id_column)})"
        on = " AND ".join(f"l.{c} = r.{c}" for c in self.columns)
        return (
            f"SELECT DISTINCT l.{id_column} AS mention_id_l, r.{id_column} AS mention_id_r "
            f"FROM {keyed} l JOIN {keyed} r ON {on} AND l.{id_column} < r.{id_column}"
            f"{_part_filter(f'l.{id_column}', part)}"
        )

    def pair_count_sql(self, keys: str) -> str:
        """SQL of ``n``: the pairs the rule generates from a :meth:`keys_sql` table
        ``keys``, counted per key without building them (an upper bound on the pairs it
        adds to the union: other rules may generate the same)."""
        by = ", ".join(self.columns)
        return (
            "SELECT CAST(coalesce(sum(k * (k - 1) / 2), 0) AS BIGINT) AS n FROM "
            f"(SELECT count(*) AS k FROM {keys} GROUP BY {by})"
        )


def _part_filter(column: str, part: tuple[int, int] | None) -> str:
    """`` WHERE column % n = i`` for ``part`` ``(n, i)`` (nothing for one part)."""
    if part is None:
        return ""
    n, i = part
    if n < 1 or not 0 <= i < n:
        raise ValueError(f"slice {i} of {n} does not exist")
    return "" if n == 1 else f" WHERE {column} % {int(n)} = {int(i)}"


PERSON_BLOCKS: tuple[Block, ...] = (
    Block(("name_bag",), cap=200),
    Block(("name_tokens", "dob"), ("name_tokens",)),
    Block(("forename_groups", "surname_dm"), ("forename_groups",), cap=100),
    Block(("pnc_id",)),
    Block(("cro_number",)),
    Block(("phone",)),
    Block(("email",)),
    Block(("dob", "police_force"), cap=50),
    Block(("surname", "police_force"), cap=100),
    Block(("postcode",)),
    Block(("forename_groups", "surname_prefix"), ("forename_groups",), cap=100),
    Block(("surname_dm", "dob_month", "dob_day"), cap=50),
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


def block_keys_sql(features_table: str, blocks: Sequence[Block]) -> str:
    """SQL of the narrow table :func:`blocked_pairs_sql` reads with ``keyed=True``: every
    mention's ``mention_key`` (its rank by ``mention_id``, an integer), ``mention_id``
    and the columns the blocks key on."""
    cols = sorted({c for b in blocks for c in b.columns})
    return (
        "SELECT CAST(row_number() OVER (ORDER BY mention_id) AS BIGINT) AS mention_key, "
        f"mention_id, {', '.join(cols)} FROM {features_table}"
    )


def blocked_pairs_sql(
    features_table: str,
    blocks: Sequence[Block],
    keyed: bool = False,
    part: tuple[int, int] | None = None,
    key_tables: Sequence[str] | None = None,
) -> str:
    """SQL of the pairs to score, as Splink's blocked-pairs table: ``match_key`` (the index
    of the first block generating the pair), ``join_key_l``, ``join_key_r`` (mention IDs,
    left < right). Each block is an equi-join on narrow key tables, so this is much cheaper
    than Splink's own blocking, which re-tests every earlier rule on each candidate pair.

    With ``keyed``, ``features_table`` is a :func:`block_keys_sql` table: the joins and the
    deduplication of the pairs run on the integer ``mention_key`` (which orders as
    ``mention_id`` does) and the IDs are joined back once at the end; on the small set a
    quarter less CPU, and the deduplication holds two integers per pair instead of two
    strings. Keyed, ``key_tables`` may name one table per block already holding its
    :meth:`Block.keys_sql` on ``mention_key`` (:func:`rule_keys_sql`), and ``part``
    ``(n, i)`` keeps the pairs whose left mention's key is ``i`` modulo ``n``: a run builds
    and scores the pairs slice by slice (every pair in exactly one slice), so no table of
    every pair is ever built, deduplicated or rescanned."""
    if not keyed and (part is not None or key_tables is not None):
        raise ValueError("slices and key tables need the keyed form")
    ident = "mention_key" if keyed else "mention_id"
    tables = list(key_tables) if key_tables is not None else [None] * len(blocks)
    if len(tables) != len(blocks):
        raise ValueError("one key table per block")
    union = " UNION ALL ".join(
        f"SELECT {i} AS block, * FROM ({b.pairs_sql(features_table, ident, t, part)})"
        for i, (b, t) in enumerate(zip(blocks, tables, strict=True))
    )
    pairs = (
        f"SELECT CAST(min(block) AS VARCHAR) AS match_key, mention_id_l AS join_key_l, "
        f"mention_id_r AS join_key_r FROM ({union}) GROUP BY mention_id_l, mention_id_r"
    )
    if not keyed:
        return pairs
    return (
        f"SELECT p.match_key, l.mention_id AS join_key_l, r.mention_id AS join_key_r "
        f"FROM ({pairs}) p JOIN {features_table} l ON l.mention_key = p.join_key_l "
        f"JOIN {features_table} r ON r.mention_key = p.join_key_r"
    )


def rule_keys_sql(keys_table: str, block: Block) -> str:
    """SQL of one block's keys (capped) on ``mention_key`` from a :func:`block_keys_sql`
    table, to be materialised once and read by every slice (``key_tables`` of
    :func:`blocked_pairs_sql`)."""
    return block.keys_sql(keys_table, "mention_key")
