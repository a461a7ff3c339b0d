"""The warehouse tables, defined once.

Each :class:`TableSpec` names a table, its layer and its columns (name, type, description).
``docs/data-model.md`` is generated from these definitions (``toex docs data-model``) and a
test checks it is current. Types are Ibis type names so every engine builds the same schema.

Layers: ``raw`` (as received, with provenance), ``staged`` (canonical POLE), ``resolved``,
``link``, ``assess``. Table names carry the layer as a prefix (``staged_person_mention``) so
they are portable across DuckDB and Spark without schema support.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.schema as sch


@dataclass(frozen=True)
class Column:
    """One column: name, Ibis type name, description, and whether it may be null."""

    name: str
    type: str
    description: str
    nullable: bool = True


@dataclass(frozen=True)
class TableSpec:
    """A warehouse table: name, layer, purpose and columns."""

    name: str
    layer: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        """The column names in order."""
        return [c.name for c in self.columns]

    def ibis_schema(self) -> sch.Schema:
        """The table's Ibis schema."""
        return ibis.schema({c.name: c.type for c in self.columns})


PROVENANCE: tuple[Column, ...] = (
    Column("force", "string", "Code of the force (or partner) that owns the record.", False),
    Column("source_system", "string", "Source system or export format the row came from.", False),
    Column("source_file", "string", "File name the row was read from.", False),
    Column("source_row", "int64", "1-based record number in the file (header not counted).", False),
    Column("source_record_id", "string", "The source's own reference for the record.", False),
    Column(
        "record_hash", "string", "SHA-256 of the raw source row; changes when it changes.", False
    ),
    Column("load_id", "string", "Identifier of the load that staged the row.", False),
    Column("grading", "string", "3x5x2 grade as '1AP' where the source records one."),
    Column(
        "handling_code", "string", "Handling code: P (sharing permitted) or C (conditions).", False
    ),
    Column("classification", "string", "Government Security Classification marking.", False),
)


def spec(
    name: str, layer: str, description: str, *columns: Column, provenance: bool = True
) -> TableSpec:
    """A table spec; staged tables get the provenance columns appended."""
    cols = columns + (PROVENANCE if provenance else ())
    return TableSpec(name, layer, description, cols)


STAGED_EVENT = spec(
    "staged_event",
    "staged",
    "Events (POLE E): crimes, intelligence reports, missing episodes, custody records, ViSOR "
    "registrations, operations, partner adverts, payments and calls.",
    Column("event_id", "string", "Deterministic ID: hash of force, system and reference.", False),
    Column("event_type", "string", "An EventType value.", False),
    Column("reference", "string", "The source's reference (crime number, URN...).", False),
    Column("occurred_from", "date", "Date the event started (offence, episode, intel date)."),
    Column("occurred_to", "date", "Date the event ended, where recorded."),
    Column("reported_date", "date", "Date reported or recorded."),
    Column("offence_code", "string", "Home Office offence code, canonical form."),
    Column("offence_code_raw", "string", "Offence code as written in the source."),
    Column("vawg", "boolean", "Flagged as violence against women and girls."),
    Column("lpc", "string", "Local policing command responsible."),
    Column("oic", "string", "Officer in charge (collar number or ID)."),
    Column("status", "string", "Status or outcome as recorded."),
    Column("risk_level", "string", "APP missing-person risk or ViSOR risk level."),
    Column("mappa_category", "string", "MAPPA category (ViSOR)."),
    Column("mappa_level", "string", "MAPPA level (ViSOR)."),
    Column("region", "string", "Region named by the event (partner adverts)."),
    Column("amount", "float64", "Amount of money (payments)."),
    Column("text", "string", "Free text: intelligence report, advert text, call notes."),
    Column("attributes", "string", "JSON object of further source fields kept as recorded."),
)

