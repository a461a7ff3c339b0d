"""The STIM stage: staged partner data in, ``stim_*`` tables of the snapshot out.

:func:`load_partner_data` reads the partner website's records from the ``staged_*`` tables
(events ``partner_account``, ``advert``, ``payment``, ``partner_call``; the holder and payer
person mentions; the account, payer, phone and email objects) into
:class:`~toex.assess.stim.partner_data.PartnerData`. Fields the mappings keep in the event's
``attributes`` JSON (account reference, staff flags, payer title...) are read from there.
:func:`build_stim` runs the pure core and writes the tables, then cross-matches cases with
force data when the resolve stage has run. :func:`run_stim_stage` is the pipeline's entry.
Partner-user indicator records live in the operational store; the caller passes them in
(``records``), so this package does not import ``toex.ops``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from toex.assess.sql_steps import raw_connection, run_steps, table_exists, write_arrow
from toex.assess.stim.compute import StimResult, compute_stim
from toex.assess.stim.crossmatch import case_forces_sql, crossmatch_steps
from toex.assess.stim.indicators import IndicatorSet, load_indicators
from toex.assess.stim.partner_data import CALL_FLAGS, PartnerData, Window
from toex.model.catalog import table as table_spec

log = logging.getLogger(__name__)

PARTNER_EVENT_TYPES: tuple[str, ...] = ("partner_account", "advert", "payment", "partner_call")


def _attr(name: str) -> str:
    """SQL: a text field of the event's attributes JSON, empty strings as NULL."""
    return f"nullif(trim(json_extract_string(e.attributes, '$.{name}')), '')"


def _first_attr(*names: str) -> str:
    return "coalesce(" + ", ".join(_attr(n) for n in names) + ")"


def _object(event: str, kind: str, column: str = "value") -> str:
    return (
        f"(SELECT min(o.{column}) FROM staged_object o WHERE o.event_id = {event}.event_id "
        f"AND o.object_type = '{kind}')"
    )


def _mention(event: str, slot: str, column: str) -> str:
    return (
        f"(SELECT min(m.{column}) FROM staged_person_mention m "
        f"WHERE m.event_id = {event}.event_id AND m.slot = '{slot}')"
    )


def _account_ref(event: str = "e") -> str:
    return f"coalesce({_first_attr('account_ref', 'account_id')}, {_object(event, 'account')})"


