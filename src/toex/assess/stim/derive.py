"""Account-level STIM indicators: derived from the partner's data, or recorded by staff.

Pure functions over :class:`~toex.assess.stim.partner_data.PartnerData` frames. The result
is long-form: one row per (account, indicator) present, with the evidence an analyst reads
("3 regions: London, North West, West Midlands"). Nationality is never read here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toex.assess.stim.indicators import RECORDED_CODES, LinkingConfig
from toex.assess.stim.mailbox import canonical_email
from toex.assess.stim.names import NameGenderReference, payer_is_male
from toex.assess.stim.partner_data import CALL_FLAGS, PartnerData
from toex.assess.stim.phones import normalise_many
from toex.assess.stim.text_phones import text_phone_frame

KEY_COLUMNS = ["account_id", "kind", "value", "source"]
INDICATOR_COLUMNS = ["account_id", "indicator", "evidence"]


def _clean_text(series: pd.Series) -> pd.Series:
    """Values as stripped text, blanks and nulls as None (column-wise)."""
    values = series.astype("object")
    present = values.notna().to_numpy()
    out = np.full(len(values), None, dtype=object)
    if present.any():
        text = values[present].astype(str).str.strip().to_numpy(dtype=object)
        text[text == ""] = None
        out[present] = text
    return pd.Series(out, index=series.index, dtype="object")


def normalised_phones(raw: pd.Series) -> pd.Series:
    """E.164 of each phone as written (None where it does not parse), one parse per value."""
    clean = _clean_text(raw)
    mapping = normalise_many(clean.dropna().unique().tolist())
    mapped = clean.map(mapping).to_numpy(dtype=object)
    mapped[pd.isna(mapped)] = None
    return pd.Series(mapped, index=raw.index, dtype="object")


def advert_texts(adverts: pd.DataFrame) -> list[str | None]:
    """The adverts' texts as a list (missing texts as None)."""
    return [t if isinstance(t, str) else None for t in adverts["text"].tolist()]


def text_phones(adverts: pd.DataFrame, found: pd.DataFrame | None = None) -> pd.DataFrame:
    """(account_id, value) for every phone number written in an advert's text (E.164;
    spelled-out, spaced, look-alike and emoji digits read, see
    :func:`toex.assess.stim.text_phones.text_phone_frame`, whose result for these adverts
    ``found`` may already hold)."""
    if found is None:
        found = text_phone_frame(advert_texts(adverts))
    accounts = adverts["account_id"].to_numpy()
    rows = found["row"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {"account_id": accounts[rows], "value": found["e164"].to_numpy()}, dtype="object"
    )


def mailboxes(raw: pd.Series) -> pd.Series:
    """The mailbox of each email (:func:`toex.assess.stim.mailbox.canonical_email`: Gmail
    dots, ``+tags`` and googlemail.com folded...); non-addresses become None."""
    clean = _clean_text(raw)
    distinct = {v: canonical_email(v) for v in clean.dropna().unique().tolist()}
    mapped = clean.map(distinct).to_numpy(dtype=object)
    mapped[pd.isna(mapped)] = None
    return pd.Series(mapped, index=raw.index, dtype="object")


def normalised_emails(raw: pd.Series) -> pd.Series:
    """Lower-case emails as written; values without an ``@`` become None (column-wise).
    Linking uses :func:`mailboxes` instead."""
    values = _clean_text(raw).to_numpy(dtype=object)
    present = np.flatnonzero(pd.notna(values))
    out = np.full(len(values), None, dtype=object)
    if present.size:
        low = pd.Series(values[present], dtype="object").str.lower()
        ok = low.str.contains("@", regex=False).to_numpy(dtype=bool)
        out[present[ok]] = low[ok].to_numpy(dtype=object)
    return pd.Series(out, index=raw.index, dtype="object")


def joined(frame: pd.DataFrame, key: str, col: str, sep: str = ",") -> pd.Series:
    """Per ``key``, the sorted distinct non-null values of ``col`` joined by ``sep``
    (vectorised for the many keys with one value)."""
    pairs = frame[[key, col]].dropna().astype({col: str}).drop_duplicates()
    pairs = pairs.sort_values([key, col])
    sizes = pairs.groupby(key)[col].transform("size")
    single = pairs[sizes == 1].set_index(key)[col]
    multi = pairs[sizes > 1].groupby(key)[col].agg(sep.join)
    return pd.concat([single, multi])


def _keys(account: pd.Series, value: pd.Series, kind: str, source: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "account_id": account.to_numpy(),
            "kind": kind,
            "value": value.to_numpy(),
            "source": source,
        }
    )
    return frame[frame["value"].notna() & frame["account_id"].notna()]