STAGED_PERSON_MENTION = spec(
    "staged_person_mention",
    "staged",
    "Person mentions (POLE P): one row per person named in a role on a record. Resolution "
    "groups mentions into resolved persons.",
    Column(
        "mention_id", "string", "Deterministic ID: hash of force, system, reference, slot.", False
    ),
    Column("event_id", "string", "The event the person appears on, if any."),
    Column("role", "string", "A Role value.", False),
    Column("slot", "string", "Which person column group of the source row this mention is.", False),
    Column("forename_raw", "string", "Forename(s) as written."),
    Column("surname_raw", "string", "Surname as written."),
    Column("forename", "string", "Normalised first forename (upper case, ASCII, no punctuation)."),
    Column("middle_names", "string", "Normalised further forenames."),
    Column("surname", "string", "Normalised surname."),
    Column("dob", "date", "Date of birth where the full date is known."),
    Column("dob_raw", "string", "Date of birth as written."),
    Column("dob_year", "int64", "Year of birth, also for partial dates."),
    Column("dob_month", "int64", "Month of birth, also for partial dates."),
    Column("dob_precision", "string", "day, month or year: how much of the DOB is known."),
    Column("gender", "string", "A Gender value."),
    Column("nationality", "string", "Nationality as recorded (never a score input)."),
    Column("pnc_id", "string", "Police National Computer ID, normalised (YYYY/NNNNNNNL)."),
    Column("cro_number", "string", "Criminal Records Office number, normalised."),
    Column("phone", "string", "Phone in E.164."),
    Column("phone_raw", "string", "Phone as written."),
    Column("email", "string", "Email, lower case."),
    Column("email_raw", "string", "Email as written."),
    Column("address_raw", "string", "Address as written."),
    Column("postcode", "string", "UK postcode, normalised ('CB1 2AB')."),
    Column("postcode_raw", "string", "Postcode as written."),
    Column("age_at_event", "int64", "Age recorded on the event, where the source gives it."),
)

STAGED_OBJECT = spec(
    "staged_object",
    "staged",
    "Objects (POLE O) named on records: phones, emails, vehicles, partner accounts, payers.",
    Column("object_id", "string", "Deterministic ID of this sighting.", False),
    Column("object_type", "string", "An ObjectType value.", False),
    Column("value", "string", "Normalised key (E.164 phone, lower-case email, VRM...)."),
    Column("value_raw", "string", "Value as written."),
    Column("mention_id", "string", "The person mention the object is attached to, if any."),
    Column("event_id", "string", "The event the object appears on, if any."),
    Column("relation", "string", "How it relates: uses, registered_to, paid_with, advertised."),
)

STAGED_LOCATION = spec(
    "staged_location",
    "staged",
    "Locations (POLE L): addresses and postcodes named on records.",
    Column("location_id", "string", "Deterministic ID of this sighting.", False),
    Column("address_raw", "string", "Address as written."),
    Column("postcode", "string", "UK postcode, normalised."),
    Column("postcode_raw", "string", "Postcode as written."),
    Column("mention_id", "string", "The person mention the location is attached to, if any."),
    Column("event_id", "string", "The event the location appears on, if any."),
    Column("relation", "string", "home, offence, missing_from, found_at, advert."),
)

RAW_LOAD_LOG = spec(
    "raw_load_log",
    "raw",
    "One row per file per load: the row accounting that must balance.",
    Column("load_id", "string", "Identifier of the load.", False),
    Column("source_file", "string", "File name.", False),
    Column("file_hash", "string", "SHA-256 of the file's bytes.", False),
    Column("mapping", "string", "Mapping used.", False),
    Column("rows_read", "int64", "Records read from the file.", False),
    Column("rows_loaded", "int64", "Records staged.", False),
    Column("rows_quarantined", "int64", "Records quarantined.", False),
    Column("rows_unchanged", "int64", "Records already staged with the same hash.", False),
    Column("rows_updated", "int64", "Records that replaced an earlier version.", False),
    Column("loaded_at", "timestamp", "When the load finished.", False),
    provenance=False,
)

RAW_QUARANTINE = spec(
    "raw_quarantine",
    "raw",
    "Rows that could not be staged, with the field, raw value and reason.",
    Column("load_id", "string", "Identifier of the load.", False),
    Column("source_file", "string", "File name.", False),
    Column("source_row", "int64", "1-based record number in the file.", False),
    Column("field", "string", "Target or source field at fault."),
    Column("raw_value", "string", "The value as read (truncated to 200 characters)."),
    Column(
        "reason_code",
        "string",
        "Machine-readable reason: field_count, missing_required, bad_date, "
        "unknown_offence_code, bad_value, unreadable, field_too_large, repeated_header, "
        "duplicate_record, missing_marking, unknown_marking.",
        False,
    ),
    Column("reason", "string", "Why the row was quarantined, in words.", False),
    provenance=False,
)

