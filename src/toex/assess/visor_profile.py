"""The ViSOR force profile: pure SQL builders (DuckDB dialect).

Per ViSOR registration (force and resolved registrant): MAPPA category and level and RoSH
normalised across spellings, registration date, and activity since registration: crimes as
suspect (sexual or VAWG ones, child victims), intelligence naming him, children on records
with him, an address or phone shared with a missing child or a SOC suspect, breaches; a
score, the rank in the force, a reason naming the records, and the markings behind the row.
Runs after the missing-person steps (it reads their episodes). No step reads nationality or
ethnicity.
"""

from __future__ import annotations

import datetime as dt

from toex.assess.misper_profile import FOUND, PERSON
from toex.assess.profile_config import ProfilesConfig
from toex.assess.profile_sql import (
    FORCE_REGION,
    HOME,
    OFFENCE,
    PERSON_EVENT,
    PHONE,
    SOC_PERSON,
    code_case_sql,
    marks_sql,
    phrase_hit_sql,
)
from toex.assess.sql_steps import Step, sql_literal
from toex.model.profile_codes import (
    MAPPA_CATEGORY_SPELLINGS,
    MAPPA_LEVEL_SPELLINGS,
    ROSH_SPELLINGS,
)

VISOR_TABLE = "assess_visor"
REG = "assess__vs_reg"
ACT = "assess__vs_act"
OTHER_KINDS = (
    "child_victim",
    "child_contact",
    "missing_contact",
    "missing_shared",
    "network_shared",
)
ORDER = "score DESC, n_sexual_since DESC, n_crimes_since DESC, person_id, reference"
KIND_WORDS = {
    "crime": "crimes as suspect since registration",
    "sexual": "sexual or VAWG crimes",
    "child_victim": "child victims",
    "intel": "intelligence reports naming him",
    "child_contact": "children on records with him",
    "missing_contact": "missing children on records with him",
    "missing_shared": "address or phone shared with a missing child",
    "network_shared": "address or phone shared with a SOC suspect",
    "breach": "records of a breach",
}


def registration_sql(mention_person: str) -> Step:
    """Each ViSOR registration with its resolved registrant and normalised codes."""
    sql = f"""
SELECT e.event_id, e.force, e.reference, e.source_file, e.source_row, mp.person_id,
  e.occurred_from AS registered, e.offence_code AS index_offence,
  e.mappa_category AS category_raw,
  {code_case_sql("e.mappa_category", MAPPA_CATEGORY_SPELLINGS)} AS mappa_category,
  e.mappa_level AS level_raw,
  {code_case_sql("e.mappa_level", MAPPA_LEVEL_SPELLINGS)} AS mappa_level,
  e.risk_level AS rosh_raw, {code_case_sql("e.risk_level", ROSH_SPELLINGS)} AS rosh
FROM staged_event AS e
JOIN staged_person_mention AS m ON m.event_id = e.event_id AND m.role = 'registrant'
JOIN {mention_person} AS mp ON mp.mention_id = m.mention_id
WHERE e.event_type = 'visor'"""
    return {"sql": sql, "output_table_name": REG}


