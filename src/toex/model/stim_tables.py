"""Tables of the ``assess`` layer written by toex.assess.stim (STIM indicators, cases).

An *entity* is a partner-website account. The 13 indicators are boolean columns of
``stim_entity``; the facts behind each are in ``stim_entity_indicator``. Cases are
connected groups of accounts (``stim_case``,
``stim_case_member``, ``stim_case_link``); ``stim_case_crossmatch`` names what force data
holds on a case's phones, emails, payers and people. Nationality is a breakdown column
only: no risk level reads it.
"""

from __future__ import annotations

from toex.model.tables import Column, TableSpec, spec

_INDICATOR_COLUMNS: tuple[Column, ...] = tuple(
    Column(code, "boolean", f"Indicator present: {label}.", False)
    for code, label in (
        ("language_barrier", "a language barrier (recorded)"),
        ("multi_region", "adverts and account spread over more than one region"),
        ("linked_accounts", "linked to other accounts by payer or phone sharing"),
        ("multiple_phones", "several phone numbers across the account's adverts"),
        ("multiple_payers", "several payers on the account"),
        ("male_name_email", "a male name in the registered email address"),
        ("male_payer", "a male attempting to pay for adverts"),
        ("vague_misleading", "user deliberately vague or misleading (recorded)"),
        ("avoided_call", "customer avoided the call or hung up (recorded)"),
        ("male_in_background", "male talking to a woman in the background (recorded)"),
        ("customer_flag_trafficking", "flagged by a customer: trafficking (recorded)"),
        ("customer_flag_underage", "flagged by a customer: under age (recorded)"),
        ("other_concern", "other high-risk concern (recorded)"),
    )
)

STIM_ENTITY = spec(
    "stim_entity",
    "assess",
    "One row per partner account (STIM entity): activity, the 13 indicators, counts by "
    "risk level, the entity's highest level and its case.",
    Column("account_id", "string", "The partner's account reference.", False),
    Column("partner", "string", "Code of the partner website that owns the account."),
    Column(
        "nationality", "string", "Stated nationality: for breakdowns only, never a score input."
    ),
    Column("home_region", "string", "The account's home region."),
    Column("email", "string", "Registered email address."),
    Column("n_adverts", "int64", "Adverts posted.", False),
    Column("n_payments", "int64", "Payments made for its adverts.", False),
    Column("n_calls", "int64", "Staff calls recorded.", False),
    Column(
        "assessed",
        "boolean",
        "Staff called the account or a partner user recorded an "
        "indicator: an entity of concern, as counted in the briefing's table.",
        False,
    ),
    Column("first_seen", "date", "First advert, payment or call."),
    Column("last_seen", "date", "Last advert, payment or call."),
    *_INDICATOR_COLUMNS,
    Column("n_low", "int64", "Indicators present whose configured level is low.", False),
    Column("n_medium", "int64", "Indicators present whose configured level is medium.", False),
    Column("n_high", "int64", "Indicators present whose configured level is high.", False),
    Column("risk_level", "string", "Highest level present: none, low, medium or high.", False),
    Column("case_id", "string", "The case (linked group) the account belongs to.", False),
    provenance=False,
)

STIM_ENTITY_INDICATOR = spec(
    "stim_entity_indicator",
    "assess",
    "The facts behind each indicator present on an account (explains stim_entity).",
    Column("account_id", "string", "The partner's account reference.", False),
    Column("indicator", "string", "Indicator code (stim_indicators.yaml).", False),
    Column("evidence", "string", "What showed it: regions, shared values, call IDs...", False),
    Column("level", "string", "The indicator's configured level: low, medium or high.", False),
    Column(
        "source", "string", "derived (from data) or recorded (by staff or partner user).", False
    ),
    provenance=False,
)

STIM_CASE = spec(
    "stim_case",
    "assess",
    "One row per case: a connected group of accounts linked by shared phones, payers, "
    "emails or near-duplicate advert templates; its risk is the highest indicator level of "
    "its accounts, with the counts behind it.",
    Column(
        "case_id",
        "string",
        "STIM- plus a hash of the smallest account ID in the case (names no account).",
        False,
    ),
    Column("n_accounts", "int64", "Accounts in the case.", False),
    Column("n_assessed", "int64", "Accounts assessed by staff or partner users.", False),
    Column("n_adverts", "int64", "Adverts posted by the case's accounts.", False),
    Column("partners", "string", "Partner websites owning the accounts (comma-separated)."),
    Column("regions", "string", "Home regions of the accounts (comma-separated)."),
    Column("first_seen", "date", "First activity of any account."),
    Column("last_seen", "date", "Last activity of any account."),
    Column("n_low_indicators", "int64", "Low-level indicators present over all accounts.", False),
    Column("accounts_low", "int64", "Accounts with at least one low indicator.", False),
    Column("n_medium_indicators", "int64", "Medium-level indicators present.", False),
    Column("accounts_medium", "int64", "Accounts with at least one medium indicator.", False),
    Column("n_high_indicators", "int64", "High-level indicators present.", False),
    Column("accounts_high", "int64", "Accounts with at least one high indicator.", False),
    Column("risk_level", "string", "none, low, medium or high.", False),
    Column("indicator_counts", "string", "JSON: accounts showing each indicator.", False),
    Column(
        "link_counts",
        "string",
        "JSON: links of each kind (phone, payer, email, template) inside the case.",
        False,
    ),
    Column("risk_rank", "int64", "0 none, 1 low, 2 medium, 3 high (for sorting).", False),
    Column(
        "crossmatch_forces",
        "string",
        "Forces whose records match the case (stim_case_crossmatch), comma-separated.",
    ),
    provenance=False,
)

