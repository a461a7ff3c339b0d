"""The STIM core: partner data in, entity indicators, cases and text signals out.

:func:`compute_stim` is pure (frames in, frames out) and runs the same for the pipeline
stage, a report over a date range, the web app and the benchmark. Steps:

1. linking keys per account (phones de-obfuscated to E.164, emails, payer tokens), hubs out;
2. the six derived and seven recorded indicators per account;
3. near-duplicate advert templates (MinHash LSH) and key sharing link accounts into cases;
4. each case's risk: the highest level among its accounts' indicators, with the counts;
5. text signals per advert, kept apart from the 13.

An *entity* is an account. An account is *assessed* (of concern, as the briefing's 355
entities were) when staff called it or a partner user recorded an indicator for it; the
briefing's table is reproduced over assessed accounts.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import pandas as pd

from toex.assess.stim.derive import (
    account_keys,
    advert_texts,
    derived_indicators,
    joined,
    recorded_indicators,
    split_hubs,
)
from toex.assess.stim.indicators import INDICATOR_ORDER, IndicatorSet, load_indicators
from toex.assess.stim.linking import EDGE_COLUMNS, components, key_edges, template_edges
from toex.assess.stim.names import NameGenderReference, faker_reference
from toex.assess.stim.partner_data import PartnerData, Window, restrict
from toex.assess.stim.slots import slot_masker
from toex.assess.stim.text_phones import text_phone_frame
from toex.assess.stim.text_signals import compile_lexicon, signal_frame

LEVELS: tuple[str, ...] = ("low", "medium", "high")


@dataclass
class StimResult:
    """Every frame the STIM core produces (see :mod:`toex.model.stim_tables`)."""

    entity: pd.DataFrame
    entity_indicator: pd.DataFrame
    case: pd.DataFrame
    case_member: pd.DataFrame
    case_link: pd.DataFrame
    text_signal: pd.DataFrame
    hubs: pd.DataFrame
    window: Window = field(default_factory=Window)
    template_groups_dropped: int = 0
    #: Wall-clock seconds per step of :func:`compute_stim` (for the run log and the bench).
    timings: dict[str, float] = field(default_factory=dict)
    #: The usable (non-hub) linking keys (account_id, kind, value, source).
    keys: pd.DataFrame | None = None


def _level_name(rank: int) -> str:
    return LEVELS[rank - 1] if rank > 0 else "none"


def entity_frame(data: PartnerData, indicators: pd.DataFrame, config: IndicatorSet) -> pd.DataFrame:
    """One row per account: activity counts, a boolean per indicator, level counts."""
    acc = data.accounts.drop_duplicates("account_id").set_index("account_id")
    ids = pd.Index(
        pd.unique(
            pd.concat(
                [
                    acc.index.to_series(),
                    data.adverts["account_id"],
                    data.payments["account_id"],
                    data.calls["account_id"],
                    data.records["account_id"],
                ],
                ignore_index=True,
            ).dropna()
        ),
        name="account_id",
    )
    ent = pd.DataFrame(index=ids)
    ent["partner"] = acc["partner"].reindex(ids)
    for frame in (data.adverts, data.payments, data.calls, data.records):
        fill = (
            frame.dropna(subset=["account_id"])
            .drop_duplicates("account_id")
            .set_index("account_id")["partner"]
        )
        ent["partner"] = ent["partner"].fillna(fill.reindex(ids))
    ent["nationality"] = acc["nationality"].reindex(ids)
    ent["home_region"] = acc["home_region"].reindex(ids)
    ent["email"] = acc["email"].reindex(ids)
    ent["n_adverts"] = data.adverts.groupby("account_id").size().reindex(ids).fillna(0)
    ent["n_payments"] = data.payments.groupby("account_id").size().reindex(ids).fillna(0)
    ent["n_calls"] = data.calls.groupby("account_id").size().reindex(ids).fillna(0)
    n_records = data.records.groupby("account_id").size().reindex(ids).fillna(0)
    ent["assessed"] = (ent["n_calls"] > 0) | (n_records > 0)
    dates = pd.concat(
        [
            data.adverts[["account_id", "posted"]].rename(columns={"posted": "d"}),
            data.payments[["account_id", "paid"]].rename(columns={"paid": "d"}),
            data.calls[["account_id", "call_date"]].rename(columns={"call_date": "d"}),
        ],
        ignore_index=True,
    ).dropna()
    dates["d"] = pd.to_datetime(dates["d"], errors="coerce")
    by_acc = dates.groupby("account_id")["d"]
    ent["first_seen"] = by_acc.min().reindex(ids).dt.date
    ent["last_seen"] = by_acc.max().reindex(ids).dt.date
    for code in INDICATOR_ORDER:
        hit = indicators.loc[indicators["indicator"] == code, "account_id"]
        ent[code] = ids.isin(hit)
    for level in LEVELS:
        codes = [c for c in INDICATOR_ORDER if config.level_of(c).value == level]
        ent[f"n_{level}"] = ent[codes].sum(axis=1).astype("int64") if codes else 0
    rank = (ent["n_high"] > 0) * 3
    rank = rank.where(rank > 0, (ent["n_medium"] > 0) * 2)
    rank = rank.where(rank > 0, (ent["n_low"] > 0) * 1)
    ent["risk_level"] = rank.map(_level_name)
    for col in ("n_adverts", "n_payments", "n_calls"):
        ent[col] = ent[col].astype("int64")
    return ent.reset_index()


def _json_counts(index: pd.Index, counts: pd.DataFrame) -> list[str]:
    """One compact JSON object per index entry: the non-zero counts of its row."""
    table = counts.reindex(index).fillna(0).astype("int64")
    names = list(table.columns)
    out = []
    for row in table.to_numpy():
        items = {names[j]: int(v) for j, v in enumerate(row) if v}
        out.append(json.dumps(dict(sorted(items.items()))) if items else "{}")
    return out


def case_frame(entity: pd.DataFrame, edges: pd.DataFrame, config: IndicatorSet) -> pd.DataFrame:
    """One row per case: size, adverts, risk level and the counts behind it."""
    ent = entity
    per_case = ent.groupby("case_id")
    case = pd.DataFrame(
        {
            "n_accounts": per_case.size(),
            "n_assessed": per_case["assessed"].sum().astype("int64"),
            "n_adverts": per_case["n_adverts"].sum().astype("int64"),
        }
    )
    seen = pd.DataFrame(
        {
            "case_id": ent["case_id"],
            "first": pd.to_datetime(ent["first_seen"], errors="coerce"),
            "last": pd.to_datetime(ent["last_seen"], errors="coerce"),
        }
    )
    case["first_seen"] = seen.groupby("case_id")["first"].min().dt.date
    case["last_seen"] = seen.groupby("case_id")["last"].max().dt.date
    case["partners"] = joined(ent, "case_id", "partner").reindex(case.index)
    case["regions"] = joined(ent, "case_id", "home_region").reindex(case.index)
    for level in LEVELS:
        case[f"n_{level}_indicators"] = per_case[f"n_{level}"].sum().astype("int64")
        has = (ent[f"n_{level}"] > 0).groupby(ent["case_id"]).sum()
        case[f"accounts_{level}"] = has.reindex(case.index).fillna(0).astype("int64")
    case["risk_level"] = "none"
    for level in LEVELS:
        case.loc[case[f"n_{level}_indicators"] > 0, "risk_level"] = level
    counts = ent.groupby("case_id")[list(INDICATOR_ORDER)].sum()
    case["indicator_counts"] = _json_counts(case.index, counts)
    if len(edges):
        owner = ent.set_index("account_id")["case_id"]
        link = edges.assign(case_id=owner.reindex(edges["account_a"]).to_numpy())
        kinds = link.groupby(["case_id", "kind"]).size().unstack(fill_value=0)
        case["link_counts"] = _json_counts(case.index, kinds)
    else:
        case["link_counts"] = "{}"
    rank = case["risk_level"].map({"none": 0, "low": 1, "medium": 2, "high": 3})
    case["risk_rank"] = rank.astype("int64")
    return case.reset_index()


def compute_stim(
    data: PartnerData,
    config: IndicatorSet | None = None,
    reference: NameGenderReference | None = None,
    window: Window | None = None,
    *,
    exact_templates: bool = False,
) -> StimResult:
    """Indicators, cases and text signals for the partner data dated in ``window``."""
    config = config or load_indicators()
    reference = reference or faker_reference()
    window = window or Window()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = now - clock
        clock = now

    # Sorted by identifiers first: every later step then gives the same answer however
    # the rows were read (template groups, chained edges and case IDs depend on order).
    data = restrict(data.conformed(), window).sorted()
    linking = config.linking
    # Numbers written in the advert texts, found once for linking, counting and signals.
    in_text = text_phone_frame(advert_texts(data.adverts))
    all_keys = account_keys(data, linking, in_text)
    keys, hubs = split_hubs(all_keys, linking.max_accounts_per_key)
    lap("keys")
    indicators = pd.concat(
        [derived_indicators(data, keys, reference, all_keys), recorded_indicators(data)],
        ignore_index=True,
    )
    level = {i.code: i.level.value for i in config.indicators}
    source = {i.code: i.source for i in config.indicators}
    indicators["level"] = indicators["indicator"].map(level)
    indicators["source"] = indicators["indicator"].map(source)
    lap("indicators")

    edges = [key_edges(keys)]
    lap("key_links")
    dropped = 0
    if linking.template and len(data.adverts):
        masker = (
            slot_masker(reference, data.accounts["display_name"].tolist())
            if linking.mask_slots
            else None
        )
        templates = template_edges(data.adverts, linking, exact=exact_templates, masker=masker)
        edges.append(templates.edges)
        dropped = templates.dropped_groups
    lap("template_links")
    non_empty = [e for e in edges if len(e)]
    all_edges = (
        pd.concat(non_empty, ignore_index=True) if non_empty else pd.DataFrame(columns=EDGE_COLUMNS)
    )

    entity = entity_frame(data, indicators, config)
    cases = components(entity["account_id"], all_edges)
    entity = entity.merge(cases, on="account_id", how="left")
    case = case_frame(entity, all_edges, config)

    kinds = pd.concat(
        [
            all_edges[["account_a", "kind"]].rename(columns={"account_a": "a"}),
            all_edges[["account_b", "kind"]].rename(columns={"account_b": "a"}),
        ]
    )
    member_kinds = joined(kinds, "a", "kind")
    member = entity[["case_id", "account_id", "partner", "assessed", "risk_level"]].copy()
    member["linked_by"] = member["account_id"].map(member_kinds).fillna("")

    owner = entity.set_index("account_id")["case_id"]
    case_link = all_edges.assign(case_id=owner.reindex(all_edges["account_a"]).to_numpy())
    lap("cases")

    text_signal = signal_frame(data.adverts, compile_lexicon(config.text_signals), in_text)
    text_signal["case_id"] = owner.reindex(text_signal["account_id"]).to_numpy()
    lap("text_signals")
    return StimResult(
        entity=entity,
        entity_indicator=indicators,
        case=case,
        case_member=member,
        case_link=case_link,
        text_signal=text_signal,
        hubs=hubs,
        window=window,
        template_groups_dropped=dropped,
        timings=timings,
        keys=keys,
    )
