"""Checking one row of tracker data: CSV import and web forms share these rules.

Each kind of record (``operations``, ``aars``, ``disruptions``, ``referrals``, ``outcomes``,
``requests``) has required and optional columns. :func:`parse_row` turns a row of strings
into a record of clean values (dates, booleans, code-list members, sorted tuples) or raises
:class:`RowProblems` listing every bad field with a reason code. Pure: the caller supplies
the known force codes and the day after which dates are in the future.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from toex.model import (
    DisruptionCategory,
    DisruptionImpact,
    ExploitationType,
    GeographicScale,
    OperationStatus,
    OutcomeKind,
    ReferralOutcome,
    RequestStatus,
    RequestType,
    TrackerReferralKind,
)

Record = dict[str, Any]

#: Record kinds in the order a directory is imported (operations before what refers to them).
KINDS: tuple[str, ...] = ("operations", "aars", "disruptions", "referrals", "outcomes", "requests")

REQUIRED: dict[str, tuple[str, ...]] = {
    "operations": (
        "reference",
        "name",
        "lead_force",
        "soc_master_list",
        "supported",
        "exploitation_types",
        "geographic_scale",
        "status",
        "opened_on",
    ),
    "aars": ("reference", "operation_reference", "aar_date", "threat_types"),
    "disruptions": (
        "reference",
        "operation_reference",
        "disruption_date",
        "category",
        "impact",
        "significant",
    ),
    "referrals": ("reference", "operation_reference", "kind", "referred_on", "outcome"),
    "outcomes": ("reference", "operation_reference", "kind", "recorded_on", "count"),
    "requests": ("reference", "requested_on", "requester", "request_type", "status"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "operations": (
        "forces",
        "closed_on",
        "identified_on",
        "scored_on",
        "top10_on",
        "linked_persons",
        "linked_networks",
    ),
    "aars": ("summary",),
    "disruptions": ("summary",),
    "referrals": ("outcome_on",),
    "outcomes": ("pending",),
    "requests": ("operation_reference",),
}
#: Every reason a field can be rejected for.
REASONS: tuple[str, ...] = (
    "field_count",
    "missing_required",
    "bad_date",
    "future_date",
    "date_order",
    "unknown_force",
    "unknown_code",
    "bad_boolean",
    "bad_count",
    "bad_id",
    "too_long",
    "duplicate_reference",
    "unknown_operation",
    "inconsistent_status",
    "out_of_scope",
)
LIST_SPLIT = re.compile(r"[;|]")
STABLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
MAX_TEXT = {"reference": 64, "name": 200, "requester": 100, "summary": 2000}
TRUE = {"yes", "y", "true", "t", "1"}
FALSE = {"no", "n", "false", "f", "0", ""}


def columns(kind: str) -> tuple[str, ...]:
    """Every column of ``kind``: required first, then optional."""
    return REQUIRED[kind] + OPTIONAL[kind]


@dataclass(frozen=True)
class FieldProblem:
    """One bad field of a row: which, why (a code of :data:`REASONS`) and a message."""

    field: str
    reason: str
    message: str


class RowProblems(Exception):
    """A row could not be accepted; ``problems`` names every bad field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class RowRules:
    """What a row is checked against: the force codes and names (name -> code) known, and
    the last day a date may fall on."""

    forces: Mapping[str, str]
    today: dt.date


def _code(enum: type[StrEnum], value: str) -> str:
    """The member of ``enum`` named by its value or label (any case, spaces or dashes for
    underscores)."""
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    for member in enum:
        label = getattr(member, "label", member.value)
        if key in (member.value, re.sub(r"[\s\-()]+", "_", str(label).lower()).strip("_")):
            return member.value
    raise ValueError(value)


