"""Tables of exploitation types and threat scores written by the threats stage
(``toex.assess.threat_stage``)."""

from __future__ import annotations

from toex.model.tables import Column, TableSpec, spec

_SUBJECT = (
    Column("subject_kind", "string", "network, operation or stim_case.", False),
    Column("subject_id", "string", "Network ID, operation reference or STIM case ID.", False),
    Column("level", "string", "component or community (networks), operation, case.", False),
    Column("exploitation_type", "string", "An ExploitationType value.", False),
)

ASSESS_EXPLOITATION_LABEL = spec(
    "assess_exploitation_label",
    "assess",
    "Exploitation types of every network, operation and STIM case: one row per subject and "
    "type (Other when no type's evidence reached the threshold), with confidence and reason.",
    *_SUBJECT,
    Column("type_label", "string", "The type in the briefing's wording.", False),
    Column("confidence", "float64", "Noisy-or of the matched rules' weights (0-1).", False),
    Column("reason", "string", "The rules matched and the records that carry them.", False),
    Column("rules", "array<string>", "Names of the rules matched."),
    provenance=False,
)

ASSESS_EXPLOITATION_EVIDENCE = spec(
    "assess_exploitation_evidence",
    "assess",
    "The records behind each exploitation label: one row per label, rule and record, with "
    "the record's provenance and markings.",
    *_SUBJECT,
    Column("rule", "string", "Name of the evidence rule.", False),
    Column("event_id", "string", "The event carrying the evidence."),
    Column("reference", "string", "Its source reference (or the STIM account)."),
    Column("force", "string", "Force (or partner) holding the record."),
    Column("source_file", "string", "File the record was read from."),
    Column("source_row", "int64", "Record number in that file."),
    Column("handling_code", "string", "Handling code of the record."),
    Column("classification", "string", "Security classification of the record."),
    Column("detail", "string", "What the record carries ('offence 72, victim aged 14')."),
    provenance=False,
)

_LIST = "array<string>"
ASSESS_THREAT = spec(
    "assess_threat",
    "assess",
    "Threats: Leiden communities of the link graph with enough members and crimes, scored on "
    "a MoRiLE-like matrix (harm, likelihood, capability; confidence beside), banded, ranked, "
    "with reason, first and latest scoring dates and the markings of the records behind them.",
    Column("threat_id", "string", "Network ID of the community.", False),
    Column("level", "string", "Network level (community).", False),
    Column("rank", "int64", "Rank by score over all threats (1 = highest).", False),
    Column("exploitation_types", _LIST, "Its exploitation types, most confident first."),
    Column("primary_type", "string", "The most confident type.", False),
    Column("n_types", "int64", "How many types (more than one: a multiple).", False),
    Column("geographic_scale", "string", "A GeographicScale value.", False),
    Column("primary_force", "string", "Force holding most of its records."),
    Column("forces", _LIST, "Forces holding the records that link its members."),
    Column("regions", _LIST, "Regions of those forces."),
    Column("principal_person_ids", _LIST, "Its principal individuals by centrality."),
    Column("members", "int64", "Persons in the network.", False),
    Column("crimes", "int64", "Crimes a member is named on.", False),
    Column("victims", "int64", "Distinct victims of those crimes.", False),
    Column("children", "int64", "Children among their victims and suspects.", False),
    Column("intel_reports", "int64", "Intelligence reports naming a member.", False),
    Column("total_harm_days", "float64", "Crime harm of its crimes (days).", False),
    Column("harm", "float64", "Harm / impact dimension (0-1).", False),
    Column("likelihood", "float64", "Likelihood dimension (0-1).", False),
    Column("capability", "float64", "Capability dimension (0-1).", False),
    Column(
        "confidence", "float64", "Confidence in the intelligence (0-1; not in the score).", False
    ),
    Column("score", "float64", "Threat score (0-100).", False),
    Column("band", "string", "high, medium or low.", False),
    Column("reason", "string", "Band, score and each dimension with its numbers.", False),
    Column("first_scored", "date", "First date the threat was scored (from the history).", False),
    Column("last_scored", "date", "Date of this scoring.", False),
    Column("mark_forces", _LIST, "Forces of every record it draws on (access rules)."),
    Column("mark_codes", _LIST, "Handling codes of those records."),
    Column("mark_classes", _LIST, "Classifications of those records."),
    provenance=False,
)

ASSESS_THREAT_HISTORY = spec(
    "assess_threat_history",
    "assess",
    "Dated score history of every threat, carried forward from the previous snapshot on every "
    "run: one row per threat and scoring date.",
    Column("threat_id", "string", "Network ID of the threat.", False),
    Column("scored_on", "date", "Date of the scoring (the run's date).", False),
    Column("score", "float64", "Score on that date.", False),
    Column("band", "string", "Band on that date.", False),
    Column("run_id", "string", "The run that scored it."),
    provenance=False,
)

TABLE_SPECS: tuple[TableSpec, ...] = (
    ASSESS_EXPLOITATION_LABEL,
    ASSESS_EXPLOITATION_EVIDENCE,
    ASSESS_THREAT,
    ASSESS_THREAT_HISTORY,
)
