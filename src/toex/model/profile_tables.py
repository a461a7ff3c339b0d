"""Tables of the missing-person and ViSOR force profiles and the person warnings
(written by ``toex.assess.misper_profile``, ``visor_profile`` and ``warnings_person``)."""

from __future__ import annotations

from toex.model.tables import Column, TableSpec, spec

_MARKS: tuple[Column, ...] = (
    Column("mark_forces", "array<string>", "Forces of every record the row draws on."),
    Column("mark_codes", "array<string>", "Handling codes of those records."),
    Column("mark_classes", "array<string>", "Classifications of those records."),
)

_RANK: tuple[Column, ...] = (
    Column("area_type", "string", "force or region.", False),
    Column("area", "string", "Force or region code.", False),
    Column("person_id", "string", "Ranked person.", False),
    Column("score", "float64", "The person's score.", False),
    Column("rank", "int64", "Rank within the area (1 = first to look at).", False),
    Column("n_ranked", "int64", "Persons ranked in the area.", False),
)

MISPER = spec(
    "assess_misper",
    "assess",
    "Missing-person profile: one row per resolved person with a missing episode in any "
    "force, with episode counts, the frequent rule, APP risk and its trend, where missing "
    "from and found (across force boundaries), return-home interviews, associates, the SOC "
    "link and possible-motive indicators, a score, ranks and the plain-English reason.",
    Column("person_id", "string", "Resolved person.", False),
    Column("force", "string", "Primary force: most of the person's episodes.", False),
    Column("region", "string", "Region of the primary force."),
    Column("forces", "string", "Every force recording an episode, comma-separated.", False),
    Column("age", "int64", "Age on the reference date, where a date of birth is known."),
    Column("child", "boolean", "Under 18 at the latest episode.", False),
    Column("n_episodes", "int64", "Missing episodes (all time).", False),
    Column("n_episodes_90d", "int64", "Episodes in the 90 days to the reference date.", False),
    Column("n_episodes_365d", "int64", "Episodes in the 365 days to the reference date.", False),
    Column("frequent", "boolean", "Meets the configured frequent rule.", False),
    Column("first_missing", "date", "Start of the first episode."),
    Column("last_missing", "date", "Start of the latest episode."),
    Column("latest_risk", "string", "APP risk of the latest episode (normalised)."),
    Column("highest_risk", "string", "Highest APP risk of any episode."),
    Column("risk_escalating", "boolean", "Latest risk above the earliest recorded.", False),
    Column("interval_days_recent", "float64", "Mean days between the latest 3 episodes."),
    Column("interval_days_earlier", "float64", "Mean days between the earlier episodes."),
    Column("intervals_shortening", "boolean", "Recent intervals under the earlier.", False),
    Column("missing_from", "string", "Home postcodes on the episodes, comma-separated."),
    Column("found_at", "string", "Postcodes where found, comma-separated."),
    Column("n_found_other_force", "int64", "Episodes found outside the reporting force.", False),
    Column("found_forces", "string", "Forces whose areas the person was found in."),
    Column("rhi", "string", "Return-home interview: done, declined or not recorded.", False),
    Column("n_associates", "int64", "Distinct people on the same records or linked.", False),
    Column("associates", "string", "Up to 10 associates' person IDs, comma-separated."),
    Column("soc_link", "boolean", "At least one SOC-link signal.", False),
    Column("soc_signals", "string", "SOC-link signal codes, comma-separated."),
    Column("indicators", "string", "Possible-motive indicator codes, comma-separated."),
    Column("score", "float64", "Weighted sum of the signals (weights in profiles.yaml).", False),
    Column("force_rank", "int64", "Rank in the primary force."),
    Column("region_rank", "int64", "Rank in the primary region."),
    Column("reason", "string", "Plain-English reason naming the records behind it.", False),
    *_MARKS,
    Column("as_of", "date", "Reference date.", False),
    provenance=False,
)

MISPER_RANK = spec(
    "assess_misper_rank",
    "assess",
    "Rank of each missing person in every force recording an episode of hers and in its "
    "region: the missing-person profile of each force and region.",
    *_RANK,
    provenance=False,
)

