"""An independent statement of the access rule, for the access-matrix tests.

Reads a warehouse's rows into Python and computes, without the app's SQL, which mentions,
persons, events, network neighbours and search hits a user may see. Tests compare every
data route's output with these sets.

Network neighbours: when the warehouse holds the link stage's tables, a neighbour is linked
by a ``link_edge`` (not hub-only) one of whose evidence units has a permitted record naming
each of the two persons; otherwise by a shared visible event or visible shared object.
Either way the neighbour must have a visible mention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

CLASSES = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
LINK_TYPES = {"phone", "email", "vehicle", "account", "payer"}


@dataclass(frozen=True)
class Rule:
    """Forces by agreement, handling codes held, clearance."""

    forces: frozenset[str]
    handling: frozenset[str]
    clearance: str

    def permits(self, row: dict[str, Any]) -> bool:
        """Whether a row's three markings are all covered."""
        return (
            row["force"] in self.forces
            and row["handling_code"] in self.handling
            and row["classification"] in CLASSES[: CLASSES.index(self.clearance) + 1]
        )


class Truth:
    """The warehouse's rows and the sets a rule makes visible."""

    def __init__(self, path: Path) -> None:
        con = duckdb.connect(str(path), read_only=True)

        def rows(sql: str) -> list[dict[str, Any]]:
            res = con.execute(sql)
            names = [d[0] for d in res.description]
            return [dict(zip(names, r, strict=True)) for r in res.fetchall()]

        self.mentions = {
            r["mention_id"]: r
            for r in rows(
                "SELECT m.mention_id, r.person_id, m.force, m.handling_code, m.classification, "
                "m.event_id, m.dob, m.dob_year, m.phone, m.surname FROM staged_person_mention m "
                "JOIN resolved_mention_person r USING (mention_id)"
            )
        }
        self.events = {
            r["event_id"]: r
            for r in rows("SELECT event_id, force, handling_code, classification FROM staged_event")
        }
        self.objects = rows(
            "SELECT object_type, value, mention_id, force, handling_code, "
            "classification FROM staged_object WHERE mention_id IS NOT NULL "
            "AND value IS NOT NULL"
        )
        tables = {r["table_name"] for r in rows("SELECT table_name FROM information_schema.tables")}
        self.has_links = {"link_edge", "link_edge_evidence"} <= tables
        self.evidence: list[dict[str, Any]] = []
        if self.has_links:
            self.evidence = rows(
                "SELECT v.person_a, v.person_b, v.edge_type, v.unit_key, v.person_id, v.force, "
                "v.handling_code, v.classification FROM link_edge_evidence v "
                "JOIN link_edge e USING (person_a, person_b, edge_type) WHERE NOT e.hub_only"
            )
        con.close()
        self.persons: dict[str, set[str]] = {}
        for mid, m in self.mentions.items():
            self.persons.setdefault(m["person_id"], set()).add(mid)

    def visible(self, rule: Rule | None) -> set[str]:
        """Mention ids visible under ``rule`` (None: no data access)."""
        if rule is None:
            return set()
        return {mid for mid, m in self.mentions.items() if rule.permits(m)}

    def person_mentions(self, person_id: str, vis: set[str]) -> set[str]:
        """The person's visible mentions."""
        return self.persons.get(person_id, set()) & vis

    def person_events(self, person_id: str, vis: set[str], rule: Rule | None) -> set[str]:
        """Visible events the person's visible mentions are on."""
        out = set()
        for mid in self.person_mentions(person_id, vis):
            eid = self.mentions[mid]["event_id"]
            if eid and eid in self.events and rule and rule.permits(self.events[eid]):
                out.add(eid)
        return out

    def neighbours(self, person_id: str, vis: set[str], rule: Rule | None) -> set[str]:
        """Visible persons linked to ``person_id`` as the user may see the links."""
        if rule is None:
            return set()
        visible_persons = {self.mentions[m]["person_id"] for m in vis}
        if self.has_links:
            named: dict[tuple[str, str, str, str], set[str]] = {}
            for v in self.evidence:
                if person_id in (v["person_a"], v["person_b"]) and rule.permits(v):
                    unit = (v["person_a"], v["person_b"], v["edge_type"], v["unit_key"])
                    named.setdefault(unit, set()).add(v["person_id"])
            return {
                (b if a == person_id else a)
                for (a, b, _t, _u), who in named.items()
                if {a, b} <= who
            } & visible_persons
        out: set[str] = set()
        events = self.person_events(person_id, vis, rule)
        for mid in vis:
            m = self.mentions[mid]
            if m["event_id"] in events and m["person_id"] != person_id:
                out.add(m["person_id"])
        objects = [
            o
            for o in self.objects
            if rule.permits(o) and o["mention_id"] in vis and o["object_type"] in LINK_TYPES
        ]
        mine = {
            (o["object_type"], o["value"])
            for o in objects
            if self.mentions[o["mention_id"]]["person_id"] == person_id
        }
        for o in objects:
            pid = self.mentions[o["mention_id"]]["person_id"]
            if (o["object_type"], o["value"]) in mine and pid != person_id:
                out.add(pid)
        return out

    def dob_hits(self, dob: dt.date, vis: set[str]) -> set[str]:
        """Persons with a visible mention matching a date-of-birth search."""
        return {
            self.mentions[mid]["person_id"]
            for mid in vis
            if self.mentions[mid]["dob"] == dob
            or (self.mentions[mid]["dob"] is None and self.mentions[mid]["dob_year"] == dob.year)
        }

    def forces_of(self, person_id: str, vis: set[str]) -> list[str]:
        """Sorted forces of the person's visible mentions."""
        return sorted({self.mentions[m]["force"] for m in self.person_mentions(person_id, vis)})
