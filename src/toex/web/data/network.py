"""A person's network, expanded one hop at a time, from visible records only.

Two persons are linked when they are named on the same visible event (``event`` edges) or
when visible sightings attach the same phone, email, vehicle, account or payer to both
(``object`` edges). Edges are derived per request from the access-filtered views, so a
link that rests only on records the user may not see does not exist for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toex.ops.access import AccessScope
from toex.web.data.filters import available, highest_marking, lookup
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
    weight: int
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


def expand(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    person_id: str,
    limit: int = MAX_NEIGHBOURS,
) -> Expansion:
    """The visible neighbours of a visible person (NotFoundError when the person is not)."""
    centre = person_summaries(snapshot, cur, scope, [person_id])
    if person_id not in centre:
        from toex.errors import NotFoundError

        raise NotFoundError(f"no person {person_id!r}")
    links: dict[str, dict[str, Any]] = {}
    markings = [centre[person_id]["classification"]]
    mine = _my_mentions(snapshot, cur, scope, person_id)
    for row in _event_links(snapshot, cur, scope, person_id, mine) + _object_links(
        snapshot, cur, scope, person_id, mine
    ):
        entry = links.setdefault(row["person_id"], {"kinds": set(), "weight": 0})
        entry["kinds"].add(row["kind"])
        entry["weight"] += int(row["weight"])
        markings += row["marks"]
    ranked = sorted(links.items(), key=lambda kv: (-kv[1]["weight"], kv[0]))[:limit]
    summaries = person_summaries(snapshot, cur, scope, [pid for pid, _ in ranked])
    out = Expansion(person_id, person_label(centre[person_id]), total=len(links))
    for pid, entry in ranked:
        s = summaries[pid]
        out.neighbours.append(
            Neighbour(
                pid,
                person_label(s),
                sorted(entry["kinds"]),
                entry["weight"],
                s["forces"],
                s["classification"],
            )
        )
        markings.append(s["classification"])
    out.classification = highest_marking(markings)
    return out
