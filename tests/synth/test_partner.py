"""The partner website's truth flags are what its files show."""

from __future__ import annotations

from typing import Any

import pandas as pd

from toex.synth.partner import INDICATORS

from .files import phone_digits

ASW = "partner/asw/"


def _shown(file_records: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """Each account's data-derived indicators, computed from the four files."""
    adverts = pd.DataFrame(file_records[ASW + "adverts.jsonl"])
    payments = pd.DataFrame(file_records[ASW + "payments.csv"])
    calls = pd.DataFrame(file_records[ASW + "staff_calls.csv"])
    adverts["phone_key"] = adverts.phone.map(phone_digits)
    out = pd.DataFrame(
        {"account_id": [r["reference"] for r in file_records[ASW + "accounts.jsonl"]]}
    )
    out = out.set_index("account_id")
    out["multi_region"] = adverts.groupby("account_ref").region.nunique().gt(1)
    out["multiple_phones"] = adverts.groupby("account_ref").phone_key.nunique().gt(1)
    out["multiple_payers"] = payments.groupby("account_ref").payer_ref.nunique().gt(1)
    out["male_payer"] = payments.groupby("account_ref").payer_gender.apply(
        lambda s: (s == "Mr").any()
    )
    keys = pd.concat(
        [
            adverts[["account_ref", "phone_key"]].rename(columns={"phone_key": "k"}),
            payments[["account_ref", "payer_ref"]].rename(columns={"payer_ref": "k"}),
        ]
    )
    keys = keys.drop_duplicates()
    shared = keys.groupby("k").account_ref.nunique()
    linked = keys[keys.k.map(shared).gt(1)].account_ref.unique()
    out["linked_payer_phone"] = out.index.isin(linked)
    for flag in (
        "language_barrier",
        "avoided_call",
        "male_in_background",
        "customer_flag_trafficking",
        "customer_flag_underage",
        "other_concern",
        "vague_misleading",
    ):
        out[flag] = calls.groupby("account_ref")[flag].apply(lambda s: (s == "yes").any())
    return out.astype("boolean").fillna(False).astype(bool)


def test_indicator_flags_match_the_files(
    file_records: dict[str, list[dict[str, Any]]], truth: dict[str, Any]
) -> None:
    shown = _shown(file_records)
    asw: pd.DataFrame = truth["asw"].set_index("account_id")
    assert list(asw.index) == list(shown.index)
    for flag in shown.columns:
        assert (asw[flag] == shown[flag]).all(), flag
    assert set(INDICATORS) <= set(asw.columns)


def test_cases_share_a_controller_and_flagged_accounts_are_called(
    file_records: dict[str, list[dict[str, Any]]], truth: dict[str, Any]
) -> None:
    asw: pd.DataFrame = truth["asw"]
    cases = asw.dropna(subset=["case_id"])
    assert (cases.groupby("case_id").controller_person_id.nunique() == 1).all()
    assert (cases.groupby("case_id").size() >= 2).all()
    assert cases.flagged.all()
    called = {r["account_ref"] for r in file_records[ASW + "staff_calls.csv"]}
    assert called == set(asw[asw.flagged].account_id)
    assert asw[asw.flagged].linked_payer_phone.mean() > 0.8
    assert asw[~asw.flagged].linked_payer_phone.mean() < 0.2


def test_holders_and_payers_are_mentions(truth: dict[str, Any]) -> None:
    m = truth["mentions"]
    asw = truth["asw"]
    holders = m[(m.system == "asw") & (m.slot == "holder")]
    assert list(holders.reference) == list(asw.account_id)
    assert list(holders.person_id) == list(asw.holder_person_id)
    assert (holders.role == "account_holder").all()
    payers = m[(m.system == "asw") & (m.slot == "payer")]
    assert (payers.role == "payer").all() and len(payers) >= len(asw)
    working = holders.variations.map(lambda v: "working_name" in v).mean()
    assert 0.6 < working < 0.97


HIGH = (
    "male_in_background",
    "customer_flag_trafficking",
    "customer_flag_underage",
    "other_concern",
)


def test_every_trafficking_case_shows_a_high_level_signal(truth: dict[str, Any]) -> None:
    asw: pd.DataFrame = truth["asw"]
    traf = asw[asw.trafficking]
    assert len(traf)
    high = traf[list(HIGH)].any(axis=1).groupby(traf.case_id).any()
    assert high.all(), high[~high]


def test_controllers_reuse_their_wording_and_strangers_do_not(
    file_records: dict[str, list[dict[str, Any]]], truth: dict[str, Any]
) -> None:
    from toex.assess.stim.minhash import shingles

    asw = truth["asw"].set_index("account_id")
    first: dict[str, str] = {}
    for r in file_records[ASW + "adverts.jsonl"]:
        first.setdefault(r["account_ref"], r["text"])

    def jaccard(x: str, y: str) -> float:
        a, b = shingles(x), shingles(y)
        return len(a & b) / len(a | b)

    ids = sorted(first)
    same, strangers = [], []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            ca, cb = asw.case_id.get(a), asw.case_id.get(b)
            j = jaccard(first[a], first[b])
            (same if ca is not None and ca == cb else strangers).append(j)
    assert same and min(same) >= 0.4 and sorted(same)[len(same) // 2] >= 0.5
    assert max(strangers) < 0.35
