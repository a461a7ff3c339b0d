"""The canonical POLE model: table definitions, enums and reference tables.

Holds what every stage agrees on: the staged POLE tables (person mention, object, location,
event) with their provenance columns, the enums for roles, 3x5x2 grading, handling codes and
classifications, APP missing-person risk, MAPPA category/level, exploitation types and
geographic scales, and the Home Office offence code table with its VAWG flag. Imports
nothing else of toex.
"""

from toex.model.catalog import TABLES, table
from toex.model.enums import (
    Classification,
    EventType,
    ExploitationType,
    Gender,
    GeographicScale,
    HandlingCode,
    IntelligenceAssessment,
    MappaCategory,
    MappaLevel,
    MisperRisk,
    ObjectType,
    Role,
    SourceEvaluation,
    VisorRisk,
)
from toex.model.grading import Grading, parse_grading
from toex.model.offences import Offence, offence_table
from toex.model.tables import Column, TableSpec
from toex.model.tracker_codes import (
    DisruptionCategory,
    DisruptionImpact,
    LinkKind,
    OperationStatus,
    OutcomeKind,
    ReferralOutcome,
    RequestStatus,
    RequestType,
    TrackerReferralKind,
)

__all__ = [
    "TABLES",
    "Classification",
    "Column",
    "DisruptionCategory",
    "DisruptionImpact",
    "EventType",
    "ExploitationType",
    "Gender",
    "GeographicScale",
    "Grading",
    "HandlingCode",
    "IntelligenceAssessment",
    "LinkKind",
    "MappaCategory",
    "MappaLevel",
    "MisperRisk",
    "ObjectType",
    "Offence",
    "OperationStatus",
    "OutcomeKind",
    "ReferralOutcome",
    "RequestStatus",
    "RequestType",
    "Role",
    "SourceEvaluation",
    "TableSpec",
    "TrackerReferralKind",
    "VisorRisk",
    "offence_table",
    "parse_grading",
    "table",
]
