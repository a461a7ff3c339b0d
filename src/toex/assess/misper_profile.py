"""The missing-person force profile: pure SQL builders (DuckDB dialect).

Per resolved person with a missing episode in any force: episodes in 90 and 365 days and the
frequent rule, APP risk normalised across source spellings and its trend, intervals, where
missing from and found (across force boundaries), return-home interview, associates, the
SOC link (network membership, contact with SOC suspects or priority perpetrators, addresses
or phones shared with them), possible-motive indicators from intelligence text, a score,
ranks per force and region, a reason naming the records, and the markings behind the row.
No step reads nationality or ethnicity.
"""

from __future__ import annotations

import datetime as dt

from toex.assess.profile_config import MisperConfig
from toex.assess.profile_sql import (
    EDGE,
    FORCE_POSTCODE,
    FORCE_REGION,
    HOME,
    PERSON_EVENT,
    PHONE,
    SOC_PERSON,
    code_case_sql,
    marks_sql,
    phrase_hit_sql,
    rank_sql,
)
from toex.assess.sql_steps import Step, sql_literal
from toex.model.profile_codes import MISPER_RISK_ORDER, MISPER_RISK_SPELLINGS

MISPER_TABLE = "assess_misper"
MISPER_RANK_TABLE = "assess_misper_rank"
EPISODE = "assess__mp_episode"
FOUND = "assess__mp_found"
PERSON = "assess__mp_person"
ASSOC = "assess__mp_assoc"
SIGNAL = "assess__mp_signal"
RHI = "assess__mp_rhi"
ORDER = "score DESC, n_episodes_90d DESC, n_episodes DESC, person_id"
SOC_SIGNALS = ("soc_network", "soc_contact", "priority_contact", "shared_address", "shared_object")
SIGNAL_WORDS = {
    "soc_network": "member of a network with a SOC suspect",
    "soc_contact": "linked to a SOC suspect",
    "priority_contact": "linked to a priority perpetrator",
    "shared_address": "found at or living at an address of a SOC suspect",
    "shared_object": "shares a phone or vehicle with a SOC suspect",
}


def risk_rank_sql(column: str) -> str:
    """CASE: the order of an APP risk value (NULL when unknown)."""
    arms = " ".join(f"WHEN {sql_literal(k.value)} THEN {v}" for k, v in MISPER_RISK_ORDER.items())
    return f"(CASE {column} {arms} END)"


def risk_name_sql(column: str) -> str:
    """CASE: the APP risk value of an order (the inverse of :func:`risk_rank_sql`)."""
    arms = " ".join(f"WHEN {v} THEN {sql_literal(k.value)}" for k, v in MISPER_RISK_ORDER.items())
    return f"(CASE {column} {arms} END)"


def episode_sql(mention_person: str, as_of: dt.date) -> Step:
    """Each missing episode of each resolved person, with its normalised APP risk; an end
    before the start is treated as unknown (and reported by :func:`issue_sql`)."""
    sql = f"""
SELECT e.event_id, e.force, e.reference, e.source_file, e.source_row, mp.person_id,
  m.mention_id, m.postcode AS home_postcode, m.age_at_event, m.dob, m.dob_year,
  e.occurred_from AS started,
  CASE WHEN e.occurred_to >= e.occurred_from THEN e.occurred_to END AS ended,
  e.risk_level AS risk_raw, {code_case_sql("e.risk_level", MISPER_RISK_SPELLINGS)} AS risk
FROM staged_event AS e
JOIN staged_person_mention AS m ON m.event_id = e.event_id AND m.role = 'missing'
JOIN {mention_person} AS mp ON mp.mention_id = m.mention_id
WHERE e.event_type = 'missing_episode' AND e.occurred_from IS NOT NULL
  AND e.occurred_from <= {sql_literal(as_of)}"""
    return {"sql": sql, "output_table_name": EPISODE}