def partner_sql() -> dict[str, str]:
    """One SELECT per PartnerData frame over the staged tables (pure)."""
    holder_name = (
        f"coalesce({_attr('display_name')}, "
        f"trim(coalesce({_mention('e', 'holder', 'forename_raw')}, '') || ' ' || "
        f"coalesce({_mention('e', 'holder', 'surname_raw')}, '')))"
    )
    flags = ",\n  ".join(f"{_attr(f)} AS {f}" for f in CALL_FLAGS)
    return {
        "accounts": f"""
SELECT e.reference AS account_id, e.force AS partner,
  coalesce(e.occurred_from, e.reported_date) AS created, {holder_name} AS display_name,
  coalesce({_mention("e", "holder", "email_raw")}, {_mention("e", "holder", "email")},
           {_attr("email")}, {_object("e", "email", "value_raw")}) AS email,
  coalesce({_mention("e", "holder", "phone_raw")}, {_attr("phone")},
           {_object("e", "phone", "value_raw")}, {_mention("e", "holder", "phone")}) AS phone_raw,
  {_mention("e", "holder", "nationality")} AS nationality,
  coalesce(e.region, {_attr("home_region")}) AS home_region
FROM staged_event e WHERE e.event_type = 'partner_account'
ORDER BY e.reference, e.event_id""",
        "adverts": f"""
SELECT e.reference AS advert_id, {_account_ref()} AS account_id, e.force AS partner,
  coalesce(e.occurred_from, e.reported_date) AS posted, e.region,
  {_attr("title")} AS title, e.text,
  coalesce({_first_attr("contact_phone", "phone_raw", "phone")},
           {_object("e", "phone", "value_raw")}, {_object("e", "phone")}) AS phone_raw,
  coalesce({_first_attr("contact_email", "email")}, {_object("e", "email")}) AS email
FROM staged_event e WHERE e.event_type = 'advert'
ORDER BY e.reference, e.event_id""",
        "payments": f"""
SELECT e.reference AS payment_id, {_account_ref()} AS account_id, e.force AS partner,
  coalesce(e.occurred_from, e.reported_date) AS paid, e.amount,
  coalesce({_attr("payer_name")}, nullif(trim(
    coalesce({_mention("e", "payer", "forename_raw")}, '') || ' ' ||
    coalesce({_mention("e", "payer", "surname_raw")}, '')), '')) AS payer_name,
  coalesce({_first_attr("payer_token", "payer_ref")}, {_object("e", "payer")}) AS payer_token,
  coalesce({_mention("e", "payer", "email")}, {_attr("payer_email")},
           {_object("e", "email")}) AS payer_email,
  coalesce({_mention("e", "payer", "phone_raw")}, {_attr("payer_phone")},
           {_object("e", "phone", "value_raw")}) AS payer_phone_raw,
  coalesce({_first_attr("payer_title", "payer_gender", "title")},
           {_mention("e", "payer", "gender")}) AS payer_title
FROM staged_event e WHERE e.event_type = 'payment'
ORDER BY e.reference, e.event_id""",
        "calls": f"""
SELECT e.reference AS call_id, {_account_ref()} AS account_id, e.force AS partner,
  coalesce(e.occurred_from, e.reported_date) AS call_date, e.oic AS staff_id,
  e.text AS notes,
  {flags}
FROM staged_event e WHERE e.event_type = 'partner_call'
ORDER BY e.reference, e.event_id""",
    }


def mention_sql() -> str:
    """Holder and payer mentions of partner events with their account (for cross-match)."""
    return f"""
SELECT m.mention_id, CASE WHEN e.event_type = 'partner_account' THEN e.reference
                          ELSE {_account_ref()} END AS account_id,
       m.forename, m.surname
FROM staged_person_mention m JOIN staged_event e ON e.event_id = m.event_id
WHERE e.event_type IN ('partner_account', 'payment')
ORDER BY m.mention_id"""


def load_partner_data(con: Any, records: pd.DataFrame | None = None) -> PartnerData:
    """The partner data of a snapshot (empty frames when it holds none)."""
    raw = raw_connection(con)
    if not table_exists(raw, "staged_event"):
        return PartnerData()
    frames = {name: raw.execute(sql).df() for name, sql in partner_sql().items()}
    data = PartnerData(
        frames["accounts"], frames["adverts"], frames["payments"], frames["calls"]
    ).conformed()
    return data.with_records(records) if records is not None else data


def _arrow(frame: pd.DataFrame, name: str) -> pa.Table:
    spec = table_spec(name)
    out = frame.reindex(columns=spec.column_names)
    return pa.Table.from_pandas(out, schema=spec.ibis_schema().to_pyarrow(), preserve_index=False)


@dataclass(frozen=True)
class StimSummary:
    """Counts of what the stage built, for the run log."""

    accounts: int
    assessed: int
    cases: int
    high_risk_cases: int
    crossmatches: int


def write_result(con: Any, result: StimResult) -> None:
    """Replace the ``stim_*`` tables with ``result`` (cross-match left empty)."""
    case = result.case.assign(crossmatch_forces=None)
    for frame, name in (
        (result.entity, "stim_entity"),
        (result.entity_indicator, "stim_entity_indicator"),
        (case, "stim_case"),
        (result.case_member, "stim_case_member"),
        (result.case_link, "stim_case_link"),
        (result.text_signal, "stim_text_signal"),
        (pd.DataFrame(), "stim_case_crossmatch"),
        (pd.DataFrame(), "stim_case_crossmatch_evidence"),
        (pd.DataFrame(), "stim_crossmatch_person_marking"),
    ):
        write_arrow(con, name, _arrow(frame, name))


