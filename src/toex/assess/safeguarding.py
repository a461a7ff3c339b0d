"""Safeguarding health checks: who needs safeguarding attention, and what is recorded.

Three checks, one row per person of concern (and per perpetrator, for the first), in
``assess_safeguarding``:

- ``victim_of_priority_perpetrator``: every victim of a perpetrator ranked in the top N of
  any force, with repeat victimisation (by him and by anyone), the victim's own missing
  episodes, and whether a safeguarding referral is recorded on any of the victim's records;
- ``child_linked_high_harm_suspect``: children (under the configured age at the event)
  named on a crime beside a high-harm suspect (top x% of VAWG harm) in any role;
- ``repeat_victim_cross_force``: repeat victims whose victimisation is recorded in two or
  more forces, which no single force sees.

A referral counts as recorded when a record naming the person carries one of the
configured keywords in its status or free text (``safeguarding.referral_keywords``).
Pure SQL builders; :func:`safeguarding_steps` chains them. Needs the priority tables and the
``assess__crime`` and ``assess__person_dob`` intermediates of the same run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from toex.assess.config import AssessConfig
from toex.assess.harm import CRIME_STEP
from toex.assess.perpetrator_priority import PRIORITY_TABLE, RANK_TABLE, age_sql
from toex.assess.sql_steps import Step, query, sql_literal
from toex.config import load_catalogue
from toex.errors import ConfigError

SAFEGUARDING_TABLE = "assess_safeguarding"
CHECKS = (
    "victim_of_priority_perpetrator",
    "child_linked_high_harm_suspect",
    "repeat_victim_cross_force",
)


def victimisation_sql(mention_person: str, prefix: str = "assess__") -> Step:
    """One row per (victim person, crime): force, date, VAWG flag and age at the crime."""
    age = age_sql("d.dob", "c.offence_date")
    sql = f"""
SELECT vp.person_id, c.event_id, c.force, c.reference, c.offence_date, c.is_vawg,
       coalesce(max(v.age_at_event), max({age}),
                max(year(c.offence_date) - d.dob_year)) AS age_at_event
FROM staged_person_mention AS v
JOIN {mention_person} AS vp ON vp.mention_id = v.mention_id
JOIN {CRIME_STEP} AS c ON c.event_id = v.event_id
LEFT JOIN {prefix}person_dob AS d ON d.person_id = vp.person_id
WHERE v.role = 'victim'
GROUP BY ALL"""
    return {"sql": sql, "output_table_name": f"{prefix}victimisation"}


def missing_sql(mention_person: str, as_of: dt.date, prefix: str = "assess__") -> Step:
    """Each person's missing episodes: count and latest date."""
    sql = f"""
SELECT mp.person_id, count(DISTINCT e.event_id) AS n_missing_episodes,
       max(coalesce(e.occurred_from, e.reported_date)) AS last_missing_date
FROM staged_person_mention AS m
JOIN {mention_person} AS mp USING (mention_id)
JOIN staged_event AS e ON e.event_id = m.event_id
WHERE m.role = 'missing' AND e.event_type = 'missing_episode'
  AND coalesce(e.occurred_from, e.reported_date) <= {sql_literal(as_of)}
GROUP BY 1"""
    return {"sql": sql, "output_table_name": f"{prefix}missing"}


def referral_sql(mention_person: str, keywords: tuple[str, ...], prefix: str = "assess__") -> Step:
    """Persons named on a record whose status or text mentions a safeguarding referral."""
    if keywords:
        cond = " OR ".join(
            f"contains(lower(coalesce(e.status, '') || ' ' || coalesce(e.text, '')), "
            f"{sql_literal(k.lower())})"
            for k in keywords
        )
    else:
        cond = "FALSE"
    sql = f"""
SELECT mp.person_id,
       first(e.force || ' ' || e.reference ORDER BY coalesce(e.occurred_from, e.reported_date)
             DESC, e.reference) AS referral_reference
FROM staged_person_mention AS m
JOIN {mention_person} AS mp USING (mention_id)
JOIN staged_event AS e ON e.event_id = m.event_id
WHERE {cond}
GROUP BY 1"""
    return {"sql": sql, "output_table_name": f"{prefix}referral"}


