"""The summary section: the force picture at a glance, then one subsection per topic."""

from __future__ import annotations

from collections.abc import Callable

from toex.publish.content import Block, PackContext, Provenance, Section
from toex.publish.sections import missing, networks, perpetrators, stim, vawg

PARTS: tuple[Callable[[PackContext], Section], ...] = (
    vawg.build,
    perpetrators.build,
    networks.build,
    stim.build,
    missing.build,
)


def build(ctx: PackContext) -> Section:
    """The summary's subsections (the at-a-glance block is added by :func:`add_glance`
    once every section has been built)."""
    return Section(
        "summary",
        "Summary",
        subsections=[part(ctx) for part in PARTS],
        intro=f"The picture in {ctx.force.short_name} to {ctx.as_of:%-d %B %Y}, the end of "
        "the data: trends over two years, figures for the last 12 months.",
    )


def add_glance(ctx: PackContext, summary: Section) -> None:
    """Put the headline figures (from the sections already built) first in the summary."""
    tiles = []
    provs: list[Provenance] = []
    if "vawg" in ctx.shared:
        v = ctx.shared["vawg"]
        tiles.append(
            ("VAWG crimes, last 12 months", v["recent"], vawg.change_text(v["recent"], v["before"]))
        )
        provs.append(v["provenance"])
    if "perpetrator_figures" in ctx.shared:
        f = ctx.shared["perpetrator_figures"]
        tiles.append(
            ("Priority VAWG perpetrators", f["n"], f"{f['escalating']} with harm escalating")
        )
        provs.append(ctx.shared["perpetrator_provenance"])
    if "safeguarding" in ctx.shared:
        s = ctx.shared["safeguarding"]
        tiles.append(
            ("People to safeguard", s["people"], f"{s['no_referral']} with no referral recorded")
        )
        provs.append(s["provenance"])
    if "missing" in ctx.shared:
        m = ctx.shared["missing"]
        tiles.append(("Missing episodes, last 12 months", m["recent"], "recorded by the force"))
        provs.append(m["provenance"])
    if "network_count" in ctx.shared:
        n, prov = ctx.shared["network_count"]
        tiles.append(("Networks", n, "of three or more people, with crimes"))
        provs.append(prov)
    if "stim_linked" in ctx.shared:
        n, prov = ctx.shared["stim_linked"]
        tiles.append(("STIM cases linked to the force", n, "strong matches to force records"))
        provs.append(prov)
    summary.blocks.insert(
        0, Block("blocks/glance.html", {"tiles": tiles}, Provenance().merged(*provs))
    )
