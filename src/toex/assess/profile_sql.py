"""SQL shared by the missing-person and ViSOR profiles (pure builders, DuckDB dialect).

Phrase matching with negation, the normalised code lists as ``CASE`` expressions, the SOC
persons (suspects of SOC-coded crimes, members of networks holding one, top-ranked priority
perpetrators), each person's home postcodes and phones, and the markings of a set of records.
Intermediate tables share the ``assess__pf_`` prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from toex.assess.sql_steps import Step, sql_literal
from toex.model.profile_codes import key_sql

PREFIX = "assess__pf_"
SOC_PERSON = f"{PREFIX}soc_person"
HOME = f"{PREFIX}home"
PHONE = f"{PREFIX}object"
PERSON_EVENT = f"{PREFIX}person_event"
FORCE_POSTCODE = f"{PREFIX}force_postcode"
FORCE_REGION = f"{PREFIX}force_region"
OFFENCE = f"{PREFIX}offence"
EDGE = f"{PREFIX}edge"


def code_case_sql(column: str, spellings: Mapping[str, StrEnum]) -> str:
    """CASE expression: the enum value a source spelling of ``column`` means (NULL if not)."""
    arms = " ".join(
        f"WHEN {sql_literal(k)} THEN {sql_literal(v.value)}" for k, v in sorted(spellings.items())
    )
    return f"(CASE {key_sql(column)} {arms} ELSE NULL END)"


def phrase_pattern(phrases: Iterable[str]) -> str:
    """A regular expression matching any phrase as whole words (case already lowered)."""
    alts = sorted({re.escape(p.lower().strip()) for p in phrases if p.strip()}, key=len)
    return r"\b(" + "|".join(reversed(alts)) + r")\b" if alts else r"$^"


def phrase_hit_sql(text: str, phrases: Iterable[str], negations: Iterable[str]) -> str:
    """Boolean SQL: some sentence of ``text`` holds a phrase not negated in that sentence.

    A phrase is negated when a negation word comes before it in the same sentence, at most
    40 characters earlier ("no evidence of county lines", "denies being at a trap house")."""
    phrase = phrase_pattern(phrases)
    neg = phrase_pattern(negations)
    sentences = f"string_split_regex(lower(coalesce({text}, '')), '[.;!?\\n]+')"
    return (
        f"len(list_filter({sentences}, s -> regexp_matches(s, {sql_literal(phrase)}) "
        f"AND NOT regexp_matches(s, {sql_literal(neg + '[^.;]{0,40}' + phrase)}))) > 0"
    )


def person_event_sql(mention_person: str) -> Step:
    """Every (person, event, role) of the resolved persons, with the mention's force."""
    sql = f"""
SELECT mp.person_id, m.mention_id, m.event_id, m.role, m.age_at_event, m.dob, m.dob_year,
       m.postcode, m.phone
FROM {mention_person} AS mp JOIN staged_person_mention AS m USING (mention_id)
WHERE m.event_id IS NOT NULL"""
    return {"sql": sql, "output_table_name": PERSON_EVENT}


def home_sql(mention_person: str, max_persons: int) -> Step:
    """Each person's home postcodes: on his mentions and his mentions' home locations; a
    postcode more than ``max_persons`` people give (a hostel, a placeholder) is left out."""
    sql = f"""
WITH h AS (
  SELECT mp.person_id, m.postcode, m.event_id
  FROM {mention_person} AS mp JOIN staged_person_mention AS m USING (mention_id)
  WHERE m.postcode IS NOT NULL
  UNION
  SELECT mp.person_id, l.postcode, l.event_id
  FROM {mention_person} AS mp JOIN staged_location AS l USING (mention_id)
  WHERE l.relation = 'home' AND l.postcode IS NOT NULL)
SELECT * FROM h WHERE postcode IN (
  SELECT postcode FROM h GROUP BY postcode
  HAVING count(DISTINCT person_id) <= {int(max_persons)})"""
    return {"sql": sql, "output_table_name": HOME}


