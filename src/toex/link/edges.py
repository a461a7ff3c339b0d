"""Typed, dated, sourced edges between resolved persons, and hub objects (SQL builders).

Edge types (:data:`toex.link.config.EDGE_TYPES`):

- ``co_offending``: two suspects on the same crime;
- ``victim_offender``: a suspect and a victim on the same crime;
- ``intel_associate``: a subject and an associate (or two subjects) on an intelligence report;
- ``shared_phone`` / ``shared_email`` / ``shared_address`` / ``shared_vehicle`` /
  ``shared_account`` / ``shared_payer``: two persons seen with the same object.

``link_edge_evidence`` holds one row per source record behind an edge, grouped in evidence
units (``unit_key``: ``event:<id>`` or ``<object_type>:<key>``); ``link_edge`` aggregates it
per (person_a, person_b, edge_type) with ``person_a < person_b``. The weight formula is in
:mod:`toex.link.config`.

Hubs: an object directly seen with more persons than its type's threshold, or a known
placeholder value, is a hub (:func:`toex.link.sightings.hub_status_sql`). It is listed in
``link_hub`` (with counts) and its members in ``link_hub_member``; its pairwise evidence is
down-weighted by ``hub_factor`` and marked ``hub``; an edge made only of hub evidence is
``hub_only`` and is not used to form networks.
Hubs with more than ``hub_max_pairs_persons`` persons produce no pairwise evidence at all
(recorded as ``pairs_emitted = false``).
"""

from __future__ import annotations

import datetime as dt

from toex.link.config import OBJECT_EDGE_TYPES, LinkConfig
from toex.link.sightings import (
    PROVENANCE_COLUMNS,
    direct_sighting_sql,
    hub_status_sql,
    mention_sql,
    object_keys_sql,
    sighting_sql,
)
from toex.link.steps import PARTITION_MARK, Step, values_sql

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "person_a",
    "person_b",
    "edge_type",
    "unit_key",
    "hub",
    "hub_factor",
    "person_id",
    "mention_id",
    "event_id",
    "event_type",
    "role",
    "event_date",
    "object_type",
    "object_value",
    *PROVENANCE_COLUMNS,
)
"""Columns of ``link_edge_evidence`` in order."""

CLASSIFICATION_RANK_SQL = (
    "CASE {col} WHEN 'TOP SECRET' THEN 3 WHEN 'SECRET' THEN 2 "
    "WHEN 'OFFICIAL-SENSITIVE' THEN 1 ELSE 0 END"
)
_RANK_TO_CLASSIFICATION = (
    "CASE {col} WHEN 3 THEN 'TOP SECRET' WHEN 2 THEN 'SECRET' "
    "WHEN 1 THEN 'OFFICIAL-SENSITIVE' ELSE 'OFFICIAL' END"
)


def object_stats_sql(config: LinkConfig) -> Step:
    """``_link_object_stats``: per object, its persons and hub status.

    ``hub_factor`` is ``threshold / n_persons`` for a hub (at most 0.1 for a placeholder)
    and 1 otherwise; ``pairs_emitted`` is false above ``hub_max_pairs_persons``.
    """
    sql = f"""
WITH s AS (
    SELECT object_type, object_key, count(*) AS n_persons
    FROM (SELECT DISTINCT object_type, object_key, person_id FROM _link_sighting)
    GROUP BY object_type, object_key
)
SELECT s.*, coalesce(h.is_placeholder, FALSE) AS is_placeholder,
       coalesce(h.threshold, 10) AS threshold, coalesce(h.hub, FALSE) AS hub,
       CASE WHEN coalesce(h.is_placeholder, FALSE)
                THEN least(0.1, h.threshold / greatest(s.n_persons, 1))
            WHEN coalesce(h.hub, FALSE) THEN least(1.0, h.threshold / s.n_persons)
            ELSE 1.0 END::DOUBLE AS hub_factor,
       (s.n_persons <= {int(config.hub_max_pairs_persons)}) AS pairs_emitted
FROM s LEFT JOIN _link_hub_status AS h USING (object_type, object_key)
"""
    return Step(sql, "_link_object_stats")