def found_sql() -> Step:
    """Where each episode ended: the found-at postcode and the force whose area holds it (the
    reporting force itself when the postcode area is shared with it)."""
    sql = f"""
SELECT ep.event_id, ep.person_id, ep.force, l.postcode,
  CASE WHEN bool_or(fp.force = ep.force) THEN ep.force ELSE min(fp.force) END AS found_force
FROM {EPISODE} AS ep JOIN staged_location AS l ON l.event_id = ep.event_id
LEFT JOIN {FORCE_POSTCODE} AS fp ON fp.area = regexp_extract(l.postcode, '^[A-Z]+')
WHERE l.relation = 'found_at' AND l.postcode IS NOT NULL
GROUP BY ep.event_id, ep.person_id, ep.force, l.postcode"""
    return {"sql": sql, "output_table_name": FOUND}


def person_sql(cfg: MisperConfig, as_of: dt.date) -> Step:
    """Per person: counts, the frequent rule, risk and its trend, intervals, age."""
    f = cfg.frequent
    day = sql_literal(as_of)
    sql = f"""
WITH ep AS (
  SELECT *, {risk_rank_sql("risk")} AS risk_order,
    date_diff('day', lag(started) OVER (PARTITION BY person_id ORDER BY started, event_id),
              started) AS gap,
    row_number() OVER (PARTITION BY person_id ORDER BY started DESC, event_id DESC) AS recency
  FROM {EPISODE}),
home_force AS (
  SELECT person_id, force FROM (
    SELECT person_id, force, row_number() OVER (
      PARTITION BY person_id ORDER BY count(*) DESC, max(started) DESC, force) AS k
    FROM ep GROUP BY person_id, force) WHERE k = 1),
agg0 AS (
  SELECT person_id,
    string_agg(DISTINCT force, ',' ORDER BY force) AS forces,
    count(*) AS n_episodes,
    count(*) FILTER (WHERE started > {day} - INTERVAL {int(f.within_days)} DAY) AS n_frequent,
    count(*) FILTER (WHERE started > {day} - INTERVAL 90 DAY) AS n_episodes_90d,
    count(*) FILTER (WHERE started > {day} - INTERVAL 365 DAY) AS n_episodes_365d,
    min(started) AS first_missing, max(started) AS last_missing,
    arg_max(risk, started) FILTER (WHERE risk IS NOT NULL) AS latest_risk,
    arg_max(risk_order, started) FILTER (WHERE risk IS NOT NULL) AS latest_order,
    arg_min(risk_order, started) FILTER (WHERE risk IS NOT NULL) AS earliest_order,
    max(risk_order) FILTER (WHERE started > {day} - INTERVAL 365 DAY) AS highest_order,
    avg(gap) FILTER (WHERE recency <= 2) AS interval_days_recent,
    avg(gap) FILTER (WHERE recency > 2) AS interval_days_earlier,
    max(dob) AS ep_dob, max(dob_year) AS ep_dob_year,
    arg_max(age_at_event, started) AS last_age_at_event,
    string_agg(DISTINCT home_postcode, ',' ORDER BY home_postcode) AS missing_from
  FROM ep GROUP BY person_id),
other_dob AS (
  SELECT person_id, max(dob) AS dob, max(dob_year) AS dob_year FROM {PERSON_EVENT}
  WHERE person_id IN (SELECT person_id FROM {EPISODE}) AND (dob IS NOT NULL OR dob_year > 0)
  GROUP BY person_id),
agg AS (
  SELECT g.*, coalesce(g.ep_dob, o.dob) AS dob, coalesce(g.ep_dob_year, o.dob_year) AS dob_year
  FROM agg0 AS g LEFT JOIN other_dob AS o USING (person_id))
SELECT a.*, h.force,
  a.n_frequent >= {int(f.episodes)} AS frequent,
  coalesce(a.latest_order > a.earliest_order, FALSE) AS risk_escalating,
  coalesce(a.interval_days_recent < a.interval_days_earlier, FALSE) AS intervals_shortening,
  CASE WHEN a.dob IS NOT NULL THEN date_sub('year', a.dob, {day}) END AS age,
  coalesce(CASE WHEN a.dob IS NOT NULL THEN date_sub('year', a.dob, a.last_missing) END,
           a.last_age_at_event, year(a.last_missing) - a.dob_year) < {int(cfg.child_age)}
    AS child_known
FROM agg AS a JOIN home_force AS h USING (person_id)"""
    return {"sql": sql, "output_table_name": PERSON}


