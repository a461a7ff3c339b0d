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
