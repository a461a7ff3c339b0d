"""Priority VAWG perpetrators: facts, RFG/RFGV/harm scores and ranks per force and region.

Pure SQL builders (DuckDB dialect) over ``staged_event``, ``staged_person_mention``, a
mention-to-person table and ``assess_harm_weight``. The same builders run twice in the
stage: on resolved persons (``resolved_mention_person``) and on unresolved mentions (each
mention its own person: what each force sees record by record), so the report can show
each offender's rank before and after resolution.

Per person with at least one VAWG offence as suspect:

- **facts**: offences as suspect (all, VAWG, in the last 12 months), distinct victims and
  their ages at his first offence against each, first/latest VAWG offence, harm (total,
  window, last 12 months, the 12 months before), escalation, and fragmentation: distinct
  OICs, LPCs, forces and investigations (crime references) over his VAWG offences;
- **points** (bands from the configuration): recency, frequency, gravity, victims;
- **scores**: RFG, RFGV and the harm-weighted score; ``score`` is the one named by
  ``rank_by``;
- **ranks**: national, and within every force and region he offended in (table
  ``<output>_rank``), ordered by score, then harm score, then VAWG offences, then id.

No step reads nationality or ethnicity (a test checks the SQL and the scores).
"""

from __future__ import annotations

import calendar
import datetime as dt

from toex.assess.config import AssessConfig, CountBand, RecencyBand
from toex.assess.harm import CRIME_STEP, crime_sql
from toex.assess.reasons import reason_sql
from toex.assess.sql_steps import Step, sql_literal

PRIORITY_TABLE = "assess_perpetrator_priority"
RANK_TABLE = "assess_perpetrator_rank"
MARKING_TABLE = "assess_perpetrator_marking"
FORCE_REGION = "assess__force_region"
ORDER_KEY = "s.score DESC, s.harm_score DESC, s.n_vawg_offences DESC, s.person_id"


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def age_sql(dob: str, at: str) -> str:
    """Age in completed years at date ``at`` of a person born ``dob`` (SQL expressions)."""
    return f"date_sub('year', {dob}, {at})"


def recency_points_sql(bands: tuple[RecencyBand, ...], days: str) -> str:
    """CASE expression: points of the first recency band ``days`` falls within."""
    arms = " ".join(f"WHEN {days} <= {b.within_days} THEN {float(b.points)!r}" for b in bands)
    return f"CAST(CASE WHEN {days} IS NULL THEN 0 {arms} ELSE 0 END AS DOUBLE)"


def count_points_sql(bands: tuple[CountBand, ...], value: str) -> str:
    """CASE expression: points of the first band (descending) whose threshold ``value`` meets."""
    arms = " ".join(
        f"WHEN {value} >= {float(b.at_least)!r} THEN {float(b.points)!r}" for b in bands
    )
    return f"CAST(CASE WHEN {value} IS NULL THEN 0 {arms} ELSE 0 END AS DOUBLE)"


def person_dob_sql(prefix: str, mention_person: str) -> Step:
    """Each person's date of birth: the most frequent full DOB over his mentions.

    Placeholder dates on or before 1900-01-01 are ignored. Also the most frequent year of
    birth (for partial dates). Ties go to the earliest value, so the result is deterministic.
    """
    sql = f"""
WITH dobs AS (
  SELECT mp.person_id, m.dob, count(*) AS n
  FROM staged_person_mention AS m JOIN {mention_person} AS mp USING (mention_id)
  WHERE m.dob > DATE '1900-01-01'
  GROUP BY 1, 2),
years AS (
  SELECT mp.person_id, m.dob_year, count(*) AS n
  FROM staged_person_mention AS m JOIN {mention_person} AS mp USING (mention_id)
  WHERE m.dob_year > 1900
  GROUP BY 1, 2)
SELECT coalesce(d.person_id, y.person_id) AS person_id, d.dob, y.dob_year
FROM (SELECT person_id, first(dob ORDER BY n DESC, dob) AS dob FROM dobs GROUP BY 1) AS d
FULL OUTER JOIN (SELECT person_id, first(dob_year ORDER BY n DESC, dob_year) AS dob_year
                 FROM years GROUP BY 1) AS y USING (person_id)"""
    return {"sql": sql, "output_table_name": f"{prefix}person_dob"}