def _write_keys(con: Any, data: PartnerData, result: StimResult, config: IndicatorSet) -> None:
    from toex.assess.stim.derive import account_keys, split_hubs

    keys = result.keys
    if keys is None:
        keys, _ = split_hubs(
            account_keys(data, config.linking), config.linking.max_accounts_per_key
        )
    owner = result.entity.set_index("account_id")["case_id"]
    keys = keys.assign(case_id=owner.reindex(keys["account_id"]).to_numpy())
    raw = raw_connection(con)
    raw.register("stim_keys_in", pa.Table.from_pandas(keys, preserve_index=False))
    raw.execute("CREATE OR REPLACE TEMP TABLE assess__stim_key AS SELECT * FROM stim_keys_in")
    raw.unregister("stim_keys_in")
    mentions = raw.execute(mention_sql()).df()
    mentions["case_id"] = owner.reindex(mentions["account_id"]).to_numpy()
    raw.register("stim_mentions_in", pa.Table.from_pandas(mentions, preserve_index=False))
    raw.execute(
        "CREATE OR REPLACE TEMP TABLE assess__stim_mention AS SELECT * FROM stim_mentions_in"
    )
    raw.unregister("stim_mentions_in")


def crossmatch(con: Any, data: PartnerData, result: StimResult, config: IndicatorSet) -> int:
    """Fill ``stim_case_crossmatch`` and ``stim_case.crossmatch_forces``; returns the number
    of matches (0, and nothing done, when the resolve stage has not run)."""
    raw = raw_connection(con)
    if not table_exists(raw, "resolved_mention_person"):
        return 0
    _write_keys(con, data, result, config)
    run_steps(raw, crossmatch_steps(table_exists(raw, "link_network_member")))
    raw.execute(case_forces_sql())
    row = raw.execute("SELECT count(*) FROM stim_case_crossmatch").fetchone()
    return int(row[0]) if row else 0


def build_stim(
    con: Any,
    config: IndicatorSet | None = None,
    records: pd.DataFrame | None = None,
    window: Window | None = None,
) -> StimSummary:
    """Compute and write every ``stim_*`` table on a snapshot connection."""
    config = config or load_indicators()
    data = load_partner_data(con, records)
    result = compute_stim(data, config, window=window)
    write_result(con, result)
    matches = crossmatch(con, data, result, config)
    summary = StimSummary(
        len(result.entity),
        int(result.entity["assessed"].sum()),
        len(result.case),
        int((result.case["risk_level"] == "high").sum()),
        matches,
    )
    log.info("stim: %s", summary)
    return summary


def _ops_records(settings: Any) -> pd.DataFrame | None:
    """Partner-user indicator records from the operational store, if one is configured."""
    url = getattr(settings, "ops_url", None)
    if not url:
        return None
    try:
        from toex.ops import open_store  # the stage's one read of the operational store
        from toex.ops.referrals import indicator_records, latest_indicator_rows
    except ImportError:  # pragma: no cover - ops is part of toex
        return None
    store = open_store(url)
    try:
        return pd.DataFrame(latest_indicator_rows(indicator_records(store)))
    finally:
        store.dispose()


def run_stim_stage(ctx: Any) -> StimSummary:
    """Pipeline entry: build the STIM tables on ``ctx.con`` (with partner-user records);
    the summary is also left in ``ctx.results["stim"]``."""
    records = _ops_records(getattr(ctx, "settings", None))
    summary = build_stim(ctx.con, records=records)
    results = getattr(ctx, "results", None)
    if isinstance(results, dict):
        results["stim"] = summary
    return summary