STIM_CASE_MEMBER = spec(
    "stim_case_member",
    "assess",
    "Which accounts form each case, and by which kinds of link.",
    Column("case_id", "string", "The case.", False),
    Column("account_id", "string", "A member account.", False),
    Column("partner", "string", "Partner website owning the account."),
    Column("assessed", "boolean", "Whether the account was assessed.", False),
    Column("risk_level", "string", "The account's own highest level.", False),
    Column("linked_by", "string", "Kinds of link the account takes part in.", False),
    provenance=False,
)

STIM_CASE_LINK = spec(
    "stim_case_link",
    "assess",
    "The links that join a case's accounts: a shared phone, payer, email or template.",
    Column("case_id", "string", "The case.", False),
    Column("account_a", "string", "One account.", False),
    Column("account_b", "string", "The other account.", False),
    Column("kind", "string", "phone, payer, email or template.", False),
    Column(
        "value",
        "string",
        "The shared value (E.164 phone, email, payer token, template group).",
        False,
    ),
    provenance=False,
)

STIM_TEXT_SIGNAL = spec(
    "stim_text_signal",
    "assess",
    "Text signals in advert wording (youth language, third-party control, obscured phone "
    "numbers), reported separately from the 13 indicators and never in a risk level.",
    Column("advert_id", "string", "The advert.", False),
    Column("account_id", "string", "Its account."),
    Column("case_id", "string", "The account's case."),
    Column("signal", "string", "youth_language, third_party_control or obscured_phone.", False),
    Column("evidence", "string", "The words or the phone as written.", False),
    provenance=False,
)

STIM_CASE_CROSSMATCH = spec(
    "stim_case_crossmatch",
    "assess",
    "What force data holds on each case: resolved persons (and their networks) whose "
    "records share a phone, email or payer with the case, or who are the case's account "
    "holders or payers resolved into force records; naming the forces.",
    Column("case_id", "string", "The case.", False),
    Column("person_id", "string", "Resolved person in force data.", False),
    Column(
        "match_kind",
        "string",
        "phone, email, payer, person (the holder or payer resolved "
        "to this person) or name (same normalised full name only: weak).",
        False,
    ),
    Column("matched_value", "string", "The shared value or name.", False),
    Column("account_id", "string", "The case's account that carries the value."),
    Column("forces", "string", "Forces holding records of the person (comma-separated).", False),
    Column("n_forces", "int64", "How many forces.", False),
    Column("n_records", "int64", "Force records of the person.", False),
    Column("network_id", "string", "The person's network (component level), if any."),
    Column(
        "strength",
        "string",
        "strong (shared identifier or resolved person) or weak (name only).",
        False,
    ),
    provenance=False,
)

STIM_CASE_CROSSMATCH_EVIDENCE = spec(
    "stim_case_crossmatch_evidence",
    "assess",
    "The force records behind each cross-match, by their markings: a match is shown to a "
    "user only when every record of one of its evidence units is visible to them.",
    Column("case_id", "string", "The case.", False),
    Column("person_id", "string", "The matched person.", False),
    Column("match_kind", "string", "As in stim_case_crossmatch.", False),
    Column("matched_value", "string", "As in stim_case_crossmatch.", False),
    Column(
        "unit",
        "string",
        "The evidence: 'mention:<id>' (a force mention carrying the value, or of the person) "
        "or 'object:<id>' (an object carrying it and the force mention it is attached to).",
        False,
    ),
    Column("force", "string", "Force of a record of the unit ('' when missing).", False),
    Column("handling_code", "string", "Its handling code ('' when missing).", False),
    Column("classification", "string", "Its classification ('' when missing).", False),
    provenance=False,
)

STIM_CROSSMATCH_PERSON_MARKING = spec(
    "stim_crossmatch_person_marking",
    "assess",
    "Force records of each cross-matched person per marking: a user's 'forces' and "
    "'records' of a match are summed over the markings they may see.",
    Column("person_id", "string", "The matched person.", False),
    Column("force", "string", "Force ('' when missing).", False),
    Column("handling_code", "string", "Handling code ('' when missing).", False),
    Column("classification", "string", "Classification ('' when missing).", False),
    Column("n_records", "int64", "Force records of the person with this marking.", False),
    provenance=False,
)

TABLE_SPECS: tuple[TableSpec, ...] = (
    STIM_ENTITY,
    STIM_ENTITY_INDICATOR,
    STIM_CASE,
    STIM_CASE_MEMBER,
    STIM_CASE_LINK,
    STIM_TEXT_SIGNAL,
    STIM_CASE_CROSSMATCH,
    STIM_CASE_CROSSMATCH_EVIDENCE,
    STIM_CROSSMATCH_PERSON_MARKING,
)

#: The briefing's referral outcomes, code -> label (the ops workflow records the code).
REFERRAL_OUTCOMES: dict[str, str] = {
    "full_adoption": "Full adoption",
    "intel_submission": "Intel submission only",
    "force_linked_job": "Referral into force for linked job",
    "regional_linked_job": "Referral into regional team for linked job",
    "finalised": "Case finalised",
}
