"""Enumerations shared by every stage.

Values are the strings stored in the warehouse; each enum's docstring names its source.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    """The part a person plays in an event (POLE person-event link)."""

    SUSPECT = "suspect"
    VICTIM = "victim"
    WITNESS = "witness"
    SUBJECT = "subject"  # subject of an intelligence report
    MISSING = "missing"  # the missing person of a missing episode
    REPORTING = "reporting"  # person who reported a crime or missing episode
    DETAINEE = "detainee"  # custody
    REGISTRANT = "registrant"  # ViSOR nominal
    ACCOUNT_HOLDER = "account_holder"  # partner website account
    PAYER = "payer"  # payer for adverts
    ASSOCIATE = "associate"  # named associate in intelligence
    OIC = "oic"  # officer in charge


class EventType(StrEnum):
    """Kinds of event held in ``staged_event``."""

    CRIME = "crime"
    INTELLIGENCE = "intelligence"
    MISSING_EPISODE = "missing_episode"
    CUSTODY = "custody"
    VISOR = "visor"
    OPERATION = "operation"
    ADVERT = "advert"
    PAYMENT = "payment"
    PARTNER_CALL = "partner_call"
    PARTNER_ACCOUNT = "partner_account"


class ObjectType(StrEnum):
    """Kinds of object held in ``staged_object``."""

    PHONE = "phone"
    EMAIL = "email"
    VEHICLE = "vehicle"
    ACCOUNT = "account"  # partner website account
    PAYER = "payer"  # payment instrument / payer reference


class Gender(StrEnum):
    """Recorded gender; ``unknown`` where not recorded."""

    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


class SourceEvaluation(StrEnum):
    """3x5x2 source evaluation (APP Intelligence management)."""

    RELIABLE = "1"
    UNTESTED = "2"
    NOT_RELIABLE = "3"


class IntelligenceAssessment(StrEnum):
    """3x5x2 intelligence assessment (APP Intelligence management)."""

    KNOWN_DIRECTLY = "A"
    KNOWN_INDIRECTLY_CORROBORATED = "B"
    KNOWN_INDIRECTLY = "C"
    NOT_KNOWN = "D"
    SUSPECTED_FALSE = "E"


class HandlingCode(StrEnum):
    """3x5x2 handling code: P sharing permitted, C permitted with conditions."""

    PERMITTED = "P"
    CONDITIONS = "C"


class Classification(StrEnum):
    """Government Security Classifications; OFFICIAL-SENSITIVE is a marking within OFFICIAL."""

    OFFICIAL = "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"
    SECRET = "SECRET"  # noqa: S105 - a classification marking, not a password
    TOP_SECRET = "TOP SECRET"  # noqa: S105

    @property
    def rank(self) -> int:
        """Order for "highest marking of its contents" (OFFICIAL lowest)."""
        return _CLASSIFICATION_RANKS[self.value]

    @classmethod
    def highest(cls, markings: Iterable[str | None]) -> Classification:
        """The highest marking among ``markings`` (OFFICIAL when there are none; empty
        values are skipped). An unknown marking raises ``ValueError``. Pages ask this of
        every row they show, so ranks are looked up, not recomputed."""
        best = -1
        for m in markings:
            if m:
                rank = _CLASSIFICATION_RANKS.get(m)
                best = max(best, cls(m).rank if rank is None else rank)
        return _CLASSIFICATIONS[best] if best >= 0 else cls.OFFICIAL


_CLASSIFICATIONS: list[Classification] = list(Classification)
_CLASSIFICATION_RANKS: dict[str, int] = {c.value: i for i, c in enumerate(_CLASSIFICATIONS)}


class MisperRisk(StrEnum):
    """APP Missing persons risk continuum."""

    NO_APPARENT_RISK = "no apparent risk"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class MappaCategory(StrEnum):
    """MAPPA categories: 1 registered sex offenders, 2 violent, 3 other dangerous."""

    REGISTERED_SEX_OFFENDER = "1"
    VIOLENT = "2"
    OTHER_DANGEROUS = "3"


class MappaLevel(StrEnum):
    """MAPPA levels of multi-agency management."""

    LEVEL_1 = "1"
    LEVEL_2 = "2"
    LEVEL_3 = "3"


class VisorRisk(StrEnum):
    """ViSOR / OASys risk of serious harm."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very high"


class ExploitationType(StrEnum):
    """Exploitation types of the TOEX performance tables (the seed briefing's "Exploitation
    Types" table): networks, operations, STIM cases and threats are labelled with these."""

    ADULT_CRIMINAL = "adult_criminal_exploitation"
    ADULT_LABOUR = "adult_labour_exploitation"
    ADULT_SEXUAL = "adult_sexual_exploitation"
    CHILD_CRIMINAL = "child_criminal_exploitation"
    CHILD_LABOUR = "child_labour_exploitation"
    CSE_GROUP = "child_sexual_exploitation_group"
    CSE_ORGANISED = "child_sexual_exploitation_organised"
    FRAUD_VULNERABLE_ADULTS = "fraud_targeting_vulnerable_adults"
    ORGANISED_IMMIGRATION = "organised_immigration_crime"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The wording of the briefing's table."""
        return _EXPLOITATION_LABELS[self]


_EXPLOITATION_LABELS: dict[ExploitationType, str] = {
    ExploitationType.ADULT_CRIMINAL: "Adult Criminal Exploitation",
    ExploitationType.ADULT_LABOUR: "Adult Labour Exploitation",
    ExploitationType.ADULT_SEXUAL: "Adult Sexual Exploitation",
    ExploitationType.CHILD_CRIMINAL: "Child Criminal Exploitation",
    ExploitationType.CHILD_LABOUR: "Child Labour Exploitation",
    ExploitationType.CSE_GROUP: "Child Sexual Exploitation (Group)",
    ExploitationType.CSE_ORGANISED: "Child Sexual Exploitation (Organised)",
    ExploitationType.FRAUD_VULNERABLE_ADULTS: "Fraud Targeting Vulnerable Adults",
    ExploitationType.ORGANISED_IMMIGRATION: "Organised Immigration Crime",
    ExploitationType.OTHER: "Other",
}


class GeographicScale(StrEnum):
    """Geographic scale of a job, network or threat (the briefing's "Geographical Scale")."""

    FORCE = "force"
    WITHIN_REGION = "multi_force_within_region"
    OUTSIDE_REGION = "multi_force_outside_region"
    INTERNATIONAL = "international"

    @property
    def label(self) -> str:
        """The wording of the briefing's table."""
        return _SCALE_LABELS[self]


_SCALE_LABELS: dict[GeographicScale, str] = {
    GeographicScale.FORCE: "Force",
    GeographicScale.WITHIN_REGION: "Multi force within region",
    GeographicScale.OUTSIDE_REGION: "Multi force outside region",
    GeographicScale.INTERNATIONAL: "International",
}
