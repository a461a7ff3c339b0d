"""Three suspect profiles: the force's top priority VAWG perpetrators the pack may show.

Each profile: the assess stage's reason and score breakdown, an offence timeline, victims
as counts and age ranges only, the officers in charge (OICs) and local policing commands
(LPCs) involved, his records in other forces, and recommended actions. Every record naming
him is in the pack's scope (that is what puts him on the list), so the profile's marking
is the highest of those records.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from toex.assess.perpetrator_priority import months_before
from toex.assess.safeguarding import SAFEGUARDING_TABLE
from toex.publish.actions import recommended_actions
from toex.publish.charts import TimelinePoint, timeline_svg
from toex.publish.content import Block, PackContext, Provenance, Section, unavailable
from toex.publish.records import CRIME, PERSON, RECORD
from toex.publish.sections.perpetrators import ranked

PROFILES = 3
EVENT_LABELS = {
    "crime": ("crime", "crimes"),
    "intelligence": ("intelligence report", "intelligence reports"),
    "custody": ("custody record", "custody records"),
    "missing_episode": ("missing episode", "missing episodes"),
    "visor": ("ViSOR record", "ViSOR records"),
    "operation": ("operation", "operations"),
}


def kind_label(event_type: str, n: int) -> str:
    """ "1 crime", "12 crimes", "3 intelligence reports"..."""
    one, many = EVENT_LABELS.get(event_type, (event_type, event_type))
    return f"{n} {one if n == 1 else many}"


def offences_sql() -> str:
    """Every crime on which the person (parameter ``?``) is a suspect, oldest first."""
    return f"""
SELECT DISTINCT c.event_id, c.offence_date, c.offence_code, c.is_vawg, c.harm_days, c.force,
       c.lpc, c.oic, c.reference, h.description
FROM resolved_mention_person AS mp
JOIN staged_person_mention AS m USING (mention_id)
JOIN {CRIME} AS c ON c.event_id = m.event_id
LEFT JOIN assess_harm_weight AS h ON h.code = c.offence_code
WHERE mp.person_id = ? AND m.role = 'suspect'
ORDER BY c.offence_date, c.event_id"""


def records_sql() -> str:
    """The person's (parameter ``?``) records by force and kind, with their date span."""
    return f"""
SELECT r.force, r.event_type, count(DISTINCT r.event_id) AS n,
       min(coalesce(e.occurred_from, e.reported_date)) AS first,
       max(coalesce(e.occurred_from, e.reported_date)) AS last
FROM resolved_mention_person AS mp
JOIN staged_person_mention AS m USING (mention_id)
JOIN {RECORD} AS r ON r.event_id = m.event_id
JOIN staged_event AS e ON e.event_id = r.event_id
WHERE mp.person_id = ?
GROUP BY 1, 2 ORDER BY 1, 2"""


def victim_checks_sql(visible: str) -> str:
    """His victims (parameter ``?``) in the safeguarding checks whose records are visible:
    how many, and how many with no safeguarding referral recorded."""
    return f"""
SELECT count(DISTINCT s.person_id) AS n,
       count(DISTINCT s.person_id) FILTER (WHERE NOT s.referral_recorded) AS no_referral
FROM {SAFEGUARDING_TABLE} AS s JOIN {PERSON} AS a USING (person_id)
WHERE s."check" = 'victim_of_priority_perpetrator' AND s.related_person_id = ? AND {visible}"""


def _counted(values: list[str]) -> list[tuple[str, int]]:
    return sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))


def profile(ctx: PackContext, p: dict[str, Any]) -> dict[str, Any]:
    """Everything one suspect profile shows (plain values)."""
    names = {f.code: f.short_name for f in ctx.catalogue.forces}
    offences = ctx.rows(offences_sql(), [p["person_id"]])
    vawg = [o for o in offences if o["is_vawg"]]
    multi = len({o["force"] for o in offences}) > 1
    points = [
        TimelinePoint(
            o["offence_date"],
            f"{names.get(o['force'], o['force'])} · {o['lpc'] or 'LPC not recorded'}"
            if multi
            else (o["lpc"] or "LPC not recorded"),
            bool(o["is_vawg"]),
            float(o["harm_days"] or 0),
            f"{o['offence_date']}: {o['description'] or o['offence_code']}",
        )
        for o in offences
        if o["offence_date"] is not None
    ]
    start = min([pt.day for pt in points] + [months_before(ctx.as_of, 36)])
    timeline = timeline_svg(
        points,
        start=start.replace(month=1, day=1),
        end=ctx.as_of,
        recent_from=months_before(ctx.as_of, 12),
        label=f"Offence timeline of suspect {p['position']}",
    )
    records = ctx.rows(records_sql(), [p["person_id"]])
    elsewhere = [
        {
            "force": names.get(r["force"], r["force"]),
            "kind": kind_label(r["event_type"], r["n"]),
            "n": r["n"],
            "first": r["first"],
            "last": r["last"],
        }
        for r in records
        if r["force"] != ctx.force.code
    ]
    here = sum(r["n"] for r in records if r["force"] == ctx.force.code)
    checks = ctx.rows(victim_checks_sql(ctx.visible("a")), [p["person_id"]])[0]
    actions = recommended_actions(
        p, force_names=names, victims_without_referral=int(checks["no_referral"] or 0)
    )
    return {
        "p": p,
        "timeline": timeline,
        "lpcs": _counted(
            [
                f"{names.get(o['force'], o['force'])} · {o['lpc']}" if multi else o["lpc"]
                for o in vawg
                if o["lpc"]
            ]
        ),
        "oics": _counted([o["oic"] for o in vawg if o["oic"]]),
        "n_vawg": len(vawg),
        "n_other": len(offences) - len(vawg),
        "records_here": here,
        "elsewhere": elsewhere,
        "victim_checks": checks,
        "actions": actions,
    }


def build(ctx: PackContext) -> Section:
    """The suspect profiles section (one page each)."""
    title = "Suspect profiles"
    if not ctx.has("assess_perpetrator_priority"):
        return unavailable("suspects", title, "Perpetrator prioritisation")
    top = ranked(ctx)[:PROFILES]
    ctx.shared["suspects"] = top
    subsections = []
    for p in top:
        prov = Provenance.of_rows([p])
        data = profile(ctx, p)
        subsections.append(
            Section(
                f"suspect-{p['position']}",
                f"Suspect {p['position']}: {p['label']}",
                [
                    Block("blocks/suspect_summary.html", data, prov),
                    Block("blocks/suspect_timeline.html", data, prov),
                    Block("blocks/suspect_detail.html", data, prov),
                ],
            )
        )
    intro = (
        "The force's highest-ranked priority VAWG perpetrators whose every record this pack "
        "may show. Victims appear as counts and ages only."
    )
    blocks = (
        []
        if top
        else [
            Block(
                "blocks/unavailable.html",
                {
                    "text": "No ranked VAWG perpetrator of this force can be shown under this "
                    "pack's access scope."
                },
            )
        ]
    )
    return Section("suspects", title, blocks, subsections=subsections, intro=intro)
