"""The STIM core on the toy data: indicators with evidence, cases, risk, text signals."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from toex.assess.stim.compute import compute_stim
from toex.assess.stim.indicators import INDICATOR_ORDER, load_indicators
from toex.assess.stim.linking import case_id_of
from toex.assess.stim.partner_data import Window

from .stim_toy import toy_data, with_templates

CASE_A1, CASE_A3 = case_id_of("A1"), case_id_of("A3")


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return compute_stim(toy_data(), with_templates())


def _present(result, account: str) -> set[str]:  # type: ignore[no-untyped-def]
    row = result.entity.set_index("account_id").loc[account]
    return {c for c in INDICATOR_ORDER if row[c]}


def test_indicators_per_account(result) -> None:  # type: ignore[no-untyped-def]
    assert _present(result, "A1") == {"male_name_email", "male_in_background"}
    assert _present(result, "A2") == {"multi_region", "multiple_phones"}
    assert _present(result, "A3") == {"linked_accounts", "male_payer", "vague_misleading"}
    assert _present(result, "A4") == {"linked_accounts"}


def test_evidence_explains_each_indicator(result) -> None:  # type: ignore[no-untyped-def]
    ev = result.entity_indicator.set_index(["account_id", "indicator"])["evidence"]
    assert ev[("A2", "multi_region")] == "2 regions: London, West Midlands"
    assert ev[("A1", "male_name_email")] == "male name 'john' in john.smith@example.com"
    assert ev[("A1", "male_in_background")] == "staff call C1"
    assert ev[("A3", "linked_accounts")] == "1 other account(s) share payer"


def test_cases_group_linked_accounts_and_take_the_highest_level(result) -> None:  # type: ignore[no-untyped-def]
    case = result.case.set_index("case_id")
    assert set(case.index) == {CASE_A1, CASE_A3}
    assert case.loc[CASE_A1, "risk_level"] == "high"
    assert case.loc[CASE_A1, "n_high_indicators"] == 1
    assert case.loc[CASE_A1, "n_medium_indicators"] == 3
    assert json.loads(case.loc[CASE_A1, "link_counts"]) == {"template": 1}
    assert case.loc[CASE_A3, "risk_level"] == "medium"
    assert json.loads(case.loc[CASE_A3, "link_counts"]) == {"payer": 1}
    assert case.loc[CASE_A3, "n_assessed"] == 1


def test_text_signals_are_kept_apart(result) -> None:  # type: ignore[no-untyped-def]
    signals = set(zip(result.text_signal["advert_id"], result.text_signal["signal"], strict=True))
    assert signals == {
        ("V1", "obscured_phone"),
        ("V3", "youth_language"),
        ("V3", "third_party_control"),
    }
    assert "obscured_phone" not in result.entity.columns


def test_the_obscured_phone_links_like_the_plain_one() -> None:
    data = toy_data()
    data.accounts.loc[1, "phone_raw"] = "07700 900123"  # A2 registers A1's advert phone
    data.adverts.loc[0, "text"] = "nothing alike"
    res = compute_stim(data, with_templates())
    links = res.case_link[res.case_link["kind"] == "phone"]
    assert links[["account_a", "account_b", "value"]].values.tolist() == [
        ["A1", "A2", "+447700900123"]
    ]


def test_nationality_is_never_an_input() -> None:
    """Shuffling nationalities changes no indicator, level, case or risk."""
    base = compute_stim(toy_data(), with_templates())
    other = compute_stim(
        toy_data(("British", "Albanian", "British", "Vietnamese")), with_templates()
    )
    cols = [c for c in base.entity.columns if c != "nationality"]
    pd.testing.assert_frame_equal(base.entity[cols], other.entity[cols])
    pd.testing.assert_frame_equal(base.case, other.case)
    pd.testing.assert_frame_equal(base.entity_indicator, other.entity_indicator)


def test_changing_a_level_changes_the_case_risk() -> None:
    config = load_indicators().with_levels({"male_in_background": "low"})
    case = compute_stim(toy_data(), with_templates(config)).case.set_index("case_id")
    assert case.loc[CASE_A1, "risk_level"] == "medium"


def test_a_window_restricts_adverts_payments_and_calls() -> None:
    window = Window(dt.date(2022, 9, 1), dt.date(2022, 12, 31))
    res = compute_stim(toy_data(), with_templates(), window=window)
    ent = res.entity.set_index("account_id")
    assert ent.loc["A2", "n_adverts"] == 1
    assert not ent.loc["A2", "multi_region"]
    assert not ent.loc["A1", "assessed"]


def test_partner_records_count_as_recorded_indicators() -> None:
    records = pd.DataFrame(
        [
            {
                "account_id": "A4",
                "partner": "asw",
                "indicator": "customer_flag_underage",
                "present": True,
                "recorded_on": "2022-08-10",
                "recorded_by": "partner1",
            }
        ]
    )
    res = compute_stim(toy_data().with_records(records), with_templates())
    ent = res.entity.set_index("account_id")
    assert ent.loc["A4", "customer_flag_underage"]
    assert ent.loc["A4", "assessed"]
    assert res.case.set_index("case_id").loc[CASE_A3, "risk_level"] == "high"