def suspect_offence_sql(prefix: str, mention_person: str) -> Step:
    """One row per (person, crime) where the person is a suspect, with the crime's facts."""
    sql = f"""
SELECT DISTINCT mp.person_id, c.*
FROM staged_person_mention AS m
JOIN {mention_person} AS mp USING (mention_id)
JOIN {CRIME_STEP} AS c USING (event_id)
WHERE m.role = 'suspect'"""
    return {"sql": sql, "output_table_name": f"{prefix}suspect_offence"}


def victim_of_sql(prefix: str, mention_person: str) -> Step:
    """Victims of each suspect's VAWG offences, with the victim's age at the offence.

    Age: as recorded on the event, else from the victim's date of birth (the most frequent
    over his or her mentions: a typo'd DOB can tie with the true one, the recorded age
    cannot), else from the year of birth. A suspect is never his own victim.
    """
    age = age_sql("d.dob", "so.offence_date")
    sql = f"""
SELECT so.person_id AS suspect_id, so.event_id, so.offence_date, so.force,
       vp.person_id AS victim_id,
       coalesce(max(v.age_at_event), max({age}),
                max(year(so.offence_date) - d.dob_year)) AS victim_age
FROM {prefix}suspect_offence AS so
JOIN staged_person_mention AS v ON v.event_id = so.event_id AND v.role = 'victim'
JOIN {mention_person} AS vp ON vp.mention_id = v.mention_id
LEFT JOIN {prefix}person_dob AS d ON d.person_id = vp.person_id
WHERE so.is_vawg AND vp.person_id <> so.person_id
GROUP BY ALL"""
    return {"sql": sql, "output_table_name": f"{prefix}victim_of"}


