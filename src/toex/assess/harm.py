"""Harm and VAWG classification of recorded crimes.

Loads the configured harm table (CCHI or ONS CSS days per Home Office offence code, see
:mod:`toex.model.harm`) into the warehouse as ``assess_harm_weight`` beside each code's VAWG
flags, and builds the step that classifies every crime event:

- its harm in days (the code's weight; the configured default for a code without one);
- VAWG when the offence is VAWG by type, or VAWG in context (assaults, public order,
  murder...) with a female victim on the record, or (configurable) flagged VAWG by the force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from toex.assess.config import AssessConfig
from toex.assess.sql_steps import Step, sql_literal, write_arrow
from toex.model.offences import offence_table

HARM_TABLE = "assess_harm_weight"
CRIME_STEP = "assess__crime"


def harm_weight_table(cfg: AssessConfig) -> pa.Table:
    """One row per shipped offence code: weight in days, its basis, scheme and VAWG flags."""
    weights = cfg.harm_weights()
    scheme = "custom" if cfg.harm.table is not None else cfg.harm.scheme
    rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "code",
            "description",
            "category",
            "days",
            "basis",
            "scheme",
            "vawg",
            "vawg_context",
        )
    }
    for code, off in offence_table().items():
        w = weights.get(code)
        rows["code"].append(code)
        rows["description"].append(off.description)
        rows["category"].append(off.category)
        rows["days"].append(w.days if w else cfg.harm.default_days)
        rows["basis"].append(w.basis if w else "not in the harm table: default weight")
        rows["scheme"].append(scheme)
        rows["vawg"].append(off.vawg)
        rows["vawg_context"].append(off.vawg_context)
    return pa.table(
        rows,
        schema=pa.schema(
            [
                ("code", pa.string()),
                ("description", pa.string()),
                ("category", pa.string()),
                ("days", pa.float64()),
                ("basis", pa.string()),
                ("scheme", pa.string()),
                ("vawg", pa.bool_()),
                ("vawg_context", pa.bool_()),
            ]
        ),
    )


def write_harm_weights(con: Any, cfg: AssessConfig) -> None:
    """Write ``assess_harm_weight`` for the configured scheme."""
    write_arrow(con, HARM_TABLE, harm_weight_table(cfg))


def crime_sql(cfg: AssessConfig, as_of: dt.date) -> Step:
    """Crime events up to ``as_of`` with offence date, harm days and the VAWG classification."""
    source_flag = "OR coalesce(e.vawg, FALSE)" if cfg.vawg.use_source_flag else ""
    sql = f"""
SELECT e.event_id, e.force, e.reference, e.lpc, e.oic, e.offence_code,
       coalesce(e.occurred_from, e.reported_date) AS offence_date,
       coalesce(h.days, {sql_literal(float(cfg.harm.default_days))}) AS harm_days,
       (coalesce(h.vawg, FALSE)
        OR (coalesce(h.vawg_context, FALSE) AND fv.event_id IS NOT NULL)
        {source_flag}) AS is_vawg
FROM staged_event AS e
LEFT JOIN {HARM_TABLE} AS h ON h.code = e.offence_code
LEFT JOIN (SELECT DISTINCT event_id FROM staged_person_mention
           WHERE role = 'victim' AND gender = 'F' AND event_id IS NOT NULL) AS fv
       ON fv.event_id = e.event_id
WHERE e.event_type = 'crime'
  AND coalesce(e.occurred_from, e.reported_date) <= {sql_literal(as_of)}"""
    return {"sql": sql, "output_table_name": CRIME_STEP}