def activity_sql(cfg: ProfilesConfig, as_of: dt.date) -> Step:
    """One row per (registration, kind, record, other person) of activity since it."""
    child = int(cfg.misper.child_age)
    breach = phrase_hit_sql("e.text", cfg.visor.breach_words, cfg.misper.negations)
    sql = f"""
WITH reg AS (SELECT event_id AS reg_id, person_id, registered FROM {REG}),
since AS (
  SELECT r.reg_id, pe.person_id, pe.role, e.event_id, e.event_type, e.offence_code, e.text,
    coalesce(e.occurred_from, e.reported_date) AS occurred
  FROM reg AS r JOIN {PERSON_EVENT} AS pe USING (person_id)
  JOIN staged_event AS e ON e.event_id = pe.event_id
  WHERE e.event_type NOT IN ('visor', 'custody')
    AND coalesce(e.occurred_from, e.reported_date) >= r.registered
    AND coalesce(e.occurred_from, e.reported_date) <= {sql_literal(as_of)}),
others AS (
  SELECT s.reg_id, s.event_id, o.person_id AS other_id, o.role,
    coalesce(o.age_at_event, CASE WHEN o.dob IS NOT NULL THEN date_sub('year', o.dob, s.occurred)
             END, year(s.occurred) - o.dob_year) AS age
  FROM since AS s JOIN {PERSON_EVENT} AS o ON o.event_id = s.event_id
  WHERE o.person_id <> s.person_id AND o.role NOT IN ('oic', 'reporting')),
places AS (
  SELECT person_id, postcode, event_id FROM {HOME} WHERE person_id IN (SELECT person_id FROM reg)),
phones AS (
  SELECT * FROM {PHONE} WHERE person_id IN (SELECT person_id FROM reg)),
missing AS (SELECT person_id FROM {PERSON} WHERE child_known)
SELECT reg_id, 'crime' AS kind, event_id, NULL AS other_id FROM since
WHERE event_type = 'crime' AND role = 'suspect'
UNION ALL
SELECT s.reg_id, 'sexual', s.event_id, NULL FROM since AS s
JOIN {OFFENCE} AS o ON o.code = s.offence_code
WHERE s.event_type = 'crime' AND s.role = 'suspect' AND (o.sexual OR o.vawg)
UNION ALL
SELECT o.reg_id, 'child_victim', o.event_id, o.other_id FROM others AS o
JOIN since AS s ON s.reg_id = o.reg_id AND s.event_id = o.event_id
WHERE s.event_type = 'crime' AND s.role = 'suspect' AND o.role = 'victim' AND o.age < {child}
UNION ALL
SELECT reg_id, 'intel', event_id, NULL FROM since WHERE event_type = 'intelligence'
UNION ALL
SELECT reg_id, 'child_contact', event_id, other_id FROM others WHERE age < {child}
UNION ALL
SELECT reg_id, 'missing_contact', event_id, other_id FROM others
WHERE other_id IN (SELECT person_id FROM missing)
UNION ALL
SELECT s.reg_id, 'breach', s.event_id, NULL FROM since AS s
JOIN staged_event AS e USING (event_id) WHERE {breach}
UNION ALL
SELECT DISTINCT r.reg_id, 'missing_shared', unnest([p.event_id, f.event_id]), f.person_id
FROM reg AS r JOIN places AS p USING (person_id)
JOIN {FOUND} AS f ON f.postcode = p.postcode AND f.person_id <> r.person_id
WHERE f.person_id IN (SELECT person_id FROM missing)
UNION ALL
SELECT DISTINCT r.reg_id, 'missing_shared', unnest([p.event_id, x.event_id]), x.person_id
FROM reg AS r JOIN phones AS p USING (person_id)
JOIN {PHONE} AS x ON x.object_type = p.object_type AND x.value = p.value
  AND x.person_id <> r.person_id
WHERE x.person_id IN (SELECT person_id FROM missing)
UNION ALL
SELECT DISTINCT r.reg_id, 'network_shared', unnest([p.event_id, h.event_id]), h.person_id
FROM reg AS r JOIN places AS p USING (person_id)
JOIN {HOME} AS h ON h.postcode = p.postcode AND h.person_id <> r.person_id
WHERE h.person_id IN (SELECT person_id FROM {SOC_PERSON} WHERE kind IN ('suspect', 'network'))
UNION ALL
SELECT DISTINCT r.reg_id, 'network_shared', unnest([p.event_id, x.event_id]), x.person_id
FROM reg AS r JOIN phones AS p USING (person_id)
JOIN {PHONE} AS x ON x.object_type = p.object_type AND x.value = p.value
  AND x.person_id <> r.person_id
WHERE x.person_id IN (SELECT person_id FROM {SOC_PERSON} WHERE kind IN ('suspect', 'network'))"""
    return {"sql": sql, "output_table_name": ACT}


def _points(table: dict[str, float], column: str) -> str:
    arms = " ".join(
        f"WHEN {column} = {sql_literal(k)} THEN {float(v)!r}" for k, v in sorted(table.items())
    )
    return f"(CASE WHEN FALSE THEN 0 {arms} ELSE 0 END)"


