"""The one place where access rules become SQL.

:func:`visible_views` returns a ``WITH`` clause defining the records a scope may see:

* ``v_mention``: person mentions (with their resolved ``person_id``) whose force is covered by
  an agreement, whose handling code the user holds and whose classification is within the
  user's clearance;
* ``v_event``, ``v_object``, ``v_location``: the same rule on events, objects and locations.

A query module writes its SQL against these names only. :func:`run` executes a query
with its own parameters and returns rows as dicts. :func:`lookup` fetches rows by key (an
index scan) and keeps those the same rule permits: DuckDB cannot use an index once other
filters join the key filter, so point lookups filter after the scan instead of inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from toex.model import Classification
from toex.ops.access import AccessScope
from toex.web.warehouse import OpenSnapshot

#: Visible view name -> the read-model table it filters (see ``toex.web.warehouse``):
#: ``web_mention`` is ``staged_person_mention`` with its resolved ``person_id``; the others
#: are ``staged_event``, ``staged_object`` and ``staged_location``.
VIEWS: dict[str, str] = {
    "v_mention": "web_mention",
    "v_event": "web_event",
    "v_object": "web_object",
    "v_location": "web_location",
}
MARKING_COLUMNS = ("force", "handling_code", "classification")


_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_\- ]{1,64}$")


def in_list(values: Iterable[str]) -> str:
    """A SQL ``IN`` list of quoted literals; values that are not plain codes are dropped
    (they come from the operational store, but nothing unchecked reaches the SQL)."""
    safe = sorted(v for v in values if _SAFE_VALUE.match(v))
    return "(" + ", ".join(f"'{v}'" for v in safe) + ")" if safe else "(NULL)"


def visible_predicate(scope: AccessScope, alias: str) -> str:
    """The SQL predicate a row aliased ``alias`` must meet to be visible in ``scope``.

    The scope's codes are written as literal ``IN`` lists (each checked against a strict
    pattern), which DuckDB pushes into its scans.
    """
    if scope.empty:
        return "FALSE"
    return (
        f"{alias}.force IN {in_list(scope.forces)} "
        f"AND {alias}.handling_code IN {in_list(scope.handling_codes)} "
        f"AND {alias}.classification IN {in_list(scope.classifications)}"
    )


def available(snapshot: OpenSnapshot, view: str) -> bool:
    """Whether the snapshot holds the table behind ``view`` with its marking columns (for
    mentions: only once resolution has given them a ``person_id``)."""
    return snapshot.has_columns(VIEWS[view], *MARKING_COLUMNS)


def visible_views(snapshot: OpenSnapshot, scope: AccessScope, views: Iterable[str]) -> str:
    """A ``WITH`` clause defining the requested visible views (absent tables are empty)."""
    parts = []
    for view in views:
        table = VIEWS[view]
        if not available(snapshot, view):
            raise_missing(view)
        pred = visible_predicate(scope, "t")
        parts.append(f"{view} AS NOT MATERIALIZED (SELECT t.* FROM {table} t WHERE {pred})")
    return "WITH " + ", ".join(parts) + " "


SOURCES = {
    "v_mention": "resolved_mention_person",
    "v_event": "staged_event",
    "v_object": "staged_object",
    "v_location": "staged_location",
}


def raise_missing(view: str) -> None:
    """Raise :class:`NotAvailable` naming the snapshot table a view needs and lacks."""
    raise NotAvailable(SOURCES[view])


class NotAvailable(Exception):
    """A table a page needs is not in this snapshot (a later pipeline stage has not run)."""

    def __init__(self, table: str) -> None:
        super().__init__(f"{table} is not available in this snapshot")
        self.table = table


def run(
    cur: Any, sql: str, scope: AccessScope, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Execute ``sql`` with the scope's and the query's parameters; rows as dicts.

    Only parameters the SQL names are passed (DuckDB rejects unused named parameters).
    """
    used = {k: v for k, v in (params or {}).items() if f"${k}" in sql}
    result = cur.execute(sql, used)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def highest_marking(markings: Iterable[str | None]) -> str:
    """The highest classification among ``markings`` (OFFICIAL when there are none)."""
    return Classification.highest([m for m in markings if m]).value


def lookup(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    view: str,
    key: str,
    values: Iterable[object],
    columns: str = "*",
) -> list[dict[str, Any]]:
    """The visible rows of ``view`` whose ``key`` is one of ``values``.

    The lookup by key alone lets DuckDB use the read model's index; the access rule
    (:meth:`AccessScope.permits`, the same rule :func:`visible_predicate` writes as SQL) then
    keeps only the permitted rows, before anything leaves this module. ``columns`` must
    include the marking columns when not ``*``.
    """
    keys = sorted({v for v in values if v is not None}, key=str)
    if not keys or scope.empty:
        return []
    if not available(snapshot, view):
        raise_missing(view)
    result = cur.execute(
        f"SELECT {columns} FROM {VIEWS[view]} WHERE {key} = ANY($keys)", {"keys": keys}
    )
    names = [d[0] for d in result.description]
    rows = (dict(zip(names, row, strict=True)) for row in result.fetchall())
    return [r for r in rows if scope.permits(r["force"], r["handling_code"], r["classification"])]


def all_visible(snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_id: str) -> bool:
    """Whether the scope may see every mention of the person (and there is at least one).

    Gates what is computed over all of a person's records (the priority score); only the
    boolean leaves this function, never the hidden mentions or their number.
    """
    if scope.empty or not snapshot.has_columns(VIEWS["v_mention"], "person_id"):
        return False
    rows = cur.execute(
        f"SELECT force, handling_code, classification FROM {VIEWS['v_mention']} "
        "WHERE person_id = $pid",
        {"pid": person_id},
    ).fetchall()
    return bool(rows) and all(scope.permits(*row) for row in rows)
