"""The MoPI retention review table, written by ``toex.assess.retention`` in every snapshot."""

from __future__ import annotations

from toex.model.tables import Column, TableSpec, spec

RETENTION_REVIEW = spec(
    "assess_retention_review",
    "assess",
    "Every staged record (event) with its MoPI review group and review date: the date after "
    "which it must be reviewed for continued retention (APP Information management; the "
    "rules file is docs/methods.md's). `review_due` flags records past it on the run's date.",
    Column("event_id", "string", "The record's event.", False),
    Column("force", "string", "Force (or partner) owning the record.", False),
    Column("source_system", "string", "Source system of the record.", False),
    Column("source_record_id", "string", "The source's own reference for the record.", False),
    Column("event_type", "string", "An EventType value.", False),
    Column("offence_code", "string", "Home Office offence code, where the record has one."),
    Column("event_date", "date", "Event date: occurred, else reported, else occurred-to."),
    Column("mopi_group", "int64", "MoPI review group (1, 2 or 3 in the shipped rules).", False),
    Column("group_name", "string", "The group's name.", False),
    Column("review_years", "int64", "Years from the event date to the review.", False),
    Column("review_date", "date", "When the record is due for review (null: no event date)."),
    Column(
        "review_due",
        "boolean",
        "True when the review date is on or before `as_of`, or the record has no date.",
        False,
    ),
    Column("as_of", "date", "The run's date, against which `review_due` was computed.", False),
    Column("handling_code", "string", "The record's handling code.", False),
    Column("classification", "string", "The record's security classification.", False),
    provenance=False,
)

TABLE_SPECS: tuple[TableSpec, ...] = (RETENTION_REVIEW,)
