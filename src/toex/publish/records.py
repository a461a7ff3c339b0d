"""Access tables of a snapshot's packs: which records and persons a scope may show, marked.

A *record* is an event with the person mentions on it: it is in a pack's scope when the
event and every mention on it are, and its marking is the highest of theirs. A *person* may
appear (with anything computed over their records: scores, reasons, counts) only when every
record naming them is in scope. The tables are scope-independent (built once per snapshot
connection, shared by every pack); :func:`visible_sql` applies a scope. Pure ``*_sql``
builders returning steps; :func:`run_temp` materialises them as temporary tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from toex.assess.config import AssessConfig
from toex.assess.harm import crime_sql
from toex.assess.sql_steps import Step, raw_connection
from toex.model import Classification
from toex.ops.access import AccessScope
from toex.publish.scope import in_list_values, marking_rank_sql

RECORD = "pub__record"
PERSON = "pub__person"
CRIME = "pub__crime"


def record_access_sql() -> Step:
    """One row per event (scope-independent): every force, handling code and the highest
    classification rank over the event and the mentions on it (missing values kept as '' so
    that no scope permits them)."""
    sql = f"""
SELECT e.event_id, e.force, e.event_type,
  greatest({marking_rank_sql("e.classification")},
           coalesce(max({marking_rank_sql("m.classification")})
                    FILTER (WHERE m.mention_id IS NOT NULL), 0)) AS mrank,
  list_sort(list_distinct(list_concat([coalesce(e.force, '')],
            list(coalesce(m.force, '')) FILTER (WHERE m.mention_id IS NOT NULL)))) AS forces,
  list_sort(list_distinct(list_concat([coalesce(e.handling_code, '')],
            list(coalesce(m.handling_code, '')) FILTER (WHERE m.mention_id IS NOT NULL))))
    AS handling
FROM staged_event AS e
LEFT JOIN staged_person_mention AS m ON m.event_id = e.event_id
GROUP BY e.event_id, e.force, e.event_type, e.classification, e.handling_code"""
    return {"sql": sql, "output_table_name": RECORD}


def person_access_sql() -> Step:
    """One row per resolved person (scope-independent): the forces, handling codes and
    highest classification rank over every record naming them."""
    sql = f"""
WITH per_mention AS (
  SELECT mp.person_id,
    greatest({marking_rank_sql("m.classification")}, coalesce(r.mrank, 0)) AS mrank,
    coalesce(r.forces, [coalesce(m.force, '')]) AS forces,
    coalesce(r.handling, [coalesce(m.handling_code, '')]) AS handling
  FROM resolved_mention_person AS mp
  JOIN staged_person_mention AS m USING (mention_id)
  LEFT JOIN {RECORD} AS r ON r.event_id = m.event_id)
SELECT person_id, max(mrank) AS mrank,
  list_sort(list_distinct(flatten(list(forces)))) AS forces,
  list_sort(list_distinct(flatten(list(handling)))) AS handling
FROM per_mention GROUP BY person_id"""
    return {"sql": sql, "output_table_name": PERSON}


def visible_sql(scope: AccessScope, alias: str) -> str:
    """SQL true when every record behind the row aliased ``alias`` (a row of
    :data:`RECORD` or :data:`PERSON`) is in ``scope``: its forces and handling codes all
    covered, its highest classification within the clearance. Equivalent to checking each
    record with :func:`toex.publish.scope.permitted_sql`, without rescanning them."""
    if scope.empty:
        return "FALSE"
    forces = "[" + ", ".join(f"'{f}'" for f in in_list_values(scope.forces)) + "]"
    codes = "[" + ", ".join(f"'{c}'" for c in in_list_values(scope.handling_codes)) + "]"
    top = max(Classification(c).rank for c in scope.classifications)
    return (
        f"(list_has_all({forces}, {alias}.forces) AND list_has_all({codes}, {alias}.handling) "
        f"AND {alias}.mrank <= {top})"
    )


def crime_classification_sql(cfg: AssessConfig, as_of: dt.date) -> Step:
    """Crimes up to ``as_of`` with the assess stage's harm and VAWG classification (the
    same builder the stage ran), kept as this pack's temporary table."""
    step = crime_sql(cfg, as_of)
    return {"sql": step["sql"], "output_table_name": CRIME}


def access_steps(cfg: AssessConfig, as_of: dt.date) -> list[Step]:
    """The access tables and the crime classification every pack of a snapshot reads."""
    return [record_access_sql(), person_access_sql(), crime_classification_sql(cfg, as_of)]


def run_temp(con: Any, steps: list[Step]) -> None:
    """Materialise each step as a temporary table (the snapshot itself is read-only)."""
    raw = raw_connection(con)
    for step in steps:
        raw.execute(f"CREATE OR REPLACE TEMP TABLE {step['output_table_name']} AS {step['sql']}")


def drop_temp(con: Any) -> None:
    """Drop this module's temporary tables (a connection can then build another pack)."""
    raw = raw_connection(con)
    for name in (RECORD, PERSON, CRIME):
        raw.execute(f"DROP TABLE IF EXISTS temp.{name}")
