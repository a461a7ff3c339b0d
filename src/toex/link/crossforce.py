"""The cross-force link report: what spans forces, and what is new since the previous run.

``link_crossforce`` has one row per

- ``network``: a component or community whose records are held by two or more forces;
- ``person``: a resolved person with records in two or more forces;
- ``link``: a pair of persons whose linking records are held by two or more forces (a link
  no single force could see).

``status`` compares with the previous run's report: ``new`` (absent before), ``extended``
(seen before, now in more forces; ``new_forces`` lists them) or ``unchanged``. Network IDs are
stable across runs (:mod:`toex.link.networks`), so a network that grew keeps its ID and shows
as ``extended``.
"""

from __future__ import annotations

from toex.config import Catalogue
from toex.link.scale import force_region_sql, scale_case_sql
from toex.link.steps import Step

KINDS: tuple[str, ...] = ("network", "person", "link")


def crossforce_sql(catalogue: Catalogue, previous_table: str | None) -> Step:
    """``link_crossforce`` from this run's link tables and the previous run's report.

    ``previous_table`` names the previous ``link_crossforce`` (e.g. ``prev.link_crossforce``)
    or is None on a first run (everything is then ``new``).
    """
    if previous_table is None:
        prev = (
            "SELECT NULL::VARCHAR AS kind, NULL::VARCHAR AS id, NULL::VARCHAR AS level, "
            "NULL::VARCHAR[] AS forces WHERE FALSE"
        )
    else:
        prev = f"SELECT kind, id, level, forces FROM {previous_table}"
    scale = scale_case_sql("n_forces", "n_regions", "international")
    sql = f"""
WITH fr AS ({force_region_sql(catalogue)}),
net AS (
    SELECT 'network' AS kind, network_id AS id, level, NULL::VARCHAR AS person_a,
           NULL::VARCHAR AS person_b, NULL::VARCHAR[] AS edge_types, n_members, forces,
           n_forces, regions, n_regions, international, first_activity AS first_date,
           last_activity AS last_date, principal_person_ids
    FROM link_network WHERE n_forces >= 2
),
pf AS (
    SELECT m.person_id, m.force, fr.region, min(m.event_date) AS first_date,
           max(m.event_date) AS last_date
    FROM _link_mention AS m JOIN fr ON fr.force = m.force
    GROUP BY m.person_id, m.force, fr.region
),
person AS (
    SELECT 'person' AS kind, pf.person_id AS id, NULL::VARCHAR AS level,
           NULL::VARCHAR AS person_a, NULL::VARCHAR AS person_b, NULL::VARCHAR[] AS edge_types,
           1::BIGINT AS n_members, list_sort(list(pf.force)) AS forces,
           count(*) AS n_forces, list_sort(list_distinct(list(pf.region))) AS regions,
           len(list_distinct(list(pf.region))) AS n_regions, FALSE AS international,
           min(pf.first_date) AS first_date, max(pf.last_date) AS last_date,
           NULL::VARCHAR[] AS principal_person_ids
    FROM pf GROUP BY pf.person_id HAVING count(*) >= 2
),
pair_force AS (
    SELECT DISTINCT x.person_a, x.person_b, x.force
    FROM link_edge_evidence AS x JOIN fr ON fr.force = x.force
    WHERE NOT x.hub
),
multi AS (  -- only pairs seen by two or more forces go further
    SELECT person_a, person_b FROM pair_force
    GROUP BY person_a, person_b HAVING count(*) >= 2
),
lk AS (
    SELECT x.person_a, x.person_b, x.force, any_value(fr.region) AS region,
           list_distinct(list(x.edge_type)) AS edge_types, min(x.event_date) AS first_date,
           max(x.event_date) AS last_date
    FROM link_edge_evidence AS x
    SEMI JOIN multi AS m ON m.person_a = x.person_a AND m.person_b = x.person_b
    JOIN fr ON fr.force = x.force
    WHERE NOT x.hub
    GROUP BY x.person_a, x.person_b, x.force
),
link AS (
    SELECT 'link' AS kind, lk.person_a || '|' || lk.person_b AS id, NULL::VARCHAR AS level,
           lk.person_a, lk.person_b,
           list_sort(list_distinct(flatten(list(lk.edge_types)))) AS edge_types,
           2::BIGINT AS n_members, list_sort(list(lk.force)) AS forces,
           count(*) AS n_forces, list_sort(list_distinct(list(lk.region))) AS regions,
           len(list_distinct(list(lk.region))) AS n_regions, FALSE AS international,
           min(lk.first_date) AS first_date, max(lk.last_date) AS last_date,
           NULL::VARCHAR[] AS principal_person_ids
    FROM lk GROUP BY lk.person_a, lk.person_b
),
cur AS (SELECT * FROM net UNION ALL SELECT * FROM person UNION ALL SELECT * FROM link),
prev AS ({prev})
SELECT c.kind, c.id, c.level, c.person_a, c.person_b, c.edge_types, c.n_members, c.forces,
       c.n_forces, c.regions, c.n_regions, {scale} AS geographic_scale,
       c.first_date, c.last_date, c.principal_person_ids,
       CASE WHEN p.id IS NULL THEN 'new'
            WHEN len(list_filter(c.forces, lambda f: NOT list_contains(p.forces, f))) > 0
                THEN 'extended'
            ELSE 'unchanged' END AS status,
       CASE WHEN p.id IS NULL THEN c.forces
            ELSE list_filter(c.forces, lambda f: NOT list_contains(p.forces, f)) END
           AS new_forces
FROM cur AS c
LEFT JOIN prev AS p ON p.kind = c.kind AND p.id = c.id
     AND coalesce(p.level, '') = coalesce(c.level, '')
ORDER BY CASE c.kind WHEN 'network' THEN 0 WHEN 'link' THEN 1 ELSE 2 END,
         c.n_forces DESC, c.n_members DESC, c.id
"""
    return Step(sql, "link_crossforce")
