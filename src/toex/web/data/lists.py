"""Lists over the whole visible warehouse: cross-force persons and priority perpetrators.

Cross-force links are persons whose *visible* mentions come from two or more forces. The
priority list reads the read model's ``web_priority`` (``assess_perpetrator_priority``) when
the snapshot has it; a person is listed only when the user may see every record his score
and reason draw on (``assess_perpetrator_marking``), because a score computed over hidden
records would disclose them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toex.ops.access import AccessScope
from toex.web.data.filters import (
    NotAvailable,
    all_permitted_predicate,
    highest_marking,
    priority_row,
    run,
    visible_views,
)
from toex.web.data.search import person_label, person_summaries
from toex.web.warehouse import PRIORITY_TABLE, OpenSnapshot


@dataclass
class Listing:
    """Rows for a list page and the highest marking among them."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    classification: str = "OFFICIAL"
    total: int = 0


def cross_force(snapshot: OpenSnapshot, cur: Any, scope: AccessScope, limit: int = 200) -> Listing:
    """Persons whose visible mentions span two or more forces, widest spread first."""
    sql = (
        visible_views(snapshot, scope, ["v_mention"])
        + "SELECT person_id, count(DISTINCT force) AS n_forces, count(*) AS n_mentions, "
        "list(DISTINCT force ORDER BY force) AS forces, max(classification) AS marking "
        "FROM v_mention GROUP BY person_id HAVING count(DISTINCT force) > 1 "
        "ORDER BY n_forces DESC, n_mentions DESC, person_id"
    )
    rows = run(cur, sql, scope)
    top = rows[:limit]
    summaries = person_summaries(snapshot, cur, scope, [r["person_id"] for r in top])
    for r in top:
        r["label"] = person_label(summaries.get(r["person_id"]))
        r["classification"] = summaries[r["person_id"]]["classification"]
        r.pop("marking")
    return Listing(top, highest_marking(r["classification"] for r in top), len(rows))


def priority_perpetrators(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    force: str | None = None,
    limit: int = 100,
) -> Listing:
    """Ranked perpetrators whose score the user may see, optionally of one force.

    A person is listed only when the user may see every record his score and reason draw on
    (his mentions, the crimes, their victims: the read model's ``mark_*`` lists); the rank
    shown is his place among those. ``force`` keeps persons whose primary force it is. Each
    row's marking is the highest among the records behind it.
    """
    if not snapshot.has_columns("web_priority", "mark_forces"):
        raise NotAvailable(PRIORITY_TABLE)
    where = all_permitted_predicate(scope, "p")
    if force:
        where += " AND p.force = $force"
    sql = (
        "SELECT p.person_id, p.score, p.reason, p.mark_classes, count(*) OVER () AS total "
        f"FROM web_priority p WHERE {where} "
        "ORDER BY p.score DESC NULLS LAST, p.person_id LIMIT $limit"
    )
    top = run(cur, sql, scope, {"force": force, "limit": int(limit)})
    summaries = person_summaries(snapshot, cur, scope, [r["person_id"] for r in top])
    for r in top:
        summary = summaries.get(r["person_id"])
        r["label"] = person_label(summary)
        r["forces"] = summary["forces"] if summary else []
        r["classification"] = highest_marking(r.pop("mark_classes"))
    total = int(top[0]["total"]) if top else 0
    return Listing(top, highest_marking(r["classification"] for r in top), total)


def person_priority(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_id: str
) -> dict[str, Any] | None:
    """The priority score and reason of one person, and the highest marking among the
    records behind them; None when there is none the user may see (not scored, no such
    table, or some record the score draws on is hidden)."""
    row = priority_row(snapshot, cur, scope, person_id)
    if row is None:
        return None
    return {
        "person_id": person_id,
        "score": row["score"],
        "reason": row["reason"],
        "classification": highest_marking(row["mark_classes"]),
    }