def rhi_sql(cfg: MisperConfig) -> Step:
    """Return-home interviews recorded in text of records naming the person: ``declined``
    wins over ``done`` (the latest record decides); no such record: ``not recorded``."""
    declined = phrase_hit_sql("e.text", cfg.rhi.declined, ())
    done = phrase_hit_sql("e.text", cfg.rhi.done, cfg.negations)
    sql = f"""
SELECT person_id, arg_max(state, occurred) AS rhi, list(DISTINCT event_id) AS event_ids FROM (
  SELECT pe.person_id, e.event_id, coalesce(e.occurred_from, e.reported_date) AS occurred,
    CASE WHEN {declined} THEN 'declined' WHEN {done} THEN 'done' END AS state
  FROM {PERSON_EVENT} AS pe JOIN staged_event AS e USING (event_id)
  WHERE pe.person_id IN (SELECT person_id FROM {PERSON}) AND e.text IS NOT NULL)
WHERE state IS NOT NULL GROUP BY person_id"""
    return {"sql": sql, "output_table_name": RHI}


def assoc_sql() -> Step:
    """Associates: other persons on the same records (not officers) or linked by an edge."""
    sql = f"""
SELECT a.person_id, b.person_id AS other_id, a.event_id
FROM {PERSON_EVENT} AS a JOIN {PERSON_EVENT} AS b ON a.event_id = b.event_id
WHERE a.person_id IN (SELECT person_id FROM {PERSON}) AND a.person_id <> b.person_id
  AND b.role NOT IN ('oic', 'reporting') AND a.role NOT IN ('oic', 'reporting')
UNION
SELECT ed.person_id, ed.other_id, unnest(ed.event_ids) AS event_id
FROM {EDGE} AS ed WHERE ed.person_id IN (SELECT person_id FROM {PERSON})"""
    return {"sql": sql, "output_table_name": ASSOC}


def signal_sql(cfg: MisperConfig) -> Step:
    """One row per (person, signal, record): the SOC-link signals and the possible-motive
    indicators, each with the other person (where one) and the record behind it."""
    indicator_arms = "\n  UNION ALL ".join(
        f"""SELECT pe.person_id, 'indicator:{name}' AS signal, NULL AS other_id, e.event_id
  FROM {PERSON_EVENT} AS pe JOIN staged_event AS e USING (event_id)
  WHERE pe.person_id IN (SELECT person_id FROM {PERSON})
    AND e.event_type IN ('intelligence', 'missing_episode', 'crime')
    AND {phrase_hit_sql("e.text", phrases, cfg.negations)}"""
        for name, phrases in sorted(cfg.indicators.items())
    )
    indicators = f"UNION ALL {indicator_arms}" if indicator_arms else ""
    sql = f"""
WITH soc AS (SELECT * FROM {SOC_PERSON} WHERE kind IN ('suspect', 'network')),
mine AS (SELECT person_id FROM {PERSON}),
edges AS (SELECT ed.* FROM {EDGE} AS ed JOIN mine USING (person_id)),
places AS (
  SELECT person_id, postcode, event_id FROM {FOUND}
  UNION SELECT h.person_id, h.postcode, h.event_id FROM {HOME} AS h JOIN mine USING (person_id))
SELECT person_id, 'soc_network' AS signal, NULL AS other_id, event_id
FROM {SOC_PERSON} WHERE kind = 'network' AND person_id IN (SELECT person_id FROM mine)
UNION ALL
SELECT ed.person_id, 'soc_contact', ed.other_id, unnest(list_append(ed.event_ids, s.event_id))
FROM edges AS ed JOIN (SELECT * FROM soc WHERE kind = 'suspect') AS s
  ON s.person_id = ed.other_id
UNION ALL
SELECT ed.person_id, 'priority_contact', ed.other_id, unnest(ed.event_ids)
FROM edges AS ed JOIN {SOC_PERSON} AS s ON s.person_id = ed.other_id AND s.kind = 'priority'
UNION ALL
SELECT DISTINCT p.person_id, 'shared_address', h.person_id, unnest([p.event_id, h.event_id])
FROM places AS p JOIN {HOME} AS h ON h.postcode = p.postcode AND h.person_id <> p.person_id
JOIN (SELECT DISTINCT person_id FROM soc) AS s ON s.person_id = h.person_id
UNION ALL
SELECT DISTINCT o.person_id, 'shared_object', x.person_id, unnest([o.event_id, x.event_id])
FROM {PHONE} AS o JOIN mine USING (person_id)
JOIN {PHONE} AS x ON x.object_type = o.object_type AND x.value = o.value
  AND x.person_id <> o.person_id
JOIN (SELECT DISTINCT person_id FROM soc) AS s ON s.person_id = x.person_id
UNION ALL
SELECT person_id, 'indicator:found_other_force', NULL, event_id FROM {FOUND}
WHERE found_force IS NOT NULL AND found_force <> force
{indicators}"""
    return {"sql": sql, "output_table_name": SIGNAL}


