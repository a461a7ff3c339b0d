"""Cross-force links: people and networks with records in this force and others.

From the link stage's ``link_crossforce`` (persons with records in two or more forces, and
networks whose records two or more forces hold). A person is shown only when every record
naming them is in the pack's scope, a network only when every member's are; so a force
whose agreements cover itself alone sees none here, and the section says why.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from toex.assess.perpetrator_priority import PRIORITY_TABLE
from toex.model import GeographicScale
from toex.publish.content import Block, PackContext, Provenance, Section, names_shown, unavailable
from toex.publish.records import PERSON
from toex.publish.sections.networks import visible_networks

TOP_PERSONS = 12


def persons_sql(visible: str) -> str:
    """Cross-force persons with records in the force (parameter ``?``) who are visible,
    with their priority score when ranked."""
    return f"""
SELECT a.person_id, x.forces AS person_forces, rp.n_mentions, p.score, p.reason,
       a.mrank, a.forces, a.handling
FROM link_crossforce AS x
JOIN {PERSON} AS a ON a.person_id = x.id
LEFT JOIN resolved_person AS rp ON rp.person_id = a.person_id
LEFT JOIN {PRIORITY_TABLE} AS p ON p.person_id = a.person_id
WHERE x.kind = 'person' AND list_contains(x.forces, ?) AND {visible}
ORDER BY p.score DESC NULLS LAST, rp.n_mentions DESC, a.person_id"""


def build(ctx: PackContext) -> Section:
    """The cross-force links section."""
    title = "Cross-force links"
    if not ctx.has("link_crossforce"):
        return unavailable("crossforce", title, "The cross-force link report")
    names = {f.code: f.short_name for f in ctx.catalogue.forces}
    others = sorted(f for f in ctx.scope.forces if f != ctx.force.code)
    if not others:
        text = (
            f"This pack is built under {ctx.force.short_name}'s own records only, so it can "
            "show no person or network with records in other forces. Data-sharing "
            "agreements with other forces would show them here."
        )
        return Section(
            title=title, key="crossforce", blocks=[Block("blocks/unavailable.html", {"text": text})]
        )
    persons = ctx.rows(persons_sql(ctx.visible("a")), [ctx.force.code])
    by_force: Counter[str] = Counter()
    for p in persons:
        for f in p["person_forces"]:
            if f != ctx.force.code:
                by_force[names.get(f, f)] += 1
    found = visible_networks(ctx) if ctx.has("link_network") else []
    networks = [n for n in found if len(n["network_forces"] or []) > 1]
    named = names_shown(ctx, [p["person_id"] for p in persons[:TOP_PERSONS]])
    table: list[dict[str, Any]] = [
        {
            "label": named.get(p["person_id"], ""),
            "ref": p["person_id"],
            "forces": ", ".join(names.get(f, f) for f in p["person_forces"]),
            "records": p["n_mentions"],
            "reason": p["reason"] or "",
        }
        for p in persons[:TOP_PERSONS]
    ]
    scale = Counter(n["geographic_scale"] for n in networks)
    data = {
        "n_persons": len(persons),
        "by_force": sorted(by_force.items(), key=lambda kv: (-kv[1], kv[0])),
        "n_networks": len(networks),
        "scales": [(s.label, scale.get(s.value, 0)) for s in GeographicScale if s.value in scale],
        "others": ", ".join(names.get(f, f) for f in others),
    }
    blocks = [
        Block(
            "blocks/crossforce_summary.html",
            data,
            Provenance.of_rows(persons).merged(Provenance.of_rows(networks)),
        )
    ]
    if table:
        blocks.append(
            Block(
                "blocks/crossforce_persons.html",
                {"rows": table},
                Provenance.of_rows(persons[:TOP_PERSONS]),
            )
        )
    return Section(
        "crossforce",
        title,
        blocks,
        intro="People and networks whose records are held by this force and others: links "
        "no single force could see.",
    )