RAW_VALUE_ISSUE = spec(
    "raw_value_issue",
    "raw",
    "Messy non-required values cleaned to null, counted per file, field and reason.",
    Column("load_id", "string", "Identifier of the load.", False),
    Column("source_file", "string", "File name.", False),
    Column("field", "string", "Source column whose values could not be cleaned.", False),
    Column(
        "reason_code",
        "string",
        "bad_date, unknown_offence_code, bad_value; missing_marking or unknown_marking for a "
        "protective marking restricted to the mapping's most restrictive value.",
        False,
    ),
    Column("rows", "int64", "How many rows had such a value.", False),
    Column("example", "string", "One such value as written (truncated to 200 characters)."),
    provenance=False,
)

RAW_MARKING_ISSUE = spec(
    "raw_marking_issue",
    "raw",
    "Every record whose protective marking (handling code or classification) was empty or "
    "not one the mapping accepts, and what was done: restricted or quarantined.",
    Column("load_id", "string", "Identifier of the load.", False),
    Column("source_file", "string", "File name.", False),
    Column("source_row", "int64", "1-based record number in the file.", False),
    Column("field", "string", "Source column of the marking.", False),
    Column("raw_value", "string", "The value as written (null when empty)."),
    Column("reason_code", "string", "missing_marking or unknown_marking.", False),
    Column("reason", "string", "Why the marking was not accepted, in words.", False),
    Column("marking", "string", "The marking the staged record got (null if quarantined)."),
    Column("action", "string", "restricted or quarantined.", False),
    provenance=False,
)

RAW_FILE_QUARANTINE = spec(
    "raw_file_quarantine",
    "raw",
    "Files quarantined whole: a load that could not read or map them stages nothing of "
    "them; the rest of the run goes on (unless --strict) and the command exits non-zero.",
    Column("load_id", "string", "Identifier of the load.", False),
    Column("source_file", "string", "File name.", False),
    Column("file_hash", "string", "SHA-256 of the file's bytes (empty if unreadable)."),
    Column("mapping", "string", "Mapping the file was loaded with.", False),
    Column("reason_code", "string", "Machine-readable reason (e.g. empty_file, binary).", False),
    Column("reason", "string", "The error, naming file, row and field where known.", False),
    Column("quarantined_at", "timestamp", "When the file was quarantined.", False),
    provenance=False,
)

RAW_RECORD = spec(
    "raw_record",
    "raw",
    "The current version of every staged source record: the index that makes reloads "
    "idempotent and finds the rows a corrected re-export replaces.",
    Column(
        "record_key", "string", "Deterministic ID of force, system, file kind and record id.", False
    ),
    Column("mapping", "string", "Mapping that loaded the record.", False),
    *PROVENANCE[:7],  # force .. load_id: where the current version came from
    provenance=False,
)


def history_spec(staged: TableSpec) -> TableSpec:
    """The ``<table>_history`` spec: earlier versions of a staged table's rows."""
    return TableSpec(
        f"{staged.name}_history",
        "staged",
        f"Earlier versions of `{staged.name}` rows, replaced by a corrected re-export.",
        (
            *staged.columns,
            Column("superseded_by", "string", "Load that replaced this version.", False),
            Column("superseded_at", "timestamp", "When it was replaced.", False),
        ),
    )


STAGED_TABLES: tuple[TableSpec, ...] = (
    STAGED_EVENT,
    STAGED_PERSON_MENTION,
    STAGED_OBJECT,
    STAGED_LOCATION,
)

STAGED_AND_RAW_TABLES: tuple[TableSpec, ...] = (
    *STAGED_TABLES,
    *(history_spec(t) for t in STAGED_TABLES),
    RAW_LOAD_LOG,
    RAW_QUARANTINE,
    RAW_VALUE_ISSUE,
    RAW_MARKING_ISSUE,
    RAW_FILE_QUARANTINE,
    RAW_RECORD,
)