def facts_sql(cfg: AssessConfig, as_of: dt.date, prefix: str, mention_person: str) -> Step:
    """Per-person facts over his offences as suspect (persons with a VAWG offence only).

    His age: from his date of birth, else from the age recorded on his own latest suspect
    record (never a co-suspect's), else from his year of birth."""
    lit = sql_literal
    recent = lit(months_before(as_of, cfg.recent_months))
    prev = lit(months_before(as_of, 2 * cfg.recent_months))
    window = lit(months_before(as_of, cfg.window_months))
    half_life = float(cfg.harm_score.half_life_days)
    child = cfg.safeguarding.child_age
    sql = f"""
WITH so AS (SELECT * FROM {prefix}suspect_offence),
off AS (
  SELECT person_id,
    count(*) AS n_offences,
    count(*) FILTER (WHERE offence_date > {recent}) AS n_offences_12m,
    count(*) FILTER (WHERE is_vawg) AS n_vawg_offences,
    count(*) FILTER (WHERE is_vawg AND offence_date > {recent}) AS n_vawg_offences_12m,
    count(*) FILTER (WHERE is_vawg AND offence_date > {window}) AS n_vawg_offences_window,
    min(offence_date) FILTER (WHERE is_vawg) AS first_vawg_date,
    max(offence_date) FILTER (WHERE is_vawg) AS last_vawg_date,
    coalesce(sum(harm_days) FILTER (WHERE is_vawg), 0) AS harm_total,
    coalesce(sum(harm_days) FILTER (WHERE is_vawg AND offence_date > {window}), 0)
      AS harm_window,
    coalesce(sum(harm_days) FILTER (WHERE is_vawg AND offence_date > {recent}), 0) AS harm_12m,
    coalesce(sum(harm_days) FILTER (WHERE is_vawg AND offence_date > {prev}
                                    AND offence_date <= {recent}), 0) AS harm_prev_12m,
    -- rounded so that the order of a parallel float sum cannot change a rank
    round(coalesce(sum(harm_days * pow(0.5, date_diff('day', offence_date, {lit(as_of)})
                                            / {half_life!r}))
                   FILTER (WHERE is_vawg AND offence_date > {window}), 0), 6) AS harm_score,
    count(DISTINCT oic) FILTER (WHERE is_vawg) AS n_oics,
    count(DISTINCT force || '/' || lpc) FILTER (WHERE is_vawg) AS n_lpcs,
    count(DISTINCT force) FILTER (WHERE is_vawg) AS n_forces,
    count(DISTINCT force || '/' || reference) FILTER (WHERE is_vawg) AS n_investigations,
    string_agg(DISTINCT force, ',' ORDER BY force) FILTER (WHERE is_vawg) AS forces
  FROM so GROUP BY person_id
  HAVING count(*) FILTER (WHERE is_vawg) > 0),
pair AS (
  SELECT suspect_id, victim_id,
    first(victim_age ORDER BY offence_date, victim_age NULLS LAST) AS first_age,
    max(offence_date) AS latest
  FROM {prefix}victim_of GROUP BY 1, 2),
vic AS (
  SELECT suspect_id AS person_id,
    count(*) AS n_victims,
    count(*) FILTER (WHERE latest > {window}) AS n_victims_window,
    count(*) FILTER (WHERE first_age < {child}) AS n_child_victims,
    min(first_age) AS victim_age_min, max(first_age) AS victim_age_max
  FROM pair GROUP BY 1),
per_force AS (
  SELECT person_id, force, count(*) AS n, max(offence_date) AS latest
  FROM so WHERE is_vawg GROUP BY 1, 2),
prim AS (
  SELECT person_id, first(force ORDER BY n DESC, latest DESC, force) AS force
  FROM per_force GROUP BY 1),
sus_age AS (
  SELECT mp_person AS person_id,
         first(age_at_event + date_sub('year', offence_date, {lit(as_of)})
               ORDER BY offence_date DESC, age_at_event) AS age_from_event
  FROM (SELECT so.person_id AS mp_person, so.offence_date, m.age_at_event
        FROM so JOIN staged_person_mention AS m ON m.event_id = so.event_id
        AND m.role = 'suspect' AND m.age_at_event IS NOT NULL
        JOIN {mention_person} AS own ON own.mention_id = m.mention_id
        AND own.person_id = so.person_id) AS t
  GROUP BY 1)
SELECT off.person_id, prim.force, fr.region, off.forces,
  coalesce({age_sql("d.dob", lit(as_of))}, sa.age_from_event,
           year({lit(as_of)}) - d.dob_year) AS age,
  off.n_offences, off.n_offences_12m, off.n_vawg_offences, off.n_vawg_offences_12m,
  off.n_vawg_offences_window,
  coalesce(vic.n_victims, 0) AS n_victims, coalesce(vic.n_victims_window, 0) AS n_victims_window,
  coalesce(vic.n_child_victims, 0) AS n_child_victims, vic.victim_age_min, vic.victim_age_max,
  off.first_vawg_date, off.last_vawg_date,
  date_diff('day', off.last_vawg_date, {lit(as_of)}) AS days_since_last_vawg,
  off.harm_total, off.harm_window, off.harm_12m, off.harm_prev_12m,
  off.harm_12m - off.harm_prev_12m AS harm_trend,
  (off.harm_12m >= {cfg.escalation.min_days!r}
   AND off.harm_12m >= {cfg.escalation.factor!r} * off.harm_prev_12m) AS escalating,
  off.harm_score, off.n_oics, off.n_lpcs, off.n_forces, off.n_investigations
FROM off
JOIN prim USING (person_id)
LEFT JOIN {FORCE_REGION} AS fr ON fr.force = prim.force
LEFT JOIN vic USING (person_id)
LEFT JOIN {prefix}person_dob AS d USING (person_id)
LEFT JOIN sus_age AS sa USING (person_id)"""
    return {"sql": sql, "output_table_name": f"{prefix}facts"}


def rank_sql(prefix: str, output_rank: str) -> Step:
    """Rank of each person within every force and region he has a VAWG offence in."""
    sql = f"""
WITH areas AS (
  SELECT DISTINCT so.person_id, 'force' AS area_type, so.force AS area
  FROM {prefix}suspect_offence AS so WHERE so.is_vawg
  UNION
  SELECT DISTINCT so.person_id, 'region' AS area_type, fr.region AS area
  FROM {prefix}suspect_offence AS so JOIN {FORCE_REGION} AS fr ON fr.force = so.force
  WHERE so.is_vawg)
SELECT a.area_type, a.area, s.person_id, s.score,
  row_number() OVER (PARTITION BY a.area_type, a.area
                     ORDER BY s.score DESC, s.harm_score DESC, s.n_vawg_offences DESC,
                              s.person_id) AS rank,
  count(*) OVER (PARTITION BY a.area_type, a.area) AS n_ranked
FROM areas AS a JOIN {prefix}scored AS s USING (person_id)"""
    return {"sql": sql, "output_table_name": output_rank}


