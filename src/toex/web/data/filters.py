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
:func:`permitted_markings` states the rule for the coded rows of the name search index,
:func:`visible_links` for the link stage's edges (record by record, through their evidence),
and :func:`permits_all` / :func:`all_permitted_predicate` for derived figures that must be
withheld unless every record behind them is visible (priority scores, STIM matches).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from toex.model import Classification
from toex.ops.access import AccessScope
from toex.web.warehouse import OpenSnapshot

#: Visible view name -> the read-model table it filters (see ``toex.web.warehouse``):
#: ``web_mention`` is ``staged_person_mention`` with its resolved ``person_id``; the others
#: are ``staged_event``, ``staged_object`` and ``staged_location``; ``web_person`` summarises
#: a person's mentions per marking (each row carries the marking it summarises).
VIEWS: dict[str, str] = {
    "v_mention": "web_mention",
    "v_event": "web_event",
    "v_object": "web_object",
    "v_location": "web_location",
    "v_person": "web_person",
    "v_stim_evidence": "stim_case_crossmatch_evidence",
    "v_stim_person": "stim_crossmatch_person_marking",
}
MARKING_COLUMNS = ("force", "handling_code", "classification")
#: Lookups by up to this many keys are written as ``IN (?, ...)``, longer ones as ``ANY``.
SMALL_KEY_LIST = 8


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


def permits_all(
    scope: AccessScope,
    forces: Iterable[str] | None,
    codes: Iterable[str] | None,
    classifications: Iterable[str] | None,
) -> bool:
    """Whether the scope permits every record of a set described by its distinct forces,
    handling codes and classifications (None: not known, so not permitted).

    The rule is a conjunction of one test per marking, so every record of the set is
    permitted exactly when every force, every handling code and every classification is."""
    if scope.empty or forces is None or codes is None or classifications is None:
        return False
    return (
        all(f in scope.forces for f in forces)
        and all(c in scope.handling_codes for c in codes)
        and all(c in scope.classifications for c in classifications)
    )


def _list_literal(values: Iterable[str]) -> str:
    safe = sorted(v for v in values if _SAFE_VALUE.match(v))
    return "[" + ", ".join(f"'{v}'" for v in safe) + "]::VARCHAR[]"


