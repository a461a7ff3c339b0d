"""Who was seen with what: resolved mentions and their objects and addresses (SQL builders).

Intermediate tables that feed the edges:

- ``_link_mention``: every staged person mention with its resolved ``person_id``, role,
  event type and date, and provenance (force, file, row, handling code, classification).
- ``_link_sighting``: one row per (person, object, record) — a person seen with a phone,
  email, vehicle, partner account, payer or address on a record. Objects come from
  ``staged_object``, addresses from ``staged_location``, and phones, emails and addresses
  also from the mention's own columns. An object recorded on an event but on no mention (a
  missing episode's found-at address, a payment's payer reference) belongs to the persons
  holding the event type's roles in :data:`toex.link.config.DEFAULT_EVENT_OBJECT_ROLES`.
  Objects recorded together on an event with no person at all (an advert's account, phone and
  email) vouch for each other one hop: a person seen with one is seen with the others,
  through that event (never through a hub).

Objects are keyed by their normalised value, addresses by :func:`address_key_sql`. Whether
an object is a hub is judged here, on direct sightings (:func:`hub_status_sql`).
"""

from __future__ import annotations

from toex.link.config import LinkConfig
from toex.link.steps import Step, sql_literal, values_sql

PROVENANCE_COLUMNS: tuple[str, ...] = (
    "force",
    "source_file",
    "source_row",
    "source_record_id",
    "handling_code",
    "classification",
)
"""Provenance carried from a staged row to every piece of link evidence."""

_PREFIXES = r"^\s*(FLAT|APARTMENT|APT|UNIT|ROOM)\s+[A-Z0-9]+\s*,?\s*"


def address_key_sql(address: str, postcode: str) -> str:
    """SQL expression keying an address: ``postcode|house number`` where both are known.

    Without a house number the key falls back to the first 24 letters and digits of the
    address after the postcode; without a postcode, to ``NOPC|`` and the first 40 letters and
    digits of the whole address. A postcode alone (about 15 addresses) is not a key: rows with
    no address text get a null key and link nobody.
    """
    upper = f"upper({address})"
    stripped = f"regexp_replace({upper}, '{_PREFIXES}', '')"
    pattern = "(^|[^A-Z0-9])([0-9]+[A-Z]?)([^A-Z0-9]|$)"
    number = f"nullif(regexp_extract({stripped}, '{pattern}', 2), '')"
    alnum = f"regexp_replace({upper}, '[^A-Z0-9]', '', 'g')"
    return (
        f"CASE WHEN nullif(trim({address}), '') IS NULL THEN NULL "
        f"WHEN nullif(trim({postcode}), '') IS NOT NULL THEN "
        f"upper(trim({postcode})) || '|' || coalesce({number}, left({alnum}, 24)) "
        f"ELSE 'NOPC|' || left({alnum}, 40) END"
    )


def _prov(alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in PROVENANCE_COLUMNS)


def mention_sql() -> Step:
    """``_link_mention``: resolved mentions with role, event type, date and provenance."""
    sql = f"""
SELECT m.mention_id, r.person_id, m.event_id, m.role, e.event_type,
       coalesce(e.occurred_from, e.reported_date) AS event_date, {_prov("m")}
FROM staged_person_mention AS m
JOIN resolved_mention_person AS r ON r.mention_id = m.mention_id
LEFT JOIN staged_event AS e ON e.event_id = m.event_id
"""
    return Step(sql, "_link_mention")


def event_roles_sql(config: LinkConfig) -> str:
    """A VALUES relation ``(event_type, role)`` of roles that own an event's objects."""
    rows = [
        f"({sql_literal(et)}, {sql_literal(role)})"
        for et, roles in sorted(config.event_object_roles.items())
        for role in roles
    ]
    if not rows:
        return "SELECT NULL::VARCHAR AS event_type, NULL::VARCHAR AS role WHERE FALSE"
    return f"SELECT * FROM (VALUES {', '.join(rows)}) AS t(event_type, role)"


def object_keys_sql() -> Step:
    """``_link_object``: every object and address sighting on a record, keyed.

    Columns: object_type, object_key, object_value, mention_id, event_id and provenance.
    ``mention_id`` is null for objects recorded on the event only. Phones, emails, vehicles,
    accounts and payers are keyed by their normalised value (as resolve keys them);
    addresses by :func:`address_key_sql`.
    """
    loc_key = address_key_sql("l.address_raw", "l.postcode")
    men_key = address_key_sql("m.address_raw", "m.postcode")
    loc_value = "trim(l.address_raw) || coalesce(', ' || l.postcode, '')"
    men_value = "trim(m.address_raw) || coalesce(', ' || m.postcode, '')"
    sql = f"""
WITH recorded AS (
    SELECT o.object_type, o.value AS object_key, o.value AS object_value, o.mention_id,
           o.event_id, {_prov("o")}
    FROM staged_object AS o
    WHERE o.value IS NOT NULL AND trim(o.value) <> ''
    UNION ALL
    SELECT * FROM (
        SELECT 'address', {loc_key} AS k, {loc_value}, l.mention_id, l.event_id, {_prov("l")}
        FROM staged_location AS l WHERE nullif(trim(l.address_raw), '') IS NOT NULL
    ) WHERE k IS NOT NULL
),
on_mention AS (
    SELECT 'phone' AS object_type, m.phone AS object_key, m.phone AS object_value,
           m.mention_id, m.event_id, {_prov("m")}
    FROM staged_person_mention AS m WHERE m.phone IS NOT NULL AND trim(m.phone) <> ''
    UNION ALL
    SELECT 'email', m.email, m.email, m.mention_id, m.event_id, {_prov("m")}
    FROM staged_person_mention AS m WHERE m.email IS NOT NULL AND trim(m.email) <> ''
    UNION ALL
    SELECT * FROM (
        SELECT 'address', {men_key} AS k, {men_value}, m.mention_id, m.event_id, {_prov("m")}
        FROM staged_person_mention AS m WHERE nullif(trim(m.address_raw), '') IS NOT NULL
    ) WHERE k IS NOT NULL
)
SELECT * FROM recorded
UNION ALL  -- a mention's own columns, unless ingest also staged them as objects/locations
SELECT c.* FROM on_mention AS c
WHERE NOT EXISTS (
    SELECT 1 FROM recorded AS r
    WHERE r.mention_id = c.mention_id AND r.object_type = c.object_type
      AND r.object_key = c.object_key
)
"""
    return Step(sql, "_link_object")


