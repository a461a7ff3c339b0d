"""Summary: the force's priority VAWG perpetrators, from the assess stage's ranking.

Reads ``assess_perpetrator_rank`` (the force's list) and ``assess_perpetrator_priority``
(scores, facts, reason). A perpetrator appears only when every record naming him is in the
pack's scope (his score and reason draw on all of them); the pack numbers those it shows
1, 2, 3... in the force's order, and never shows a rank that counts people it cannot show.
"""

from __future__ import annotations

from typing import Any

from toex.assess.perpetrator_priority import PRIORITY_TABLE, RANK_TABLE
from toex.publish.content import Block, PackContext, Provenance, Section, person_label, unavailable
from toex.publish.records import PERSON

TOP_LIST = 10


def ranked_sql(visible: str) -> str:
    """The force's ranked perpetrators whose records are all visible (parameter ``?`` =
    force), in the force's order, with the person's name and provenance."""
    return f"""
SELECT r.rank AS force_rank, p.person_id, p.score, p.reason, p.escalating, p.age,
  p.n_vawg_offences, p.n_vawg_offences_12m, p.n_victims, p.n_child_victims,
  p.victim_age_min, p.victim_age_max, p.harm_window, p.harm_12m, p.harm_prev_12m,
  p.first_vawg_date, p.last_vawg_date, p.days_since_last_vawg, p.n_oics, p.n_lpcs,
  p.n_forces, p.n_investigations, p.forces AS offence_forces, p.force AS primary_force,
  p.rfgv, p.rfg, p.harm_score, p.recency_points, p.frequency_points, p.gravity_points,
  p.victims_points, rp.forename, rp.surname, a.mrank, a.forces, a.handling
FROM {RANK_TABLE} AS r
JOIN {PRIORITY_TABLE} AS p USING (person_id)
JOIN {PERSON} AS a USING (person_id)
LEFT JOIN resolved_person AS rp USING (person_id)
WHERE r.area_type = 'force' AND r.area = ? AND {visible}
ORDER BY r.rank"""


def ranked(ctx: PackContext) -> list[dict[str, Any]]:
    """The visible ranked perpetrators of the pack's force (computed once per pack)."""
    if "ranked" not in ctx.shared:
        found = ctx.rows(ranked_sql(ctx.visible("a")), [ctx.force.code])
        for i, r in enumerate(found, start=1):
            r["position"] = i
            r["label"] = person_label(r["forename"], r["surname"])
        ctx.shared["ranked"] = found
    rows: list[dict[str, Any]] = ctx.shared["ranked"]
    return rows


def build(ctx: PackContext) -> Section:
    """The priority perpetrators subsection: headline counts and the top ten."""
    title = "Priority VAWG perpetrators"
    if not (ctx.has(RANK_TABLE) and ctx.has(PRIORITY_TABLE)):
        return unavailable("perpetrators", title, "Perpetrator prioritisation")
    rows = ranked(ctx)
    top = rows[:TOP_LIST]
    harm_all = sum(float(r["harm_window"] or 0) for r in rows)
    harm_top = sum(float(r["harm_window"] or 0) for r in top)
    figures = {
        "n": len(rows),
        "escalating": sum(1 for r in rows if r["escalating"]),
        "recent": sum(1 for r in rows if (r["n_vawg_offences_12m"] or 0) > 0),
        "with_child_victims": sum(1 for r in rows if (r["n_child_victims"] or 0) > 0),
        "multi_force": sum(1 for r in rows if (r["n_forces"] or 0) > 1),
        "top_share": round(100 * harm_top / harm_all) if harm_all else None,
        "top_n": len(top),
    }
    ctx.shared["perpetrator_figures"] = figures
    all_prov = Provenance.of_rows(rows)
    top_prov = Provenance.of_rows(top)
    ctx.shared["perpetrator_provenance"] = all_prov
    blocks = [Block("blocks/perpetrator_figures.html", figures, all_prov)]
    if top:
        blocks.append(Block("blocks/perpetrator_table.html", {"rows": top}, top_prov))
    return Section(
        "perpetrators",
        title,
        blocks,
        intro="Suspects of VAWG offences ranked by recency, frequency, gravity (harm) and "
        "number of victims (RFGV), on everything recorded about them across forces.",
    )