def account_keys(
    data: PartnerData, linking: LinkingConfig, found_in_text: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every (account, key kind, value, where seen) by which accounts can link.

    ``found_in_text``: the adverts' :func:`text_phone_frame`, when the caller already has it.
    Kinds: ``phone`` (registration, advert contact, numbers written in the advert text,
    payer phone; E.164), ``email`` (registered, advert contact, payer email; the mailbox,
    :func:`mailboxes`), ``payer`` (payer token).
    """
    parts: list[pd.DataFrame] = []
    acc, adv, pay = data.accounts, data.adverts, data.payments
    if linking.phone:
        parts += [
            _keys(acc["account_id"], normalised_phones(acc["phone_raw"]), "phone", "registration"),
            _keys(adv["account_id"], normalised_phones(adv["phone_raw"]), "phone", "advert"),
            _keys(pay["account_id"], normalised_phones(pay["payer_phone_raw"]), "phone", "payer"),
        ]
        if linking.text_phones and len(adv):
            in_text = text_phones(adv, found_in_text)
            parts.append(_keys(in_text["account_id"], in_text["value"], "phone", "advert_text"))
    if linking.email:
        parts += [
            _keys(acc["account_id"], mailboxes(acc["email"]), "email", "registration"),
            _keys(adv["account_id"], mailboxes(adv["email"]), "email", "advert"),
            _keys(pay["account_id"], mailboxes(pay["payer_email"]), "email", "payer"),
        ]
    if linking.payer:
        parts.append(_keys(pay["account_id"], _clean_text(pay["payer_token"]), "payer", "payer"))
    if not parts:
        return pd.DataFrame(columns=KEY_COLUMNS)
    keys = pd.concat(parts, ignore_index=True)
    return keys.drop_duplicates(KEY_COLUMNS).reset_index(drop=True)


def split_hubs(keys: pd.DataFrame, max_accounts: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(usable keys, hubs): a value shared by more than ``max_accounts`` accounts is a hub.

    Hubs are returned as (kind, value, accounts) so they can be reported.
    """
    per_value = keys.groupby(["kind", "value"])["account_id"].nunique()
    hub_index = per_value[per_value > max_accounts]
    hubs = hub_index.rename("accounts").reset_index()
    if hubs.empty:
        return keys, hubs
    marker = keys.set_index(["kind", "value"]).index.isin(hub_index.index)
    return keys[~marker].reset_index(drop=True), hubs


def shared_keys(keys: pd.DataFrame) -> pd.DataFrame:
    """Keys held by two or more accounts: (kind, value, account_id) rows."""
    distinct = keys[["kind", "value", "account_id"]].drop_duplicates()
    counts = distinct.groupby(["kind", "value"])["account_id"].transform("nunique")
    return distinct[counts >= 2].reset_index(drop=True)


def _rows(account_ids: pd.Series, indicator: str, evidence: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": account_ids.to_numpy(),
            "indicator": indicator,
            "evidence": evidence.to_numpy(),
        }
    )


