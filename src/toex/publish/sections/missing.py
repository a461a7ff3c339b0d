"""Summary: missing-person episodes recorded by the force, from the warehouse directly.

Counts and trends only (episodes by month, people, repeat and child episodes, risk as
recorded, normalised to the APP Missing persons categories). The full missing-person
profile (associates, SOC links, motives) is its own section when the snapshot holds it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from toex.assess.perpetrator_priority import months_before
from toex.model import MisperRisk
from toex.model.profile_codes import normalise_misper_risk
from toex.publish.charts import bar_chart_svg, column_chart_svg
from toex.publish.content import Block, PackContext, Provenance, Section
from toex.publish.records import RECORD
from toex.publish.sections.vawg import change_text, month_starts

REPEAT_EPISODES, REPEAT_DAYS = 3, 90
RISK_LABELS = {
    MisperRisk.HIGH: "High",
    MisperRisk.MEDIUM: "Medium",
    MisperRisk.LOW: "Low",
    MisperRisk.NO_APPARENT_RISK: "No apparent risk (absent)",
}


def normalise_risk(value: str | None) -> str:
    """A recorded risk ("High Risk", "high", "absent"...) as its APP category label, or
    "Not recorded"."""
    risk = normalise_misper_risk(value)
    return RISK_LABELS[risk] if risk is not None else "Not recorded"


def episodes_sql(visible: str, start: dt.date, as_of: dt.date) -> str:
    """Visible missing episodes of the force (parameter ``?``) after ``start``: one row per
    episode and missing person, with the episode's provenance."""
    return f"""
SELECT e.event_id, coalesce(e.occurred_from, e.reported_date) AS day, e.risk_level,
       mp.person_id, m.age_at_event, r.mrank, r.forces, r.handling
FROM staged_event AS e
JOIN {RECORD} AS r USING (event_id)
LEFT JOIN staged_person_mention AS m ON m.event_id = e.event_id AND m.role = 'missing'
LEFT JOIN resolved_mention_person AS mp ON mp.mention_id = m.mention_id
WHERE e.event_type = 'missing_episode' AND e.force = ?
  AND coalesce(e.occurred_from, e.reported_date) > DATE '{start}'
  AND coalesce(e.occurred_from, e.reported_date) <= DATE '{as_of}' AND {visible}"""


def build(ctx: PackContext) -> Section:
    """The missing persons subsection."""
    months = month_starts(ctx.as_of, 24)
    rows = ctx.rows(
        episodes_sql(ctx.visible("r"), months[0] - dt.timedelta(days=1), ctx.as_of),
        [ctx.force.code],
    )
    year_ago = months_before(ctx.as_of, 12)
    repeat_from = ctx.as_of - dt.timedelta(days=REPEAT_DAYS)
    by_month: Counter[dt.date] = Counter()
    risk: Counter[str] = Counter()
    seen: set[str] = set()
    recent_ids: set[str] = set()
    before_ids: set[str] = set()
    people: set[str] = set()
    children: set[str] = set()
    per_person_recent: Counter[str] = Counter()
    for r in rows:
        if r["event_id"] in seen:
            continue
        seen.add(r["event_id"])
        by_month[r["day"].replace(day=1)] += 1
        if r["day"] > year_ago:
            recent_ids.add(r["event_id"])
            risk[normalise_risk(r["risk_level"])] += 1
            if r["person_id"]:
                people.add(r["person_id"])
                if r["age_at_event"] is not None and r["age_at_event"] < 18:
                    children.add(r["person_id"])
        else:
            before_ids.add(r["event_id"])
        if r["person_id"] and r["day"] > repeat_from:
            per_person_recent[r["person_id"]] += 1
    repeat = sum(1 for n in per_person_recent.values() if n >= REPEAT_EPISODES)
    prov = Provenance.of_rows(rows)
    ctx.shared["missing"] = {"recent": len(recent_ids), "provenance": prov}
    order = [*RISK_LABELS.values(), "Not recorded"]
    data: dict[str, Any] = {
        "recent": len(recent_ids),
        "change": change_text(len(recent_ids), len(before_ids)),
        "people": len(people),
        "children": len(children),
        "repeat": repeat,
        "repeat_rule": f"{REPEAT_EPISODES} or more episodes in the last {REPEAT_DAYS} days",
        "trend": column_chart_svg(
            [m.strftime("%b %y") for m in months],
            [by_month.get(m, 0) for m in months],
            label="Missing episodes per month",
            highlight_from=12,
        ),
        "by_risk": bar_chart_svg(
            [(label, risk.get(label, 0)) for label in order],
            label="Missing episodes by risk, last 12 months",
            width=420,
            label_width=170,
        ),
    }
    return Section(
        "missing",
        "Missing persons",
        [Block("blocks/missing.html", data, prov)],
        intro="Missing-person episodes recorded by the force; going missing is a key "
        "indicator of child sexual and criminal exploitation (APP Missing persons).",
    )