def priority_output_sql(
    cfg: AssessConfig, as_of: dt.date, prefix: str, output: str, output_rank: str
) -> Step:
    """The priority table: scores, facts, national/force/region ranks and the reason."""
    sql = f"""
SELECT s.*,
  row_number() OVER (ORDER BY {ORDER_KEY}) AS national_rank,
  fr.rank AS force_rank, rr.rank AS region_rank,
  {reason_sql(cfg.recent_months, "s")} AS reason,
  {sql_literal(cfg.rank_by)} AS rank_by,
  {sql_literal(cfg.harm.scheme if cfg.harm.table is None else "custom")} AS harm_scheme,
  {sql_literal(as_of)} AS as_of
FROM {prefix}scored AS s
LEFT JOIN {output_rank} AS fr
  ON fr.person_id = s.person_id AND fr.area_type = 'force' AND fr.area = s.force
LEFT JOIN {output_rank} AS rr
  ON rr.person_id = s.person_id AND rr.area_type = 'region' AND rr.area = s.region"""
    return {"sql": sql, "output_table_name": output}


def priority_steps(
    cfg: AssessConfig,
    as_of: dt.date,
    *,
    mention_person: str,
    prefix: str = "assess__",
    output: str = PRIORITY_TABLE,
    output_rank: str = RANK_TABLE,
) -> list[Step]:
    """Every step from staged rows to the priority and rank tables.

    ``mention_person`` names a table (mention_id, person_id): ``resolved_mention_person`` for
    resolved persons, or an identity table for the unresolved view. ``prefix`` keeps the
    intermediate tables of two runs apart. Needs ``assess_harm_weight`` and the force/region
    table (``assess__force_region``) to exist.
    """
    return [
        crime_sql(cfg, as_of),
        person_dob_sql(prefix, mention_person),
        suspect_offence_sql(prefix, mention_person),
        victim_of_sql(prefix, mention_person),
        facts_sql(cfg, as_of, prefix, mention_person),
        scored_sql(cfg, prefix),
        rank_sql(prefix, output_rank),
        priority_output_sql(cfg, as_of, prefix, output, output_rank),
    ]


def scored_sql(cfg: AssessConfig, prefix: str) -> Step:
    """Points per component, RFG, RFGV and the ranking ``score`` over the facts."""
    w = cfg.weights
    r = recency_points_sql(cfg.recency, "days_since_last_vawg")
    freq = "n_vawg_offences_12m" if cfg.frequency_over == "recent" else "n_vawg_offences_window"
    f = count_points_sql(cfg.frequency, freq)
    g = count_points_sql(cfg.gravity, "harm_window")
    v = count_points_sql(cfg.victims, "n_victims_window")
    score = {"rfgv": "rfgv", "rfg": "rfg", "harm": "harm_score"}[cfg.rank_by]
    rfg = (
        f"{w.recency!r} * recency_points + {w.frequency!r} * frequency_points"
        f" + {w.gravity!r} * gravity_points"
    )
    sql = f"""
WITH p AS (
  SELECT *, {r} AS recency_points, {f} AS frequency_points, {g} AS gravity_points,
         {v} AS victims_points
  FROM {prefix}facts),
s AS (SELECT *, {rfg} AS rfg FROM p),
t AS (SELECT *, rfg + {w.victims!r} * victims_points AS rfgv FROM s)
SELECT *, {score} AS score FROM t"""
    return {"sql": sql, "output_table_name": f"{prefix}scored"}