def derived_indicators(
    data: PartnerData,
    keys: pd.DataFrame,
    reference: NameGenderReference,
    all_keys: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The six derived indicators present on each account, with evidence.

    ``keys`` are the usable (non-hub) linking keys of :func:`account_keys`; an account is
    linked when it shares a phone or a payer (token, payer email or payer phone) with
    another account. ``all_keys`` (hubs included; ``keys`` when not given) count an
    account's phones: a switchboard or placeholder number on an account's adverts is still
    one of the numbers it advertises.
    """
    all_keys = keys if all_keys is None else all_keys
    out: list[pd.DataFrame] = []
    acc, adv, pay = data.accounts, data.adverts, data.payments

    # Adverts and accounts spread over more than one region.
    regions = pd.concat(
        [
            acc[["account_id", "home_region"]].rename(columns={"home_region": "region"}),
            adv[["account_id", "region"]],
        ],
        ignore_index=True,
    )
    regions = regions[regions["region"].notna() & (regions["region"].astype(str) != "")]
    regions = regions[regions["account_id"].isin(adv["account_id"])]
    regions = regions.astype({"region": str}).drop_duplicates()
    n_regions = regions.groupby("account_id")["region"].size()
    spread = regions[regions["account_id"].isin(n_regions[n_regions > 1].index)]
    names = joined(spread, "account_id", "region", ", ")
    out.append(
        _rows(
            names.index.to_series(),
            "multi_region",
            n_regions.reindex(names.index).astype(str) + " regions: " + names,
        )
    )

    # Linked to other accounts by payer or phone sharing.
    linking = keys[
        (keys["kind"] == "phone")
        | (keys["kind"] == "payer")
        | ((keys["kind"] == "email") & (keys["source"] == "payer"))
    ]
    shared = shared_keys(linking[["account_id", "kind", "value"]].assign(source=""))
    if not shared.empty:
        others = shared.merge(shared, on=["kind", "value"], suffixes=("", "_other"))
        others = others[others["account_id"] != others["account_id_other"]]
        n_other = others.groupby("account_id")["account_id_other"].nunique()
        kinds = joined(others, "account_id", "kind", ", ").reindex(n_other.index)
        out.append(
            _rows(
                n_other.index.to_series(),
                "linked_accounts",
                n_other.astype(str) + " other account(s) share " + kinds,
            )
        )

    # Several phone numbers across one account's adverts (contact field and text).
    adv_phones = all_keys[
        (all_keys["kind"] == "phone") & all_keys["source"].isin(["advert", "advert_text"])
    ]
    adv_phones = adv_phones[adv_phones["account_id"].isin(adv["account_id"])]
    per_acc = adv_phones.groupby("account_id")["value"].nunique()
    many = per_acc[per_acc >= 2]
    out.append(
        _rows(
            many.index.to_series(),
            "multiple_phones",
            many.astype(str) + " phone numbers on adverts",
        )
    )

    # Several payers on one account.
    payer_id = _clean_text(pay["payer_token"])
    payer_id = payer_id.fillna(mailboxes(pay["payer_email"]))
    payer_id = payer_id.fillna(
        _clean_text(pay["payer_name"]).map(lambda v: v.lower() if v else None)
    )
    payers = pd.DataFrame({"account_id": pay["account_id"], "payer": payer_id}).dropna()
    per_acc = payers.groupby("account_id")["payer"].nunique()
    many = per_acc[per_acc >= 2]
    out.append(_rows(many.index.to_series(), "multiple_payers", many.astype(str) + " payers"))

    # A male name in the registered email.
    # Read as written, then as the mailbox (a Gmail address with a dot inside a name,
    # "filiphop.kins", reads as "filiphopkins").
    emails = normalised_emails(acc["email"])
    boxes = mailboxes(acc["email"])
    found: dict[tuple[str, str | None], str | None] = {}
    for pair in zip(emails.dropna().tolist(), boxes[emails.notna()].tolist(), strict=True):
        if pair not in found:
            e, b = pair
            found[pair] = reference.male_name_in_email(e) or (
                reference.male_name_in_email(b) if b and b != e else None
            )
    male = pd.Series(
        [found.get((e, b)) if e else None for e, b in zip(emails, boxes, strict=True)],
        index=acc.index,
        dtype="object",
    )
    hit = male.notna()
    out.append(
        _rows(
            acc.loc[hit, "account_id"],
            "male_name_email",
            "male name '" + male[hit].astype(str) + "' in " + emails[hit].astype(str),
        )
    )

    # A male attempting to pay.
    if len(pay):
        is_male = [
            payer_is_male(t, n, reference)
            for t, n in zip(pay["payer_title"], pay["payer_name"], strict=True)
        ]
        males = pay[pd.Series(is_male, index=pay.index, dtype=bool)]
        grouped = joined(
            males.assign(payer_name=males["payer_name"].fillna("(no name)")),
            "account_id",
            "payer_name",
            ", ",
        )
        out.append(
            _rows(grouped.index.to_series(), "male_payer", "male payer: " + grouped.astype(str))
        )
    frames = [f for f in out if not f.empty]
    if not frames:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def recorded_indicators(data: PartnerData) -> pd.DataFrame:
    """The seven recorded indicators: from staff call flags and partner-user records."""
    out: list[pd.DataFrame] = []
    calls = data.calls
    for flag in CALL_FLAGS:
        if flag not in calls.columns or calls.empty:
            continue
        hits = calls[calls[flag].astype(bool)]
        if hits.empty:
            continue
        grouped = joined(hits, "account_id", "call_id", ", ")
        out.append(_rows(grouped.index.to_series(), flag, "staff call " + grouped))
    rec = data.records
    if not rec.empty:
        rec = rec[rec["indicator"].isin(RECORDED_CODES) & rec["present"].astype(bool)]
        for code, group in rec.groupby("indicator"):
            by_acc = joined(group, "account_id", "recorded_by", ", ")
            out.append(
                _rows(by_acc.index.to_series(), str(code), "recorded by partner user " + by_acc)
            )
    frames = [f for f in out if not f.empty]
    if not frames:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    both = pd.concat(frames, ignore_index=True)
    both["key"] = both["account_id"].astype(str) + "\x1f" + both["indicator"]
    evidence = joined(both, "key", "evidence", "; ")
    first = both.drop_duplicates("key").set_index("key")
    return pd.DataFrame(
        {
            "account_id": first.loc[evidence.index, "account_id"].to_numpy(),
            "indicator": first.loc[evidence.index, "indicator"].to_numpy(),
            "evidence": evidence.to_numpy(),
        }
    )
