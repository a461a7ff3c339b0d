"""Person profiles and exports: everything visible about one resolved person.

A profile holds the person's visible mentions (with source, grading, handling code and
classification), the timeline of visible events they appear on, the victims and associates
named with them on those events, the objects attached to their mentions and the model's
match pairs between their visible mentions. A person with no visible mention raises
:class:`~toex.errors.NotFoundError`, exactly as an unknown person id does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from toex.errors import NotFoundError
from toex.ops.access import AccessScope
from toex.web.data.filters import (
    VIEWS,
    available,
    highest_marking,
    keyed_rows,
    lookup,
)
from toex.web.data.search import person_summaries, summarise
from toex.web.warehouse import OpenSnapshot

MENTION_COLUMNS = (
    "mention_id",
    "event_id",
    "role",
    "forename_raw",
    "surname_raw",
    "forename",
    "middle_names",
    "surname",
    "dob",
    "dob_raw",
    "gender",
    "pnc_id",
    "cro_number",
    "phone",
    "email",
    "address_raw",
    "postcode",
    "force",
    "source_system",
    "source_file",
    "source_row",
    "source_record_id",
    "grading",
    "handling_code",
    "classification",
)
EVENT_COLUMNS = (
    "event_id",
    "event_type",
    "reference",
    "occurred_from",
    "occurred_to",
    "reported_date",
    "offence_code",
    "vawg",
    "lpc",
    "oic",
    "status",
    "risk_level",
    "text",
    "force",
    "source_system",
    "source_file",
    "source_row",
    "grading",
    "handling_code",
    "classification",
)
#: Roles in which a person offends against the victims named on the same event.
_LAST = dt.date.max
OFFENDING_ROLES = frozenset({"suspect", "subject", "detainee", "registrant"})


@dataclass
class Profile:
    """What one user may see of one person."""

    person_id: str
    label: str
    names: list[str]
    dobs: list[str]
    forces: list[str]
    mentions: list[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)
    victims: list[dict[str, Any]] = field(default_factory=list)
    associates: list[dict[str, Any]] = field(default_factory=list)
    objects: list[dict[str, Any]] = field(default_factory=list)
    match_pairs: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    classification: str = "OFFICIAL"
    #: Person summaries read for this profile (shared with the network; None: not visible).
    summaries: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    @property
    def mention_ids(self) -> list[str]:
        """Ids of the visible mentions."""
        return [m["mention_id"] for m in self.mentions]

    @property
    def summary(self) -> dict[str, Any]:
        """The person's summary as :func:`~toex.web.data.search.person_summaries` gives it."""
        return summarise(self.mentions)


def _cols(
    snapshot: OpenSnapshot, view: str, wanted: tuple[str, ...], exprs: dict[str, str] | None = None
) -> str:
    """The ``wanted`` columns the view's table has, some as the SQL expression in ``exprs``."""
    have = snapshot.columns.get(VIEWS[view], frozenset())
    return ", ".join((exprs or {}).get(c, c) for c in wanted if c in have)


def visible_mentions(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, person_id: str
) -> list[dict[str, Any]]:
    """The person's visible mentions, by force and source row; NotFoundError when none is
    visible."""
    cols = _cols(snapshot, "v_mention", MENTION_COLUMNS)
    rows = lookup(snapshot, cur, scope, "v_mention", "person_id", [person_id], cols)
    if not rows:
        raise NotFoundError(f"no person {person_id!r}")
    ordered = sorted(
        rows,
        key=lambda r: (
            r["force"],
            r.get("source_file") or "",
            r.get("source_row") or 0,
            r["mention_id"],
        ),
    )
    return ordered


def mentions_visible(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, mention_ids: list[str]
) -> dict[str, str]:
    """Of ``mention_ids``, those visible to the scope, mapped to their person id."""
    rows = lookup(
        snapshot,
        cur,
        scope,
        "v_mention",
        "mention_id",
        mention_ids,
        "mention_id, person_id, force, handling_code, classification",
    )
    return {r["mention_id"]: r["person_id"] for r in rows}