def hub_sql() -> list[Step]:
    """``link_hub`` and ``link_hub_member``: every hub object with its counts and members."""
    hub = """
WITH h AS (SELECT * FROM _link_object_stats WHERE hub),
s AS (
    SELECT x.object_type, x.object_key,
           count(DISTINCT (x.force, x.source_file, x.source_row)) AS n_records,
           count(DISTINCT x.force) AS n_forces, list_sort(list_distinct(list(x.force))) AS forces,
           min(x.object_value) AS example_value, min(x.event_date) AS first_date,
           max(x.event_date) AS last_date
    FROM _link_sighting AS x JOIN h USING (object_type, object_key)
    GROUP BY x.object_type, x.object_key
)
SELECT h.object_type, h.object_key, s.example_value, h.n_persons, s.n_records, s.n_forces,
       s.forces, s.first_date, s.last_date, h.is_placeholder, h.threshold, h.hub_factor,
       h.pairs_emitted,
       CASE WHEN h.is_placeholder THEN 'placeholder value'
            ELSE 'shared by ' || h.n_persons || ' persons (threshold ' || h.threshold || ')'
       END AS reason
FROM h JOIN s USING (object_type, object_key)
ORDER BY h.n_persons DESC, h.object_type, h.object_key
"""
    member = """
SELECT s.object_type, s.object_key, s.person_id,
       count(DISTINCT (s.force, s.source_file, s.source_row)) AS n_records,
       list_sort(list_distinct(list(s.force))) AS forces,
       min(s.event_date) AS first_date, max(s.event_date) AS last_date
FROM _link_sighting AS s
JOIN link_hub AS h ON h.object_type = s.object_type AND h.object_key = s.object_key
GROUP BY s.object_type, s.object_key, s.person_id
ORDER BY s.object_type, s.object_key, s.person_id
"""
    return [Step(hub, "link_hub"), Step(member, "link_hub_member")]


def _evidence_select(
    pair: str,
    edge_type: str,
    unit_key: str,
    hub: str,
    hub_factor: str,
    src: str,
    object_type: str,
    object_value: str,
) -> str:
    prov = ", ".join(f"{src}.{c}" for c in PROVENANCE_COLUMNS)
    return (
        f"SELECT least({pair}.pa, {pair}.pb) AS person_a, greatest({pair}.pa, {pair}.pb) "
        f"AS person_b, {edge_type} AS edge_type, {unit_key} AS unit_key, {hub} AS hub, "
        f"{hub_factor} AS hub_factor, {src}.person_id, {src}.mention_id, {src}.event_id, "
        f"{src}.event_type, {src}.role, {src}.event_date, {object_type} AS object_type, "
        f"{object_value} AS object_value, {prov}"
    )


def event_evidence_sql() -> Step:
    """``_link_event_evidence``: evidence rows of co-offending, victim-offender and intel edges.

    Each pair of mentions on one event gives two rows, one per mention.
    """
    cols = "mention_id, person_id, event_id"
    pairs = f"""
WITH m AS (SELECT * FROM _link_mention WHERE event_id IS NOT NULL),
s AS (SELECT {cols} FROM m WHERE event_type = 'crime' AND role = 'suspect'),
v AS (SELECT {cols} FROM m WHERE event_type = 'crime' AND role = 'victim'),
i_s AS (SELECT {cols} FROM m WHERE event_type = 'intelligence' AND role = 'subject'),
i_a AS (SELECT {cols} FROM m WHERE event_type = 'intelligence' AND role = 'associate'),
pairs AS (
    SELECT 'co_offending' AS edge_type, a.event_id, a.person_id AS pa, b.person_id AS pb,
           a.mention_id AS ma, b.mention_id AS mb
    FROM s AS a JOIN s AS b ON a.event_id = b.event_id AND a.person_id < b.person_id
    UNION ALL
    SELECT 'victim_offender', a.event_id, a.person_id, b.person_id, a.mention_id, b.mention_id
    FROM s AS a JOIN v AS b ON a.event_id = b.event_id AND a.person_id <> b.person_id
    UNION ALL
    SELECT 'intel_associate', a.event_id, a.person_id, b.person_id, a.mention_id, b.mention_id
    FROM i_s AS a JOIN i_a AS b ON a.event_id = b.event_id AND a.person_id <> b.person_id
    UNION ALL
    SELECT 'intel_associate', a.event_id, a.person_id, b.person_id, a.mention_id, b.mention_id
    FROM i_s AS a JOIN i_s AS b ON a.event_id = b.event_id AND a.person_id < b.person_id
)
"""
    parts = []
    for side in ("ma", "mb"):
        parts.append(
            _evidence_select(
                "p",
                "p.edge_type",
                "'event:' || p.event_id",
                "FALSE",
                "1.0::DOUBLE",
                "x",
                "NULL::VARCHAR",
                "NULL::VARCHAR",
            )
            + f" FROM pairs AS p JOIN _link_mention AS x ON x.mention_id = p.{side}"
        )
    sql = pairs + "SELECT DISTINCT * FROM (\n" + "\nUNION ALL\n".join(parts) + "\n)"
    return Step(sql, "_link_event_evidence")


