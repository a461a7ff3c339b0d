"""The shipped nickname table and the name keys derived from it."""

from __future__ import annotations

from toex.resolve.name_keys import surname_metaphones, surname_parts
from toex.resolve.nicknames import (
    forename_canon,
    forename_groups,
    nickname_equivalent,
    nickname_pairs,
)


def test_table_has_several_hundred_upper_case_pairs() -> None:
    pairs = nickname_pairs()
    assert len(pairs) >= 500
    assert all(a == a.upper() and b == b.upper() and a != b for a, b in pairs)
    assert len(set(pairs)) == len(pairs)


def test_diminutives_share_a_group_and_unrelated_names_do_not() -> None:
    for a, b in [
        ("WILLIAM", "BILL"),
        ("BILLY", "LIAM"),
        ("MARGARET", "PEGGY"),
        ("MAGGIE", "MARGARET"),
        ("ROBERT", "BOB"),
    ]:
        assert nickname_equivalent(a, b), (a, b)
    assert not nickname_equivalent("BILL", "BOB")
    assert not nickname_equivalent("ALBERT", "ROBERT")
    assert not nickname_equivalent(None, "BILL")


def test_groups_and_blocking_canon() -> None:
    assert forename_groups("BILL") == ["WILLIAM"]
    assert forename_groups("XANTHE") == ["XANTHE"]
    assert forename_groups("") == []
    assert forename_canon("BILLY") == forename_canon("WILLIAM") == "WILLIAM"
    assert forename_canon(None) is None


def test_surname_keys() -> None:
    assert surname_metaphones("SMITH") == surname_metaphones("SMYTHE") == ["SM0", "XMT"]
    assert "XMT" in surname_metaphones("SCHMIDT")
    assert surname_parts("SMITH-JONES") == ["JONES", "SMITH"]
    assert surname_parts("SMITH JONES") == ["JONES", "SMITH"]
    assert surname_parts("SMITH") == ["SMITH"]
    assert surname_metaphones(None) == [] and surname_parts(None) == []