def _events(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, mentions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    roles: dict[str, set[str]] = {}
    for m in mentions:
        if m.get("event_id"):
            roles.setdefault(m["event_id"], set()).add(m["role"])
    if not roles:
        return []
    rows = lookup(
        snapshot,
        cur,
        scope,
        "v_event",
        "event_id",
        roles,
        # Free text is shown cut at 400 characters: only 401 leave the database.
        _cols(snapshot, "v_event", EVENT_COLUMNS, {"text": "left(text, 401) AS text"}),
    )
    rows.sort(
        key=lambda r: (r.get("occurred_from") or r.get("reported_date") or _LAST, r["event_id"])
    )
    for row in rows:
        row["roles"] = sorted(roles[row["event_id"]])
        if isinstance(row.get("text"), str) and len(row["text"]) > 400:
            row["text"] = row["text"][:400] + "..."
    return rows


def _co_mentioned(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    person_id: str,
    events: list[dict[str, Any]],
    known: dict[str, dict[str, Any] | None],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if not events:
        return [], []
    my_roles = {e["event_id"]: set(e["roles"]) for e in events}
    rows = [
        r
        for r in lookup(
            snapshot,
            cur,
            scope,
            "v_mention",
            "event_id",
            my_roles,
            "person_id, role, event_id, force, handling_code, classification",
        )
        if r["person_id"] != person_id
    ]
    victims: dict[str, Counter[str]] = {}
    associates: dict[str, Counter[str]] = {}
    for row in rows:
        offending = bool(my_roles[row["event_id"]] & OFFENDING_ROLES)
        target = victims if row["role"] == "victim" and offending else associates
        target.setdefault(row["person_id"], Counter())[row["role"]] += 1
    summaries = person_summaries(
        snapshot, cur, scope, sorted(set(victims) | set(associates)), known
    )

    def listing(found: dict[str, Counter[str]]) -> list[dict[str, Any]]:
        out = [
            {
                "person_id": pid,
                "label": summaries[pid]["names"][0] if summaries[pid]["names"] else "(unknown)",
                "roles": sorted(c),
                "events": sum(c.values()),
                "classification": summaries[pid]["classification"],
            }
            for pid, c in found.items()
        ]
        return sorted(out, key=lambda r: (-r["events"], r["label"]))

    return listing(victims), listing(associates)


def _objects(
    snapshot: OpenSnapshot, cur: Any, scope: AccessScope, mention_ids: list[str]
) -> list[dict[str, Any]]:
    if not available(snapshot, "v_object"):
        return []
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for o in lookup(
        snapshot,
        cur,
        scope,
        "v_object",
        "mention_id",
        mention_ids,
        "object_type, value, force, handling_code, classification",
    ):
        if o["value"] is None:
            continue
        row = found.setdefault(
            (o["object_type"], o["value"]),
            {
                "object_type": o["object_type"],
                "value": o["value"],
                "sightings": 0,
                "forces": set(),
                "markings": [],
            },
        )
        row["sightings"] += 1
        row["forces"].add(o["force"])
        row["markings"].append(o["classification"])
    rows = []
    for row in found.values():
        row["forces"] = sorted(row["forces"])
        row["classification"] = highest_marking(row.pop("markings"))
        rows.append(row)
    return sorted(rows, key=lambda r: (r["object_type"], -r["sightings"], r["value"]))


def _match_pairs(snapshot: OpenSnapshot, cur: Any, mention_ids: list[str]) -> list[dict[str, Any]]:
    """The model's scored pairs between the person's visible mentions (best first, 50 at
    most): the read model's ``web_match_pair`` by first mention, then both ends checked
    against the access-filtered list, so no hidden mention id can appear."""
    if len(mention_ids) < 2 or not snapshot.has("web_match_pair"):
        return []
    wanted = set(mention_ids)
    rows = [
        r
        for r in keyed_rows(
            snapshot,
            cur,
            "web_match_pair",
            "mention_a",
            sorted(wanted),
            "mention_a, mention_b, match_probability",
        )
        if r["mention_b"] in wanted
    ]
    rows.sort(key=lambda r: (r["match_probability"] is None, -(r["match_probability"] or 0)))
    return rows[:50]


def person_profile(
    snapshot: OpenSnapshot,
    cur: Any,
    scope: AccessScope,
    person_id: str,
    own_scope: AccessScope | None = None,
) -> Profile:
    """The profile of ``person_id`` as ``scope`` may see it; the person's own mentions,
    events and objects as ``own_scope`` may (a task-based grant's wider scope), if given."""
    own = own_scope or scope
    mentions = visible_mentions(snapshot, cur, own, person_id)
    names = Counter(
        " ".join(p for p in (m.get("forename"), m.get("surname")) if p) or "(no name)"
        for m in mentions
    )
    profile = Profile(
        person_id=person_id,
        label=names.most_common(1)[0][0],
        names=[n for n, _ in names.most_common()],
        dobs=sorted({m["dob"].isoformat() for m in mentions if m.get("dob")}),
        forces=sorted({m["force"] for m in mentions}),
        mentions=mentions,
    )
    if available(snapshot, "v_event"):
        profile.events = _events(snapshot, cur, own, mentions)
        profile.summaries[person_id] = profile.summary
        profile.victims, profile.associates = _co_mentioned(
            snapshot, cur, scope, person_id, profile.events, profile.summaries
        )
    else:
        profile.missing.append(VIEWS["v_event"])
    profile.objects = _objects(snapshot, cur, own, profile.mention_ids)
    profile.match_pairs = _match_pairs(snapshot, cur, profile.mention_ids)
    profile.classification = highest_marking(
        [m["classification"] for m in mentions]
        + [e["classification"] for e in profile.events]
        + [v["classification"] for v in profile.victims + profile.associates]
        + [o["classification"] for o in profile.objects]
    )
    return profile


def export_rows(profile: Profile) -> list[dict[str, Any]]:
    """The rows of a person export: one per visible mention, with its event if visible."""
    events = {e["event_id"]: e for e in profile.events}
    rows = []
    for m in profile.mentions:
        e = events.get(m.get("event_id") or "", {})
        rows.append(
            {
                "person_id": profile.person_id,
                **{k: m.get(k) for k in MENTION_COLUMNS},
                "event_type": e.get("event_type"),
                "event_reference": e.get("reference"),
                "occurred_from": e.get("occurred_from"),
                "offence_code": e.get("offence_code"),
            }
        )
    return rows