def object_sql(mention_person: str) -> Step:
    """Each person's phones and vehicles; values the link stage found to be hubs (shared by
    too many people, or placeholders) are left out."""
    sql = f"""
SELECT DISTINCT mp.person_id, o.object_type, o.value, o.event_id
FROM {mention_person} AS mp JOIN staged_object AS o USING (mention_id)
WHERE o.object_type IN ('phone', 'vehicle') AND o.value IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM link_hub AS h
                  WHERE h.object_type = o.object_type AND h.object_key = o.value)"""
    return {"sql": sql, "output_table_name": PHONE}


def edge_sql() -> Step:
    """Person-to-person links of the link stage that do not run through a hub only."""
    sql = """
SELECT person_a AS person_id, person_b AS other_id, edge_type, event_ids FROM link_edge
WHERE NOT coalesce(hub_only, FALSE)
UNION ALL
SELECT person_b, person_a, edge_type, event_ids FROM link_edge
WHERE NOT coalesce(hub_only, FALSE)"""
    return {"sql": sql, "output_table_name": EDGE}


def soc_person_sql(soc_codes: Iterable[str], priority_top: int) -> Step:
    """SOC persons and why: ``suspect`` of a SOC-coded crime (the crime), ``network``
    member of a community holding such a suspect, ``priority`` perpetrator ranked within
    ``priority_top`` in a force. One row per (person, kind, event)."""
    codes = ", ".join(sql_literal(c) for c in soc_codes) or "NULL"
    sql = f"""
WITH suspect AS (
  SELECT DISTINCT pe.person_id, 'suspect' AS kind, pe.event_id, '' AS network_id
  FROM {PERSON_EVENT} AS pe JOIN staged_event AS e USING (event_id)
  WHERE pe.role = 'suspect' AND e.event_type = 'crime' AND e.offence_code IN ({codes})),
nets AS (
  SELECT DISTINCT nm.network_id FROM link_network_member AS nm
  JOIN suspect AS s ON s.person_id = nm.person_id
  WHERE nm.level = 'community'),
network AS (
  SELECT DISTINCT nm.person_id, 'network' AS kind, s.event_id, nm.network_id
  FROM link_network_member AS nm JOIN nets USING (network_id)
  JOIN link_network_member AS sm ON sm.network_id = nm.network_id AND sm.level = 'community'
  JOIN suspect AS s ON s.person_id = sm.person_id
  WHERE nm.level = 'community'),
priority AS (
  SELECT DISTINCT r.person_id, 'priority' AS kind, '' AS event_id, '' AS network_id
  FROM assess_perpetrator_rank AS r
  WHERE r.area_type = 'force' AND r.rank <= {int(priority_top)})
SELECT * FROM suspect UNION ALL SELECT * FROM network UNION ALL SELECT * FROM priority"""
    return {"sql": sql, "output_table_name": SOC_PERSON}


def marks_sql(records: str, key: str = "person_id") -> str:
    """SELECT of the distinct markings per ``key`` of ``records`` (a relation with ``key``
    and ``event_id``); every record is looked up in ``staged_event``."""
    return f"""
SELECT r.{key},
  list(DISTINCT coalesce(e.force, '') ORDER BY coalesce(e.force, '')) AS mark_forces,
  list(DISTINCT coalesce(e.handling_code, '') ORDER BY coalesce(e.handling_code, ''))
    AS mark_codes,
  list(DISTINCT coalesce(e.classification, '') ORDER BY coalesce(e.classification, ''))
    AS mark_classes
FROM {records} AS r JOIN staged_event AS e ON e.event_id = r.event_id
GROUP BY r.{key}"""


def rank_sql(scored: str, area_col: str, area_type: str, order: str) -> str:
    """SELECT of ranks per area of ``scored`` (person_id, score, ``area_col``)."""
    return f"""
SELECT '{area_type}' AS area_type, {area_col} AS area, person_id, score,
  row_number() OVER (PARTITION BY {area_col} ORDER BY {order}) AS rank,
  count(*) OVER (PARTITION BY {area_col}) AS n_ranked
FROM {scored} WHERE {area_col} IS NOT NULL"""