def object_evidence_sql() -> Step:
    """``_link_object_evidence``: evidence rows of shared-object edges.

    For each pair of persons seen with one object, every sighting of it by either person is
    a row. Objects over ``hub_max_pairs_persons`` persons are skipped (they stay in
    ``link_hub``).
    """
    types = values_sql(sorted(OBJECT_EDGE_TYPES.items()), "object_type, edge_type")
    sql = f"""
WITH keep AS (
    SELECT object_type, object_key, hub, hub_factor FROM _link_object_stats
    WHERE n_persons >= 2 AND pairs_emitted
),
ps AS (
    SELECT DISTINCT s.object_type, s.object_key, s.person_id
    FROM _link_sighting AS s JOIN keep AS k USING (object_type, object_key)
),
pairs AS (
    SELECT a.object_type, a.object_key, a.person_id AS pa, b.person_id AS pb
    FROM ps AS a JOIN ps AS b ON a.object_type = b.object_type
         AND a.object_key = b.object_key AND a.person_id < b.person_id
),
side AS (
    SELECT p.object_type, p.object_key, p.pa, p.pb, p.pa AS person_id FROM pairs AS p
    UNION ALL
    SELECT p.object_type, p.object_key, p.pa, p.pb, p.pb AS person_id FROM pairs AS p
)
{
        _evidence_select(
            "d",
            "t.edge_type",
            "d.object_type || ':' || d.object_key",
            "k.hub",
            "k.hub_factor",
            "x",
            "x.object_type",
            "x.object_value",
        )
    }
FROM side AS d
JOIN keep AS k ON k.object_type = d.object_type AND k.object_key = d.object_key
JOIN ({types}) AS t ON t.object_type = d.object_type
JOIN _link_sighting AS x ON x.object_type = d.object_type AND x.object_key = d.object_key
     AND x.person_id = d.person_id
"""
    return Step(sql, "_link_object_evidence")


def evidence_sql() -> Step:
    """``link_edge_evidence``: the union of event and object evidence, in one statement."""
    cols = ", ".join(EVIDENCE_COLUMNS)
    sql = f"""
SELECT {cols} FROM (
{event_evidence_sql().sql}
)
UNION ALL
SELECT {cols} FROM (
{object_evidence_sql().sql}
)
"""
    return Step(
        sql, "link_edge_evidence", drop=("_link_sighting", "_link_object_stats", "_link_hub_status")
    )


def edge_sql(config: LinkConfig, reference_date: dt.date) -> Step:
    """``link_edge``: one row per (person_a, person_b, edge_type) with weight and evidence.

    Weight = sum over units of base[type] * 2^(-age/half_life) * hub_factor, age in days
    from ``reference_date`` to the unit's latest record (never negative; an undated unit
    counts as one half-life old).
    """
    bases = values_sql(sorted(config.base_weights.items()), "edge_type, base")
    h = float(config.half_life_days)
    ref = f"DATE '{reference_date.isoformat()}'"
    rank = CLASSIFICATION_RANK_SQL.format(col="classification")
    sql = f"""
WITH u AS (
    SELECT person_a, person_b, edge_type, unit_key, bool_or(hub) AS hub,
           max(hub_factor) AS hub_factor, min(event_date) AS first_date,
           max(event_date) AS last_date
    FROM link_edge_evidence WHERE {PARTITION_MARK}
    GROUP BY person_a, person_b, edge_type, unit_key
),
w AS (
    SELECT u.*, b.base * pow(2.0, -(CASE WHEN u.last_date IS NULL THEN {h}
                                         ELSE greatest(date_diff('day', u.last_date, {ref}), 0)
                                         END) / {h}) * u.hub_factor AS unit_weight
    FROM u JOIN ({bases}) AS b ON b.edge_type = u.edge_type
),
agg AS (
    SELECT person_a, person_b, edge_type, sum(unit_weight) AS weight, count(*) AS n_units,
           bool_and(hub) AS hub_only, min(first_date) AS first_date,
           max(last_date) AS last_date
    FROM w GROUP BY person_a, person_b, edge_type
),
ev AS (
    SELECT person_a, person_b, edge_type,
           count(DISTINCT (force, source_file, source_row)) AS n_records,
           list_sort(list_distinct(list(event_id))) AS event_ids,
           list_sort(list_distinct(list(object_value))) AS object_values,
           list_sort(list_distinct(list(force))) AS forces,
           list_sort(list_distinct(list(handling_code))) AS handling_codes,
           max({rank}) AS classification_rank
    FROM link_edge_evidence WHERE {PARTITION_MARK}
    GROUP BY person_a, person_b, edge_type
)
SELECT agg.person_a, agg.person_b, agg.edge_type, round(agg.weight, 6) AS weight,
       agg.first_date, agg.last_date, ev.n_records, agg.n_units, agg.hub_only,
       ev.event_ids, ev.object_values, ev.forces,
       ev.handling_codes,
       {_RANK_TO_CLASSIFICATION.format(col="ev.classification_rank")} AS classification
FROM agg JOIN ev USING (person_a, person_b, edge_type)
"""
    return Step(sql, "link_edge", partition_key="person_a", partitions=config.sql_partitions)


def reference_date_sql() -> str:
    """SQL for the default reference date: the latest event date in ``staged_event``."""
    return "SELECT max(coalesce(occurred_from, reported_date)) FROM staged_event"


def edge_steps(config: LinkConfig, reference_date: dt.date) -> list[Step]:
    """Every step from staged and resolved tables to ``link_edge`` and the hub tables."""
    return [
        mention_sql(),
        object_keys_sql(),
        direct_sighting_sql(config),
        hub_status_sql(config),
        sighting_sql(),
        object_stats_sql(config),
        *hub_sql(),
        evidence_sql(),
        edge_sql(config, reference_date),
    ]
