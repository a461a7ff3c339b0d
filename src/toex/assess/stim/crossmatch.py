"""Cross-match STIM cases with force data: who do forces already know?

Each case's phones, emails and payer tokens (``assess__stim_key``: the linking keys of its
accounts, E.164 and lower case) and its people (the account holders' and payers' person
mentions, ``assess__stim_mention``) are matched to *force* records, i.e. records that do not
come from a partner website:

- ``phone`` / ``email`` / ``payer``: a force person mention, or an object attached to one,
  carries the same value;
- ``person``: the resolver put the case's holder or payer mention in the same resolved person
  as force mentions (names, dates of birth and identifiers agreed);
- ``name``: a force mention has the same normalised forename and surname and nothing else
  agrees: weak, listed for the analyst but not counted in ``crossmatch_forces``.

Each match names the resolved person, the forces holding records of them, and their network
(component level, from ``link_network_member`` when the link stage ran), with the markings
of the records behind it (``stim_case_crossmatch_evidence``, ``stim_crossmatch_person_marking``)
so a viewer sees only what their access permits. SQL builders are pure;
:func:`crossmatch_steps` returns the steps the stage runs.
"""

from __future__ import annotations

from toex.assess.sql_steps import Step

PARTNER_EVENT_TYPES: tuple[str, ...] = ("partner_account", "advert", "payment", "partner_call")
PARTNER_ROLES: tuple[str, ...] = ("account_holder", "payer")


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def force_mentions_sql() -> Step:
    """``assess__stim_force_mention``: resolved person mentions that come from forces."""
    sql = f"""
SELECT m.mention_id, r.person_id, m.force, m.phone, lower(m.email) AS email,
       m.forename, m.surname, m.handling_code, m.classification
FROM staged_person_mention AS m
JOIN resolved_mention_person AS r ON r.mention_id = m.mention_id
LEFT JOIN staged_event AS e ON e.event_id = m.event_id
WHERE m.role NOT IN ({_in_list(PARTNER_ROLES)})
  AND (e.event_type IS NULL OR e.event_type NOT IN ({_in_list(PARTNER_EVENT_TYPES)}))
"""
    return Step(sql=sql, output_table_name="assess__stim_force_mention")


_FM_MARKS = "fm.force, fm.handling_code, fm.classification"


def match_units_sql() -> Step:
    """``assess__stim_match_unit``: every match with the force records it rests on.

    One row per (match, evidence unit, record): a unit is a force mention carrying the
    value (or, for ``person`` and ``name``, a force mention of the person), or an object
    carrying it together with the force mention it is attached to (two records: a viewer
    must be able to see both). A match stands when any one of its units is visible."""
    obj_value = "CASE WHEN o.object_type = 'email' THEN lower(o.value) ELSE o.value END"
    obj_join = f"""
FROM assess__stim_key AS k
JOIN staged_object AS o ON o.object_type = k.kind AND {obj_value} = k.value
JOIN assess__stim_force_mention AS fm ON fm.mention_id = o.mention_id
WHERE o.object_type IN ('phone', 'email', 'payer') AND o.value IS NOT NULL"""
    head = "SELECT k.case_id, fm.person_id, k.kind, k.value, k.account_id, 'strong'"
    sql = f"""
SELECT k.case_id, fm.person_id, k.kind AS match_kind, k.value AS matched_value, k.account_id,
       'strong' AS strength, 'mention:' || fm.mention_id AS unit, {_FM_MARKS}
FROM assess__stim_key AS k
JOIN assess__stim_force_mention AS fm ON k.kind = 'phone' AND fm.phone = k.value
UNION ALL
{head}, 'mention:' || fm.mention_id, {_FM_MARKS}
FROM assess__stim_key AS k
JOIN assess__stim_force_mention AS fm ON k.kind = 'email' AND fm.email = k.value
UNION ALL
{head}, 'object:' || o.object_id, o.force, o.handling_code, o.classification {obj_join}
UNION ALL
{head}, 'object:' || o.object_id, {_FM_MARKS} {obj_join}
UNION ALL
SELECT sm.case_id, fm.person_id, 'person', coalesce(sm.forename, '') || ' '
       || coalesce(sm.surname, ''), sm.account_id, 'strong', 'mention:' || fm.mention_id,
       {_FM_MARKS}
FROM assess__stim_mention AS sm
JOIN resolved_mention_person AS r ON r.mention_id = sm.mention_id
JOIN assess__stim_force_mention AS fm ON fm.person_id = r.person_id
UNION ALL
SELECT sm.case_id, fm.person_id, 'name', sm.forename || ' ' || sm.surname, sm.account_id,
       'weak', 'mention:' || fm.mention_id, {_FM_MARKS}
FROM assess__stim_mention AS sm
JOIN assess__stim_force_mention AS fm
  ON fm.forename = sm.forename AND fm.surname = sm.surname
WHERE sm.forename IS NOT NULL AND sm.surname IS NOT NULL AND length(sm.forename) > 1
"""
    return Step(sql=sql, output_table_name="assess__stim_match_unit")