class _Row:
    """Collects a row's field problems while its values are read."""

    def __init__(self, raw: Mapping[str, str], rules: RowRules) -> None:
        self.raw = {k: (v or "").strip() for k, v in raw.items()}
        self.rules = rules
        self.problems: list[FieldProblem] = []

    def bad(self, name: str, reason: str, message: str) -> None:
        self.problems.append(FieldProblem(name, reason, message))

    def text(self, name: str, required: bool) -> str | None:
        value = self.raw.get(name, "")
        if not value:
            if required:
                self.bad(name, "missing_required", "is required")
            return None
        limit = MAX_TEXT.get(name, 200)
        if len(value) > limit:
            self.bad(name, "too_long", f"is longer than {limit} characters")
            return None
        return value

    def date(self, name: str, required: bool) -> dt.date | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.bad(name, "bad_date", f"{value!r} is not a date (YYYY-MM-DD)")
            return None
        if day > self.rules.today:
            self.bad(name, "future_date", f"{value} is after today ({self.rules.today})")
            return None
        return day

    def flag(self, name: str, required: bool) -> bool | None:
        value = self.raw.get(name, "")
        if not value and required:
            self.bad(name, "missing_required", "is required (yes or no)")
            return None
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        self.bad(name, "bad_boolean", f"{value!r} is not yes or no")
        return None

    def code(self, name: str, enum: type[StrEnum], required: bool = True) -> str | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            return _code(enum, value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            self.bad(name, "unknown_code", f"{value!r} is not one of: {allowed}")
            return None

    def codes(self, name: str, enum: type[StrEnum], required: bool) -> tuple[str, ...] | None:
        value = self.text(name, required)
        if value is None:
            return None if required else ()
        out = set()
        for part in (p.strip() for p in LIST_SPLIT.split(value)):
            if not part:
                continue
            try:
                out.add(_code(enum, part))
            except ValueError:
                allowed = ", ".join(m.value for m in enum)
                self.bad(name, "unknown_code", f"{part!r} is not one of: {allowed}")
                return None
        if not out and required:
            self.bad(name, "missing_required", "is required")
            return None
        return tuple(sorted(out))

    def force(self, name: str, value: str) -> str | None:
        code = self.rules.forces.get(value.strip().lower())
        if code is None:
            self.bad(name, "unknown_force", f"{value!r} is not a force of the catalogue")
        return code

    def ids(self, name: str) -> tuple[str, ...]:
        value = self.raw.get(name, "")
        out = sorted({p.strip() for p in LIST_SPLIT.split(value) if p.strip()})
        for part in out:
            if not STABLE_ID.match(part):
                self.bad(name, "bad_id", f"{part!r} is not a stable ID")
                return ()
        return tuple(out)

    def count(self, name: str) -> int | None:
        value = self.text(name, True)
        if value is None:
            return None
        if not value.isdigit() or int(value) < 1 or int(value) > 100_000:
            self.bad(name, "bad_count", f"{value!r} is not a whole number from 1 to 100000")
            return None
        return int(value)

    def order(self, first: str, second: str, a: dt.date | None, b: dt.date | None) -> None:
        if a is not None and b is not None and b < a:
            self.bad(second, "date_order", f"{b} is before {first} ({a})")


def _operation(r: _Row) -> Record:
    lead_raw = r.text("lead_force", True)
    lead = r.force("lead_force", lead_raw) if lead_raw else None
    forces = {lead} if lead else set()
    for part in (p for p in LIST_SPLIT.split(r.raw.get("forces", "")) if p.strip()):
        code = r.force("forces", part)
        if code:
            forces.add(code)
    rec: Record = {
        "reference": r.text("reference", True),
        "name": r.text("name", True),
        "lead_force": lead,
        "forces": tuple(sorted(forces)),
        "soc_master_list": r.flag("soc_master_list", True),
        "supported": r.flag("supported", True),
        "exploitation_types": r.codes("exploitation_types", ExploitationType, True),
        "geographic_scale": r.code("geographic_scale", GeographicScale),
        "status": r.code("status", OperationStatus),
        "opened_on": r.date("opened_on", True),
        "closed_on": r.date("closed_on", False),
        "identified_on": r.date("identified_on", False),
        "scored_on": r.date("scored_on", False),
        "top10_on": r.date("top10_on", False),
        "linked_persons": r.ids("linked_persons"),
        "linked_networks": r.ids("linked_networks"),
    }
    r.order("opened_on", "closed_on", rec["opened_on"], rec["closed_on"])
    r.order("identified_on", "scored_on", rec["identified_on"], rec["scored_on"])
    r.order("identified_on", "top10_on", rec["identified_on"], rec["top10_on"])
    if rec["status"] == OperationStatus.CLOSED and rec["closed_on"] is None:
        r.bad("closed_on", "inconsistent_status", "a closed operation needs its closed_on date")
    if rec["status"] == OperationStatus.OPEN and rec["closed_on"] is not None:
        r.bad("status", "inconsistent_status", "an open operation has no closed_on date")
    for name in ("scored_on", "top10_on"):
        if rec[name] is not None and rec["identified_on"] is None:
            r.bad("identified_on", "missing_required", f"is required when {name} is given")
            break
    return rec


def _aar(r: _Row) -> Record:
    return {
        "reference": r.text("reference", True),
        "operation_reference": r.text("operation_reference", True),
        "aar_date": r.date("aar_date", True),
        "threat_types": r.codes("threat_types", ExploitationType, True),
        "summary": r.raw.get("summary", "")[: MAX_TEXT["summary"]],
    }


def _disruption(r: _Row) -> Record:
    return {
        "reference": r.text("reference", True),
        "operation_reference": r.text("operation_reference", True),
        "disruption_date": r.date("disruption_date", True),
        "category": r.code("category", DisruptionCategory),
        "impact": r.code("impact", DisruptionImpact),
        "significant": r.flag("significant", True),
        "summary": r.raw.get("summary", "")[: MAX_TEXT["summary"]],
    }


def _referral(r: _Row) -> Record:
    rec: Record = {
        "reference": r.text("reference", True),
        "operation_reference": r.text("operation_reference", True),
        "kind": r.code("kind", TrackerReferralKind),
        "referred_on": r.date("referred_on", True),
        "outcome": r.code("outcome", ReferralOutcome),
        "outcome_on": r.date("outcome_on", False),
    }
    r.order("referred_on", "outcome_on", rec["referred_on"], rec["outcome_on"])
    if rec["outcome"] == ReferralOutcome.PENDING and rec["outcome_on"] is not None:
        r.bad("outcome_on", "inconsistent_status", "a pending referral has no outcome date")
    return rec


def _outcome(r: _Row) -> Record:
    return {
        "reference": r.text("reference", True),
        "operation_reference": r.text("operation_reference", True),
        "kind": r.code("kind", OutcomeKind),
        "recorded_on": r.date("recorded_on", True),
        "count": r.count("count"),
        "pending": r.flag("pending", False),
    }


def _request(r: _Row) -> Record:
    return {
        "reference": r.text("reference", True),
        "requested_on": r.date("requested_on", True),
        "requester": r.text("requester", True),
        "request_type": r.code("request_type", RequestType),
        "status": r.code("status", RequestStatus),
        "operation_reference": r.text("operation_reference", False),
    }


PARSERS: dict[str, Callable[[_Row], Record]] = {
    "operations": _operation,
    "aars": _aar,
    "disruptions": _disruption,
    "referrals": _referral,
    "outcomes": _outcome,
    "requests": _request,
}
#: The date of each kind of child record (checked against its operation's opening).
CHILD_DATE: dict[str, str] = {
    "aars": "aar_date",
    "disruptions": "disruption_date",
    "referrals": "referred_on",
    "outcomes": "recorded_on",
    "requests": "requested_on",
}


def parse_row(kind: str, raw: Mapping[str, str], rules: RowRules) -> Record:
    """The clean record of one row of ``kind``; raises :class:`RowProblems` if any field is
    bad (every bad field is named, not only the first)."""
    row = _Row(raw, rules)
    record = PARSERS[kind](row)
    if row.problems:
        raise RowProblems(row.problems)
    return record


def force_lookup(codes_and_names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The lower-cased force code and short name of each force, mapped to its code."""
    out: dict[str, str] = {}
    for code, name in codes_and_names:
        out[code.lower()] = code
        out[name.lower()] = code
    return out


def missing_columns(kind: str, header: Iterable[str]) -> list[str]:
    """The required columns of ``kind`` that ``header`` lacks."""
    have = {h.strip() for h in header}
    return [c for c in REQUIRED[kind] if c not in have]
