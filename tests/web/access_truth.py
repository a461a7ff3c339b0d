"""An independent statement of the access rule, for the access-matrix tests.

Reads a warehouse's rows into Python and computes, without the app's SQL, which mentions,
persons, events, network neighbours and search hits a user may see. Tests compare every
data route's output with these sets.

Network neighbours: when the warehouse holds the link stage's tables, a neighbour is linked
by a ``link_edge`` (not hub-only) one of whose evidence units has a permitted record naming
each of the two persons; otherwise by a shared visible event or visible shared object.
Either way the neighbour must have a visible mention.

Derived figures (stated here from the staged rows, as docs/web.md states the rule): a
priority score is shown only when every record it draws on is visible: the person's
mentions, the crimes (up to the reference date) he is a suspect on, the victim records on
them, and, for a victim of a VAWG crime none of whose records on it gives an age, that
victim's records with a date or year of birth. A STIM cross-match is shown only when a
visible force record (or a visible object on a visible force mention) carries the matched
value, or, for a ``person`` match, names the person, or for ``name``, the person with that
name; its forces and record count are the person's visible force records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

CLASSES = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
LINK_TYPES = {"phone", "email", "vehicle", "account", "payer"}
PARTNER_ROLES = {"account_holder", "payer"}
PARTNER_EVENTS = {"partner_account", "advert", "payment", "partner_call"}


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
                "m.event_id, m.dob, m.dob_year, m.phone, m.email, m.forename, m.surname, "
                "m.role, m.gender, m.age_at_event FROM staged_person_mention m "
                "JOIN resolved_mention_person r USING (mention_id)"
            )
        }
        self.events = {
            r["event_id"]: r
            for r in rows(
                "SELECT event_id, force, handling_code, classification, event_type, "
                "coalesce(occurred_from, reported_date) AS day, offence_code, vawg "
                "FROM staged_event"
            )
        }
        self.objects = rows(
            "SELECT object_id, object_type, value, mention_id, force, handling_code, "
            "classification FROM staged_object WHERE mention_id IS NOT NULL "
            "AND value IS NOT NULL"
        )
        tables = {r["table_name"] for r in rows("SELECT table_name FROM information_schema.tables")}
        self.scored: dict[str, dt.date] = {}
        self.harm: dict[str, tuple[bool, bool]] = {}
        if {"assess_perpetrator_priority", "assess_harm_weight"} <= tables:
            self.scored = {
                r["person_id"]: r["as_of"]
                for r in rows("SELECT person_id, as_of FROM assess_perpetrator_priority")
            }
            self.harm = {
                r["code"]: (bool(r["vawg"]), bool(r["vawg_context"]))
                for r in rows("SELECT code, vawg, vawg_context FROM assess_harm_weight")
            }
        self.crossmatch: list[dict[str, Any]] = []
        if "stim_case_crossmatch" in tables:
            self.crossmatch = rows(
                "SELECT case_id, person_id, match_kind, matched_value, strength "
                "FROM stim_case_crossmatch"
            )
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
        self.on_event: dict[str, list[str]] = {}
        for mid, m in self.mentions.items():
            self.persons.setdefault(m["person_id"], set()).add(mid)
            if m["event_id"]:
                self.on_event.setdefault(m["event_id"], []).append(mid)

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

    # ------------------------------------------------------------------ derived figures

    def _is_vawg(self, event: dict[str, Any]) -> bool:
        """VAWG by offence type, in context with a female victim, or flagged by the force
        (the shipped configuration uses the force's flag)."""
        vawg, context = self.harm.get(event["offence_code"], (False, False))
        female = any(
            self.mentions[m]["role"] == "victim" and self.mentions[m]["gender"] == "F"
            for m in self.on_event.get(event["event_id"], [])
        )
        return vawg or (context and female) or bool(event["vawg"])

    def score_records(self, person_id: str) -> tuple[set[str], set[str]]:
        """(mention ids, event ids) of every record the person's priority row draws on."""
        as_of = self.scored[person_id]
        mentions = set(self.persons[person_id])
        events: set[str] = set()
        for mid in self.persons[person_id]:
            eid = self.mentions[mid]["event_id"]
            event = self.events.get(eid) if eid else None
            if (
                self.mentions[mid]["role"] != "suspect"
                or event is None
                or event["event_type"] != "crime"
                or event["day"] is None
                or event["day"] > as_of
            ):
                continue
            events.add(eid)
            victims = [m for m in self.on_event[eid] if self.mentions[m]["role"] == "victim"]
            mentions.update(victims)
            if not self._is_vawg(event):
                continue
            for victim in {self.mentions[m]["person_id"] for m in victims} - {person_id}:
                ages = [
                    self.mentions[m]["age_at_event"]
                    for m in victims
                    if self.mentions[m]["person_id"] == victim
                ]
                if any(a is not None for a in ages):
                    continue
                mentions.update(
                    m
                    for m in self.persons[victim]
                    if (self.mentions[m]["dob"] or dt.date.min) > dt.date(1900, 1, 1)
                    or (self.mentions[m]["dob_year"] or 0) > 1900
                )
        return mentions, events

    def score_visible(self, person_id: str, rule: Rule | None) -> bool:
        """Whether the person is scored and the rule permits every record behind it."""
        if rule is None or person_id not in self.scored:
            return False
        mentions, events = self.score_records(person_id)
        return all(rule.permits(self.mentions[m]) for m in mentions) and all(
            rule.permits(self.events[e]) for e in events
        )

    def scores_visible(self, rule: Rule | None) -> set[str]:
        """Every scored person whose score the rule lets a user see."""
        return {p for p in self.scored if self.score_visible(p, rule)}

    def _objects_by_value(self) -> dict[str, list[dict[str, Any]]]:
        """Objects by value as the STIM keys hold them (emails in lower case)."""
        if not hasattr(self, "_by_value"):
            self._by_value: dict[str, list[dict[str, Any]]] = {}
            for o in self.objects:
                value = o["value"].lower() if o["object_type"] == "email" else o["value"]
                self._by_value.setdefault(value, []).append(o)
        return self._by_value

    def force_mentions(self, person_id: str, vis: set[str]) -> list[dict[str, Any]]:
        """The person's visible mentions that come from forces (not from partner websites)."""
        out = []
        for mid in self.person_mentions(person_id, vis):
            m = self.mentions[mid]
            event = self.events.get(m["event_id"]) if m["event_id"] else None
            if m["role"] in PARTNER_ROLES or (event and event["event_type"] in PARTNER_EVENTS):
                continue
            out.append(m)
        return out

    def crossmatch_visible(
        self, rule: Rule | None, vis: set[str], case_ids: set[str]
    ) -> dict[tuple[str, str, str, str], tuple[list[str], int]]:
        """The cross-match rows of ``case_ids`` a user may see, keyed by (case, person,
        kind, value), with the forces and number of the person's visible force records."""
        out: dict[tuple[str, str, str, str], tuple[list[str], int]] = {}
        if rule is None:
            return out
        for row in self.crossmatch:
            if row["case_id"] not in case_ids:
                continue
            pid, kind, value = row["person_id"], row["match_kind"], row["matched_value"]
            mine = self.force_mentions(pid, vis)
            if not mine:
                continue
            held = {m["mention_id"] for m in mine}
            if kind == "person":
                seen = True
            elif kind == "name":
                seen = any(f"{m['forename']} {m['surname']}" == value for m in mine)
            else:
                direct = kind in ("phone", "email") and any(
                    (m["phone"] if kind == "phone" else (m["email"] or "").lower()) == value
                    for m in mine
                )
                seen = direct or any(
                    o["object_type"] == kind and o["mention_id"] in held and rule.permits(o)
                    for o in self._objects_by_value().get(value, [])
                )
            if seen:
                forces = sorted({m["force"] for m in mine})
                out[(row["case_id"], pid, kind, value)] = (forces, len(mine))
        return out
