"""Networks: components and communities of the person graph, their IDs, members and profile.

:func:`compute_vertices` runs the graph algorithms (:mod:`toex.link.graph`) and returns one
row per linked person; the SQL builders then give each network a stable ID and a profile:

- ``link_network_member``: (network_id, level, person_id, rank, score), ``level`` being
  ``component`` (connected component) or ``community`` (Leiden community, inside one component);
- ``link_centrality``: per person, degree, strength, betweenness, eigenvector and the
  combined score and rank within its component and its community;
- ``link_network``: per network, members, forces and regions spanned, geographic scale,
  offence types, total harm, first and last activity, principal individuals.

Network IDs are stable across runs: a network takes the ID of the previous run's network of
the same level it overlaps most, when that one also overlaps it most; otherwise it gets a new
ID hashed from its members (the same members always give the same ID).
"""

from __future__ import annotations

import pyarrow as pa

from toex.config import Catalogue
from toex.link.config import LinkConfig
from toex.link.graph import (
    build_graph,
    centrality,
    centrality_score,
    communities,
    community_centrality,
    components,
    rank_within,
)
from toex.link.scale import force_region_sql, overseas_phone_sql, scale_case_sql
from toex.link.steps import Step, sql_literal

LEVELS: tuple[str, ...] = ("component", "community")


def network_edges_sql(config: LinkConfig) -> str:
    """SQL for the pairs that form networks.

    Weights of a pair's non-hub-only edges are summed; the pair is kept when the sum is at
    least ``min_network_weight`` and at least one of its edges is of a type not listed in
    ``context_edge_types``.
    """
    context = ", ".join(sql_literal(t) for t in config.context_edge_types) or "NULL"
    return (
        "SELECT person_a, person_b, sum(weight) AS weight FROM link_edge "
        "WHERE NOT hub_only GROUP BY person_a, person_b "
        f"HAVING sum(weight) >= {float(config.min_network_weight)} "
        f"AND bool_or(edge_type NOT IN ({context})) "
        "ORDER BY person_a, person_b"
    )


def compute_vertices(edges: pa.Table, config: LinkConfig) -> pa.Table:
    """Per linked person: component and community labels and centrality (an Arrow table).

    ``edges`` has columns person_a, person_b, weight. Labels are integers local to this run
    (0 the largest); :func:`network_id_sql` turns them into network IDs.
    """
    pg = build_graph(
        edges.column("person_a"),
        edges.column("person_b"),
        edges.column("weight").to_numpy(),
    )
    comp = components(pg.graph)
    comm = communities(pg.graph, comp, config)
    cent = centrality(pg.graph, comp, config)
    inner = community_centrality(pg.graph, comm, config)
    score_comp = centrality_score(cent, comp)
    score_comm = centrality_score(inner, comm)
    return pa.table(
        {
            "person_id": pa.array(pg.names, pa.string()),
            "component_key": pa.array(comp, pa.int64()),
            "community_key": pa.array(comm, pa.int64()),
            "degree": pa.array(cent.degree, pa.int64()),
            "strength": pa.array(cent.strength, pa.float64()),
            "betweenness": pa.array(cent.betweenness, pa.float64()),
            "betweenness_exact": pa.array(cent.betweenness_exact, pa.bool_()),
            "eigenvector": pa.array(cent.eigenvector, pa.float64()),
            "score_component": pa.array(score_comp, pa.float64()),
            "rank_component": pa.array(rank_within(score_comp, comp), pa.int64()),
            "score_community": pa.array(score_comm, pa.float64()),
            "rank_community": pa.array(rank_within(score_comm, comm), pa.int64()),
        }
    )


def network_id_sql(previous_member_table: str | None) -> Step:
    """``_link_network_id``: (level, key, network_id) for the vertices in ``_link_vertex``.

    ``previous_member_table`` names the previous run's ``link_network_member`` (e.g.
    ``prev.link_network_member``), or None on a first run.
    """
    cur = """
cur AS (
    SELECT 'component' AS level, component_key AS key, person_id FROM _link_vertex
    UNION ALL
    SELECT 'community', community_key, person_id FROM _link_vertex
),
fresh AS (
    SELECT level, key,
           CASE level WHEN 'component' THEN 'N' ELSE 'M' END || left(md5(level || ':' ||
               string_agg(person_id, ',' ORDER BY person_id)), 15) AS fresh_id
    FROM cur GROUP BY level, key
)"""
    if previous_member_table is None:
        return Step(
            f"WITH {cur}\nSELECT level, key, fresh_id AS network_id FROM fresh", "_link_network_id"
        )
    sql = f"""
WITH {cur},
ov AS (
    SELECT c.level, c.key, p.network_id, count(*) AS overlap
    FROM cur AS c JOIN {previous_member_table} AS p
         ON p.level = c.level AND p.person_id = c.person_id
    GROUP BY c.level, c.key, p.network_id
),
best AS (
    SELECT *,
        row_number() OVER (PARTITION BY level, key ORDER BY overlap DESC, network_id) AS rk_new,
        row_number() OVER (PARTITION BY level, network_id ORDER BY overlap DESC, key) AS rk_old
    FROM ov
)
SELECT f.level, f.key, coalesce(b.network_id, f.fresh_id) AS network_id
FROM fresh AS f
LEFT JOIN best AS b ON b.level = f.level AND b.key = f.key AND b.rk_new = 1 AND b.rk_old = 1
"""
    return Step(sql, "_link_network_id")


