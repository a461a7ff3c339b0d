"""SQL of erasure: find what a target names in a snapshot, and delete tombstoned rows.

Pure builders returning ``(sql, params)`` or statement lists; :mod:`toex.datadir.erase` runs
them. A source record is identified by its ``raw_record.record_key`` (force, system, file
kind, record id); its rows in the staged tables and their histories are those with its force,
system and record id. A person mention is identified by its ``mention_id``; its objects and
locations hang off that id.
"""

from __future__ import annotations

from toex.model.tables import STAGED_TABLES

#: Temporary tables the deletions read: tombstoned record keys and mention ids.
RECORD_KEYS = "erase_record_keys"
MENTION_IDS = "erase_mention_ids"
RECORDS = "erase_records"  # (force, source_system, source_record_id) of tombstoned records

#: Staged tables whose rows hang off a person mention.
MENTION_TABLES = ("staged_person_mention", "staged_object", "staged_location")


def person_mentions_sql(person_id: str) -> tuple[str, list[object]]:
    """The mention ids resolved to ``person_id``."""
    return (
        "SELECT DISTINCT mention_id FROM resolved_mention_person WHERE person_id = ? "
        "ORDER BY mention_id",
        [person_id],
    )


def record_keys_sql(
    source_system: str, record_id: str, force: str | None
) -> tuple[str, list[object]]:
    """``(record_key, force, mapping)`` of the source records with this system and id."""
    sql = (
        "SELECT DISTINCT record_key, force, mapping FROM raw_record "
        "WHERE source_system = ? AND source_record_id = ?"
    )
    params: list[object] = [source_system, record_id]
    if force is not None:
        sql += " AND force = ?"
        params.append(force)
    return sql + " ORDER BY force, mapping", params


def event_dependents_sql(have: set[str]) -> str | None:
    """Record keys of the other records whose rows hang off the events of the records in
    ``$keys`` (the people, objects and places named on an erased crime by their own
    person-on-crime records); ``None`` when the snapshot has no events."""
    if not {"raw_record", "staged_event"} <= have:
        return None
    hanging = " UNION ".join(
        f"SELECT force, source_system, source_record_id, record_hash FROM {t} "
        "WHERE event_id IN (SELECT event_id FROM ev)"
        for t in MENTION_TABLES
        if t in have
    )
    if not hanging:
        return None
    return (
        "WITH t AS (SELECT force, source_system, source_record_id FROM raw_record "
        "WHERE list_contains($keys, record_key)), "
        "ev AS (SELECT DISTINCT e.event_id FROM staged_event e "
        "JOIN t USING (force, source_system, source_record_id)), "
        f"h AS ({hanging}) "
        "SELECT DISTINCT r.record_key FROM raw_record r "
        "JOIN h USING (force, source_system, source_record_id, record_hash) "
        "WHERE NOT list_contains($keys, r.record_key) ORDER BY 1"
    )


def delete_records_sql(have: set[str]) -> list[str]:
    """Delete every row of the tombstoned records (``RECORD_KEYS``) from the staged tables,
    their histories and ``raw_record``; only tables in ``have`` are touched."""
    if "raw_record" not in have:
        return []
    out = [
        f"CREATE OR REPLACE TEMP TABLE {RECORDS} AS SELECT DISTINCT r.force, r.source_system, "
        f"r.source_record_id FROM raw_record r JOIN {RECORD_KEYS} k USING (record_key)"
    ]
    on = (
        "t.force = o.force AND t.source_system = o.source_system "
        "AND t.source_record_id = o.source_record_id"
    )
    for spec in STAGED_TABLES:
        for name in (spec.name, f"{spec.name}_history"):
            if name in have:
                out.append(f"DELETE FROM {name} t USING {RECORDS} o WHERE {on}")
    out.append(f"DELETE FROM raw_record WHERE record_key IN (SELECT record_key FROM {RECORD_KEYS})")
    return out


def delete_mentions_sql(have: set[str]) -> list[str]:
    """Delete the tombstoned mentions (``MENTION_IDS``) with their objects and locations,
    current rows and history."""
    out = []
    for table in MENTION_TABLES:
        for name in (table, f"{table}_history"):
            if name in have:
                out.append(
                    f"DELETE FROM {name} WHERE mention_id IN (SELECT mention_id FROM {MENTION_IDS})"
                )
    return out
