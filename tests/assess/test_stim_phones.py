"""Phone de-obfuscation and E.164 normalisation."""

from __future__ import annotations

import pytest

from toex.assess.stim.phones import deobfuscate, is_obscured, normalise_phone, phones_in_text


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07seven00 900 one23", "+447700900123"),
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("(07700) 900-123", "+447700900123"),
        ("0770o900123", "+447700900123"),
        ("o7seven double 0 900 one two three", "+447700900123"),
        ("0040 721 234 567", "+40721234567"),
    ],
)
def test_obscured_and_plain_spellings_normalise_to_the_same_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "call me", "12345", None])
def test_values_that_are_not_numbers_give_none(raw: str | None) -> None:
    assert normalise_phone(raw) is None


def test_deobfuscate_keeps_separators() -> None:
    assert deobfuscate("07seven00 900 one23") == "07700 900 123"


def test_is_obscured_only_for_words_or_look_alike_letters() -> None:
    assert is_obscured("07seven00 900 one23")
    assert is_obscured("0770o900123")
    assert not is_obscured("07700 900123")
    assert not is_obscured("+44 7700 900 123")


def test_phones_in_text_finds_plain_and_spelled_numbers() -> None:
    found = phones_in_text("new in town, call 07seven00 900 one23 or text +44 7700 900 124")
    assert [e for _, e in found] == ["+447700900123", "+447700900124"]


def test_phones_in_texts_reads_site_two_styles() -> None:
    from toex.assess.stim.text_phones import phones_in_texts
    from toex.synth.site2_text import N_PHONE_STYLES, spell_phone

    texts = [f"hi babe txt {spell_phone(7700900123, s)} for fun 💋" for s in range(N_PHONE_STYLES)]
    found = phones_in_texts([*texts, "price 150 200 250 300 350 400", None])
    assert {i for i, _, _ in found} == set(range(N_PHONE_STYLES))
    assert {e for _, _, e in found} == {"+447700900123"}


def test_text_phones_are_linking_keys_and_multiple_phones_counts_hubs() -> None:
    import pandas as pd

    from toex.assess.stim.compute import compute_stim
    from toex.assess.stim.partner_data import PartnerData

    n = 30
    adverts = pd.DataFrame(
        {
            "advert_id": [f"V{i:03d}" for i in range(n + 2)],
            "account_id": [f"A{i:03d}" for i in range(n)] + ["B1", "B2"],
            "partner": "p",
            "text": [f"agency girls call 07441 000441 or me 07{i:09d}" for i in range(n)]
            + ["txt zero seven nine one one one two three four five six", "07911 123456 x"],
            "phone_raw": [None] * (n + 2),
        }
    )
    result = compute_stim(PartnerData(adverts=adverts))
    ent = result.entity.set_index("account_id")
    assert "+447441000441" in set(result.hubs["value"])  # the agency links nothing...
    assert ent.loc["A000", "case_id"] != ent.loc["A001", "case_id"]
    assert ent.loc["A000", "multiple_phones"]  # ...but is one of the numbers advertised
    assert ent.loc["B1", "case_id"] == ent.loc["B2", "case_id"]  # spelled out in text
    assert not ent.loc["B1", "multiple_phones"]
