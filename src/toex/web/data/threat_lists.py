"""Threats and their tables, as one user may see them.

A threat's score, band, types and reason are derived from every record of its network (its
members' records: ``mark_forces``, ``mark_codes``, ``mark_classes`` of ``assess_threat``).
A threat is shown only when the user may see all of them; otherwise it is withheld (counted,
never described), because a figure computed over hidden records would disclose them. The
ranks shown are places among the threats the user may see, and the tables by exploitation
type and geographic scale count those threats only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toex.assess.threat_report import by_band, by_scale, by_type, by_type_and_scale
from toex.ops.access import AccessScope
from toex.web.data.filters import NotAvailable, all_permitted_predicate, highest_marking, run
from toex.web.warehouse import OpenSnapshot

THREAT_TABLE = "assess_threat"
_COLUMNS = (
    "threat_id, rank, score, band, exploitation_types, geographic_scale, primary_force, "
    "forces, regions, members, crimes, victims, children, harm, likelihood, capability, "
    "confidence, reason, first_scored, last_scored, principal_person_ids, level, mark_classes"
)


@dataclass
class ThreatView:
    """The threats a user may see in an area, the tables over them, and what was withheld."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    withheld: int = 0
    classification: str = "OFFICIAL"
    by_type: list[dict[str, Any]] = field(default_factory=list)
    by_scale: list[dict[str, Any]] = field(default_factory=list)
    by_type_and_scale: list[dict[str, Any]] = field(default_factory=list)
    bands: dict[str, int] = field(default_factory=dict)


def visible_threats(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    force: str | None = None,
    region: str | None = None,
) -> ThreatView:
    """Threats with records in ``force`` or ``region`` (all by default) the user may see."""
    if not snapshot.has_columns(THREAT_TABLE, "mark_forces", "mark_codes", "mark_classes"):
        raise NotAvailable(THREAT_TABLE)
    area = "TRUE"
    if force:
        area = "list_contains(t.forces, $force)"
    elif region:
        area = "list_contains(t.regions, $region)"
    params = {"force": force, "region": region}
    sql = (
        f"SELECT {_COLUMNS} FROM {THREAT_TABLE} t WHERE {area} AND "
        f"{all_permitted_predicate(scope, 't')} ORDER BY rank"
    )
    rows = run(cur, sql, scope, params)
    total = run(cur, f"SELECT count(*) AS n FROM {THREAT_TABLE} t WHERE {area}", scope, params)
    for i, r in enumerate(rows):
        r["area_rank"] = i + 1
        r["classification"] = highest_marking(r.pop("mark_classes"))
    return ThreatView(
        rows,
        int(total[0]["n"]) - len(rows),
        highest_marking(r["classification"] for r in rows),
        by_type(rows),
        by_scale(rows),
        by_type_and_scale(rows),
        by_band(rows),
    )


def threat_detail(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, threat_id: str
) -> dict[str, Any] | None:
    """One threat the user may see, with its exploitation labels (reasons, confidence, the
    records cited) and its dated score history; None when there is no such threat or it
    draws on a record the user may not see."""
    if not snapshot.has_columns(THREAT_TABLE, "mark_forces", "mark_codes", "mark_classes"):
        raise NotAvailable(THREAT_TABLE)
    rows = run(
        cur,
        f"SELECT {_COLUMNS} FROM {THREAT_TABLE} t WHERE threat_id = $id AND "
        f"{all_permitted_predicate(scope, 't')}",
        scope,
        {"id": threat_id},
    )
    if not rows:
        return None
    threat = rows[0]
    threat["classification"] = highest_marking(threat.pop("mark_classes"))
    labels = []
    if snapshot.has("assess_exploitation_label"):
        labels = run(
            cur,
            "SELECT exploitation_type, type_label, confidence, reason FROM "
            "assess_exploitation_label WHERE subject_kind = 'network' AND level = $level "
            "AND subject_id = $id ORDER BY confidence DESC, exploitation_type",
            scope,
            {"id": threat_id, "level": threat.get("level", "community")},
        )
    evidence = []
    if snapshot.has("assess_exploitation_evidence"):
        evidence = run(
            cur,
            "SELECT exploitation_type, rule, reference, force, detail, classification FROM "
            "assess_exploitation_evidence WHERE subject_kind = 'network' AND level = $level "
            "AND subject_id = $id ORDER BY exploitation_type, rule, reference",
            scope,
            {"id": threat_id, "level": "community"},
        )
    history = []
    if snapshot.has("assess_threat_history"):
        history = run(
            cur,
            "SELECT scored_on, score, band FROM assess_threat_history WHERE threat_id = $id "
            "ORDER BY scored_on",
            scope,
            {"id": threat_id},
        )
    return {"threat": threat, "labels": labels, "evidence": evidence, "history": history}