def person_forces_sql() -> Step:
    """``assess__stim_person_force``: per resolved person, the forces and records holding them."""
    sql = """
SELECT person_id, string_agg(DISTINCT force, ',' ORDER BY force) AS forces,
       count(DISTINCT force) AS n_forces, count(*) AS n_records
FROM assess__stim_force_mention
GROUP BY person_id
"""
    return Step(sql=sql, output_table_name="assess__stim_person_force")


def matches_sql() -> Step:
    """``assess__stim_match``: (case, person, kind, value, account, strength) rows."""
    sql = """
SELECT DISTINCT case_id, person_id, match_kind, matched_value, account_id, strength
FROM assess__stim_match_unit
"""
    return Step(sql=sql, output_table_name="assess__stim_match")


def evidence_sql() -> Step:
    """``stim_case_crossmatch_evidence``: the markings of the records behind each match, by
    evidence unit (missing markings as ``''``, which no viewer is permitted)."""
    sql = """
SELECT DISTINCT case_id, person_id, match_kind, matched_value, unit,
       coalesce(force, '') AS force, coalesce(handling_code, '') AS handling_code,
       coalesce(classification, '') AS classification
FROM assess__stim_match_unit
ORDER BY case_id, person_id, match_kind, matched_value, unit
"""
    return Step(sql=sql, output_table_name="stim_case_crossmatch_evidence")


def person_marking_sql() -> Step:
    """``stim_crossmatch_person_marking``: per matched person and marking, how many force
    records of the person carry it (a viewer's forces and counts are summed from these)."""
    sql = """
SELECT person_id, coalesce(force, '') AS force, coalesce(handling_code, '') AS handling_code,
       coalesce(classification, '') AS classification, count(*) AS n_records
FROM assess__stim_force_mention
WHERE person_id IN (SELECT person_id FROM stim_case_crossmatch)
GROUP BY ALL ORDER BY ALL
"""
    return Step(sql=sql, output_table_name="stim_crossmatch_person_marking")


def crossmatch_sql(has_networks: bool) -> Step:
    """``stim_case_crossmatch``: matches with forces and network; a weak (name-only) match is
    dropped when the same person is also matched strongly for the case."""
    network = (
        "(SELECT min(n.network_id) FROM link_network_member AS n "
        "WHERE n.person_id = m.person_id AND n.level = 'component')"
        if has_networks
        else "CAST(NULL AS VARCHAR)"
    )
    sql = f"""
WITH strong AS (SELECT DISTINCT case_id, person_id FROM assess__stim_match
                WHERE strength = 'strong')
SELECT m.case_id, m.person_id, m.match_kind, m.matched_value, min(m.account_id) AS account_id,
       pf.forces, pf.n_forces, pf.n_records, {network} AS network_id, m.strength
FROM assess__stim_match AS m
JOIN assess__stim_person_force AS pf ON pf.person_id = m.person_id
LEFT JOIN strong AS s ON s.case_id = m.case_id AND s.person_id = m.person_id
WHERE m.strength = 'strong' OR s.person_id IS NULL
GROUP BY m.case_id, m.person_id, m.match_kind, m.matched_value, pf.forces, pf.n_forces,
         pf.n_records, m.strength
ORDER BY m.case_id, m.person_id, m.match_kind
"""
    return Step(sql=sql, output_table_name="stim_case_crossmatch")


def case_forces_sql() -> str:
    """An UPDATE filling ``stim_case.crossmatch_forces`` from strong matches."""
    return """
UPDATE stim_case SET crossmatch_forces = f.forces
FROM (
  SELECT case_id, string_agg(DISTINCT trim(force), ',' ORDER BY trim(force)) AS forces
  FROM (SELECT case_id, unnest(string_split(forces, ',')) AS force
        FROM stim_case_crossmatch WHERE strength = 'strong')
  GROUP BY case_id
) AS f
WHERE stim_case.case_id = f.case_id
"""


def crossmatch_steps(has_networks: bool) -> list[Step]:
    """Every step, in order, from the key and mention tables to ``stim_case_crossmatch``."""
    return [
        force_mentions_sql(),
        match_units_sql(),
        person_forces_sql(),
        matches_sql(),
        crossmatch_sql(has_networks),
        evidence_sql(),
        person_marking_sql(),
    ]
