"""Tables of the ``resolved`` layer written by toex.resolve."""

from __future__ import annotations

from toex.model.tables import Column, TableSpec, spec

COMPARISON_NAMES: tuple[str, ...] = (
    "forename",
    "surname",
    "dob",
    "gender",
    "postcode",
    "phone",
    "email",
    "identifiers",
)
"""The person model's comparisons, in explanation order (one ``gamma_`` column each)."""

RESOLVED_MENTION_PERSON = spec(
    "resolved_mention_person",
    "resolved",
    "Which resolved person each staged person mention belongs to.",
    Column("mention_id", "string", "The staged person mention.", False),
    Column("person_id", "string", "Stable resolved person ID ('P' + 12 hex digits).", False),
    Column("cluster_size", "int64", "Number of mentions of the person.", False),
    Column("by_decision", "boolean", "Whether an analyst decision touches this mention.", False),
    provenance=False,
)

RESOLVED_PERSON = spec(
    "resolved_person",
    "resolved",
    "One row per resolved person: display identity (the commonest values over his mentions) "
    "and where and when he is seen.",
    Column("person_id", "string", "Stable resolved person ID.", False),
    Column("forename", "string", "Commonest forename of the mentions."),
    Column("surname", "string", "Commonest surname of the mentions."),
    Column("dob", "date", "Commonest full date of birth of the mentions."),
    Column("gender", "string", "Commonest gender (M/F) of the mentions."),
    Column("pnc_id", "string", "Commonest PNC ID of the mentions."),
    Column("n_mentions", "int64", "Number of mentions.", False),
    Column("n_forces", "int64", "Number of forces recording him.", False),
    Column("forces", "string", "Forces recording him, comma-separated, sorted.", False),
    Column("first_seen", "date", "Earliest event date of his mentions."),
    Column("last_seen", "date", "Latest event date of his mentions."),
    provenance=False,
)

RESOLVED_OBJECT = spec(
    "resolved_object",
    "resolved",
    "Phones, emails, vehicles, accounts, payers and addresses resolved by normalised key: one "
    "row per distinct key, with how often and by how many persons it is seen.",
    Column("object_key", "string", "Type and normalised value, e.g. 'phone:+447700900123'.", False),
    Column("object_type", "string", "An ObjectType value, or 'address'.", False),
    Column("value", "string", "Normalised value (for addresses: postcode | address).", False),
    Column("n_sightings", "int64", "Rows of staged_object / staged_location naming it.", False),
    Column("n_persons", "int64", "Distinct resolved persons it is attached to.", False),
    Column("placeholder", "boolean", "A dummy or hub value (never used to match people).", False),
    provenance=False,
)

RESOLVED_OBJECT_SIGHTING = spec(
    "resolved_object_sighting",
    "resolved",
    "Each staged object or location sighting with its resolved object key and person.",
    Column("sighting_id", "string", "object_id or location_id of the staged row.", False),
    Column("object_key", "string", "Resolved object key.", False),
    Column("mention_id", "string", "Person mention it is attached to, if any."),
    Column("person_id", "string", "Resolved person of that mention, if any."),
    Column("event_id", "string", "Event it appears on, if any."),
    Column("relation", "string", "How it relates (uses, home, ...)."),
    provenance=False,
)

RESOLVED_MATCH_PAIR = spec(
    "resolved_match_pair",
    "resolved",
    "Scored mention pairs at or above the low explanation threshold, with each comparison's "
    "level (gamma: -1 null, 0 else, higher is closer); levels and weights are in "
    "resolved_model_params.",
    Column("mention_id_l", "string", "One mention (the smaller ID).", False),
    Column("mention_id_r", "string", "The other mention.", False),
    Column("match_weight", "float64", "Total match weight (log2 Bayes factor).", False),
    Column("match_probability", "float64", "Match probability.", False),
    *(Column(f"gamma_{c}", "int64", f"Comparison level of {c}.", False) for c in COMPARISON_NAMES),
    Column("linked", "boolean", "Whether the pair is a match edge of the clustering.", False),
    provenance=False,
)

RESOLVED_MODEL_PARAMS = spec(
    "resolved_model_params",
    "resolved",
    "Trained parameters of the run's model (JSON: prior, and m/u per comparison level).",
    Column("run_id", "string", "Run that trained or reused the parameters.", False),
    Column("model", "string", "Model spec name.", False),
    Column("params_json", "string", "The parameters as JSON.", False),
    Column("threshold", "float64", "Match probability threshold used for clustering.", False),
    Column("n_mentions", "int64", "Mentions resolved.", False),
    Column("n_pairs", "int64", "Pairs scored at or above the explanation threshold.", False),
    Column("n_persons", "int64", "Resolved persons.", False),
    Column("trained_at", "timestamp", "When the run finished.", False),
    provenance=False,
)

RESOLVED_PLACEHOLDER = spec(
    "resolved_placeholder",
    "resolved",
    "Values nulled for matching and blocking: shipped placeholders found in the data and "
    "data-driven hubs.",
    Column("column_name", "string", "Mention column.", False),
    Column("value", "string", "The value.", False),
    Column("n_mentions", "int64", "Mentions carrying it.", False),
    Column("reason", "string", "Why it is treated as a placeholder.", False),
    provenance=False,
)

RESOLVED_TERM_FREQUENCY = spec(
    "resolved_term_frequency",
    "resolved",
    "Relative frequency of each forename and surname (term-frequency adjustments).",
    Column("column_name", "string", "forename or surname.", False),
    Column("value", "string", "The name.", False),
    Column("tf", "float64", "Share of mentions with the name.", False),
    provenance=False,
)

TABLE_SPECS: tuple[TableSpec, ...] = (
    RESOLVED_MENTION_PERSON,
    RESOLVED_PERSON,
    RESOLVED_OBJECT,
    RESOLVED_OBJECT_SIGHTING,
    RESOLVED_MATCH_PAIR,
    RESOLVED_MODEL_PARAMS,
    RESOLVED_PLACEHOLDER,
    RESOLVED_TERM_FREQUENCY,
)
