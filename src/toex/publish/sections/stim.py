"""Summary: the STIM picture (sexual trafficking indicators on adult-services adverts).

The national picture comes from the partner website's data, which every police analyst
may see (as on the web app's STIM pages). Cases that cross-match this force's records are
listed only when every police record of each matched person is in the pack's scope; weak
(name-only) matches are left out, as in the STIM report.
"""

from __future__ import annotations

import json
from typing import Any

from toex.assess.stim.indicators import load_indicators
from toex.publish.charts import bar_chart_svg
from toex.publish.content import Block, PackContext, Provenance, Section, unavailable
from toex.publish.records import RECORD
from toex.publish.scope import in_list

TOP_CASES = 8
RISK_ORDER = ("high", "medium", "low", "none")
RISK_LABELS = {"high": "High", "medium": "Medium", "low": "Low", "none": "No indicator"}


def national_sql(partners: list[str]) -> str:
    """Cases by risk level, assessed accounts and their indicator levels, with the
    provenance of the partner records behind them."""
    return f"""
SELECT
  (SELECT list(struct_pack(risk := risk_level, n := n)) FROM
     (SELECT risk_level, count(*) AS n FROM stim_case GROUP BY 1)) AS cases,
  (SELECT count(*) FILTER (WHERE assessed) FROM stim_entity) AS assessed,
  (SELECT count(*) FILTER (WHERE assessed AND n_high > 0) FROM stim_entity) AS with_high,
  (SELECT count(*) FILTER (WHERE assessed AND n_medium > 0) FROM stim_entity) AS with_medium,
  (SELECT count(*) FILTER (WHERE assessed AND n_low > 0) FROM stim_entity) AS with_low,
  (SELECT max(mrank) FROM {RECORD} WHERE force IN {in_list(partners)}) AS mrank"""


def crossmatched_sql(visible: str, partners: list[str]) -> str:
    """STIM cases with a strong cross-match to a person with records in the force
    (parameter ``?``), kept when every police record of every such person is visible."""
    return f"""
WITH xm AS (
  SELECT DISTINCT case_id, person_id FROM stim_case_crossmatch
  WHERE strength = 'strong' AND list_contains(string_split(coalesce(forces, ''), ','), ?)),
pr AS (
  SELECT x.person_id, max(r.mrank) AS mrank, list_distinct(flatten(list(r.forces))) AS forces,
         list_distinct(flatten(list(r.handling))) AS handling
  FROM (SELECT DISTINCT person_id FROM xm) AS x
  JOIN resolved_mention_person AS mp USING (person_id)
  JOIN staged_person_mention AS m USING (mention_id)
  JOIN {RECORD} AS r ON r.event_id = m.event_id
  WHERE r.force NOT IN {in_list(partners)}
  GROUP BY 1)
SELECT c.case_id, c.risk_level, c.n_accounts, c.n_adverts, c.regions, c.first_seen,
       c.last_seen, c.indicator_counts, c.risk_rank, count(DISTINCT xm.person_id) AS n_persons,
       max(pr.mrank) AS mrank, list_distinct(flatten(list(pr.forces))) AS forces,
       list_distinct(flatten(list(pr.handling))) AS handling
FROM stim_case AS c JOIN xm USING (case_id) JOIN pr USING (person_id)
GROUP BY ALL
HAVING bool_and({visible})
ORDER BY c.case_id"""


def _risk_order(level: str | None) -> int:
    return RISK_ORDER.index(level) if level in RISK_ORDER else len(RISK_ORDER)


def _indicators(text: str | None, labels: dict[str, str]) -> str:
    try:
        counts = json.loads(text or "{}")
    except ValueError:
        return ""
    ranked = sorted(counts.items(), key=lambda kv: (-int(kv[1]), kv[0]))
    return "; ".join(labels.get(k, k) for k, _ in ranked[:3])


def build(ctx: PackContext) -> Section:
    """The STIM subsection: national case picture and cases linked to this force."""
    title = "STIM picture"
    if not (ctx.has("stim_case") and ctx.has("stim_entity")):
        return unavailable("stim", title, "The STIM assessment")
    partners = ctx.partners
    nat = ctx.rows(national_sql(partners))[0]
    cases = {c["risk"]: c["n"] for c in nat["cases"] or []}
    national_prov = Provenance(int(nat["mrank"] or 0))
    linked = sorted(
        ctx.rows(crossmatched_sql(ctx.visible("pr"), partners), [ctx.force.code]),
        key=lambda r: (_risk_order(r["risk_level"]), -int(r["n_adverts"] or 0), r["case_id"]),
    )
    labels = {i.code: i.label for i in load_indicators().ordered()}
    assessed = int(nat["assessed"] or 0)

    def pct(n: object) -> int:
        return round(100 * int(str(n or 0)) / assessed) if assessed else 0

    case_counts = [(RISK_LABELS[r], float(cases.get(r, 0))) for r in RISK_ORDER if r in cases]
    national: dict[str, Any] = {
        "cases": case_counts,
        "assessed": assessed,
        "with_high": pct(nat["with_high"]),
        "with_medium": pct(nat["with_medium"]),
        "with_low": pct(nat["with_low"]),
    }
    national["chart"] = bar_chart_svg(
        case_counts, label="STIM cases by risk level", width=420, label_width=110
    )
    by_risk: dict[str, int] = {}
    for r in linked:
        by_risk[r["risk_level"]] = by_risk.get(r["risk_level"], 0) + 1
    table = [
        {
            "case_id": r["case_id"],
            "risk": RISK_LABELS.get(r["risk_level"] or "none", r["risk_level"]),
            "accounts": r["n_accounts"],
            "adverts": r["n_adverts"],
            "regions": (r["regions"] or "").replace(",", ", "),
            "persons": r["n_persons"],
            "indicators": _indicators(r["indicator_counts"], labels),
            "last_seen": r["last_seen"],
        }
        for r in linked[:TOP_CASES]
        if (r["risk_level"] or "none") != "none"
    ]
    ctx.shared["stim_linked"] = (len(linked), Provenance.of_rows(linked).merged(national_prov))
    blocks = [Block("blocks/stim_national.html", national, national_prov)]
    linked_prov = Provenance.of_rows(linked).merged(national_prov)
    blocks.append(
        Block(
            "blocks/stim_linked.html",
            {
                "n": len(linked),
                "by_risk": [
                    (RISK_LABELS[r].lower(), by_risk[r]) for r in RISK_ORDER if by_risk.get(r)
                ],
                "rows": table,
            },
            linked_prov,
        )
    )
    return Section(
        "stim",
        title,
        blocks,
        intro="Adverts and accounts on the partner adult-services website rated against the "
        "Sexual Trafficking Identification Matrix, and the cases that match people known to "
        "this force.",
    )
