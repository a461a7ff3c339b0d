"""Appendix: how each figure in the pack was made, on what data, and the sources."""

from __future__ import annotations

from toex.publish.content import Block, PackContext, Section

SOURCES = (
    "College of Policing, Authorised Professional Practice: Multi-agency tasking and "
    "coordination (MATAC); serial perpetrator definition.",
    "Robinson, A. & Clancy, A. (2015/2016), Priority Perpetrator Identification Tool (PPIT).",
    "Davies, P. & Biddle, P. (2018), Implementing a perpetrator-focused partnership approach "
    "to tackling domestic abuse, Criminology & Criminal Justice 18(4), "
    "doi:10.1177/1748895817734590 (RFG scoring).",
    "Sherman, L., Neyroud, P. & Neyroud, E. (2016), The Cambridge Crime Harm Index, Policing "
    "10(3), doi:10.1093/police/paw003.",
    "Bland, M. & Ariel, B. (2015), Targeting escalation in reported domestic abuse (the power "
    "few).",
    "College of Policing, Authorised Professional Practice: Missing persons (risk categories; "
    "going missing as an indicator of exploitation).",
    "L'Hoiry, X. et al., Sexual Trafficking Identification Matrix (STIM), University of "
    "Sheffield with South Yorkshire Police.",
    "Cabinet Office, Government Security Classifications (markings and handling).",
)


def build(ctx: PackContext) -> Section:
    """The appendix: method notes (with this run's parameters) and sources."""
    cfg = ctx.assess
    data = {
        "as_of": ctx.as_of,
        "window_months": cfg.window_months,
        "recent_months": cfg.recent_months,
        "rank_by": cfg.rank_by.upper(),
        "harm_scheme": {
            "cchi": "the Cambridge Crime Harm Index",
            "ons_css": "the ONS Crime Severity Score",
        }.get(cfg.harm.scheme, cfg.harm.scheme),
        "recency": [(b.within_days, b.points) for b in cfg.recency],
        "frequency": [(b.at_least, b.points) for b in cfg.frequency],
        "gravity": [(b.at_least, b.points) for b in cfg.gravity],
        "victims": [(b.at_least, b.points) for b in cfg.victims],
        "top_n": cfg.safeguarding.top_n_per_force,
        "high_harm_pct": cfg.safeguarding.high_harm_top_pct,
        "child_age": cfg.safeguarding.child_age,
        "scope_forces": ", ".join(
            f.short_name for f in ctx.catalogue.forces if f.code in ctx.scope.forces
        ),
        "basis": ctx.shared.get("scope_basis", ""),
        "victim_names": ctx.victim_names,
        "sources": SOURCES,
    }
    return Section(
        "appendix",
        "Appendix: method notes and sources",
        [Block("blocks/appendix_methods.html", data), Block("blocks/appendix_sources.html", data)],
    )