def member_sql() -> list[Step]:
    """``link_centrality`` and ``link_network_member`` from ``_link_vertex`` and network IDs."""
    centrality_sql = """
SELECT v.person_id, c.network_id AS component_id, m.network_id AS community_id,
       v.degree, round(v.strength, 6) AS strength, round(v.betweenness, 6) AS betweenness,
       v.betweenness_exact, round(v.eigenvector, 9) AS eigenvector,
       v.score_component, v.rank_component, v.score_community, v.rank_community
FROM _link_vertex AS v
JOIN _link_network_id AS c ON c.level = 'component' AND c.key = v.component_key
JOIN _link_network_id AS m ON m.level = 'community' AND m.key = v.community_key
ORDER BY v.person_id
"""
    members = """
SELECT component_id AS network_id, 'component' AS level, person_id,
       rank_component AS rank, score_component AS score
FROM link_centrality
UNION ALL
SELECT community_id, 'community', person_id, rank_community, score_community
FROM link_centrality
ORDER BY level, network_id, rank
"""
    return [Step(centrality_sql, "link_centrality"), Step(members, "link_network_member")]


def person_facts_sql(config: LinkConfig) -> list[Step]:
    """Per-pair and per-person facts the network profiles roll up (computed once).

    ``_link_pair_fact``: per linked pair, the forces of its non-hub evidence and the overseas
    phones it shares; ``_link_person_fact``: per person, its forces (all records and
    offender-side ones), first and last event; ``_link_person_crime``: the crimes it is a
    suspect on.
    """
    roles = ", ".join(sql_literal(r) for r in config.footprint_roles) or "NULL"
    pair = f"""
SELECT person_a, person_b, list(DISTINCT force) AS forces,
       list(DISTINCT object_value) FILTER (WHERE object_type = 'phone'
           AND {overseas_phone_sql("object_value")}) AS overseas_phones
FROM link_edge_evidence WHERE NOT hub
GROUP BY person_a, person_b
"""
    person = f"""
SELECT person_id, list(DISTINCT force) AS member_forces,
       list(DISTINCT force) FILTER (WHERE role IN ({roles})) AS footprint_forces,
       min(event_date) AS first_date, max(event_date) AS last_date
FROM _link_mention
WHERE person_id IN (SELECT person_id FROM link_centrality)
GROUP BY person_id
"""
    crime = """
SELECT DISTINCT m.person_id, m.event_id, e.offence_code
FROM _link_mention AS m JOIN staged_event AS e ON e.event_id = m.event_id
WHERE m.event_type = 'crime' AND m.role = 'suspect'
  AND m.person_id IN (SELECT person_id FROM link_centrality)
"""
    return [
        Step(pair, "_link_pair_fact"),
        Step(person, "_link_person_fact"),
        Step(crime, "_link_person_crime"),
    ]


