"""The name-gender reference: male names in emails, male payers."""

from __future__ import annotations

import pytest

from toex.assess.stim.names import build_reference, faker_reference, payer_is_male


@pytest.mark.parametrize(
    ("email", "name"),
    [
        ("john.smith88@example.com", "john"),
        ("dave_k@example.com", "dave"),
        ("johnsmith@example.com", "john"),
        ("ionut.pop@example.ro", "ionut"),
        ("alexandra99@example.com", None),
        ("bella.rose@example.com", None),
        ("sweetcandy@example.com", None),
        ("not-an-email", None),
    ],
)
def test_male_name_in_email(email: str, name: str | None) -> None:
    assert faker_reference().male_name_in_email(email) == name


def test_names_in_both_lists_are_ambiguous_and_never_male() -> None:
    ref = build_reference([("Andrea", "M"), ("Andrea", "F"), ("Mark", "M"), ("Mary", "F")], "test")
    assert ref.gender_of("Andrea") is None
    assert ref.gender_of("mark") == "M"
    assert ref.male_name_in_email("andrea.x@example.com") is None


def test_payer_title_decides_before_the_name() -> None:
    ref = faker_reference()
    assert payer_is_male("Mr", "Anna Pop", ref)
    assert not payer_is_male("Mrs", "John Smith", ref)
    assert payer_is_male(None, "John Smith", ref)
    assert payer_is_male("M", None, ref)
    assert not payer_is_male("", "J Smith", ref)


def test_reference_names_its_source() -> None:
    assert faker_reference().source.startswith("Faker first_names_male/female")
