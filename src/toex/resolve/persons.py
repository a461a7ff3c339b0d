"""Summaries written to the warehouse after clustering: resolved persons and objects.

SQL builders over warehouse tables (``staged_*`` and ``resolved_mention_person``); the
stage runs them on the snapshot connection.
"""

from __future__ import annotations


def resolved_person_sql(
    mention_person: str = "resolved_mention_person",
    mentions: str = "staged_person_mention",
    events: str = "staged_event",
) -> str:
    """SQL of ``resolved_person``: the commonest identity values and where/when seen.

    Ties between equally common values go to the smallest value, so reruns agree.
    """

    def mode(col: str, where: str = "TRUE") -> str:
        return f"""(SELECT person_id, {col} AS v FROM (
                SELECT mp.person_id, m.{col}, row_number() OVER (
                    PARTITION BY mp.person_id ORDER BY count(*) DESC, m.{col}) AS rk
                FROM {mention_person} mp JOIN {mentions} m USING (mention_id)
                WHERE m.{col} IS NOT NULL AND {where}
                GROUP BY mp.person_id, m.{col}) WHERE rk = 1)"""

    real_name = "m.{c} NOT IN ('UNKNOWN', 'NK', 'N K', 'NOT KNOWN')"
    return f"""
        WITH base AS (
            SELECT mp.person_id, count(*) AS n_mentions,
                   count(DISTINCT m.force) AS n_forces,
                   string_agg(DISTINCT m.force, ',' ORDER BY m.force) AS forces,
                   min(coalesce(e.occurred_from, e.reported_date)) AS first_seen,
                   max(coalesce(e.occurred_from, e.reported_date)) AS last_seen
            FROM {mention_person} mp JOIN {mentions} m USING (mention_id)
            LEFT JOIN {events} e ON e.event_id = m.event_id
            GROUP BY mp.person_id)
        SELECT b.person_id, fn.v AS forename, sn.v AS surname, d.v AS dob, g.v AS gender,
               p.v AS pnc_id, b.n_mentions, b.n_forces, b.forces, b.first_seen, b.last_seen
        FROM base b
        LEFT JOIN {mode("forename", real_name.format(c="forename"))} fn USING (person_id)
        LEFT JOIN {mode("surname", real_name.format(c="surname"))} sn USING (person_id)
        LEFT JOIN {mode("dob", "m.dob NOT IN (DATE '1900-01-01', DATE '1970-01-01')")} d
          USING (person_id)
        LEFT JOIN {mode("gender", "m.gender IN ('M', 'F')")} g USING (person_id)
        LEFT JOIN {mode("pnc_id")} p USING (person_id)
        ORDER BY b.person_id
    """


def address_key_sql(address: str, postcode: str) -> str:
    """SQL normalising an address to a key: ``POSTCODE | ADDRESS WORDS`` (upper case,
    punctuation dropped, spaces collapsed); the postcode alone when no address is given."""
    words = (
        f"trim(regexp_replace(regexp_replace(upper(coalesce({address}, '')), "
        f"'[^A-Z0-9 ]', ' ', 'g'), ' +', ' ', 'g'))"
    )
    return (
        f"CASE WHEN {postcode} IS NULL AND {words} = '' THEN NULL "
        f"ELSE coalesce({postcode}, '') || ' | ' || {words} END"
    )


def object_sightings_sql(
    mention_person: str = "resolved_mention_person",
    objects: str = "staged_object",
    locations: str = "staged_location",
) -> str:
    """SQL of ``resolved_object_sighting``: every object and location sighting keyed."""
    key = address_key_sql("l.address_raw", "l.postcode")
    return f"""
        SELECT o.object_id AS sighting_id, o.object_type || ':' || o.value AS object_key,
               o.mention_id, mp.person_id, o.event_id, o.relation
        FROM {objects} o LEFT JOIN {mention_person} mp USING (mention_id)
        WHERE o.value IS NOT NULL
        UNION ALL
        SELECT l.location_id, 'address:' || {key}, l.mention_id, mp.person_id, l.event_id,
               l.relation
        FROM {locations} l LEFT JOIN {mention_person} mp USING (mention_id)
        WHERE {key} IS NOT NULL
    """


def resolved_object_sql(
    sightings: str = "resolved_object_sighting", placeholders: str = "resolved_placeholder"
) -> str:
    """SQL of ``resolved_object``: one row per key, flagged when a placeholder."""
    return f"""
        SELECT s.object_key, split_part(s.object_key, ':', 1) AS object_type,
               substr(s.object_key, strpos(s.object_key, ':') + 1) AS value,
               count(*) AS n_sightings, count(DISTINCT s.person_id) AS n_persons,
               bool_or(p.value IS NOT NULL) AS placeholder
        FROM {sightings} s
        LEFT JOIN {placeholders} p
          ON p.column_name = split_part(s.object_key, ':', 1)
         AND p.value = substr(s.object_key, strpos(s.object_key, ':') + 1)
        GROUP BY s.object_key ORDER BY s.object_key
    """
