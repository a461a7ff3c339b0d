"""Lists over the whole visible warehouse: cross-force persons and priority perpetrators.

Cross-force links are persons whose *visible* mentions come from two or more forces. The
priority list reads ``assess_perpetrator_priority`` when the snapshot has it; a person is
listed only when the user may see every one of their mentions, because a score computed
over hidden records would disclose them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toex.ops.access import AccessScope
from toex.web.data.filters import (
    NotAvailable,
    all_visible,
    highest_marking,
    keyed_rows,
    run,
    visible_views,
)
from toex.web.data.search import person_label, person_summaries
from toex.web.warehouse import PRIORITY_TABLE, REASON_COLUMNS, SCORE_COLUMNS, OpenSnapshot


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


def _first(snapshot: OpenSnapshot, names: tuple[str, ...]) -> str | None:
    return next((c for c in names if snapshot.has_columns(PRIORITY_TABLE, c)), None)


def priority_perpetrators(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    force: str | None = None,
    limit: int = 100,
    person_id: str | None = None,
) -> Listing:
    """Ranked perpetrators, all of whose mentions the user may see, optionally of one force.

    ``force`` keeps persons whose primary force it is (the table's ``force`` column) and who
    have a visible mention from it; ``person_id`` keeps one person.
    """
    score = _first(snapshot, SCORE_COLUMNS)
    if score is None or not snapshot.has_columns(PRIORITY_TABLE, "person_id"):
        raise NotAvailable(PRIORITY_TABLE)
    reason = _first(snapshot, REASON_COLUMNS)
    reason_sql = f"CAST(p.{reason} AS VARCHAR)" if reason else "NULL"
    where = ""
    if person_id is not None:
        where += " AND p.person_id = $pid"
    if force and snapshot.has_columns(PRIORITY_TABLE, "force"):
        where += " AND p.force = $force"  # the perpetrator's primary force
    visible_force = "WHERE list_contains(v.forces, $force) " if force else ""
    # Only persons all of whose mentions are visible: the score draws on every mention.
    sql = (
        visible_views(snapshot, scope, ["v_mention"])
        + f", cand AS (SELECT p.person_id, p.{score} AS score, {reason_sql} AS reason "
        f"FROM {PRIORITY_TABLE} p WHERE TRUE{where}), "
        "v AS (SELECT person_id, count(*) AS n_visible, "
        "list(DISTINCT force ORDER BY force) AS forces FROM v_mention "
        "WHERE person_id IN (SELECT person_id FROM cand) GROUP BY person_id), "
        "a AS (SELECT person_id, count(*) AS n_all FROM resolved_mention_person "
        "WHERE person_id IN (SELECT person_id FROM cand) GROUP BY person_id) "
        "SELECT c.person_id, c.score, c.reason, v.forces, v.n_visible FROM cand c "
        "JOIN v ON v.person_id = c.person_id JOIN a ON a.person_id = c.person_id "
        "AND a.n_all = v.n_visible "
        + visible_force
        + "ORDER BY c.score DESC NULLS LAST, c.person_id"
    )
    rows = run(cur, sql, scope, {"force": force, "pid": person_id})
    top = rows[:limit]
    summaries = person_summaries(snapshot, cur, scope, [r["person_id"] for r in top])
    for r in top:
        r["label"] = person_label(summaries.get(r["person_id"]))
        r["classification"] = summaries[r["person_id"]]["classification"]
    return Listing(top, highest_marking(r["classification"] for r in top), len(rows))


def person_priority(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    person_id: str,
    complete: bool | None = None,
) -> dict[str, Any] | None:
    """The priority score and reason of one person, or None when there is none the user may
    see (not scored, no such table, or some of the person's mentions are hidden).

    ``complete`` says whether the user sees every mention of the person when the caller
    knows it already (the profile does); otherwise it is looked up.
    """
    if not snapshot.has("web_priority"):
        return None
    if complete is None:
        complete = all_visible(snapshot, cur, scope, person_id)
    if not complete:
        return None
    rows = keyed_rows(snapshot, cur, "web_priority", "person_id", [person_id], "score, reason")
    if not rows:
        return None
    return {"person_id": person_id, "score": rows[0]["score"], "reason": rows[0]["reason"]}
