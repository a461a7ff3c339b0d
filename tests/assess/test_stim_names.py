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


@pytest.mark.parametrize(
    ("email", "name"),
    [
        ("popescu.andrei@example.com", "andrei"),  # surname first
        ("popescuandrei77@example.com", "andrei"),
        ("andreip@example.com", "andrei"),  # forename and initial
        ("andrei.p@example.com", "andrei"),
        ("danielswift@example.com", "daniel"),  # "daniels" + "wift" is not a split
        ("a.popescu@example.com", None),  # an initial says nothing
        ("m.thomas@example.com", None),  # a woman whose surname is a man's forename
        ("mthomas@example.com", None),
        ("maria.thomas@example.com", None),
        ("mariathomas@example.com", None),
    ],
)
def test_male_name_in_email_both_orders_and_initials(email: str, name: str | None) -> None:
    assert faker_reference().male_name_in_email(email) == name


@pytest.mark.parametrize(
    ("name", "male"),
    [
        ("MR F POPESCU", True),
        ("Mr. F. Popescu", True),
        ("POPESCU F MR", True),
        ("MRS F POPESCU", False),
        ("MISS A JAMES", False),
        ("M SMITH", False),  # an initial, not a title
        ("F POPESCU", False),
        ("FLORIN POPESCU", True),
    ],
)
def test_title_written_in_the_cardholder_name(name: str, male: bool) -> None:
    assert payer_is_male(None, name, faker_reference()) is male
