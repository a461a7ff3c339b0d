"""Warning markers per person: pure SQL builders (DuckDB dialect).

A registered sex offender (with MAPPA category and level and RoSH), a frequent or high-risk
missing person, a victim of exploitation, a priority perpetrator: one row per person and
warning, with the records behind it and their markings, so a viewer sees a warning only when
she may see every record it comes from. Runs after the missing-person and ViSOR steps.
"""

from __future__ import annotations

import datetime as dt

from toex.assess.misper_profile import EPISODE, MISPER_TABLE
from toex.assess.profile_config import ProfilesConfig
from toex.assess.profile_sql import PERSON_EVENT
from toex.assess.sql_steps import Step, sql_literal
from toex.assess.visor_profile import REG
from toex.model.profile_codes import WarningKind

WARNING_TABLE = "assess_person_warning"


def warning_records_sql(cfg: ProfilesConfig, as_of: dt.date) -> Step:
    """(person, warning, detail, event) rows: the records behind each warning."""
    codes = ", ".join(sql_literal(c) for c in cfg.warnings.exploitation_offence_codes) or "NULL"
    within = int(cfg.misper.frequent.within_days)
    day = sql_literal(as_of)
    sql = f"""
SELECT person_id, '{WarningKind.REGISTERED_SEX_OFFENDER}' AS warning,
  'MAPPA category ' || coalesce(mappa_category, 'unknown') || ' level '
    || coalesce(mappa_level, 'unknown') || ', RoSH ' || coalesce(rosh, 'unknown')
    || ', registered ' || coalesce(CAST(registered AS VARCHAR), 'date unknown') AS detail,
  event_id
FROM {REG}
UNION ALL
SELECT e.person_id, '{WarningKind.FREQUENT_MISSING}',
  m.n_episodes_90d || ' episodes in the last 90 days (' || m.n_episodes || ' in all)',
  e.event_id
FROM {EPISODE} AS e JOIN {MISPER_TABLE} AS m USING (person_id)
WHERE m.frequent AND e.started > {day} - INTERVAL {within} DAY
UNION ALL
SELECT person_id, '{WarningKind.HIGH_RISK_MISSING}',
  'high risk when missing on ' || CAST(max(started) OVER (PARTITION BY person_id) AS VARCHAR),
  event_id
FROM {EPISODE} WHERE risk = 'high' AND started > {day} - INTERVAL 365 DAY
UNION ALL
SELECT pe.person_id, '{WarningKind.EXPLOITATION_VICTIM}',
  'victim on ' || count(*) OVER (PARTITION BY pe.person_id) || ' exploitation crime(s)',
  pe.event_id
FROM {PERSON_EVENT} AS pe JOIN staged_event AS e USING (event_id)
WHERE pe.role = 'victim' AND e.event_type = 'crime' AND e.offence_code IN ({codes})"""
    return {"sql": sql, "output_table_name": "assess__wn_records"}


def warning_sql(cfg: ProfilesConfig) -> Step:
    """``assess_person_warning``: one row per person and warning with its records and their
    markings; the priority-perpetrator warning takes its markings from
    ``assess_perpetrator_marking`` (every record his score draws on)."""
    labels = " ".join(f"WHEN '{k.value}' THEN {sql_literal(k.label)}" for k in WarningKind)
    top = int(cfg.warnings.priority_top)
    sql = f"""
WITH r AS (
  SELECT w.person_id, w.warning, w.detail, w.event_id, e.force || ' ' || e.reference AS ref,
    coalesce(e.force, '') AS force, coalesce(e.handling_code, '') AS code,
    coalesce(e.classification, '') AS class
  FROM assess__wn_records AS w JOIN staged_event AS e USING (event_id)),
rows AS (
  SELECT person_id, warning, min(detail) AS detail, list(DISTINCT event_id ORDER BY event_id)
    AS event_ids, array_to_string(list_slice(list(DISTINCT ref ORDER BY ref), 1, 5), ', ')
    AS "references",
    list(DISTINCT force ORDER BY force) AS mark_forces,
    list(DISTINCT code ORDER BY code) AS mark_codes,
    list(DISTINCT class ORDER BY class) AS mark_classes
  FROM r GROUP BY person_id, warning),
best AS (
  SELECT person_id, min(rank) AS rank, arg_min(area, rank) AS area
  FROM assess_perpetrator_rank WHERE area_type = 'force' AND rank <= {top}
  GROUP BY person_id),
pp AS (
  SELECT b.person_id, '{WarningKind.PRIORITY_PERPETRATOR}' AS warning,
    'ranked ' || b.rank || ' in ' || b.area || ' (VAWG perpetrator priority)' AS detail,
    NULL::VARCHAR[] AS event_ids, NULL AS "references",
    list(DISTINCT k.force ORDER BY k.force) AS mark_forces,
    list(DISTINCT k.handling_code ORDER BY k.handling_code) AS mark_codes,
    list(DISTINCT k.classification ORDER BY k.classification) AS mark_classes
  FROM best AS b JOIN assess_perpetrator_marking AS k USING (person_id)
  GROUP BY b.person_id, b.rank, b.area)
SELECT person_id, warning, CASE warning {labels} END AS label, detail, event_ids,
  "references", mark_forces, mark_codes, mark_classes
FROM (SELECT * FROM rows UNION ALL SELECT * FROM pp)
ORDER BY person_id, warning"""
    return {"sql": sql, "output_table_name": WARNING_TABLE}


def warning_steps(cfg: ProfilesConfig, as_of: dt.date) -> list[Step]:
    """The steps of the person warnings."""
    return [warning_records_sql(cfg, as_of), warning_sql(cfg)]
