"""Tables of the ``assess`` layer written by toex.assess (harm, perpetrators, safeguarding,
power few). STIM tables are in :mod:`toex.model.stim_tables`."""

from __future__ import annotations

from toex.model.tables import Column, TableSpec, spec

HARM_WEIGHT = spec(
    "assess_harm_weight",
    "assess",
    "Harm weight (days) of every Home Office offence code under the configured scheme "
    "(Cambridge Crime Harm Index or ONS Crime Severity Score), with its VAWG flags. The shipped "
    "values are indicative: check them against the official sheets (docs/methods.md).",
    Column("code", "string", "Home Office offence code.", False),
    Column("description", "string", "Offence description.", False),
    Column("category", "string", "Offence group.", False),
    Column("days", "float64", "Harm weight in days of custody (the default when unlisted).", False),
    Column("basis", "string", "What the weight rests on."),
    Column("scheme", "string", "cchi, ons_css, or custom (a deployment's own table).", False),
    Column("vawg", "boolean", "VAWG by offence type.", False),
    Column("vawg_context", "boolean", "VAWG when a victim on the record is female.", False),
    provenance=False,
)

_FACTS: tuple[Column, ...] = (
    Column("person_id", "string", "Resolved person (a mention ID in the unresolved table).", False),
    Column("force", "string", "Primary force: where most of his VAWG offences were recorded."),
    Column("region", "string", "Region of the primary force."),
    Column("forces", "string", "Every force recording a VAWG offence of his, comma-separated."),
    Column("age", "int64", "Age in years on the reference date."),
    Column("n_offences", "int64", "Crimes as suspect (all offences).", False),
    Column("n_offences_12m", "int64", "Crimes as suspect in the last 12 months.", False),
    Column("n_vawg_offences", "int64", "VAWG crimes as suspect.", False),
    Column("n_vawg_offences_12m", "int64", "VAWG crimes as suspect in the last 12 months.", False),
    Column(
        "n_vawg_offences_window", "int64", "VAWG crimes in the scoring window (36 months).", False
    ),
    Column("n_victims", "int64", "Distinct victims of his VAWG crimes.", False),
    Column("n_victims_window", "int64", "Distinct victims in the scoring window.", False),
    Column("n_child_victims", "int64", "Distinct victims under 18 at his first offence.", False),
    Column("victim_age_min", "int64", "Youngest victim's age at his first offence against her."),
    Column("victim_age_max", "int64", "Oldest victim's age at his first offence against her."),
    Column("first_vawg_date", "date", "Date of his first VAWG offence."),
    Column("last_vawg_date", "date", "Date of his latest VAWG offence."),
    Column(
        "days_since_last_vawg",
        "int64",
        "Days from the latest VAWG offence to the reference date (recency).",
    ),
    Column("harm_total", "float64", "Harm (days) of all his VAWG offences.", False),
    Column(
        "harm_window", "float64", "Harm of VAWG offences in the scoring window (gravity).", False
    ),
    Column("harm_12m", "float64", "Harm of VAWG offences in the last 12 months.", False),
    Column(
        "harm_prev_12m", "float64", "Harm of VAWG offences in the 12 months before those.", False
    ),
    Column("harm_trend", "float64", "harm_12m minus harm_prev_12m (escalation).", False),
    Column(
        "escalating",
        "boolean",
        "Recent harm at least the configured factor times the earlier harm.",
    ),
    Column("harm_score", "float64", "Harm-weighted score: harm x 0.5^(age/half-life).", False),
    Column("n_oics", "int64", "Distinct officers in charge of his VAWG crimes.", False),
    Column("n_lpcs", "int64", "Distinct local policing commands of his VAWG crimes.", False),
    Column("n_forces", "int64", "Distinct forces recording his VAWG crimes.", False),
    Column("n_investigations", "int64", "Distinct crime references of his VAWG crimes.", False),
    Column("recency_points", "float64", "Recency band points.", False),
    Column("frequency_points", "float64", "Frequency band points.", False),
    Column("gravity_points", "float64", "Gravity band points.", False),
    Column("victims_points", "float64", "Victims band points.", False),
    Column("rfg", "float64", "Weighted sum of recency, frequency and gravity points.", False),
    Column("rfgv", "float64", "RFG plus weighted victims points.", False),
    Column("score", "float64", "The score named by rank_by, which orders the lists.", False),
    Column("national_rank", "int64", "Rank over every force.", False),
    Column("force_rank", "int64", "Rank within his primary force."),
    Column("region_rank", "int64", "Rank within his primary region."),
    Column("reason", "string", "Plain-English reason built from the facts.", False),
    Column("rank_by", "string", "rfgv, rfg or harm.", False),
    Column("harm_scheme", "string", "Harm scheme of the weights (cchi, ons_css, custom).", False),
    Column("as_of", "date", "Reference date of recency and 'last 12 months'.", False),
)

PERPETRATOR_PRIORITY = spec(
    "assess_perpetrator_priority",
    "assess",
    "Priority VAWG perpetrators: one row per resolved person with a VAWG offence as suspect, "
    "with facts, RFG/RFGV/harm scores (bands and weights in assess/data/priority.yaml), ranks "
    "and the plain-English reason; beside it, his best rank before resolution.",
    *_FACTS,
    Column(
        "unresolved_national_rank",
        "int64",
        "Best national rank of any one of his records when every record stands alone.",
    ),
    Column(
        "unresolved_force_rank",
        "int64",
        "Best rank of any one of his records in his primary force, before resolution.",
    ),
    Column(
        "unresolved_region_rank",
        "int64",
        "Best rank of any one of his records in his primary region, before resolution.",
    ),
    provenance=False,
)

