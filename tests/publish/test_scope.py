"""Whose scope a pack is built under: the force organisation's agreements, capped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from toex.config import load_catalogue
from toex.errors import ConfigError
from toex.ops import open_store
from toex.ops.accounts import add_agreement, create_organisation
from toex.ops.db import OpsStore
from toex.publish.scope import in_list, marking_of, marking_rank_sql, pack_scope

CAMBS = load_catalogue().force("cambs")
TODAY = dt.date(2026, 1, 2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OpsStore]:
    s = open_store(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    yield s
    s.dispose()


def scope(store: OpsStore) -> object:
    return pack_scope(
        store, CAMBS, clearance="OFFICIAL-SENSITIVE", handling_codes=frozenset({"P"}), today=TODAY
    )


def test_a_force_without_an_organisation_sees_its_own_records_only(store: OpsStore) -> None:
    got = scope(store)
    assert got.scope.forces == frozenset({"cambs"})  # type: ignore[attr-defined]
    assert got.organisation is None  # type: ignore[attr-defined]
    assert got.basis == (  # type: ignore[attr-defined]
        "the force's own records only, as the operational store has no organisation for "
        "Cambridgeshire Constabulary"
    )


def test_the_force_organisation_agreements_in_force_give_the_forces(store: OpsStore) -> None:
    with store.session() as s:
        org = create_organisation(s, "force-cambs", "Cambridgeshire Constabulary", "force", "cambs")
        add_agreement(s, org, "cambs")
        add_agreement(s, org, "essex", valid_from=dt.date(2025, 1, 1))
        add_agreement(s, org, "norfolk", valid_to=dt.date(2025, 12, 31))  # expired
        add_agreement(s, org, "gmp", valid_from=dt.date(2026, 6, 1))  # not yet
        regional = create_organisation(s, "toex-regional", "Regional", "regional")
        add_agreement(s, regional, "wmp")
        s.commit()
    got = scope(store)
    assert got.scope.forces == frozenset({"cambs", "essex"})  # type: ignore[attr-defined]
    assert got.scope.handling_codes == frozenset({"P"})  # type: ignore[attr-defined]
    assert got.scope.classifications == ("OFFICIAL", "OFFICIAL-SENSITIVE")  # type: ignore[attr-defined]
    assert got.organisation == "force-cambs"  # type: ignore[attr-defined]
    assert got.basis == (  # type: ignore[attr-defined]
        "under the data-sharing agreements of Cambridgeshire Constabulary on 2 January 2026"
    )


def test_two_organisations_for_one_force_is_refused(store: OpsStore) -> None:
    with store.session() as s:
        create_organisation(s, "force-cambs", "Cambs", "force", "cambs")
        create_organisation(s, "cambs-2", "Cambs again", "force", "cambs")
        s.commit()
    with pytest.raises(ConfigError) as err:
        scope(store)
    assert str(err.value) == (
        "2 organisations represent cambs (cambs-2, force-cambs): a pack is built under its "
        "force's one organisation; remove or re-kind the others"
    )


def test_sql_pieces_refuse_what_they_do_not_know() -> None:
    assert in_list(["cambs", "x'); DROP TABLE t; --"]) == "('cambs')"
    assert in_list([]) == "(NULL)"
    assert marking_rank_sql("c").endswith("ELSE 99 END)")
    assert [marking_of(r) for r in (None, 0, 1, 2, 3)] == [
        "OFFICIAL",
        "OFFICIAL",
        "OFFICIAL-SENSITIVE",
        "SECRET",
        "TOP SECRET",
    ]
    with pytest.raises(ConfigError, match="unknown classification"):
        marking_of(99)
