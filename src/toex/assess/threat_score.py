"""Threat inputs (SQL builder) and the MoRiLE-like score (pure) of each network.

A threat is a Leiden community of the link graph (an organised group as the graph sees it)
with at least ``min_members`` persons and ``min_crimes`` crimes. :func:`threat_inputs_sql`
computes the inputs of :data:`toex.assess.threat_config.INPUTS` for each, from the member
events of :mod:`toex.assess.exploitation_evidence` (which must have run on the
connection), with the markings of every record it draws on (``mark_forces``,
``mark_codes``, ``mark_classes``: a viewer sees the threat only when all are permitted).
:func:`score` turns inputs into dimensions, a score, a band and a reason.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from toex.assess.exploitation_evidence import EVENT_PERSON, NET_EVENT
from toex.assess.sql_steps import sql_literal
from toex.assess.threat_config import Dimension, Factor, ThreatScoring
from toex.model import GeographicScale
from toex.model.offences import offence_table

THREAT_LEVEL = "community"
_SCALE_RANK = {s.value: i for i, s in enumerate(GeographicScale)}
_SOURCE = {"1": 1.0, "2": 0.7, "3": 0.3}
_ASSESS = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.3, "E": 0.0}


def violence_weapons_codes() -> list[str]:
    """Offence codes of violence against the person and possession of weapons."""
    return sorted(
        c
        for c, o in offence_table().items()
        if o.category in ("Violence against the person", "Possession of weapons offences")
    )


def grade_sql(column: str) -> str:
    """SQL: a 3x5x2 grade such as '1BP' as a number in [0, 1] (source x intelligence)."""
    src = " ".join(f"WHEN '{k}' THEN {v}" for k, v in _SOURCE.items())
    ass = " ".join(f"WHEN '{k}' THEN {v}" for k, v in _ASSESS.items())
    return (
        f"(CASE substr({column}, 1, 1) {src} ELSE 0 END) * "
        f"(CASE substr({column}, 2, 1) {ass} ELSE 0 END)"
    )


def threat_inputs_sql(cfg: ThreatScoring, as_of: dt.date) -> str:
    """One row per threat: identity, forces, regions, scale, inputs and record markings."""
    day = sql_literal(as_of)
    vw = ", ".join(sql_literal(c) for c in violence_weapons_codes())
    scale_case = " ".join(f"WHEN '{k}' THEN {v}" for k, v in _SCALE_RANK.items())
    return f"""
WITH net AS (
    SELECT * FROM link_network
    WHERE level = '{THREAT_LEVEL}' AND n_members >= {int(cfg.min_members)}
),
ev AS (
    SELECT ne.network_id, e.event_id, e.event_type, e.offence_code, e.force, e.grading,
           e.handling_code, e.classification,
           coalesce(e.occurred_from, e.reported_date) AS day
    FROM {NET_EVENT} AS ne JOIN staged_event AS e ON e.event_id = ne.event_id
    WHERE ne.level = '{THREAT_LEVEL}' AND ne.network_id IN (SELECT network_id FROM net)
),
crimes AS (
    SELECT ev.network_id, count(*) AS crimes,
           coalesce(sum(h.days), 0) AS total_harm_days,
           count(*) FILTER (WHERE ev.day > {day} - INTERVAL 365 DAY) AS crimes_last_year,
           count(*) FILTER (WHERE ev.offence_code IN ({vw})) AS violence_weapons_crimes
    FROM ev LEFT JOIN assess_harm_weight AS h ON h.code = ev.offence_code
    WHERE ev.event_type = 'crime' GROUP BY ev.network_id
),
people AS (
    SELECT ev.network_id,
           count(DISTINCT p.person_id) FILTER (WHERE p.role = 'victim') AS victims,
           count(DISTINCT p.person_id)
               FILTER (WHERE p.role IN ('victim', 'suspect') AND p.age < 18) AS children
    FROM ev JOIN {EVENT_PERSON} AS p ON p.event_id = ev.event_id
    WHERE ev.event_type = 'crime' GROUP BY ev.network_id
),
intel AS (
    SELECT network_id, count(*) AS intel_reports, max({grade_sql("grading")}) AS best_intel_grade
    FROM ev WHERE event_type = 'intelligence' GROUP BY network_id
),
span AS (
    SELECT network_id, max(day) AS last_day,
           list(DISTINCT force ORDER BY force) AS mark_forces,
           list(DISTINCT handling_code ORDER BY handling_code) AS mark_codes,
           list(DISTINCT classification ORDER BY classification) AS mark_classes,
           arg_max(force, n) AS primary_force
    FROM (SELECT *, count(*) OVER (PARTITION BY network_id, force) AS n FROM ev)
    GROUP BY network_id
)
SELECT n.network_id AS threat_id, n.n_members AS members, n.forces, n.regions,
       n.geographic_scale, (CASE n.geographic_scale {scale_case} ELSE 0 END) AS scale_rank,
       n.n_forces AS forces_n, n.principal_person_ids,
       coalesce(c.crimes, 0) AS crimes, coalesce(c.total_harm_days, 0) AS total_harm_days,
       coalesce(c.crimes_last_year, 0) AS crimes_last_year,
       coalesce(c.violence_weapons_crimes, 0) AS violence_weapons_crimes,
       coalesce(p.victims, 0) AS victims, coalesce(p.children, 0) AS children,
       coalesce(i.intel_reports, 0) AS intel_reports,
       coalesce(i.best_intel_grade, 0) AS best_intel_grade,
       date_diff('day', s.last_day, {day}) AS days_since_last_activity,
       s.primary_force, s.mark_forces, s.mark_codes, s.mark_classes
