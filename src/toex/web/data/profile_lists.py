"""The missing-person and ViSOR profiles and the person warnings, as a viewer may see them.

Every row of ``assess_misper``, ``assess_visor`` and ``assess_person_warning`` carries the
markings of every record it draws on (``mark_*``); a row is shown only when the viewer may
see all of them (:func:`~toex.web.data.filters.all_permitted_predicate`), because a score,
count or warning computed over hidden records would disclose them. Ranks shown are places
among the rows the viewer may see.
"""

from __future__ import annotations

from typing import Any

from toex.ops.access import AccessScope
from toex.web.data.filters import NotAvailable, all_permitted_predicate, highest_marking, run
from toex.web.data.lists import Listing
from toex.web.data.search import person_label, person_summaries
from toex.web.warehouse import OpenSnapshot

MISPER_TABLE = "assess_misper"
VISOR_TABLE = "assess_visor"
WARNING_TABLE = "assess_person_warning"
MARKS = ("mark_forces", "mark_codes", "mark_classes")
MISPER_SORTS = {
    "score": "m.score DESC, m.n_episodes_90d DESC, m.person_id",
    "episodes": "m.n_episodes_90d DESC, m.score DESC, m.person_id",
    "latest": "m.last_missing DESC, m.score DESC, m.person_id",
}
VISOR_SORTS = {
    "score": "m.score DESC, m.person_id, m.reference",
    "level": "m.mappa_level DESC NULLS LAST, m.score DESC, m.person_id",
    "registered": "m.registered DESC, m.score DESC, m.person_id",
}
PAGE = 50


def _listing(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, sql: str, params: dict[str, Any]
) -> Listing:
    rows = run(cur, sql, scope, params)
    summaries = person_summaries(snapshot, cur, scope, sorted({r["person_id"] for r in rows}))
    for r in rows:
        r["label"] = person_label(summaries.get(r["person_id"]))
        r["classification"] = highest_marking(r.pop("mark_classes") or [])
        r.pop("mark_forces", None)
        r.pop("mark_codes", None)
    total = int(rows[0].pop("total")) if rows else 0
    for r in rows:
        r.pop("total", None)
    return Listing(rows, highest_marking(r["classification"] for r in rows), total)


def misper_listing(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    force: str | None = None,
    region: str | None = None,
    sort: str = "score",
    page: int = 1,
    frequent_only: bool = False,
    per_page: int | None = PAGE,
) -> Listing:
    """The missing-person profile rows the viewer may see, of a force (persons with an
    episode there) or region, sorted and paged; ``rank`` is the place by score among them."""
    if not snapshot.has_columns(MISPER_TABLE, *MARKS):
        raise NotAvailable(MISPER_TABLE)
    where = [all_permitted_predicate(scope, "m")]
    if force:
        where.append("list_contains(string_split(m.forces, ','), $force)")
    if region:
        where.append("m.region = $region")
    if frequent_only:
        where.append("m.frequent")
    order = MISPER_SORTS.get(sort, MISPER_SORTS["score"])
    limit = f"LIMIT {int(per_page)} OFFSET {int(per_page) * (max(1, page) - 1)}" if per_page else ""
    sql = (
        "SELECT * FROM (SELECT m.*, row_number() OVER (ORDER BY "
        f"{MISPER_SORTS['score']}) AS rank, count(*) OVER () AS total "
        f"FROM {MISPER_TABLE} AS m WHERE {' AND '.join(where)}) AS m "
        f"ORDER BY {order} {limit}"
    )
    return _listing(snapshot, cur, scope, sql, {"force": force, "region": region})


def visor_listing(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    force: str | None = None,
    sort: str = "score",
    page: int = 1,
    per_page: int | None = PAGE,
) -> Listing:
    """The ViSOR profile rows the viewer may see (of one force), sorted and paged."""
    if not snapshot.has_columns(VISOR_TABLE, *MARKS):
        raise NotAvailable(VISOR_TABLE)
    where = [all_permitted_predicate(scope, "m")]
    if force:
        where.append("m.force = $force")
    order = VISOR_SORTS.get(sort, VISOR_SORTS["score"])
    limit = f"LIMIT {int(per_page)} OFFSET {int(per_page) * (max(1, page) - 1)}" if per_page else ""
    sql = (
        "SELECT * FROM (SELECT m.*, row_number() OVER (PARTITION BY m.force ORDER BY "
        f"{VISOR_SORTS['score']}) AS rank, count(*) OVER () AS total "
        f"FROM {VISOR_TABLE} AS m WHERE {' AND '.join(where)}) AS m "
        f"ORDER BY {order} {limit}"
    )
    return _listing(snapshot, cur, scope, sql, {"force": force})


def visible_warnings(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per person, the warnings whose every record the viewer may see (none when the
    snapshot has no warnings table)."""
    if not person_ids or not snapshot.has_columns(WARNING_TABLE, *MARKS):
        return {}
    sql = (
        'SELECT w.person_id, w.warning, w.label, w.detail, w."references", w.mark_classes '
        f"FROM {WARNING_TABLE} AS w WHERE list_contains($ids, w.person_id) "
        f"AND {all_permitted_predicate(scope, 'w')} ORDER BY w.person_id, w.warning"
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for r in run(cur, sql, scope, {"ids": list(person_ids)}):
        r["classification"] = highest_marking(r.pop("mark_classes") or [])
        out.setdefault(r["person_id"], []).append(r)
    return out
