"""Safeguarding health checks of the force, from the assess stage's ``assess_safeguarding``.

A row belongs to the force as in :func:`toex.assess.safeguarding.health_checks` (the person
was victimised there, the record behind the check is there, or the perpetrator's primary
force is this force); it is shown only when every record of the safeguarded person, and of
the perpetrator it names, is in the pack's scope. People to safeguard appear by their toex
reference only (data minimisation) unless the configuration allows names.
"""

from __future__ import annotations

from typing import Any

from toex.assess.safeguarding import CHECKS, SAFEGUARDING_TABLE
from toex.publish.content import Block, PackContext, Provenance, Section, person_label, unavailable
from toex.publish.records import PERSON

CHECK_LABELS = {
    "victim_of_priority_perpetrator": "Victims of priority perpetrators",
    "child_linked_high_harm_suspect": "Children linked to high-harm suspects",
    "repeat_victim_cross_force": "Repeat victims across forces",
}
CHECK_MEANINGS = {
    "victim_of_priority_perpetrator": "every victim of a perpetrator in the top ten of any force",
    "child_linked_high_harm_suspect": "children named in any role on a crime of a suspect "
    "in the top 5% by VAWG harm",
    "repeat_victim_cross_force": "people victimised twice or more in two or more forces, "
    "which no single force sees",
}
ROWS_PER_BLOCK = 12
MAX_ROWS_PER_CHECK = 12


def checks_sql(visible_person: str, visible_related: str) -> str:
    """The force's (parameters ``?`` x3) health-check rows whose people are visible, with
    provenance over both people and names for both."""
    return f"""
SELECT s."check", s.person_id, s.related_person_id, s.age, s.child, s.reason,
       s.n_victimisations, s.n_missing_episodes, s.referral_recorded, s.referral_reference,
       s.related_force_rank, vp.forename AS v_forename, vp.surname AS v_surname,
       rp.forename AS r_forename, rp.surname AS r_surname,
       greatest(a.mrank, coalesce(b.mrank, 0)) AS mrank,
       list_distinct(list_concat(a.forces, coalesce(b.forces, []))) AS forces,
       list_distinct(list_concat(a.handling, coalesce(b.handling, []))) AS handling
FROM {SAFEGUARDING_TABLE} AS s
JOIN {PERSON} AS a ON a.person_id = s.person_id
LEFT JOIN {PERSON} AS b ON b.person_id = s.related_person_id
LEFT JOIN resolved_person AS vp ON vp.person_id = s.person_id
LEFT JOIN resolved_person AS rp ON rp.person_id = s.related_person_id
WHERE (s.force = ? OR s.related_force = ?
       OR list_contains(string_split(coalesce(s.forces, ''), ','), ?))
  AND {visible_person} AND (s.related_person_id IS NULL OR {visible_related})
ORDER BY s."check", s.referral_recorded, s.child DESC, s.related_force_rank NULLS LAST,
         s.related_person_id, s.person_id"""


def _row(ctx: PackContext, r: dict[str, Any], suspects: dict[str, int]) -> dict[str, Any]:
    related = r["related_person_id"]
    if related is None:
        perpetrator = ""
    elif related in suspects:
        perpetrator = f"Suspect {suspects[related]}"
    else:
        perpetrator = person_label(r["r_forename"], r["r_surname"])
    return {
        "ref": r["person_id"],
        "name": person_label(r["v_forename"], r["v_surname"]) if ctx.victim_names else "",
        "age": r["age"],
        "child": bool(r["child"]),
        "perpetrator": perpetrator,
        "finding": r["reason"],
        "referral": r["referral_reference"] if r["referral_recorded"] else "",
        "missing": r["n_missing_episodes"] or 0,
    }


def build(ctx: PackContext) -> Section:
    """The safeguarding section: findings per check, then the people to check."""
    title = "Safeguarding health checks"
    if not ctx.has(SAFEGUARDING_TABLE):
        return unavailable("safeguarding", title, "The safeguarding health checks")
    code = ctx.force.code
    rows = ctx.rows(checks_sql(ctx.visible("a"), ctx.visible("b")), [code, code, code])
    suspects = {s["person_id"]: s["position"] for s in ctx.shared.get("suspects", [])}
    findings = []
    subsections = []
    for check in CHECKS:
        mine = [r for r in rows if r["check"] == check]
        people = {r["person_id"] for r in mine}
        findings.append(
            {
                "label": CHECK_LABELS[check],
                "meaning": CHECK_MEANINGS[check],
                "people": len(people),
                "children": len({r["person_id"] for r in mine if r["child"]}),
                "no_referral": len({r["person_id"] for r in mine if not r["referral_recorded"]}),
                "missing": len({r["person_id"] for r in mine if r["n_missing_episodes"]}),
            }
        )
        shown = mine[:MAX_ROWS_PER_CHECK]
        blocks = [
            Block(
                "blocks/safeguarding_rows.html",
                {"rows": [_row(ctx, r, suspects) for r in chunk], "names": ctx.victim_names},
                Provenance.of_rows(chunk),
            )
            for chunk in (
                shown[i : i + ROWS_PER_BLOCK] for i in range(0, len(shown), ROWS_PER_BLOCK)
            )
        ]
        if len(mine) > len(shown):
            blocks.append(
                Block(
                    "blocks/more_rows.html",
                    {"more": len(mine) - len(shown), "force": code},
                    Provenance(),
                )
            )
        if not mine:
            blocks.append(
                Block(
                    "blocks/unavailable.html",
                    {"text": "No one to check under this heading in this pack's scope."},
                )
            )
        subsections.append(
            Section(
                f"safeguarding-{check}",
                CHECK_LABELS[check],
                blocks,
                intro=CHECK_MEANINGS[check].capitalize() + ".",
            )
        )
    prov = Provenance.of_rows(rows)
    summary = Block("blocks/safeguarding_findings.html", {"findings": findings}, prov)
    ctx.shared["safeguarding"] = {
        "people": len({r["person_id"] for r in rows}),
        "no_referral": len({r["person_id"] for r in rows if not r["referral_recorded"]}),
        "provenance": prov,
    }
    return Section(
        "safeguarding",
        title,
        [summary],
        subsections=subsections,
        intro="People toex found who need safeguarding attention, what is recorded about "
        "them and what is not. People are shown by their toex reference; an analyst with "
        "access opens the reference in toex (audited) to see who they are.",
    )