VISOR = spec(
    "assess_visor",
    "assess",
    "ViSOR force profile: one row per registration (force and registrant) with MAPPA "
    "category and level, RoSH, registration date and activity since: crimes and "
    "intelligence as suspect or subject, contact with children, an address or phone shared "
    "with a missing child, a victim or a SOC network, breaches; a score, rank and reason.",
    Column("person_id", "string", "Resolved person registered.", False),
    Column("force", "string", "Force holding the registration.", False),
    Column("region", "string", "Its region."),
    Column("reference", "string", "ViSOR reference.", False),
    Column("registered", "date", "Registration date."),
    Column("mappa_category", "string", "MAPPA category (1, 2 or 3), normalised."),
    Column("mappa_level", "string", "MAPPA level (1, 2 or 3), normalised."),
    Column("rosh", "string", "Risk of serious harm, normalised."),
    Column("index_offence", "string", "Index offence code."),
    Column("n_crimes_since", "int64", "Crimes as suspect since registration.", False),
    Column("n_sexual_since", "int64", "Sexual or VAWG crimes as suspect since.", False),
    Column("n_child_victims_since", "int64", "Child victims of those crimes.", False),
    Column("n_intel_since", "int64", "Intelligence naming the person since.", False),
    Column(
        "n_child_contacts", "int64", "Distinct children on records with the person since.", False
    ),
    Column(
        "n_missing_contacts", "int64", "Missing children on records with the person since.", False
    ),
    Column("n_missing_shared", "int64", "Missing children sharing his address or phone.", False),
    Column("n_network_shared", "int64", "SOC network members sharing address or phone.", False),
    Column("n_breaches", "int64", "Records since registration recording a breach.", False),
    Column("last_activity", "date", "Latest record naming the person since registration."),
    Column("score", "float64", "Weighted sum of the signals (weights in profiles.yaml).", False),
    Column("force_rank", "int64", "Rank in the registering force.", False),
    Column("reason", "string", "Plain-English reason naming the records behind it.", False),
    *_MARKS,
    Column("as_of", "date", "Reference date.", False),
    provenance=False,
)

PERSON_WARNING = spec(
    "assess_person_warning",
    "assess",
    "Warning markers per person (registered sex offender with MAPPA and RoSH, frequent or "
    "high-risk missing person, victim of exploitation, priority perpetrator), each with the "
    "records it comes from and their markings: a viewer sees a warning only when she may "
    "see every record behind it.",
    Column("person_id", "string", "Resolved person.", False),
    Column("warning", "string", "A WarningKind value.", False),
    Column("label", "string", "The marker's wording.", False),
    Column("detail", "string", "What the records say (MAPPA level, RoSH, counts).", False),
    Column("event_ids", "array<string>", "The records behind the warning."),
    Column("references", "string", "Their force and reference, comma-separated."),
    *_MARKS,
    provenance=False,
)

PROFILE_ISSUE = spec(
    "assess_profile_issue",
    "assess",
    "Value issues the profiles found in their source rows (an episode ending before it "
    "starts, an unknown risk spelling, an unknown MAPPA category or level, an unknown RoSH): "
    "one row per record and field; the record is kept and the value treated as unknown.",
    Column("event_id", "string", "The record.", False),
    Column("force", "string", "Its force.", False),
    Column("source_file", "string", "File it came from.", False),
    Column("source_row", "int64", "Its row in the file.", False),
    Column("reference", "string", "Its reference.", False),
    Column("field", "string", "The field at fault.", False),
    Column("raw_value", "string", "The value as staged."),
    Column(
        "reason_code",
        "string",
        "end_before_start, unknown_risk, unknown_mappa_category, "
        "unknown_mappa_level or unknown_rosh.",
        False,
    ),
    Column("reason", "string", "In words.", False),
    provenance=False,
)

TABLE_SPECS: tuple[TableSpec, ...] = (MISPER, MISPER_RANK, VISOR, PERSON_WARNING, PROFILE_ISSUE)