_SIGHTING_COLUMNS = (
    "person_id, object_type, object_key, object_value, mention_id, event_id, "
    "event_type, role, event_date, via, " + ", ".join(PROVENANCE_COLUMNS)
)


def direct_sighting_sql(config: LinkConfig) -> Step:
    """``_link_direct``: objects on a person's own mention, or on an event where the person
    holds one of the roles that own the event's objects."""
    sql = f"""
WITH roles AS ({event_roles_sql(config)})
SELECT {_SIGHTING_COLUMNS} FROM (
    SELECT m.person_id, o.object_type, o.object_key, o.object_value, o.mention_id,
           coalesce(o.event_id, m.event_id) AS event_id, m.event_type, m.role, m.event_date,
           'mention' AS via, {_prov("o")}
    FROM _link_object AS o JOIN _link_mention AS m ON m.mention_id = o.mention_id
    UNION ALL
    SELECT m.person_id, o.object_type, o.object_key, o.object_value, m.mention_id,
           o.event_id, m.event_type, m.role, m.event_date, 'event_role' AS via, {_prov("o")}
    FROM _link_object AS o
    JOIN _link_mention AS m ON m.event_id = o.event_id
    JOIN roles AS r ON r.event_type = m.event_type AND r.role = m.role
    WHERE o.mention_id IS NULL
)
"""
    return Step(sql, "_link_direct")


def hub_status_sql(config: LinkConfig) -> Step:
    """``_link_hub_status``: whether each object is a hub, judged on its direct sightings.

    A hub is a listed placeholder value, or an object directly seen with more persons than its
    type's threshold. Sightings inferred through a personless event never make a hub (and are
    never inferred from or to one), so a controller's phone on many adverts stays a link.
    """
    thresholds = values_sql(sorted(config.hub_thresholds.items()), "object_type, threshold")
    placeholders = ", ".join(sql_literal(p) for p in config.placeholders) or "NULL"
    sql = f"""
WITH s AS (
    SELECT object_type, object_key, count(DISTINCT person_id) AS n_persons_direct,
           bool_or(object_key IN ({placeholders}) OR object_value IN ({placeholders}))
               AS is_placeholder
    FROM _link_direct GROUP BY object_type, object_key
)
SELECT s.*, coalesce(t.threshold, 10) AS threshold,
       (s.is_placeholder OR s.n_persons_direct > coalesce(t.threshold, 10)) AS hub
FROM s LEFT JOIN ({thresholds}) AS t ON t.object_type = s.object_type
"""
    return Step(sql, "_link_hub_status")


def sighting_sql() -> Step:
    """``_link_sighting``: direct sightings, plus those inferred through personless events.

    Objects recorded together on an event with no person (an advert's account and phone)
    vouch for each other one hop: a person directly seen with one is seen with the others,
    through that event, unless either is a hub.
    """
    sql = f"""
WITH hubs AS (SELECT object_type, object_key FROM _link_hub_status WHERE hub),
personless AS (
    SELECT o.*, e.event_type, coalesce(e.occurred_from, e.reported_date) AS event_date
    FROM _link_object AS o LEFT JOIN staged_event AS e ON e.event_id = o.event_id
    WHERE o.mention_id IS NULL AND o.event_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM _link_mention AS m WHERE m.event_id = o.event_id)
      AND NOT EXISTS (SELECT 1 FROM hubs AS h WHERE h.object_type = o.object_type
                      AND h.object_key = o.object_key)
),
through_event AS (
    SELECT d.person_id, b.object_type, b.object_key, b.object_value, NULL::VARCHAR AS mention_id,
           b.event_id, b.event_type, NULL::VARCHAR AS role, b.event_date,
           'co_object:' || a.object_type || ':' || a.object_value AS via, {_prov("b")}
    FROM personless AS a
    JOIN personless AS b ON b.event_id = a.event_id
         AND (b.object_type <> a.object_type OR b.object_key <> a.object_key)
    JOIN (SELECT DISTINCT person_id, object_type, object_key FROM _link_direct) AS d
         ON d.object_type = a.object_type AND d.object_key = a.object_key
)
SELECT {_SIGHTING_COLUMNS} FROM _link_direct
UNION ALL  -- never overlapping: 'via' differs
SELECT DISTINCT {_SIGHTING_COLUMNS} FROM through_event
"""
    return Step(sql, "_link_sighting", drop=("_link_direct", "_link_object"))