def visor_sql(cfg: ProfilesConfig, as_of: dt.date) -> Step:
    """``assess_visor``: facts, score, rank in the force, reason and markings."""
    w = cfg.visor.weights
    words = ", ".join(
        f"CASE WHEN n_{k} > 0 THEN n_{k} || ' {v} (' || "
        f"array_to_string(list_slice(refs_{k}, 1, 3), ', ') || ')' END"
        for k, v in KIND_WORDS.items()
    )
    counts = ",\n  ".join(
        f"count(DISTINCT {'other_id' if k in OTHER_KINDS else 'event_id'}) "
        f"FILTER (WHERE kind = '{k}') AS n_{k},\n"
        f"  list(DISTINCT ref ORDER BY ref) FILTER (WHERE kind = '{k}') AS refs_{k}"
        for k in KIND_WORDS
    )
    records = (
        f"(SELECT event_id AS reg_id, event_id FROM {REG} UNION SELECT reg_id, event_id FROM {ACT})"
    )
    weighted = ", ".join(
        f"coalesce(sum(f) FILTER (WHERE kind = '{k}'), 0) AS w_{k}" for k in KIND_WORDS
    )
    recent = f"{sql_literal(as_of)} - INTERVAL {int(cfg.visor.recent_days)} DAY"
    older = float(cfg.visor.older_factor)
    sql = f"""
WITH a AS (
  SELECT a.*, e.force || ' ' || e.reference AS ref, coalesce(e.occurred_from, e.reported_date)
    AS occurred
  FROM {ACT} AS a JOIN staged_event AS e USING (event_id)),
agg AS (SELECT reg_id, {counts}, max(occurred) FILTER (WHERE kind IN ('crime', 'intel'))
          AS last_activity
        FROM a GROUP BY reg_id),
items AS (
  SELECT reg_id, kind, CASE WHEN kind IN {OTHER_KINDS!r} THEN other_id ELSE event_id END AS item,
    max(CASE WHEN occurred > {recent} THEN 1.0 ELSE {older!r} END) AS f
  FROM a GROUP BY ALL),
wagg AS (SELECT reg_id, {weighted} FROM items GROUP BY reg_id),
b AS (
  SELECT r.*, fr.region,
    coalesce(g.n_crime, 0) AS n_crime, coalesce(g.n_sexual, 0) AS n_sexual,
    coalesce(g.n_child_victim, 0) AS n_child_victim, coalesce(g.n_intel, 0) AS n_intel,
    coalesce(g.n_child_contact, 0) AS n_child_contact,
    coalesce(g.n_missing_contact, 0) AS n_missing_contact,
    coalesce(g.n_missing_shared, 0) AS n_missing_shared,
    coalesce(g.n_network_shared, 0) AS n_network_shared, coalesce(g.n_breach, 0) AS n_breach,
    g.refs_crime, g.refs_sexual, g.refs_child_victim, g.refs_intel, g.refs_child_contact,
    g.refs_missing_contact,
    g.refs_missing_shared, g.refs_network_shared, g.refs_breach, g.last_activity,
    coalesce(wg.w_crime, 0) AS w_crime, coalesce(wg.w_sexual, 0) AS w_sexual,
    coalesce(wg.w_child_victim, 0) AS w_child_victim, coalesce(wg.w_intel, 0) AS w_intel,
    coalesce(wg.w_child_contact, 0) AS w_child_contact,
    coalesce(wg.w_missing_contact, 0) AS w_missing_contact,
    coalesce(wg.w_missing_shared, 0) AS w_missing_shared,
    coalesce(wg.w_network_shared, 0) AS w_network_shared, coalesce(wg.w_breach, 0) AS w_breach
  FROM {REG} AS r LEFT JOIN agg AS g ON g.reg_id = r.event_id
  LEFT JOIN wagg AS wg ON wg.reg_id = r.event_id
  LEFT JOIN {FORCE_REGION} AS fr ON fr.force = r.force),
s AS (
  SELECT b.*,
    {float(w.crime_since)!r} * least(w_crime, 3) + {float(w.sexual_since)!r} * least(w_sexual, 3)
    + {float(w.child_victim)!r} * least(w_child_victim, 3)
    + {float(w.intel_since)!r} * least(w_intel, {int(w.intel_since_cap)})
    + {float(w.child_contact)!r} * least(w_child_contact, 3)
    + {float(w.missing_contact)!r} * least(w_missing_contact, 3)
    + {float(w.missing_shared)!r} * least(w_missing_shared, 3)
    + {float(w.network_shared)!r} * least(w_network_shared, 3)
    + {float(w.breach)!r} * least(w_breach, 3)
    + {_points(w.mappa_level, "mappa_level")} + {_points(w.rosh, "rosh")} AS score
  FROM b),
mk AS ({marks_sql(records, "reg_id")})
SELECT s.person_id, s.force, s.region, s.reference, s.registered, s.mappa_category,
  s.mappa_level, s.rosh, s.index_offence, s.n_crime AS n_crimes_since,
  s.n_sexual AS n_sexual_since, s.n_child_victim AS n_child_victims_since,
  s.n_intel AS n_intel_since, s.n_child_contact AS n_child_contacts,
  s.n_missing_contact AS n_missing_contacts, s.n_missing_shared,
  s.n_network_shared, s.n_breach AS n_breaches, s.last_activity,
  CAST(s.score AS DOUBLE) AS score,
  row_number() OVER (PARTITION BY s.force ORDER BY {ORDER}) AS force_rank,
  concat_ws('; ',
    'Registered ' || coalesce(CAST(s.registered AS VARCHAR), 'on an unknown date') || ' ('
      || s.force || ' ' || s.reference || '), MAPPA category '
      || coalesce(s.mappa_category, 'unknown') || ' level ' || coalesce(s.mappa_level, 'unknown')
      || ', RoSH ' || coalesce(s.rosh, 'unknown'),
    {words},
    CASE WHEN s.n_crime + s.n_intel + s.n_child_contact + s.n_missing_shared + s.n_missing_contact
              + s.n_network_shared + s.n_breach = 0
         THEN 'no activity recorded since registration' END) AS reason,
  mk.mark_forces, mk.mark_codes, mk.mark_classes, {sql_literal(as_of)} AS as_of
FROM s LEFT JOIN mk ON mk.reg_id = s.event_id
ORDER BY s.force, force_rank"""
    return {"sql": sql, "output_table_name": VISOR_TABLE}


def visor_steps(cfg: ProfilesConfig, as_of: dt.date, mention_person: str) -> list[Step]:
    """Every step of the ViSOR profile (after the shared and missing-person steps)."""
    return [registration_sql(mention_person), activity_sql(cfg, as_of), visor_sql(cfg, as_of)]