def all_permitted_predicate(scope: AccessScope, alias: str) -> str:
    """:func:`permits_all` as SQL, over the columns ``mark_forces``, ``mark_codes`` and
    ``mark_classes`` of the row aliased ``alias`` (a NULL list is not permitted)."""
    if scope.empty:
        return "FALSE"
    return (
        f"coalesce(list_has_all({_list_literal(scope.forces)}, {alias}.mark_forces) "
        f"AND list_has_all({_list_literal(scope.handling_codes)}, {alias}.mark_codes) "
        f"AND list_has_all({_list_literal(scope.classifications)}, {alias}.mark_classes), "
        "FALSE)"
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
    "v_person": "resolved_mention_person",
    "v_stim_evidence": "stim_case_crossmatch_evidence",
    "v_stim_person": "stim_crossmatch_person_marking",
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
    return Classification.highest(markings).value


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
    rows = keyed_rows(snapshot, cur, VIEWS[view], key, keys, columns)
    return [r for r in rows if scope.permits(r["force"], r["handling_code"], r["classification"])]


def permitted_units(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    view: str,
    key: str,
    values: Iterable[object],
    unit: tuple[str, ...],
) -> dict[tuple[Any, ...], list[str]]:
    """Of the rows of ``view`` whose ``key`` is one of ``values``, the evidence units (the
    distinct values of the ``unit`` columns) every one of whose rows the scope permits,
    each with its rows' classifications. A unit resting on a hidden record is left out
    whole (an object and the mention it is attached to must both be visible)."""
    keys = sorted({v for v in values if v is not None}, key=str)
    if not keys or scope.empty:
        return {}
    if not available(snapshot, view):
        raise_missing(view)
    columns = ", ".join(dict.fromkeys((*unit, *MARKING_COLUMNS)))
    found: dict[tuple[Any, ...], list[str]] = {}
    hidden: set[tuple[Any, ...]] = set()
    for row in keyed_rows(snapshot, cur, VIEWS[view], key, keys, columns):
        name = tuple(row[c] for c in unit)
        if scope.permits(row["force"], row["handling_code"], row["classification"]):
            found.setdefault(name, []).append(row["classification"])
        else:
            hidden.add(name)
    return {name: marks for name, marks in found.items() if name not in hidden}


def keyed_rows(
    snapshot: OpenSnapshot, cur: Any, table: str, key: str, keys: list[Any], columns: str = "*"
) -> list[dict[str, Any]]:
    """Every row of the read-model ``table`` whose ``key`` is one of ``keys`` (no access
    rule: callers apply it before anything leaves this module), in the table's row order.

    Answered by the snapshot's row store (:mod:`toex.web.rowstore`: a binary search and an
    Arrow ``take``, no query) when it holds this table and key, else by DuckDB's index."""
    found = snapshot.rows.lookup(table, key, keys, columns)
    if found is not None:
        return found
    if len(keys) <= SMALL_KEY_LIST:  # an IN list of parameters plans faster than ANY(list)
        marks = ", ".join("?" for _ in keys)
        result = cur.execute(f"SELECT {columns} FROM {table} WHERE {key} IN ({marks})", keys)
    else:
        result = cur.execute(
            f"SELECT {columns} FROM {table} WHERE {key} = ANY($keys)", {"keys": keys}
        )
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def permitted_markings(
    scope: AccessScope, markings: Sequence[tuple[str, str, str]]
) -> npt.NDArray[np.bool_]:
    """For each (force, handling code, classification), whether the scope permits it (the
    name search index codes every row's markings by position in ``markings``)."""
    return np.array([scope.permits(*m) for m in markings], dtype=bool)


@dataclass
class VisibleLink:
    """One typed link of a person as a user may see it (see :func:`visible_links`)."""

    neighbour: str
    edge_type: str
    weight: float
    classification: str


def visible_links(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_id: str
) -> list[VisibleLink]:
    """The person's links in the link stage's edges (hub-only edges left out) that rest on
    records the scope may see.

    An edge all of whose records are permitted (its forces, handling codes and highest
    classification) is visible whole. An edge whose records carry one set of markings is
    hidden whole otherwise. An edge whose records differ is checked record by record
    (``web_link_evidence``): an evidence unit (an event, a shared object) counts when a
    permitted record names each of the two persons, and the edge keeps the share of its
    weight of the units that count. Nothing is returned for a link on hidden records only.
    """
    if scope.empty or not snapshot.has("web_link"):
        return []
    link_cols = (
        "neighbour", "edge_type", "weight", "n_units", "forces", "handling_codes",
        "classification", "uniform",
    )  # fmt: skip
    rows = keyed_rows(snapshot, cur, "web_link", "person_id", [person_id], ", ".join(link_cols))
    out: list[VisibleLink] = []
    mixed: dict[tuple[str, str], tuple[float, int, str]] = {}
    for neighbour, edge_type, weight, n_units, forces, codes, cls, uniform in (
        [r[c] for c in link_cols] for r in rows
    ):
        whole = permits_all(scope, forces or (), codes or (), [cls])
        if whole:
            out.append(VisibleLink(neighbour, edge_type, float(weight), cls))
        elif not uniform:
            mixed[(neighbour, edge_type)] = (float(weight), int(n_units or 1), cls)
    if mixed and snapshot.has("web_link_evidence"):
        units: dict[tuple[str, str], dict[str, set[str]]] = {}
        marks: dict[tuple[str, str], list[str]] = {}
        ev_cols = (
            "person_a", "person_b", "edge_type", "unit_key", "person_id", "force",
            "handling_code", "classification",
        )  # fmt: skip
        evidence = keyed_rows(
            snapshot, cur, "web_link_evidence", "centre", [person_id], ", ".join(ev_cols)
        )
        for a, b, edge_type, unit, named, force, code, cls in (
            [r[c] for c in ev_cols] for r in evidence
        ):
            key = (b if a == person_id else a, edge_type)
            if key not in mixed or not scope.permits(force, code, cls):
                continue
            units.setdefault(key, {}).setdefault(unit, set()).add(named)
            marks.setdefault(key, []).append(cls)
        for key, by_unit in units.items():
            seen = sum(1 for named in by_unit.values() if {person_id, key[0]} <= named)
            if seen:
                weight, n_units, _cls = mixed[key]
                out.append(
                    VisibleLink(
                        key[0],
                        key[1],
                        weight * min(1.0, seen / n_units),
                        highest_marking(marks[key]),
                    )
                )
    return out


def priority_row(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_id: str
) -> dict[str, Any] | None:
    """The person's ``web_priority`` row (score, reason, the markings of the records it
    draws on) when the scope permits every one of those records, else None (also when the
    person is not scored). Only the permitted row leaves this function."""
    if scope.empty or not snapshot.has_columns("web_priority", "mark_forces"):
        return None
    rows = keyed_rows(
        snapshot,
        cur,
        "web_priority",
        "person_id",
        [person_id],
        "person_id, score, reason, mark_forces, mark_codes, mark_classes",
    )
    if not rows:
        return None
    row = rows[0]
    if not permits_all(scope, row["mark_forces"], row["mark_codes"], row["mark_classes"]):
        return None
    return row