def before_after_sql(
    mention_person: str,
    priority: str,
    output: str,
    unresolved_rank: str = f"{RANK_TABLE}_unresolved",
    unresolved_priority: str = f"{PRIORITY_TABLE}_unresolved",
) -> Step:
    """The priority table with each person's best rank before resolution beside his rank.

    Before resolution every mention is its own person: a person's rank before is the best
    rank any of his mentions reached in the same force (or region, or nationally).
    """
    sql = f"""
WITH area_best AS (
  SELECT mp.person_id, ur.area_type, ur.area, min(ur.rank) AS rank
  FROM {mention_person} AS mp JOIN {unresolved_rank} AS ur ON ur.person_id = mp.mention_id
  GROUP BY 1, 2, 3),
national_best AS (
  SELECT mp.person_id, min(up.national_rank) AS rank
  FROM {mention_person} AS mp JOIN {unresolved_priority} AS up ON up.person_id = mp.mention_id
  GROUP BY 1)
SELECT p.*, nb.rank AS unresolved_national_rank, fb.rank AS unresolved_force_rank,
       rb.rank AS unresolved_region_rank
FROM {priority} AS p
LEFT JOIN national_best AS nb ON nb.person_id = p.person_id
LEFT JOIN area_best AS fb
  ON fb.person_id = p.person_id AND fb.area_type = 'force' AND fb.area = p.force
LEFT JOIN area_best AS rb
  ON rb.person_id = p.person_id AND rb.area_type = 'region' AND rb.area = p.region"""
    return {"sql": sql, "output_table_name": output}


def marking_sql(prefix: str, mention_person: str, output: str = MARKING_TABLE) -> Step:
    """Per scored person, the distinct markings (force, handling code, classification) of
    every record his priority row draws on; a missing marking is written as ``''``.

    The records: all his mentions (date of birth, age); every crime he is a suspect on
    (offences, dates, harm, OICs, LPCs, forces); every victim record on those crimes (victims,
    their ages, a female victim making an offence VAWG); and, for a victim of a VAWG crime
    whose records on it give no age, every record of that victim with a date or year of birth
    (the age is then worked out from them). Needs the ``{prefix}scored`` and
    ``{prefix}suspect_offence`` steps of :func:`priority_steps`.
    """
    sql = f"""
WITH scored AS (SELECT person_id FROM {prefix}scored),
so AS (SELECT * FROM {prefix}suspect_offence WHERE person_id IN (SELECT person_id FROM scored)),
own AS (
  SELECT mp.person_id, m.force, m.handling_code, m.classification
  FROM {mention_person} AS mp JOIN staged_person_mention AS m USING (mention_id)
  WHERE mp.person_id IN (SELECT person_id FROM scored)),
crimes AS (
  SELECT so.person_id, e.force, e.handling_code, e.classification
  FROM so JOIN staged_event AS e USING (event_id)),
victims AS (
  SELECT so.person_id, v.force, v.handling_code, v.classification
  FROM so JOIN staged_person_mention AS v ON v.event_id = so.event_id AND v.role = 'victim'),
no_age AS (
  SELECT DISTINCT suspect_id, victim_id FROM (
    SELECT so.person_id AS suspect_id, vp.person_id AS victim_id
    FROM so
    JOIN staged_person_mention AS v ON v.event_id = so.event_id AND v.role = 'victim'
    JOIN {mention_person} AS vp ON vp.mention_id = v.mention_id
    WHERE so.is_vawg AND vp.person_id <> so.person_id
    GROUP BY so.person_id, so.event_id, vp.person_id
    HAVING max(v.age_at_event) IS NULL)),
victim_dob AS (
  SELECT n.suspect_id AS person_id, m.force, m.handling_code, m.classification
  FROM no_age AS n
  JOIN {mention_person} AS mp ON mp.person_id = n.victim_id
  JOIN staged_person_mention AS m USING (mention_id)
  WHERE m.dob > DATE '1900-01-01' OR m.dob_year > 1900)
SELECT DISTINCT person_id, coalesce(force, '') AS force,
       coalesce(handling_code, '') AS handling_code, coalesce(classification, '') AS classification
FROM (SELECT * FROM own UNION ALL SELECT * FROM crimes UNION ALL SELECT * FROM victims
      UNION ALL SELECT * FROM victim_dob)
ORDER BY ALL"""
    return {"sql": sql, "output_table_name": output}