PERPETRATOR_PRIORITY_UNRESOLVED = spec(
    "assess_perpetrator_priority_unresolved",
    "assess",
    "The same ranking on unresolved mentions: each suspect record its own person, as each "
    "force sees it record by record. person_id is the mention ID.",
    *_FACTS,
    provenance=False,
)

_RANK: tuple[Column, ...] = (
    Column("area_type", "string", "force or region.", False),
    Column("area", "string", "Force or region code.", False),
    Column("person_id", "string", "Ranked person.", False),
    Column("score", "float64", "His score.", False),
    Column("rank", "int64", "Rank within the area (1 = highest priority).", False),
    Column("n_ranked", "int64", "Persons ranked in the area.", False),
)

PERPETRATOR_RANK = spec(
    "assess_perpetrator_rank",
    "assess",
    "Rank of each priority perpetrator in every force and region recording a VAWG offence of "
    "his: the ranked lists per force and region.",
    *_RANK,
    provenance=False,
)

PERPETRATOR_RANK_UNRESOLVED = spec(
    "assess_perpetrator_rank_unresolved",
    "assess",
    "Ranks per force and region of unresolved suspect records (before resolution).",
    *_RANK,
    provenance=False,
)

PERPETRATOR_MARKING = spec(
    "assess_perpetrator_marking",
    "assess",
    "The protective markings of every record a priority perpetrator's row (scores, facts, "
    "reason) draws on: his mentions, the crimes he is a suspect on, the victim records on "
    "them and, where a victim's age comes from a date of birth, that victim's records with "
    "one. The web app shows a row only to a user who may see all of these markings.",
    Column("person_id", "string", "The scored person.", False),
    Column("force", "string", "Force of one or more of the records ('' when missing).", False),
    Column("handling_code", "string", "Their handling code ('' when missing).", False),
    Column("classification", "string", "Their classification ('' when missing).", False),
    provenance=False,
)

SAFEGUARDING = spec(
    "assess_safeguarding",
    "assess",
    "Safeguarding health checks: victims of top-ranked perpetrators, children linked to "
    "high-harm suspects, repeat victims across forces; with repeat victimisation, missing "
    "episodes and whether a safeguarding referral is recorded.",
    Column(
        "check",
        "string",
        "victim_of_priority_perpetrator, child_linked_high_harm_suspect "
        "or repeat_victim_cross_force.",
        False,
    ),
    Column("person_id", "string", "The person to safeguard (resolved).", False),
    Column("related_person_id", "string", "The perpetrator or suspect concerned."),
    Column("related_force_rank", "int64", "His rank in his primary force."),
    Column("related_force", "string", "His primary force."),
    Column("force", "string", "Force of the latest record behind the check."),
    Column("forces", "string", "Forces recording the person as a victim."),
    Column("age", "int64", "Age on the reference date."),
    Column("child", "boolean", "Under the child age at a record behind the check.", False),
    Column(
        "n_events_with_related", "int64", "Crimes naming both (0 for cross-force repeats).", False
    ),
    Column("n_victimisations", "int64", "Crimes naming the person as victim.", False),
    Column("n_vawg_victimisations", "int64", "VAWG crimes naming the person as victim.", False),
    Column("n_forces_victimised", "int64", "Forces recording the person as a victim.", False),
    Column("repeat_victim", "boolean", "Victim at least the configured number of times.", False),
    Column("last_victimised_date", "date", "Latest crime naming the person as victim."),
    Column("n_missing_episodes", "int64", "The person's missing episodes.", False),
    Column("last_missing_date", "date", "Latest missing episode."),
    Column(
        "referral_recorded",
        "boolean",
        "A record naming the person mentions a safeguarding referral.",
        False,
    ),
    Column("referral_reference", "string", "Force and reference of the latest such record."),
    Column("reason", "string", "What the check found, in plain English.", False),
    Column("as_of", "date", "Reference date.", False),
    provenance=False,
)

POWER_FEW = spec(
    "assess_power_few",
    "assess",
    "The power few: share of VAWG harm (scoring window) from the top x% of perpetrators, "
    "nationally, per force and per region.",
    Column("scope_type", "string", "national, force or region.", False),
    Column("scope", "string", "'all', or the force or region code.", False),
    Column("top_pct", "float64", "x: the top x% of perpetrators by harm.", False),
    Column("n_perpetrators", "int64", "Perpetrators with harm in the scope.", False),
    Column("n_top", "int64", "How many make the top x%.", False),
    Column("harm_top", "float64", "Their harm (days).", False),
    Column("harm_all", "float64", "All perpetrators' harm (days).", False),
    Column("harm_share", "float64", "harm_top / harm_all.", False),
    Column("pct_for_80", "float64", "Smallest % of perpetrators causing 80% of the harm.", False),
    provenance=False,
)

TABLE_SPECS: tuple[TableSpec, ...] = (
    HARM_WEIGHT,
    PERPETRATOR_PRIORITY,
    PERPETRATOR_MARKING,
    PERPETRATOR_RANK,
    PERPETRATOR_PRIORITY_UNRESOLVED,
    PERPETRATOR_RANK_UNRESOLVED,
    SAFEGUARDING,
    POWER_FEW,
)
