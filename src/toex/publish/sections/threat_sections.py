"""Threats in a force profile pack: the force's top threats and the tables by exploitation
type and geographic scale, and the exploitation types of its networks.

From the threats stage's ``assess_threat`` and ``assess_exploitation_label``. A threat is
shown, and counted in the tables, only when every record it draws on (its ``mark_forces``,
``mark_codes`` and ``mark_classes``) is in the pack's scope; the rest are counted as
withheld, never described.
"""

from __future__ import annotations

from typing import Any

from toex.assess.threat_report import by_scale, by_type
from toex.model import Classification, ExploitationType, GeographicScale
from toex.publish.content import Block, PackContext, Provenance, Section, unavailable

TOP = 10
_RANK = {c.value: c.rank for c in Classification}


def network_exploitation_types(ctx: PackContext) -> list[dict[str, Any]] | None:
    """(network_id, exploitation_type) of every community, or None without the labels
    (the networks section counts only the networks it may show)."""
    if not ctx.has("assess_exploitation_label"):
        return None
    return ctx.rows(
        "SELECT subject_id AS network_id, exploitation_type FROM assess_exploitation_label "
        "WHERE subject_kind = 'network' AND level = 'community' ORDER BY ALL"
    )


def _permitted(ctx: PackContext, row: dict[str, Any]) -> bool:
    s = ctx.scope
    return (
        set(row["mark_forces"] or []) <= s.forces
        and set(row["mark_codes"] or []) <= s.handling_codes
        and set(row["mark_classes"] or []) <= set(s.classifications)
        and bool(row["mark_forces"])
    )


def build(ctx: PackContext) -> Section:
    """The threats section of the pack."""
    title = "Threats"
    if not ctx.has("assess_threat"):
        return unavailable("threats", title, "Threat scoring")
    rows = ctx.rows(
        "SELECT threat_id, rank, score, band, exploitation_types, geographic_scale, forces, "
        "members, crimes, victims, reason, first_scored, mark_forces, mark_codes, mark_classes "
        "FROM assess_threat WHERE list_contains(forces, ?) ORDER BY rank",
        [ctx.force.code],
    )
    shown = [r for r in rows if _permitted(ctx, r)]
    prov = Provenance()
    for r in shown:
        prov.add(
            max(_RANK.get(c, 99) for c in r["mark_classes"]), r["mark_forces"], r["mark_codes"]
        )
    names = {f.code: f.short_name for f in ctx.catalogue.forces}
    table = [
        {
            "rank": i + 1,
            "ref": r["threat_id"],
            "band": r["band"],
            "score": r["score"],
            "types": ", ".join(ExploitationType(t).label for t in r["exploitation_types"]),
            "scale": GeographicScale(r["geographic_scale"]).label,
            "forces": ", ".join(names.get(f, f) for f in r["forces"]),
            "members": r["members"],
            "first": r["first_scored"],
            "reason": r["reason"],
        }
        for i, r in enumerate(shown[:TOP])
    ]
    data = {"rows": table, "n": len(shown), "withheld": len(rows) - len(shown)}
    tables = {"by_type": by_type(shown), "by_scale": by_scale(shown)}
    return Section(
        "threats",
        title,
        [
            Block("blocks/threat_table.html", data, prov),
            Block("blocks/threat_counts.html", tables, prov),
        ],
        intro="Networks with records in this force scored as threats on harm, likelihood and "
        "capability (MoRiLE-like; see the appendix), with their exploitation types.",
    )
