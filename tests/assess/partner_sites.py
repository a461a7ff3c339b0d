"""Site 2's export read into STIM's PartnerData with the mapping helpers of
:mod:`toex.ingest.shape` (what its onboarding mapping says: account fields deduplicated by
account reference, dotted paths into ``billing``, the drop-down concern as flags, pence to
pounds, the title inside the cardholder name), and the scoring of STIM against its truth.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toex.assess.stim.compute import StimResult, compute_stim
from toex.assess.stim.evaluate import PairScore, case_pairwise
from toex.assess.stim.indicators import load_indicators
from toex.assess.stim.partner_data import CALL_FLAGS, PartnerData
from toex.ingest.shape import choice_flags, dedup_by_key, derive, flatten, map_values
from toex.synth.site2 import CONCERNS
from toex.synth.site2_files import REGION_OF_TOWN, Site2Files, generate_site2

PARTNER = "site2"


@dataclass
class Site2Run:
    """Site 2's files, the data read from them, STIM's result and the dedup conflicts."""

    files: Site2Files
    data: PartnerData
    result: StimResult
    conflicts: pd.DataFrame


def read_site2(files: Site2Files) -> tuple[PartnerData, pd.DataFrame]:
    """PartnerData from site 2's three files, and the account copies that disagreed."""
    with files.listings.open(encoding="utf-8", newline="") as fh:
        listings = pd.DataFrame(list(csv.DictReader(fh)))
    account_cols = {
        "account_ref": "account_id",
        "acct_name": "display_name",
        "acct_email": "email",
        "acct_phone": "phone_raw",
        "acct_joined": "created",
    }
    accounts, conflicts = dedup_by_key(
        listings[list(account_cols)].rename(columns=account_cols), "account_id"
    )
    regions = map_values(listings["city"], REGION_OF_TOWN)
    accounts["partner"] = PARTNER
    first_region = pd.Series(regions.to_numpy(), index=listings["account_ref"]).groupby(level=0)
    accounts["home_region"] = accounts["account_id"].map(first_region.first())
    adverts = pd.DataFrame(
        {
            "advert_id": listings["listing_id"],
            "account_id": listings["account_ref"],
            "partner": PARTNER,
            "posted": listings["listed_on"],
            "region": regions,
            "title": listings["headline"],
            "text": listings["body"],
            "phone_raw": listings["contact"].replace("", None),
        }
    )
    with files.payments.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    pay = flatten(
        records,
        {
            "payment_id": "txn",
            "account_id": "account",
            "paid": "ts",
            "pence": "amount_pence",
            "payer_name": "billing.name",
            "payer_token": "billing.card",
            "payer_email": "billing.email",
            "payer_phone_raw": "billing.phone",
        },
    )
    pay["paid"] = pay["paid"].str.slice(0, 10)
    pay["amount"] = derive(pay.pop("pence"), "pence_to_pounds")
    pay["payer_title"] = derive(pay["payer_name"], "title_in_name")
    pay["partner"] = PARTNER
    with files.notes.open(encoding="utf-8", newline="") as fh:
        notes = pd.DataFrame(list(csv.DictReader(fh)))
    calls = pd.DataFrame(
        {
            "call_id": notes["note_id"],
            "account_id": notes["account_ref"],
            "partner": PARTNER,
            "call_date": notes["called_on"],
            "staff_id": notes["agent"],
            "notes": notes["note"],
        }
    )
    flags = choice_flags(notes["concern"], {c: CONCERNS[c] for c in CALL_FLAGS})
    calls = pd.concat([calls, flags], axis=1)
    return PartnerData(accounts, adverts, pay, calls), conflicts


def run_site2(tmp: Path, seed: int, n_accounts: int) -> Site2Run:
    """Generate site 2, read it and run STIM (shipped indicator set)."""
    files = generate_site2(tmp, seed, n_accounts)
    data, conflicts = read_site2(files)
    return Site2Run(files, data, compute_stim(data, load_indicators()), conflicts)


def score(run: Site2Run, mode: str | None = None) -> PairScore:
    """Case pairwise scores; with ``mode``, over that mode's case accounts and the
    independents (the other modes' accounts left out)."""
    truth = run.files.truth
    if mode is not None:
        truth = truth[(truth["mode"] == mode) | truth["case_id"].isna()]
    return case_pairwise(run.result.entity[["account_id", "case_id"]], truth)


def indicator_scores(run: Site2Run) -> dict[str, tuple[float, float]]:
    """(precision, recall) of each indicator with truth in site 2."""
    ent = run.result.entity.set_index("account_id")
    truth = run.files.truth.set_index("account_id")
    out: dict[str, tuple[float, float]] = {}
    codes = ["multi_region", "multiple_phones", "multiple_payers", "male_name_email", "male_payer"]
    for code in [*codes, *CALL_FLAGS]:
        pred = ent[code].reindex(truth.index).fillna(False).astype(bool)
        true = truth[code].astype(bool)
        tp = int((pred & true).sum())
        out[code] = (
            tp / int(pred.sum()) if pred.sum() else 1.0,
            tp / int(true.sum()) if true.sum() else 1.0,
        )
    return out


def read_site1(partner_dir: Path) -> tuple[PartnerData, pd.DataFrame]:
    """PartnerData from the first generator's partner files (``partner/asw``), read as its
    mapping does (a malformed payment row with an extra field is left out, as ingest
    quarantines it), and the truth of its accounts."""
    accounts = pd.read_json(partner_dir / "accounts.jsonl", lines=True, dtype=False)
    adverts = pd.read_json(partner_dir / "adverts.jsonl", lines=True, dtype=False)
    with (partner_dir / "payments.csv").open(encoding="utf-8", newline="") as fh:
        pay_rows = [r for r in csv.DictReader(fh) if None not in r]
    payments = pd.DataFrame(pay_rows)
    calls = pd.read_csv(partner_dir / "staff_calls.csv", dtype=str, keep_default_na=False)
    data = PartnerData(
        accounts.rename(columns={"registered_email": "email", "phone": "phone_raw"}).assign(
            partner="asw"
        ),
        adverts.rename(
            columns={"body": "text", "contact_phone": "phone_raw", "contact_email": "email"}
        ).assign(partner="asw"),
        payments.rename(
            columns={"paid_on": "paid", "amount_gbp": "amount", "payer_phone": "payer_phone_raw"}
        ).assign(partner="asw"),
        calls.rename(columns={"vague_or_misleading": "vague_misleading"}).assign(partner="asw"),
    )
    truth = pd.read_parquet(partner_dir.parent.parent / "truth" / "asw_accounts.parquet")
    return data, truth