def older_sql(cfg: MisperConfig) -> str:
    """SELECT of 'indicator:older_associates' rows: a child's associates this much older."""
    return f"""
SELECT a.person_id, 'indicator:older_associates' AS signal, a.other_id, a.event_id
FROM {ASSOC} AS a JOIN {PERSON} AS p USING (person_id)
JOIN (SELECT person_id, max(dob) AS dob FROM {PERSON_EVENT} WHERE dob IS NOT NULL
      GROUP BY person_id) AS o ON o.person_id = a.other_id
WHERE p.child_known AND p.dob IS NOT NULL
  AND date_diff('year', o.dob, p.dob) >= {int(cfg.older_associate_years)}
  AND date_sub('year', o.dob, p.last_missing) >= {int(cfg.child_age)}"""


def profile_sql(cfg: MisperConfig, as_of: dt.date) -> Step:
    """The profile row per person: facts, score, reason and markings."""
    w = cfg.weights
    risk_points = " ".join(
        f"WHEN b.highest_risk = {sql_literal(k)} THEN {float(v)!r}"
        for k, v in sorted(w.risk.items())
    )
    soc_points = " + ".join(
        f"CASE WHEN list_contains(b.kinds, '{k}') THEN {float(getattr(w.soc, k))!r} ELSE 0 END"
        for k in SOC_SIGNALS
    )
    soc_words = ", ".join(
        f"CASE WHEN list_contains(kinds, '{k}') THEN '{v} (' || "
        f"array_to_string(list_slice(map_extract(refs, '{k}')[1], 1, 3), ', ') || ')' END"
        for k, v in SIGNAL_WORDS.items()
    )
    highest = risk_name_sql("p.highest_order")
    sql = f"""
WITH sig AS (SELECT * FROM {SIGNAL} UNION ALL {older_sql(cfg)}),
sig_ref AS (
  SELECT DISTINCT s.person_id, s.signal, e.force || ' ' || e.reference AS ref
  FROM sig AS s JOIN staged_event AS e USING (event_id)),
s AS (
  SELECT person_id, list(DISTINCT signal ORDER BY signal) AS kinds,
    map_from_entries(list({{'k': signal, 'v': refs}})) AS refs
  FROM (SELECT person_id, signal, list(ref ORDER BY ref) AS refs FROM sig_ref
        GROUP BY person_id, signal)
  GROUP BY person_id),
fnd AS (
  SELECT person_id, string_agg(DISTINCT postcode, ',' ORDER BY postcode) AS found_at,
    count(DISTINCT event_id) FILTER (WHERE found_force <> force) AS n_other,
    string_agg(DISTINCT found_force, ',' ORDER BY found_force)
      FILTER (WHERE found_force <> force) AS found_forces
  FROM {FOUND} GROUP BY person_id),
asc_ AS (
  SELECT person_id, count(DISTINCT other_id) AS n_associates,
    array_to_string(list_slice(list(DISTINCT other_id ORDER BY other_id), 1, 10), ',')
      AS associates
  FROM {ASSOC} GROUP BY person_id),
last_ep AS (
  SELECT person_id, arg_max(force || ' ' || reference, started) AS ref FROM {EPISODE}
  GROUP BY person_id),
base AS (
  SELECT p.*, fr.region, {highest} AS highest_risk,
    coalesce(f.found_at, NULL) AS found_at, coalesce(f.n_other, 0) AS n_found_other_force,
    f.found_forces, coalesce(r.rhi, 'not recorded') AS rhi,
    coalesce(a.n_associates, 0) AS n_associates, a.associates,
    coalesce(s.kinds, []) AS kinds, s.refs, le.ref AS last_ref,
    list_filter(coalesce(s.kinds, []), k -> k IN {tuple(SOC_SIGNALS)!r}) AS soc_kinds,
    list_transform(list_filter(coalesce(s.kinds, []), k -> starts_with(k, 'indicator:')),
                   k -> substr(k, 11)) AS ind_kinds
  FROM {PERSON} AS p
  LEFT JOIN {FORCE_REGION} AS fr ON fr.force = p.force
  LEFT JOIN fnd AS f USING (person_id) LEFT JOIN {RHI} AS r USING (person_id)
  LEFT JOIN asc_ AS a USING (person_id) LEFT JOIN s USING (person_id)
  LEFT JOIN last_ep AS le USING (person_id)),
scored AS (
  SELECT b.*,
    {float(w.frequent)!r} * CAST(b.frequent AS INT)
    + {float(w.episode_90d)!r} * least(b.n_episodes_90d, {int(w.episode_90d_cap)})
    + (CASE WHEN FALSE THEN 0 {risk_points} ELSE 0 END)
    + {float(w.risk_escalating)!r} * CAST(b.risk_escalating AS INT)
    + {float(w.intervals_shortening)!r} * CAST(b.intervals_shortening AS INT)
    + {float(w.found_other_force)!r} * CAST(b.n_found_other_force > 0 AS INT)
    + {float(w.no_rhi)!r} * CAST(b.rhi = 'not recorded' AND b.n_episodes_90d > 0 AS INT)
    + {float(w.indicator)!r} * len(list_filter(b.ind_kinds, k -> k <> 'found_other_force'))
    + {soc_points} AS score
  FROM base AS b)
SELECT person_id, force, region, forces, age, coalesce(child_known, FALSE) AS child,
  n_episodes, n_episodes_90d, n_episodes_365d, frequent, first_missing, last_missing,
  latest_risk, highest_risk, risk_escalating,
  interval_days_recent, interval_days_earlier, intervals_shortening,
  missing_from, found_at, n_found_other_force, found_forces, rhi, n_associates, associates,
  len(soc_kinds) > 0 AS soc_link,
  nullif(array_to_string(soc_kinds, ','), '') AS soc_signals,
  nullif(array_to_string(ind_kinds, ','), '') AS indicators,
  score,
  concat_ws('; ',
    'Missing ' || n_episodes_90d || ' times in the last 90 days, ' || n_episodes_365d
      || ' in 365, ' || n_episodes || ' in all' || CASE WHEN frequent THEN ' (frequent)' ELSE '' END
      || '; latest ' || last_missing || ' (' || last_ref || ')',
    CASE WHEN highest_risk IS NOT NULL THEN 'highest risk in 365 days ' || highest_risk
      || CASE WHEN risk_escalating THEN ', escalating' ELSE '' END END,
    CASE WHEN intervals_shortening THEN 'intervals shortening (' || round(interval_days_recent)
      || ' days lately, ' || round(interval_days_earlier) || ' before)' END,
    CASE WHEN n_found_other_force > 0 THEN 'found in another force area ' || n_found_other_force
      || ' times (' || found_forces || ')' END,
    CASE WHEN len(soc_kinds) > 0 THEN 'SOC link: ' || concat_ws('; ', {soc_words}) END,
    CASE WHEN len(ind_kinds) > 0 THEN 'possible motive: '
      || array_to_string(list_transform(ind_kinds, k -> replace(k, '_', ' ')), ', ') END,
    'return-home interview ' || rhi) AS reason,
  {sql_literal(as_of)} AS as_of
FROM scored"""
    return {"sql": sql, "output_table_name": "assess__mp_scored"}