def victim_summary_sql(cfg: AssessConfig, as_of: dt.date, prefix: str = "assess__") -> Step:
    """Per victim: victimisations (all, VAWG), forces, latest date, age now, child flag."""
    child = cfg.safeguarding.child_age
    sql = f"""
SELECT v.person_id,
  count(DISTINCT v.event_id) AS n_victimisations,
  count(DISTINCT v.event_id) FILTER (WHERE v.is_vawg) AS n_vawg_victimisations,
  count(DISTINCT v.force) AS n_forces_victimised,
  string_agg(DISTINCT v.force, ',' ORDER BY v.force) AS forces,
  max(v.offence_date) AS last_victimised_date,
  first(v.force ORDER BY v.offence_date DESC, v.force) AS latest_force,
  coalesce(any_value({age_sql("d.dob", sql_literal(as_of))}),
           max(v.age_at_event + date_sub('year', v.offence_date, {sql_literal(as_of)}))) AS age,
  coalesce(min(v.age_at_event) < {child}, FALSE) AS child_when_victimised
FROM {prefix}victimisation AS v
LEFT JOIN {prefix}person_dob AS d ON d.person_id = v.person_id
GROUP BY 1"""
    return {"sql": sql, "output_table_name": f"{prefix}victim_summary"}


def _person_columns(cfg: AssessConfig, t: str) -> str:
    """Shared columns about the safeguarded person (victim summary ``vs``, missing, referral)."""
    return f"""
  coalesce(vs.n_victimisations, 0) AS n_victimisations,
  coalesce(vs.n_vawg_victimisations, 0) AS n_vawg_victimisations,
  coalesce(vs.n_forces_victimised, 0) AS n_forces_victimised,
  coalesce(vs.n_victimisations, 0) >= {cfg.safeguarding.repeat_victim_min} AS repeat_victim,
  vs.last_victimised_date,
  coalesce(ms.n_missing_episodes, 0) AS n_missing_episodes, ms.last_missing_date,
  rf.person_id IS NOT NULL AS referral_recorded, rf.referral_reference
FROM {t}"""


def safeguarding_output_sql(
    cfg: AssessConfig, mention_person: str, prefix: str = "assess__"
) -> Step:
    """The three checks, unioned, with the person's facts and a reason in plain English."""
    sg = cfg.safeguarding
    joins = f"""
LEFT JOIN {prefix}victim_summary AS vs ON vs.person_id = x.person_id
LEFT JOIN {prefix}missing AS ms ON ms.person_id = x.person_id
LEFT JOIN {prefix}referral AS rf ON rf.person_id = x.person_id"""
    sql = f"""
WITH top_perp AS (
  SELECT DISTINCT person_id FROM {RANK_TABLE}
  WHERE area_type = 'force' AND rank <= {sg.top_n_per_force}),
by_perp AS (
  SELECT v.person_id, so.person_id AS related_person_id, count(DISTINCT v.event_id) AS n_by,
         first(v.force ORDER BY v.offence_date DESC, v.force) AS force,
         min(v.age_at_event) AS min_age
  FROM {prefix}victimisation AS v
  JOIN {prefix}suspect_offence AS so ON so.event_id = v.event_id
  JOIN top_perp AS tp ON tp.person_id = so.person_id
  WHERE v.person_id <> so.person_id
  GROUP BY 1, 2),
ranked AS (
  SELECT person_id, harm_total,
         row_number() OVER (ORDER BY harm_total DESC, person_id) AS harm_rank,
         count(*) OVER () AS n
  FROM {PRIORITY_TABLE}),
high_harm AS (
  SELECT person_id FROM ranked
  WHERE harm_rank <= greatest(1, ceil(n * {float(sg.high_harm_top_pct)!r} / 100.0))),
child_link AS (
  SELECT mp.person_id, so.person_id AS related_person_id,
         count(DISTINCT so.event_id) AS n_by,
         first(so.force ORDER BY so.offence_date DESC, so.force) AS force,
         min(coalesce(m.age_at_event, {age_sql("d.dob", "so.offence_date")})) AS min_age
  FROM {prefix}suspect_offence AS so
  JOIN high_harm AS hh ON hh.person_id = so.person_id
  JOIN staged_person_mention AS m ON m.event_id = so.event_id AND m.role <> 'suspect'
  JOIN {mention_person} AS mp ON mp.mention_id = m.mention_id
  LEFT JOIN {prefix}person_dob AS d ON d.person_id = mp.person_id
  WHERE mp.person_id <> so.person_id
  GROUP BY 1, 2
  HAVING min(coalesce(m.age_at_event, {age_sql("d.dob", "so.offence_date")}))
         < {sg.child_age}),
cross_force AS (
  SELECT person_id, NULL AS related_person_id, 0 AS n_by, latest_force AS force,
         NULL AS min_age
  FROM {prefix}victim_summary
  WHERE n_victimisations >= {sg.repeat_victim_min} AND n_forces_victimised >= 2),
checks AS (
  SELECT 'victim_of_priority_perpetrator' AS "check", * FROM by_perp
  UNION ALL BY NAME
  SELECT 'child_linked_high_harm_suspect' AS "check", * FROM child_link
  UNION ALL BY NAME
  SELECT 'repeat_victim_cross_force' AS "check", * FROM cross_force)
SELECT x."check", x.person_id, x.related_person_id, pr.force_rank AS related_force_rank,
  pr.force AS related_force, x.force, vs.forces, vs.age AS age,
  coalesce(x.min_age < {sg.child_age}, vs.child_when_victimised, FALSE) AS child,
  CAST(x.n_by AS BIGINT) AS n_events_with_related,
  {_person_columns(cfg, "checks AS x")}
LEFT JOIN {PRIORITY_TABLE} AS pr ON pr.person_id = x.related_person_id
{joins}"""
    return {"sql": sql, "output_table_name": f"{prefix}safeguarding0"}