def network_sql(catalogue: Catalogue, config: LinkConfig, harm: dict[str, float]) -> Step:
    """``link_network``: one row per component and community with its profile.

    Forces and regions are those of the records that make the network (the evidence of its
    edges between members) and of the records where a member plays an offender-side role
    (``footprint_roles``: suspect, intelligence subject, detainee, ViSOR registrant);
    ``member_forces`` lists every force holding any record of a member, victims included.
    Offences and harm are the crimes a member is a suspect on; harm is the sum of the harm
    table's days over those distinct crimes. Activity dates span the members' events. Reads
    the facts of :func:`person_facts_sql`.
    """
    harm_rows = ", ".join(
        f"({sql_literal(code)}, {float(days)})" for code, days in sorted(harm.items())
    )
    harm_rel = (
        f"SELECT * FROM (VALUES {harm_rows}) AS t(offence_code, days)"
        if harm_rows
        else "SELECT NULL::VARCHAR AS offence_code, NULL::DOUBLE AS days WHERE FALSE"
    )
    default = float(config.harm_default_days)
    top = int(config.top_principals)
    scale = scale_case_sql("len(i.forces)", "len(i.regions)", "len(i.overseas) > 0")
    sql = f"""
WITH fr AS ({force_region_sql(catalogue)}),
mem AS (SELECT network_id, level, person_id, rank FROM link_network_member),
pairs AS (
    SELECT a.network_id, p.forces, p.overseas_phones
    FROM _link_pair_fact AS p
    JOIN mem AS a ON a.person_id = p.person_a
    JOIN mem AS b ON b.person_id = p.person_b AND b.network_id = a.network_id
),
pair_stats AS (
    SELECT network_id, count(*) AS n_edges,
           list_distinct(flatten(list(forces))) AS forces,
           list_sort(list_distinct(flatten(list(overseas_phones)))) AS overseas
    FROM pairs GROUP BY network_id
),
member_stats AS (
    SELECT m.network_id, list_distinct(flatten(list(p.member_forces))) AS member_forces,
           list_distinct(flatten(list(p.footprint_forces))) AS footprint_forces,
           min(p.first_date) AS first_activity, max(p.last_date) AS last_activity
    FROM mem AS m JOIN _link_person_fact AS p USING (person_id)
    GROUP BY m.network_id
),
net_force AS (
    SELECT network_id, unnest(list_concat(coalesce(ps.forces, []),
                                          coalesce(ms.footprint_forces, []))) AS force
    FROM member_stats AS ms LEFT JOIN pair_stats AS ps USING (network_id)
),
net_forces AS (
    SELECT n.network_id, list_sort(list_distinct(list(n.force))) AS forces,
           list_sort(list_distinct(list(fr.region))) AS regions
    FROM net_force AS n JOIN fr ON fr.force = n.force
    GROUP BY n.network_id
),
crimes AS (
    SELECT DISTINCT m.network_id, c.event_id, c.offence_code
    FROM mem AS m JOIN _link_person_crime AS c USING (person_id)
),
crime_stats AS (
    SELECT c.network_id, count(*) AS n_crimes,
           list_sort(list_distinct(list(c.offence_code))) AS offence_codes,
           sum(CASE WHEN c.offence_code IS NULL THEN 0
                    ELSE coalesce(h.days, {default}) END) AS total_harm
    FROM crimes AS c LEFT JOIN ({harm_rel}) AS h ON h.offence_code = c.offence_code
    GROUP BY c.network_id
),
base AS (
    SELECT network_id, any_value(level) AS level, count(*) AS n_members,
           list(person_id ORDER BY rank) FILTER (WHERE rank <= {top}) AS principals
    FROM mem GROUP BY network_id
),
parent AS (  -- community IDs ('M...') never equal component IDs ('N...')
    SELECT DISTINCT community_id AS network_id, component_id AS parent_network_id
    FROM link_centrality
),
joined AS (
    SELECT b.*, pr.parent_network_id, ps.n_edges, coalesce(f.forces, []) AS forces,
           coalesce(f.regions, []) AS regions, coalesce(ps.overseas, []) AS overseas,
           list_sort(ms.member_forces) AS member_forces, ms.first_activity, ms.last_activity,
           cs.n_crimes, cs.offence_codes, cs.total_harm
    FROM base AS b
    LEFT JOIN pair_stats AS ps USING (network_id)
    LEFT JOIN net_forces AS f USING (network_id)
    LEFT JOIN member_stats AS ms USING (network_id)
    LEFT JOIN crime_stats AS cs USING (network_id)
    LEFT JOIN parent AS pr USING (network_id)
)
SELECT i.network_id, i.level, i.parent_network_id, i.n_members,
       coalesce(i.n_edges, 0) AS n_edges, i.forces AS forces, len(i.forces) AS n_forces,
       i.regions AS regions, len(i.regions) AS n_regions,
       len(i.overseas) > 0 AS international, i.overseas AS international_evidence,
       {scale} AS geographic_scale,
       i.member_forces, coalesce(i.offence_codes, []) AS offence_codes,
       coalesce(i.n_crimes, 0) AS n_crimes, round(coalesce(i.total_harm, 0), 3) AS total_harm,
       i.first_activity, i.last_activity, i.principals AS principal_person_ids
FROM joined AS i
ORDER BY i.level, i.n_members DESC, i.network_id
"""
    return Step(sql, "link_network")
