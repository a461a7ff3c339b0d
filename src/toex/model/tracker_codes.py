"""Code lists of the operations tracker (the regional unit's performance records).

Operations carry an :class:`~toex.model.enums.ExploitationType` list and a
:class:`~toex.model.enums.GeographicScale`; these are the other code lists an AAR,
disruption, referral, outcome or workload-tracker request is recorded with.
"""

from __future__ import annotations

from enum import StrEnum


class OperationStatus(StrEnum):
    """Whether an operation is still running."""

    OPEN = "open"
    CLOSED = "closed"


class DisruptionCategory(StrEnum):
    """The 4P category a disruption is recorded under."""

    PURSUE = "pursue"
    PREVENT = "prevent"
    PROTECT = "protect"
    PREPARE = "prepare"


class DisruptionImpact(StrEnum):
    """The impact level of a disruption."""

    MAJOR = "major"
    MODERATE = "moderate"
    MINOR = "minor"


class TrackerReferralKind(StrEnum):
    """Referral routes counted on the performance slide (GAIN, SIENA, Interpol) and the
    National Referral Mechanism."""

    GAIN = "gain"
    SIENA = "siena"
    INTERPOL = "interpol"
    NRM = "nrm"

    @property
    def label(self) -> str:
        """How the slide names it."""
        return {"gain": "GAIN", "siena": "SIENA", "interpol": "Interpol", "nrm": "NRM"}[self]


class ReferralOutcome(StrEnum):
    """What became of a referral."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_FURTHER_ACTION = "no_further_action"


class OutcomeKind(StrEnum):
    """Counted results of an operation: intelligence reports created, people safeguarded,
    new OCGs, principal individuals (PIs) and vulnerabilities identified."""

    IR_CREATED = "ir_created"
    PEOPLE_SAFEGUARDED = "people_safeguarded"
    NEW_OCG = "new_ocg"
    NEW_PI = "new_pi"
    NEW_VULNERABILITY = "new_vulnerability"

    @property
    def label(self) -> str:
        """How the slide names it."""
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    OutcomeKind.IR_CREATED: "IRs created",
    OutcomeKind.PEOPLE_SAFEGUARDED: "People safeguarded",
    OutcomeKind.NEW_OCG: "New OCGs identified (inc. pending)",
    OutcomeKind.NEW_PI: "New PIs identified (inc. pending)",
    OutcomeKind.NEW_VULNERABILITY: "New vulnerabilities identified (inc. pending)",
}


class RequestType(StrEnum):
    """What a workload-tracker request asked the unit for."""

    ANALYSIS = "analysis"
    NETWORK_CHART = "network_chart"
    PROFILE = "profile"
    RESEARCH = "research"
    ADVICE = "advice"


class RequestStatus(StrEnum):
    """Where a workload-tracker request stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DECLINED = "declined"


class LinkKind(StrEnum):
    """What an operation links to by stable ID: a resolved person or a network."""

    PERSON = "person"
    NETWORK = "network"
