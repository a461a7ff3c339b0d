"""The shipped nickname table and the name keys derived from it."""

from __future__ import annotations

from toex.resolve.name_keys import (
    deletion_keys,
    delimited,
    one_edit_relation,
    surname_lookup,
    surname_metaphones,
    surname_parts,
    token_lookup,
)
from toex.resolve.nicknames import (
    forename_groups,
    forename_variants,
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


def test_groups_and_variants() -> None:
    assert forename_groups("BILL") == ["WILLIAM"]
    assert forename_groups("XANTHE") == ["XANTHE"]
    assert forename_groups("") == []
    # RICKY belongs to two groups: a blocking key per group finds both.
    assert forename_groups("RICKY") == ["ERIC", "RICHARD"]
    assert {"WILLIAM", "BILL", "BILLY", "LIAM"} <= set(forename_variants("BILLY"))
    assert forename_variants("XANTHE") == ["XANTHE"] and forename_variants(None) == []
    # British and European diminutives added to the table.
    for name, nick in [("DARREN", "DAZ"), ("GEMMA", "GEM"), ("KATARZYNA", "KASIA")]:
        assert nickname_equivalent(name, nick), (name, nick)


def test_one_edit_relation_by_deletion_keys() -> None:
    assert deletion_keys(["ABC"]) == ["AB", "ABC", "AC", "BC"]
    rel = one_edit_relation(["DAVE", "EDAVID", "DAVID", "SUE", "SLSAN", "ADITYA", "JADE"])
    # a typo on a nickname: EDAVID is one edit from DAVID, a variant of DAVE
    assert "EDAVID" in rel["DAVE"] and "DAVE" in rel["EDAVID"]
    assert "SLSAN" in rel["SUE"]  # SUSAN, with one letter wrong
    assert rel["ADITYA"] == [] and "JADE" not in rel["ADITYA"]
    for f, others in rel.items():  # symmetric
        assert all(f in rel[g] for g in others)
    assert delimited(["A", "B"]) == "|A|B|"


def test_surname_and_token_keys() -> None:
    t = surname_lookup(["SMITH-JONES", "KIELY", "REBECCA"]).to_pylist()
    by = {r["surname"]: r for r in t}
    assert (by["SMITH-JONES"]["surname_first"], by["SMITH-JONES"]["surname_last"]) == (
        "SMITH",
        "JONES",
    )
    # a swapped record holds the forename in the surname field
    assert by["REBECCA"]["surname_first_groups"] == ["REBECCA"]
    assert by["KIELY"]["surname_dm"] == by["KIELY"]["surname_dm2"] == "KL"
    tok = {r["token"]: r["token_groups"] for r in token_lookup(["BECCA", "KIELY"]).to_pylist()}
    assert tok == {"BECCA": ["REBECCA"], "KIELY": ["KIELY"]}


def test_surname_keys() -> None:
    assert surname_metaphones("SMITH") == surname_metaphones("SMYTHE") == ["SM0", "XMT"]
    assert "XMT" in surname_metaphones("SCHMIDT")
    assert surname_parts("SMITH-JONES") == ["JONES", "SMITH"]
    assert surname_parts("SMITH JONES") == ["JONES", "SMITH"]
    assert surname_parts("SMITH") == ["SMITH"]
    assert surname_metaphones(None) == [] and surname_parts(None) == []
