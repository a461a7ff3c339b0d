"""Access scopes: agreements in force, handling codes and clearance decide visibility."""

from __future__ import annotations

import datetime as dt

import pytest

from toex.ops.access import (
    NO_ACCESS,
    AccessScope,
    agreement_in_force,
    classification_rank,
    parse_handling_codes,
    scope_for,
)

TODAY = dt.date(2024, 6, 1)


def test_classification_rank_orders_markings_and_puts_unknown_highest() -> None:
    assert [
        classification_rank(c)
        for c in ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET", "BOGUS")
    ] == [0, 1, 2, 3, 4]


def test_parse_handling_codes_drops_unknown_codes() -> None:
    assert parse_handling_codes(" p, C ,X") == frozenset({"P", "C"})
    assert parse_handling_codes("") == frozenset()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, True),
        (dt.date(2024, 6, 1), None, True),
        (dt.date(2024, 6, 2), None, False),
        (None, dt.date(2024, 6, 1), True),
        (None, dt.date(2024, 5, 31), False),
    ],
)
def test_agreement_in_force_is_inclusive(
    start: dt.date | None, end: dt.date | None, expected: bool
) -> None:
    assert agreement_in_force(start, end, TODAY) is expected


def test_scope_for_analyst_keeps_agreements_in_force_only() -> None:
    scope = scope_for(
        "analyst",
        [("cambs", None, None), ("essex", None, dt.date(2024, 1, 1))],
        "P",
        "OFFICIAL-SENSITIVE",
        TODAY,
    )
    assert scope == AccessScope(frozenset({"cambs"}), frozenset({"P"}), "OFFICIAL-SENSITIVE")
    assert scope.classifications == ("OFFICIAL", "OFFICIAL-SENSITIVE")


@pytest.mark.parametrize("role", ["partner", "admin", "nobody"])
def test_roles_without_data_access_get_no_scope(role: str) -> None:
    assert scope_for(role, [("cambs", None, None)], "P,C", "SECRET", TODAY) is NO_ACCESS


def test_unknown_clearance_gets_no_scope() -> None:
    assert scope_for("analyst", [("cambs", None, None)], "P", "RESTRICTED", TODAY) is NO_ACCESS


@pytest.mark.parametrize(
    ("force", "handling", "cls", "expected"),
    [
        ("cambs", "P", "OFFICIAL", True),
        ("cambs", "C", "OFFICIAL", False),
        ("cambs", "P", "SECRET", False),
        ("essex", "P", "OFFICIAL", False),
        ("cambs", "P", "OFFICIAL-SENSITIVE", True),
    ],
)
def test_permits_needs_agreement_handling_and_clearance(
    force: str, handling: str, cls: str, expected: bool
) -> None:
    scope = AccessScope(frozenset({"cambs"}), frozenset({"P"}), "OFFICIAL-SENSITIVE")
    assert scope.permits(force, handling, cls) is expected


def test_empty_scope_is_empty() -> None:
    assert NO_ACCESS.empty
    assert AccessScope(frozenset({"cambs"}), frozenset(), "SECRET").empty