FROM net AS n
JOIN span AS s USING (network_id)
LEFT JOIN crimes AS c USING (network_id)
LEFT JOIN people AS p USING (network_id)
LEFT JOIN intel AS i USING (network_id)
WHERE coalesce(c.crimes, 0) >= {int(cfg.min_crimes)}
ORDER BY n.network_id"""


def factor_value(f: Factor, value: float | None) -> float:
    """One factor's input scaled to [0, 1]."""
    v = max(0.0, float(value or 0.0))
    if f.scale == "recency":
        return 0.0 if value is None else 0.5 ** (v / f.half_life_days)
    if f.scale == "log":
        return min(math.log1p(v) / math.log1p(f.cap), 1.0)
    return min(v / f.cap, 1.0)


def dimension_value(d: Dimension, inputs: dict[str, Any]) -> float:
    """A dimension: the weighted mean of its factors."""
    total = sum(f.weight for f in d.factors)
    return sum(f.weight * factor_value(f, _input(inputs, f.input)) for f in d.factors) / total


def _input(inputs: dict[str, Any], name: str) -> Any:
    return inputs["forces_n"] if name == "forces" else inputs.get(name)


def band_of(cfg: ThreatScoring, value: float) -> str:
    """The band of a score."""
    for b in cfg.bands:
        if value >= b.at_least:
            return b.name
    return cfg.bands[-1].name


def score(cfg: ThreatScoring, inputs: dict[str, Any], types: list[str]) -> dict[str, Any]:
    """Dimensions, score, band and reason of one threat from its inputs."""
    dims = {name: dimension_value(d, inputs) for name, d in cfg.dimensions().items()}
    wsum = sum(d.weight for d in cfg.dimensions().values())
    value = round(100 * sum(cfg.dimensions()[n].weight * v for n, v in dims.items()) / wsum, 2)
    conf = dimension_value(cfg.confidence, inputs)
    band = band_of(cfg, value)
    scale = GeographicScale(inputs["geographic_scale"]).label.lower()
    reason = (
        f"{band.capitalize()} (score {value:.1f}) - {', '.join(types) or 'no type'}: "
        f"harm {dims['harm']:.2f} ({inputs['total_harm_days']:,.0f} harm days from "
        f"{inputs['crimes']} crimes, {inputs['victims']} victims, {inputs['children']} "
        f"children); likelihood {dims['likelihood']:.2f} (last activity "
        f"{inputs['days_since_last_activity']} days before the reference date, "
        f"{inputs['crimes_last_year']} crimes in the last year); capability "
        f"{dims['capability']:.2f} ({inputs['members']} members, {scale}); confidence "
        f"{conf:.2f} ({inputs['intel_reports']} intelligence reports, {inputs['forces_n']} "
        "forces)"
    )
    return {
        "harm": round(dims["harm"], 4),
        "likelihood": round(dims["likelihood"], 4),
        "capability": round(dims["capability"], 4),
        "confidence": round(conf, 4),
        "score": value,
        "band": band,
        "reason": reason,
    }
