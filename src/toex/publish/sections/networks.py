"""Summary: networks the force is part of, by geographic scale and by exploitation type.

Networks are the link stage's communities (``link_network``, level ``community``) whose
forces include the pack's force, with three or more members and at least one crime. One is
counted only when every record of every member is in the pack's scope. Exploitation types
come from the threat work (issue 16): until a snapshot holds them the subsection says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toex.model import ExploitationType, GeographicScale
from toex.publish.charts import bar_chart_svg
from toex.publish.content import Block, PackContext, Provenance, Section, names_shown, unavailable
from toex.publish.records import PERSON
from toex.publish.sections.threat_sections import network_exploitation_types

MIN_MEMBERS = 3
TOP_NETWORKS = 6
#: Exploitation types by network for one force: ``(ctx) -> rows`` (``network_id``,
#: ``exploitation_type`` as :class:`toex.model.ExploitationType` values), or None when the
#: snapshot holds none. Set when the threat work's tables are wired in.
EXPLOITATION_TYPES: Callable[[PackContext], list[dict[str, Any]] | None] | None = (
    network_exploitation_types
)


def networks_sql(visible: str) -> str:
    """The force's communities (parameter ``?`` = force) of which every member's records
    are visible, with their provenance and principal individuals."""
    return f"""
WITH n AS (
  SELECT network_id, geographic_scale, n_members, n_crimes, total_harm, forces,
         first_activity, last_activity, principal_person_ids
  FROM link_network
  WHERE level = 'community' AND list_contains(forces, ?) AND n_members >= {MIN_MEMBERS}
    AND n_crimes > 0),
m AS (
  SELECT nm.network_id, bool_and(coalesce({visible}, FALSE)) AS all_visible,
         max(a.mrank) AS mrank, list_distinct(flatten(list(a.forces))) AS forces,
         list_distinct(flatten(list(a.handling))) AS handling
  FROM link_network_member AS nm
  JOIN n USING (network_id)
  LEFT JOIN {PERSON} AS a USING (person_id)
  WHERE nm.level = 'community'
  GROUP BY nm.network_id)
SELECT n.network_id, n.geographic_scale, n.n_members, n.n_crimes,
       CAST(n.total_harm AS DOUBLE) AS total_harm, n.forces AS network_forces,
       n.first_activity, n.last_activity, n.principal_person_ids, m.mrank, m.forces, m.handling
FROM n JOIN m USING (network_id)
WHERE m.all_visible
ORDER BY n.total_harm DESC, n.network_id"""


def _scale_label(code: str | None) -> str:
    try:
        return GeographicScale(code or "").label
    except ValueError:
        return "not determined"


def visible_networks(ctx: PackContext) -> list[dict[str, Any]]:
    """The force's visible networks (computed once per pack)."""
    if "networks" not in ctx.shared:
        ctx.shared["networks"] = ctx.rows(networks_sql(ctx.visible("a")), [ctx.force.code])
    rows: list[dict[str, Any]] = ctx.shared["networks"]
    return rows


def build(ctx: PackContext) -> Section:
    """The networks subsection: counts by geographic scale, the most harmful networks, and
    exploitation types when the snapshot has them."""
    title = "Networks"
    if not ctx.has("link_network"):
        return unavailable("networks", title, "Network analysis")
    rows = visible_networks(ctx)
    counts = {s: 0 for s in GeographicScale}
    for r in rows:
        try:
            counts[GeographicScale(r["geographic_scale"])] += 1
        except ValueError:
            continue
    prov = Provenance.of_rows(rows)
    ctx.shared["network_count"] = (len(rows), prov)
    chart = bar_chart_svg(
        [(s.label, counts[s]) for s in GeographicScale],
        label="Networks by geographic scale",
        width=520,
        label_width=190,
    )
    top = rows[:TOP_NETWORKS]
    principals = names_shown(
        ctx, sorted({p for r in top for p in (r["principal_person_ids"] or [])})
    )
    table = [
        {
            "scale": _scale_label(r["geographic_scale"]),
            "members": r["n_members"],
            "crimes": r["n_crimes"],
            "harm": r["total_harm"],
            "forces": ", ".join(_force_names(ctx, r["network_forces"])),
            "last": r["last_activity"],
            "principals": [
                principals.get(p, f"ref {p}") for p in (r["principal_person_ids"] or [])
            ][:2],
            "network_id": r["network_id"],
        }
        for r in top
    ]
    blocks = [
        Block(
            "blocks/networks.html",
            {"n": len(rows), "chart": chart, "min_members": MIN_MEMBERS},
            prov,
        )
    ]
    if table:
        blocks.append(Block("blocks/network_table.html", {"rows": table}, Provenance.of_rows(top)))
    types = EXPLOITATION_TYPES(ctx) if EXPLOITATION_TYPES is not None else None
    if types is None:
        by_type = unavailable(
            "exploitation", "By exploitation type", "Exploitation typing of networks"
        )
    else:
        by_type = type_section(rows, types)
    return Section(
        "networks",
        title,
        blocks,
        subsections=[by_type],
        intro="Groups of linked people (shared crimes, intelligence, phones, addresses, "
        "vehicles) that include this force's records.",
    )


def type_section(networks: list[dict[str, Any]], types: list[dict[str, Any]]) -> Section:
    """Visible networks by exploitation type, counting a network once per type it has
    (the briefing's "including multiples")."""
    by_id = {r["network_id"]: r for r in networks}
    counts = {t: 0 for t in ExploitationType}
    shown = []
    for t in types:
        if t.get("network_id") not in by_id:
            continue
        try:
            counts[ExploitationType(str(t.get("exploitation_type")))] += 1
        except ValueError:
            continue
        shown.append(by_id[t["network_id"]])
    chart = bar_chart_svg(
        [(e.label, counts[e]) for e in ExploitationType],
        label="Networks by exploitation type",
        width=520,
        label_width=230,
    )
    data = {"chart": chart, "n": len({r["network_id"] for r in shown})}
    return Section(
        "exploitation",
        "By exploitation type",
        [Block("blocks/network_types.html", data, Provenance.of_rows(shown))],
    )


def _force_names(ctx: PackContext, codes: list[str] | None) -> list[str]:
    names = {f.code: f.short_name for f in ctx.catalogue.forces}
    return [names.get(c, c) for c in codes or []]