def safeguarding_reason_sql(t: str) -> str:
    """A plain-English line of what the check found and what is (not) recorded."""

    def s(col: str) -> str:
        return f"CAST({t}.{col} AS VARCHAR)"

    times = (
        f"(CASE WHEN {t}.n_victimisations = 1 THEN 'victim once' "
        f"ELSE 'victim ' || {s('n_victimisations')} || ' times' END)"
    )
    by = (
        f"(CASE WHEN {t}.\"check\" = 'victim_of_priority_perpetrator' THEN ' (' || "
        f"{s('n_events_with_related')} || ' by this perpetrator)' ELSE '' END)"
    )
    forces = (
        f"(CASE WHEN {t}.n_forces_victimised > 1 THEN ' in ' || "
        f"{s('n_forces_victimised')} || ' forces' ELSE '' END)"
    )
    victim = (
        f"(CASE WHEN {t}.n_victimisations = 0 THEN 'no victimisation recorded' "
        f"ELSE {times} || {by} || {forces} END)"
    )
    child = (
        f"(CASE WHEN {t}.\"check\" = 'child_linked_high_harm_suspect' THEN "
        f"'child named on ' || {s('n_events_with_related')} || ' crime(s) of a high-harm "
        f"suspect; ' ELSE '' END)"
    )
    missing = (
        f"(CASE WHEN {t}.n_missing_episodes = 0 THEN 'no missing episode' "
        f"ELSE 'missing ' || {s('n_missing_episodes')} || ' time(s), last ' || "
        f"{s('last_missing_date')} END)"
    )
    referral = (
        f"(CASE WHEN {t}.referral_recorded THEN 'safeguarding referral recorded (' || "
        f"{t}.referral_reference || ')' ELSE 'no safeguarding referral recorded' END)"
    )
    return f"({child} || {victim} || '; ' || {missing} || '; ' || {referral})"


def safeguarding_steps(
    cfg: AssessConfig,
    as_of: dt.date,
    *,
    mention_person: str,
    prefix: str = "assess__",
    output: str = SAFEGUARDING_TABLE,
) -> list[Step]:
    """Every step of the health checks, ending in ``assess_safeguarding``."""
    final = (
        f"SELECT *, {safeguarding_reason_sql('s')} AS reason, {sql_literal(as_of)} AS as_of "
        f"FROM {prefix}safeguarding0 AS s "
        f'ORDER BY "check", related_force_rank NULLS LAST, related_person_id, person_id'
    )
    return [
        victimisation_sql(mention_person, prefix),
        missing_sql(mention_person, as_of, prefix),
        referral_sql(mention_person, cfg.safeguarding.referral_keywords, prefix),
        victim_summary_sql(cfg, as_of, prefix),
        safeguarding_output_sql(cfg, mention_person, prefix),
        {"sql": final, "output_table_name": output},
    ]


def health_checks(
    con: Any, *, force: str | None = None, check: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows of ``assess_safeguarding`` (plain dicts), optionally for one force and one check.

    A row belongs to a force when the person was victimised there, the record behind the
    check is there, or the perpetrator's primary force is that force. Ordered by check, then
    the perpetrator's rank.
    """
    if check is not None and check not in CHECKS:
        raise ConfigError(f"unknown check {check!r}; known: {', '.join(CHECKS)}")
    where, params = ["TRUE"], []
    if force:
        code = load_catalogue().force(force).code
        where.append(
            "(force = ? OR related_force = ? OR list_contains(string_split("
            "coalesce(forces, ''), ','), ?))"
        )
        params += [code, code, code]
    if check:
        where.append('"check" = ?')
        params.append(check)
    sql = (
        f"SELECT * FROM {SAFEGUARDING_TABLE} WHERE {' AND '.join(where)} "
        'ORDER BY "check", related_force_rank NULLS LAST, related_person_id, person_id'
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return query(con, sql, params)


def victims_of(con: Any, person_id: str) -> list[dict[str, Any]]:
    """The safeguarding rows of every victim of one top-ranked perpetrator."""
    return query(
        con,
        f"SELECT * FROM {SAFEGUARDING_TABLE} "
        "WHERE \"check\" = 'victim_of_priority_perpetrator' AND related_person_id = ? "
        "ORDER BY last_victimised_date DESC, person_id",
        [person_id],
    )