def marking_records_sql() -> Step:
    """Every (person, record) the profile row draws on: episodes, signals, RHI records,
    associates' shared records."""
    sql = f"""
SELECT person_id, event_id FROM {EPISODE}
UNION SELECT person_id, event_id FROM {SIGNAL}
UNION SELECT person_id, unnest(event_ids) FROM {RHI}
UNION SELECT person_id, event_id FROM {ASSOC}"""
    return {"sql": sql, "output_table_name": "assess__mp_records"}


def output_sql() -> Step:
    """``assess_misper``: the scored rows with their ranks and markings."""
    sql = f"""
WITH fr AS ({rank_sql("assess__mp_scored", "force", "force", ORDER)}),
rr AS ({rank_sql("assess__mp_scored", "region", "region", ORDER)}),
mk AS ({marks_sql("assess__mp_records")})
SELECT s.person_id, s.force, s.region, s.forces, s.age, s.child, s.n_episodes,
  s.n_episodes_90d, s.n_episodes_365d, s.frequent, s.first_missing, s.last_missing,
  s.latest_risk, s.highest_risk, s.risk_escalating, s.interval_days_recent,
  s.interval_days_earlier, s.intervals_shortening, s.missing_from, s.found_at,
  s.n_found_other_force, s.found_forces, s.rhi, s.n_associates, s.associates, s.soc_link,
  s.soc_signals, s.indicators, CAST(s.score AS DOUBLE) AS score, fr.rank AS force_rank,
  rr.rank AS region_rank,
  s.reason, mk.mark_forces, mk.mark_codes, mk.mark_classes, s.as_of
FROM assess__mp_scored AS s
LEFT JOIN fr USING (person_id) LEFT JOIN rr USING (person_id) LEFT JOIN mk USING (person_id)
ORDER BY s.force, fr.rank"""
    return {"sql": sql, "output_table_name": MISPER_TABLE}


