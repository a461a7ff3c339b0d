"""Summary: VAWG offending in the force, by month, local policing command and offence.

Counts the force's crimes that the assess stage classified as VAWG (its classification,
rerun by :mod:`toex.publish.records` with the same builder) whose records the pack may show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from toex.assess.perpetrator_priority import months_before
from toex.publish.charts import bar_chart_svg, column_chart_svg
from toex.publish.content import Block, PackContext, Provenance, Section, provenance_sql
from toex.publish.records import CRIME, RECORD


def month_starts(as_of: dt.date, months: int) -> list[dt.date]:
    """First days of the ``months`` calendar months ending with ``as_of``'s month."""
    out = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        out.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def vawg_crimes_sql(visible: str, start: dt.date, as_of: dt.date) -> str:
    """The force's visible VAWG crimes after ``start`` (parameter ``?`` = force) grouped
    by month, LPC and offence, with provenance per group."""
    return f"""
SELECT date_trunc('month', c.offence_date)::DATE AS month,
       coalesce(c.lpc, 'not recorded') AS lpc,
       coalesce(h.description, c.offence_code, 'not recorded') AS offence,
       c.offence_date > DATE '{months_before(as_of, 12)}' AS recent,
       count(*) AS n, {provenance_sql("r")}
FROM {CRIME} AS c
JOIN {RECORD} AS r USING (event_id)
LEFT JOIN assess_harm_weight AS h ON h.code = c.offence_code
WHERE c.force = ? AND c.is_vawg AND c.offence_date > DATE '{start}'
  AND c.offence_date <= DATE '{as_of}' AND {visible}
GROUP BY ALL"""


def change_text(recent: int, before: int) -> str:
    """'up 12% on the 12 months before' and the like."""
    if before == 0:
        return "none in the 12 months before" if recent else "none in either year"
    pct = round(100 * (recent - before) / before)
    if pct == 0:
        return "level with the 12 months before"
    return f"{'up' if pct > 0 else 'down'} {abs(pct)}% on the 12 months before"


def build(ctx: PackContext) -> Section:
    """The VAWG offending subsection: monthly trend, by LPC and by offence."""
    months = month_starts(ctx.as_of, 24)
    rows = ctx.rows(
        vawg_crimes_sql(ctx.visible("r"), months[0] - dt.timedelta(days=1), ctx.as_of),
        [ctx.force.code],
    )
    by_month: dict[dt.date, int] = {m: 0 for m in months}
    by_lpc: dict[str, int] = {}
    by_offence: dict[str, int] = {}
    recent = before = 0
    for r in rows:
        by_month[r["month"]] = by_month.get(r["month"], 0) + r["n"]
        if r["recent"]:
            recent += r["n"]
            by_lpc[r["lpc"]] = by_lpc.get(r["lpc"], 0) + r["n"]
            by_offence[r["offence"]] = by_offence.get(r["offence"], 0) + r["n"]
        else:
            before += r["n"]
    prov = Provenance.of_rows(rows)
    ctx.shared["vawg"] = {"recent": recent, "before": before, "provenance": prov}
    labels = [m.strftime("%b %y") for m in months]
    trend = column_chart_svg(
        labels,
        [by_month[m] for m in months],
        label="VAWG crimes per month",
        highlight_from=12,
    )
    top_lpc = sorted(by_lpc.items(), key=lambda kv: (-kv[1], kv[0]))
    top_offence = sorted(by_offence.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    data: dict[str, Any] = {
        "recent": recent,
        "before": before,
        "change": change_text(recent, before),
        "trend": trend,
        "first_month": months[0],
        "by_lpc": bar_chart_svg(
            top_lpc, label="VAWG crimes by LPC, last 12 months", width=320, label_width=130
        ),
        "by_offence": bar_chart_svg(
            top_offence, label="VAWG crimes by offence, last 12 months", width=320, label_width=150
        ),
    }
    return Section(
        "vawg",
        "VAWG offending",
        [Block("blocks/vawg.html", data, prov)],
        intro="Crimes classified as violence against women and girls, by month of offence.",
    )
