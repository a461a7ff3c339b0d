"""A person's network, expanded one hop at a time, from visible records only.

When the snapshot holds the link stage's tables, a person's links are its typed edges
(``link_edge``: co-offending, victim-offender, intelligence associate, shared phone, email,
address, vehicle, account, payer; hub-only edges left out), read through
:func:`~toex.web.data.filters.visible_links`, which keeps an edge only as far as the records
behind it (``link_edge_evidence``) are visible to the user. A snapshot without them (the
link stage has not run) falls back to deriving links per request: two persons are linked
when they are named on the same visible event (``event``) or when visible sightings attach
the same phone, email, vehicle, account or payer to both (the object type). Either way a
link that rests only on records the user may not see does not exist for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toex.ops.access import AccessScope
from toex.web.data.filters import available, highest_marking, lookup, visible_links
from toex.web.data.search import person_label, person_summaries
from toex.web.warehouse import OpenSnapshot

MAX_NEIGHBOURS = 40
LINK_OBJECT_TYPES = ("phone", "email", "vehicle", "account", "payer")


@dataclass
class Neighbour:
    """A person linked to the centre, how (event / object type) and how strongly."""

    person_id: str
    label: str
    kinds: list[str]
    weight: float
    forces: list[str]
    classification: str


@dataclass
class Expansion:
    """The centre person and their visible neighbours (strongest first)."""

    person_id: str
    label: str
    neighbours: list[Neighbour] = field(default_factory=list)
    total: int = 0
    classification: str = "OFFICIAL"


_MARKS = "force, handling_code, classification"


def _my_mentions(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_id: str
) -> list[dict[str, Any]]:
    return lookup(
        snapshot,
        cur,
        scope,
        "v_mention",
        "person_id",
        [person_id],
        f"mention_id, event_id, {_MARKS}",
    )


def _event_links(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    person_id: str,
    mine: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """(person, 'event', shared visible events, markings) for persons on the same events."""
    if not available(snapshot, "v_event"):
        return []
    events = {
        e["event_id"]: e
        for e in lookup(
            snapshot,
            cur,
            scope,
            "v_event",
            "event_id",
            [m["event_id"] for m in mine],
            f"event_id, {_MARKS}",
        )
    }
    shared: dict[str, set[str]] = {}
    marks: dict[str, list[str]] = {}
    for o in lookup(
        snapshot, cur, scope, "v_mention", "event_id", events, f"person_id, event_id, {_MARKS}"
    ):
        if o["person_id"] == person_id:
            continue
        shared.setdefault(o["person_id"], set()).add(o["event_id"])
        marks.setdefault(o["person_id"], []).extend(
            [o["classification"], events[o["event_id"]]["classification"]]
        )
    return [
        {"person_id": pid, "kind": "event", "weight": len(eids), "marks": marks[pid]}
        for pid, eids in shared.items()
    ]


def _object_links(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    person_id: str,
    mine: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """(person, object type, shared visible values, markings) for persons sharing objects."""
    if not available(snapshot, "v_object"):
        return []
    my_objects = [
        o
        for o in lookup(
            snapshot,
            cur,
            scope,
            "v_object",
            "mention_id",
            [m["mention_id"] for m in mine],
            f"object_type, value, {_MARKS}",
        )
        if o["object_type"] in LINK_OBJECT_TYPES
    ]
    keys = {
        (o["object_type"], o["value"]): o["classification"]
        for o in my_objects
        if o["value"] is not None
    }
    others = [
        o
        for o in lookup(
            snapshot,
            cur,
            scope,
            "v_object",
            "value",
            {v for _, v in keys},
            f"object_type, value, mention_id, {_MARKS}",
        )
        if (o["object_type"], o["value"]) in keys and o["mention_id"] is not None
    ]
    owners = {
        m["mention_id"]: m
        for m in lookup(
            snapshot,
            cur,
            scope,
            "v_mention",
            "mention_id",
            [o["mention_id"] for o in others],
            f"mention_id, person_id, {_MARKS}",
        )
    }
    shared: dict[tuple[str, str], set[str]] = {}
    marks: dict[tuple[str, str], list[str]] = {}
    for o in others:
        owner = owners.get(o["mention_id"])
        if owner is None or owner["person_id"] == person_id:
            continue
        key = (owner["person_id"], o["object_type"])
        shared.setdefault(key, set()).add(o["value"])
        marks.setdefault(key, []).extend(
            [o["classification"], owner["classification"], keys[(o["object_type"], o["value"])]]
        )
    return [
        {"person_id": pid, "kind": kind, "weight": len(values), "marks": marks[(pid, kind)]}
        for (pid, kind), values in shared.items()
    ]


def _typed_links(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_id: str
) -> list[dict[str, Any]]:
    """(person, edge type, weight, markings) from the link stage's visible edges."""
    return [
        {
            "person_id": link.neighbour,
            "kind": link.edge_type,
            "weight": link.weight,
            "marks": [link.classification],
        }
        for link in visible_links(snapshot, cur, scope, person_id)
        if link.neighbour != person_id
    ]


def expand(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    person_id: str,
    limit: int = MAX_NEIGHBOURS,
    *,
    centre: dict[str, Any] | None = None,
    mine: list[dict[str, Any]] | None = None,
    known: dict[str, dict[str, Any] | None] | None = None,
) -> Expansion:
    """The visible neighbours of a visible person (NotFoundError when the person is not).

    ``centre`` (the person's summary), ``mine`` (their visible mentions with ``mention_id``
    and ``event_id``) and ``known`` (person summaries read already) may be passed by a
    caller that has them (the profile).
    """
    known = {} if known is None else known
    if centre is None:
        centre = person_summaries(snapshot, cur, scope, [person_id], known).get(person_id)
    if centre is None:
        from toex.errors import NotFoundError

        raise NotFoundError(f"no person {person_id!r}")
    links: dict[str, dict[str, Any]] = {}
    markings = [centre["classification"]]
    if snapshot.has("web_link"):
        found = _typed_links(snapshot, cur, scope, person_id)
    else:
        if mine is None:
            mine = _my_mentions(snapshot, cur, scope, person_id)
        found = _event_links(snapshot, cur, scope, person_id, mine) + _object_links(
            snapshot, cur, scope, person_id, mine
        )
    for row in found:
        entry = links.setdefault(row["person_id"], {"kinds": set(), "weight": 0.0, "marks": []})
        entry["kinds"].add(row["kind"])
        entry["weight"] += float(row["weight"])
        entry["marks"] += row["marks"]
    # A neighbour is shown only when the user may see one of their mentions (a summary).
    summaries = person_summaries(snapshot, cur, scope, list(links), known)
    links = {pid: e for pid, e in links.items() if pid in summaries}
    for entry in links.values():
        markings += entry["marks"]
    ranked = sorted(links.items(), key=lambda kv: (-kv[1]["weight"], kv[0]))[:limit]
    out = Expansion(person_id, person_label(centre), total=len(links))
    for pid, entry in ranked:
        s = summaries[pid]
        out.neighbours.append(
            Neighbour(
                pid,
                person_label(s),
                sorted(entry["kinds"]),
                round(entry["weight"], 6),
                s["forces"],
                s["classification"],
            )
        )
        markings.append(s["classification"])
    out.classification = highest_marking(markings)
    return out