def rank_table_sql() -> Step:
    """``assess_misper_rank``: ranks in every force with an episode and in its region."""
    sql = f"""
WITH areas AS (
  SELECT DISTINCT ep.person_id, ep.force, fr.region FROM {EPISODE} AS ep
  LEFT JOIN {FORCE_REGION} AS fr USING (force)),
s AS (SELECT a.force, a.region, m.person_id, m.score, m.n_episodes_90d, m.n_episodes
      FROM areas AS a JOIN {MISPER_TABLE} AS m USING (person_id)),
r AS (SELECT DISTINCT region, person_id, score, n_episodes_90d, n_episodes FROM s)
{rank_sql("s", "force", "force", ORDER)}
UNION ALL
{rank_sql("r", "region", "region", ORDER)}
ORDER BY area_type, area, rank"""
    return {"sql": sql, "output_table_name": MISPER_RANK_TABLE}


def misper_steps(cfg: MisperConfig, as_of: dt.date, mention_person: str) -> list[Step]:
    """Every step of the missing-person profile (needs the shared profile steps first)."""
    return [
        episode_sql(mention_person, as_of),
        found_sql(),
        person_sql(cfg, as_of),
        rhi_sql(cfg),
        assoc_sql(),
        signal_sql(cfg),
        profile_sql(cfg, as_of),
        marking_records_sql(),
        output_sql(),
        rank_table_sql(),
    ]
